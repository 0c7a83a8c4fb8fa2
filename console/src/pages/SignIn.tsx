import { useState, type FormEvent } from "react";
import { checkKey } from "../auth";

export function SignIn(props: { notice: string | null; onSignIn: (key: string) => void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = key.trim().replace(/^Bearer\s+/i, "");
    if (!trimmed) {
      setError("Paste an API key first.");
      return;
    }
    setBusy(true);
    setError(null);
    const result = await checkKey(trimmed);
    setBusy(false);
    if (result.ok) props.onSignIn(trimmed);
    else setError(result.message);
  }

  return (
    <main className="signin" id="main">
      <form className="card narrow" onSubmit={submit} aria-labelledby="signin-h">
        <h1 id="signin-h">
          <span className="logo" aria-hidden="true">▶</span> Adreel console
        </h1>
        <p className="muted">
          Sign in with an API key of your organization. <code>adreel serve --seed</code> prints one;{" "}
          <code>adreel keys create</code> issues more. The key stays in this tab only.
        </p>
        {props.notice ? (
          <p className="alert info" role="status">
            {props.notice}
          </p>
        ) : null}
        <label>
          API key
          <input
            name="apiKey"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="adr_…"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            autoFocus
          />
        </label>
        {error ? (
          <p className="alert error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
