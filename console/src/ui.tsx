// Small shared pieces: refusals, money, badges, a pager, a debounce hook.
import { useEffect, useState, type ReactNode } from "react";
import type { CombinedError } from "urql";

export type UserErrorLike = { code: string; message: string; field?: string[] | null };

/** The API's refusals, each with its stable code. */
export function UserErrors({ errors }: { errors: readonly UserErrorLike[] | null | undefined }) {
  if (!errors || errors.length === 0) return null;
  return (
    <div className="alert error" role="alert">
      {errors.map((e, i) => (
        <p key={i}>
          <code>{e.code}</code> {e.message}
          {e.field && e.field.length > 0 ? <span className="muted"> ({e.field.join(".")})</span> : null}
        </p>
      ))}
    </div>
  );
}

export function RequestError({ error }: { error: CombinedError | undefined }) {
  if (!error) return null;
  return (
    <div className="alert error" role="alert">
      {error.networkError ? "The server cannot be reached." : error.graphQLErrors.map((e) => e.message).join("; ")}
    </div>
  );
}

/** "1 campaign", "3 campaigns". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function usd(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  return `$${n.toFixed(n < 10 ? 3 : 2)}`;
}

export function seconds(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  return `${Math.round(n * 10) / 10} s`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function label(value: string | null | undefined): string {
  if (!value) return "";
  const words = value.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** LANDSCAPE_16_9 -> "16:9 landscape". */
export function aspect(value: string): string {
  const m = /^([A-Z]+)_(\d+)_(\d+)$/.exec(value);
  return m ? `${m[2]}:${m[3]} ${m[1]?.toLowerCase()}` : label(value);
}

export function Badge({ value }: { value: string | null | undefined }) {
  if (!value) return null;
  return <span className={`badge b-${value.toLowerCase()}`}>{label(value)}</span>;
}

export function Pager(props: {
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  total: number;
}) {
  if (!props.hasPrevious && !props.hasNext) return <p className="muted small">{props.total} in all</p>;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={!props.hasPrevious} onClick={props.onPrevious}>
        ← Previous
      </button>
      <span className="muted small">{props.total} in all</span>
      <button type="button" disabled={!props.hasNext} onClick={props.onNext}>
        Next →
      </button>
    </nav>
  );
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function Section(props: { title: string; actions?: ReactNode; children: ReactNode; id?: string }) {
  return (
    <section className="card" aria-labelledby={props.id ? `${props.id}-h` : undefined}>
      <header className="card-head">
        <h2 id={props.id ? `${props.id}-h` : undefined}>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

/** Paging state over a Relay connection: a page is (first, after) or (last, before). */
export type Page = { first?: number; after?: string; last?: number; before?: string };

export function firstPage(size: number): Page {
  return { first: size };
}
