import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { ClientsQuery, CreateClientMutation } from "../operations";
import { Link, navigate, paths } from "../router";
import { Pager, RequestError, Section, UserErrors, firstPage, plural, seconds, usd, useDebounced, type Page, type UserErrorLike } from "../ui";

const SIZE = 10;

export function ClientsPage() {
  const [search, setSearch] = useState("");
  const debounced = useDebounced(search.trim(), 300);
  const [page, setPage] = useState<Page>(firstPage(SIZE));
  const [{ data, fetching, error }] = useQuery({
    query: ClientsQuery,
    variables: { ...page, search: debounced || null },
  });
  const conn = data?.clients;

  return (
    <div className="stack">
      <div className="page-head">
        <h1>Clients</h1>
      </div>
      <Section
        title="All clients"
        id="clients"
        actions={
          <input
            type="search"
            aria-label="Search clients"
            placeholder="Search clients…"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setPage(firstPage(SIZE));
            }}
          />
        }
      >
        <RequestError error={error} />
        {conn && conn.edges.length === 0 ? (
          <p className="empty">{debounced ? "No client matches." : "No clients yet: create the first one below."}</p>
        ) : null}
        <ul className="rows" aria-busy={fetching}>
          {conn?.edges.map(({ node: c }) => (
            <li key={c.id}>
              <Link to={paths.client(c.id)} className="row-link">
                <span className="row-main">
                  <strong>{c.name}</strong>
                  <span className="muted small">{[c.industry, c.website].filter(Boolean).join(" · ")}</span>
                </span>
                <span className="swatches" aria-hidden="true">
                  {c.brandColors.map((col) => (
                    <span key={col} className="swatch" style={{ background: col }} />
                  ))}
                </span>
                <span className="row-stats small muted">
                  {plural(c.stats.campaignCount, "campaign")} · {plural(c.stats.jobCount, "job")} · {usd(c.stats.actualCostUsd)} ·{" "}
                  {seconds(c.stats.renderedSeconds)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
        {conn ? (
          <Pager
            total={conn.totalCount}
            hasPrevious={conn.pageInfo.hasPreviousPage}
            hasNext={conn.pageInfo.hasNextPage}
            onPrevious={() => setPage({ last: SIZE, before: conn.pageInfo.startCursor ?? undefined })}
            onNext={() => setPage({ first: SIZE, after: conn.pageInfo.endCursor ?? undefined })}
          />
        ) : null}
      </Section>
      <NewClient />
    </div>
  );
}

function NewClient() {
  const [name, setName] = useState("");
  const [website, setWebsite] = useState("");
  const [industry, setIndustry] = useState("");
  const [colors, setColors] = useState("");
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [state, create] = useMutation(CreateClientMutation);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const result = await create({
      input: {
        name,
        website: website || null,
        industry: industry || null,
        brandColors: colors ? colors.split(/[\s,]+/).filter(Boolean) : null,
      },
    });
    const payload = result.data?.createClient;
    setErrors(payload?.userErrors ?? []);
    if (payload?.client) navigate(paths.client(payload.client.id));
  }

  return (
    <Section title="New client" id="new-client">
      <form className="grid-form" onSubmit={submit}>
        <label>
          Name
          <input name="name" required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Website
          <input name="website" type="url" placeholder="https://…" value={website} onChange={(e) => setWebsite(e.target.value)} />
        </label>
        <label>
          Industry
          <input name="industry" value={industry} onChange={(e) => setIndustry(e.target.value)} />
        </label>
        <label>
          Brand colors
          <input name="brandColors" placeholder="#0A84FF, #111" value={colors} onChange={(e) => setColors(e.target.value)} />
        </label>
        <UserErrors errors={errors} />
        <RequestError error={state.error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={state.fetching}>
            Create client
          </button>
        </div>
      </form>
    </Section>
  );
}
