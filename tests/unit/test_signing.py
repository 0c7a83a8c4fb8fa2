"""Signed URLs: round trip, tampering, expiry, purpose separation."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from domain.security.signing import InvalidSignature, UrlSigner, new_nonce, stable_expiry

NOW = 1_800_000_000


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_file_url_round_trip() -> None:
    signer = UrlSigner("secret")
    url = signer.file_url("org/abc/asset.png", NOW + 60, base="https://api.example/")
    assert url.startswith("https://api.example/files/org/abc/asset.png?")
    q = query(url)
    signer.verify_file("org/abc/asset.png", q["exp"], q["sig"], now=NOW)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda k, e, s: ("org/abc/other.png", e, s),  # another object
        lambda k, e, s: (k, str(int(e) + 3600), s),  # extended expiry
        lambda k, e, s: (k, e, s[:-1] + ("A" if s[-1] != "A" else "B")),  # flipped signature
        lambda k, e, s: (k, e, ""),
        lambda k, e, s: (k, "abc", s),
        lambda k, e, s: (k, "-1", s),
    ],
)
def test_file_tampering_refused(mutate) -> None:  # type: ignore[no-untyped-def]
    signer = UrlSigner("secret")
    q = query(signer.file_url("org/abc/asset.png", NOW + 60))
    key, exp, sig = mutate("org/abc/asset.png", q["exp"], q["sig"])
    with pytest.raises(InvalidSignature) as err:
        signer.verify_file(key, exp, sig, now=NOW)
    assert not err.value.expired


def test_other_secret_refused() -> None:
    q = query(UrlSigner("secret").file_url("a/b.png", NOW + 60))
    with pytest.raises(InvalidSignature):
        UrlSigner("another").verify_file("a/b.png", q["exp"], q["sig"], now=NOW)


def test_expired() -> None:
    signer = UrlSigner("secret")
    q = query(signer.file_url("a/b.png", NOW + 60))
    signer.verify_file("a/b.png", q["exp"], q["sig"], now=NOW + 60)
    with pytest.raises(InvalidSignature) as err:
        signer.verify_file("a/b.png", q["exp"], q["sig"], now=NOW + 61)
    assert err.value.expired


def test_upload_round_trip_and_binding() -> None:
    signer = UrlSigner("secret")
    nonce = new_nonce()
    url = signer.upload_url("1234", nonce, NOW + 60, base="http://h")
    assert url.startswith("http://h/uploads/1234?")
    q = query(url)
    signer.verify_upload("1234", q["nonce"], q["exp"], q["sig"], now=NOW)
    with pytest.raises(InvalidSignature):
        signer.verify_upload("1235", q["nonce"], q["exp"], q["sig"], now=NOW)
    with pytest.raises(InvalidSignature):
        signer.verify_upload("1234", new_nonce(), q["exp"], q["sig"], now=NOW)
    with pytest.raises(InvalidSignature) as err:
        signer.verify_upload("1234", q["nonce"], q["exp"], q["sig"], now=NOW + 61)
    assert err.value.expired


def test_purposes_do_not_mix() -> None:
    signer = UrlSigner("secret")
    up = signer.upload_signature("a/b.png", "", NOW + 60)
    with pytest.raises(InvalidSignature):
        signer.verify_file("a/b.png", str(NOW + 60), up, now=NOW)


def test_stable_expiry_windows() -> None:
    a = stable_expiry(NOW + 1, 3600)
    b = stable_expiry(NOW + 1799, 3600)
    assert a == b
    assert NOW + 1800 <= a <= NOW + 3600 + 1
    assert stable_expiry(NOW + 1800, 3600) > a
    assert new_nonce() != new_nonce()


def test_a_link_expiring_beyond_the_maximum_lifetime_is_refused() -> None:
    signer = UrlSigner("secret")
    q = query(signer.file_url("a/b.png", NOW + 3600))
    signer.verify_file("a/b.png", q["exp"], q["sig"], now=NOW, max_lifetime=3600)
    far = query(signer.file_url("a/b.png", NOW + 3600 + 61))
    signer.verify_file("a/b.png", far["exp"], far["sig"], now=NOW)  # no maximum: accepted
    with pytest.raises(InvalidSignature, match="maximum lifetime"):
        signer.verify_file("a/b.png", far["exp"], far["sig"], now=NOW, max_lifetime=3600)
    nonce = new_nonce()
    up = query(signer.upload_url("id", nonce, NOW + 10**9))
    with pytest.raises(InvalidSignature, match="maximum lifetime"):
        signer.verify_upload("id", nonce, up["exp"], up["sig"], now=NOW, max_lifetime=900)
