import { useMemo, useState } from "react";
import { Provider, useQuery } from "urql";
import { clearKey, loadKey, saveKey } from "./auth";
import { makeClient } from "./client";
import { ViewerQuery } from "./operations";
import { Link, match, navigate, paths, useLocation } from "./router";
import { SignIn } from "./pages/SignIn";
import { ClientsPage } from "./pages/Clients";
import { ClientPage } from "./pages/Client";
import { CampaignPage } from "./pages/Campaign";
import { NewAdPage } from "./pages/NewAd";
import { JobPage } from "./pages/Job";

export function App() {
  const [key, setKey] = useState<string | null>(() => loadKey());
  const [notice, setNotice] = useState<string | null>(null);
  const client = useMemo(
    () =>
      key
        ? makeClient(key, () => {
            clearKey();
            setKey(null);
            setNotice("Your API key is no longer accepted (revoked?). Sign in again.");
          })
        : null,
    [key],
  );

  if (!key || !client) {
    return (
      <SignIn
        notice={notice}
        onSignIn={(k) => {
          saveKey(k);
          setNotice(null);
          setKey(k);
        }}
      />
    );
  }
  return (
    <Provider value={client}>
      <Shell
        onSignOut={() => {
          clearKey();
          setKey(null);
          setNotice("Signed out.");
          navigate("/", true);
        }}
      />
    </Provider>
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { path } = useLocation();
  const [{ data }] = useQuery({ query: ViewerQuery });
  let page: React.ReactNode;
  let m: Record<string, string> | null;
  if (path === "/" || path === "") page = <ClientsPage />;
  else if ((m = match("/clients/:id", path))) page = <ClientPage id={m.id ?? ""} />;
  else if ((m = match("/campaigns/:id/new", path))) page = <NewAdPage campaignId={m.id ?? ""} />;
  else if ((m = match("/campaigns/:id", path))) page = <CampaignPage id={m.id ?? ""} />;
  else if ((m = match("/jobs/:id", path))) page = <JobPage id={m.id ?? ""} />;
  else
    page = (
      <div className="card">
        <h1>Not found</h1>
        <p>
          Nothing lives at <code>{path}</code>. <Link to="/">Back to clients</Link>
        </p>
      </div>
    );
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={paths.clients()} className="brand" aria-label="Adreel console home">
          <span className="logo" aria-hidden="true">▶</span> Adreel
        </Link>
        <nav aria-label="Main">
          <Link to={paths.clients()}>Clients</Link>
          <a href="/graphql" target="_blank" rel="noreferrer">
            GraphiQL ↗
          </a>
        </nav>
        <div className="who">
          <span className="muted small" data-testid="org">
            {data?.viewer.organization.name}
            {data ? ` · ${data.viewer.keyName}` : ""}
          </span>
          <button type="button" className="ghost" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}
