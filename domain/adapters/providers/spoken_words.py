"""How written words are spoken, for aligning a known text to audio (English).

A caption shows the words as written ("50%", "$9.99", "Zappo's"); the aligner needs the words a
voice says ("fifty percent", "nine dollars ninety nine") and a pronunciation for each, even for
names no dictionary has. This module maps one to the other; the rough letter-to-sound rules are
enough for *forced* alignment, where the words are known and only their times are searched.
"""

from __future__ import annotations

import re

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"))
_SYMBOLS = {"%": "percent", "&": "and", "+": "plus", "@": "at", "#": "number"}
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+(?:'[a-z]+)*|[%&+@#$€£]")


def number_words(value: int) -> list[str]:
    """``1250`` -> ``one thousand two hundred fifty``."""
    if value < 20:
        return [_ONES[value]]
    if value < 100:
        tens, ones = divmod(value, 10)
        return [_TENS[tens], *([_ONES[ones]] if ones else [])]
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return [_ONES[hundreds], "hundred", *(number_words(rest) if rest else [])]
    for scale, name in _SCALES:
        if value >= scale:
            high, rest = divmod(value, scale)
            return [*number_words(high), name, *(number_words(rest) if rest else [])]
    return [str(value)]  # pragma: no cover - every int >= 0 is handled above


def _number(token: str) -> list[str]:
    whole, _, fraction = token.replace(",", "").partition(".")
    words = number_words(int(whole)) if whole else []
    if fraction:
        words += ["point", *(_ONES[int(d)] for d in fraction)]
    return words


def spoken_words(written: str) -> list[str]:
    """The dictionary words a voice says for one written word (may be empty: "—")."""
    text = written.lower().replace("\u2019", "'").replace("-", " ")
    out: list[str] = []
    currency = ""
    for token in _TOKEN.findall(text):
        if token in "$€£":
            currency = {"$": "dollars", "€": "euros", "£": "pounds"}[token]
        elif token[0].isdigit():
            out += _number(token)
            if currency:
                out.append(currency)
                currency = ""
        elif token in _SYMBOLS:
            out.append(_SYMBOLS[token])
        else:
            out.append(token)
    return out


_DIGRAPHS = {
    "tch": "CH", "sch": "S K", "ch": "CH", "sh": "SH", "th": "TH", "ph": "F", "ng": "NG",
    "ck": "K", "qu": "K W", "wh": "W", "gh": "G", "ee": "IY", "ea": "IY", "oo": "UW",
    "ou": "AW", "ow": "OW", "ai": "EY", "ay": "EY", "oa": "OW", "oi": "OY", "oy": "OY",
    "au": "AO", "aw": "AO", "ie": "IY", "ei": "EY", "er": "ER", "ir": "ER", "ur": "ER",
    "ar": "AA R", "or": "AO R",
}  # fmt: skip
_LETTERS = {
    "a": "AE", "b": "B", "c": "K", "d": "D", "e": "EH", "f": "F", "g": "G", "h": "HH", "i": "IH",
    "j": "JH", "k": "K", "l": "L", "m": "M", "n": "N", "o": "AA", "p": "P", "q": "K", "r": "R",
    "s": "S", "t": "T", "u": "AH", "v": "V", "w": "W", "x": "K S", "y": "IY", "z": "Z",
    "'": "",
}  # fmt: skip


def rough_phones(word: str) -> str:
    """An ARPABET guess for a word no dictionary has (good enough to align, not to speak)."""
    letters = re.sub(r"[^a-z']", "", word.lower())
    letters = re.sub(r"(.)\1+", r"\1", letters)
    if len(letters) > 2 and letters.endswith("e"):
        letters = letters[:-1]  # silent final e
    phones: list[str] = []
    index = 0
    while index < len(letters):
        for size in (3, 2):
            chunk = letters[index : index + size]
            if len(chunk) == size and chunk in _DIGRAPHS:
                phones.append(_DIGRAPHS[chunk])
                index += size
                break
        else:
            phones.append(_LETTERS.get(letters[index], ""))
            index += 1
    found = " ".join(p for p in phones if p)
    return found or "AH"


__all__ = ["number_words", "rough_phones", "spoken_words"]
