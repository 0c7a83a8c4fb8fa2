import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { ClientQuery, CreateCampaignMutation, DeleteClientMutation, UpdateClientMutation } from "../operations";
import { Link, navigate, paths } from "../router";
import { Badge, Pager, RequestError, Section, UserErrors, firstPage, plural, seconds, usd, type Page, type UserErrorLike } from "../ui";
import { BrandKit } from "./BrandKit";
import { CampaignForm, type CampaignValues } from "./CampaignForm";

const SIZE = 10;

export function ClientPage({ id }: { id: string }) {
  const [page, setPage] = useState<Page>(firstPage(SIZE));
  const [{ data, error }] = useQuery({ query: ClientQuery, variables: { id, ...page } });
  const client = data?.node?.__typename === "Client" ? data.node : null;
  const [editing, setEditing] = useState(false);
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [, del] = useMutation(DeleteClientMutation);

  if (error) return <RequestError error={error} />;
  if (!data) return <p className="muted">Loading…</p>;
  if (!client) return <p className="card">This client does not exist (or belongs to another organization).</p>;

  async function remove() {
    if (!client || !window.confirm(`Delete the client “${client.name}”?`)) return;
    const result = await del({ input: { clientId: client.id } });
    const payload = result.data?.deleteClient;
    setErrors(payload?.userErrors ?? []);
    if (payload?.deletedClientId) navigate(paths.clients());
  }

  const s = client.stats;
  const campaigns = client.campaigns;
  return (
    <div className="stack">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={paths.clients()}>Clients</Link> / <span>{client.name}</span>
      </nav>
      <div className="page-head">
        <h1>{client.name}</h1>
        <div className="actions">
          <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
            Edit
          </button>
          <button type="button" className="danger" onClick={remove}>
            Delete
          </button>
        </div>
      </div>
      <UserErrors errors={errors} />
      <dl className="stats">
        <div><dt>Campaigns</dt><dd>{s.campaignCount}</dd></div>
        <div><dt>Jobs</dt><dd>{s.jobCount} <span className="muted small">({s.completedJobCount} done, {s.failedJobCount} failed)</span></dd></div>
        <div><dt>Spend</dt><dd>{usd(s.actualCostUsd)} <span className="muted small">est. {usd(s.estimatedCostUsd)}</span></dd></div>
        <div><dt>Rendered</dt><dd>{seconds(s.renderedSeconds)}</dd></div>
      </dl>
      {editing ? <EditClient client={client} onDone={() => setEditing(false)} /> : null}
      <Section title="Campaigns" id="campaigns">
        {campaigns.edges.length === 0 ? <p className="empty">No campaigns yet.</p> : null}
        <ul className="rows">
          {campaigns.edges.map(({ node: c }) => (
            <li key={c.id}>
              <Link to={paths.campaign(c.id)} className="row-link">
                <span className="row-main">
                  <strong>{c.name}</strong>
                  <span className="muted small">{c.objective}</span>
                </span>
                <Badge value={c.status} />
                <span className="row-stats small muted">
                  {plural(c.stats.jobCount, "job")} · {usd(c.stats.actualCostUsd)} · {seconds(c.stats.renderedSeconds)}
                  {c.budgetUsd != null ? ` · budget ${usd(c.budgetUsd)}` : ""}
                </span>
              </Link>
            </li>
          ))}
        </ul>
        <Pager
          total={campaigns.totalCount}
          hasPrevious={campaigns.pageInfo.hasPreviousPage}
          hasNext={campaigns.pageInfo.hasNextPage}
          onPrevious={() => setPage({ last: SIZE, before: campaigns.pageInfo.startCursor ?? undefined })}
          onNext={() => setPage({ first: SIZE, after: campaigns.pageInfo.endCursor ?? undefined })}
        />
        <NewCampaign clientId={client.id} />
      </Section>
      <BrandKit clientId={client.id} />
    </div>
  );
}

function EditClient(props: {
  client: { id: string; name: string; website?: string | null; industry?: string | null; brandColors: string[] };
  onDone: () => void;
}) {
  const c = props.client;
  const [name, setName] = useState(c.name);
  const [website, setWebsite] = useState(c.website ?? "");
  const [industry, setIndustry] = useState(c.industry ?? "");
  const [colors, setColors] = useState(c.brandColors.join(", "));
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [state, update] = useMutation(UpdateClientMutation);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const result = await update({
      input: {
        clientId: c.id,
        name,
        website: website || null,
        industry: industry || null,
        brandColors: colors.split(/[\s,]+/).filter(Boolean),
      },
    });
    const payload = result.data?.updateClient;
    setErrors(payload?.userErrors ?? []);
    if (payload?.client) props.onDone();
  }

  return (
    <Section title="Edit client" id="edit-client">
      <form className="grid-form" onSubmit={submit}>
        <label>
          Name
          <input name="name" required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Website
          <input name="website" value={website} onChange={(e) => setWebsite(e.target.value)} />
        </label>
        <label>
          Industry
          <input name="industry" value={industry} onChange={(e) => setIndustry(e.target.value)} />
        </label>
        <label>
          Brand colors
          <input name="brandColors" value={colors} onChange={(e) => setColors(e.target.value)} />
        </label>
        <UserErrors errors={errors} />
        <RequestError error={state.error} />
        <div className="actions">
          <button type="button" onClick={props.onDone}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={state.fetching}>
            Save
          </button>
        </div>
      </form>
    </Section>
  );
}

function NewCampaign({ clientId }: { clientId: string }) {
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [state, create] = useMutation(CreateCampaignMutation);

  async function submit(values: CampaignValues) {
    const result = await create({ input: { clientId, ...values } });
    const payload = result.data?.createCampaign;
    setErrors(payload?.userErrors ?? []);
    if (payload?.campaign) navigate(paths.campaign(payload.campaign.id));
  }

  return (
    <details className="inline-form">
      <summary>New campaign</summary>
      <CampaignForm
        ariaLabel="New campaign"
        error={state.error}
        userErrors={errors}
        onSubmit={submit}
        actions={
          <button type="submit" className="primary" disabled={state.fetching}>
            Create campaign
          </button>
        }
      />
    </details>
  );
}
