import { useState } from "react";
import { useMutation, useQuery } from "urql";
import type { CampaignStatus, JobStatus } from "../gql/graphql";
import { CampaignQuery, DeleteCampaignMutation, UpdateCampaignMutation } from "../operations";
import { Link, navigate, paths } from "../router";
import { Badge, RequestError, Section, UserErrors, aspect, seconds, usd, type UserErrorLike } from "../ui";
import { CampaignForm, type CampaignValues } from "./CampaignForm";

const FILTERS: { name: string; statuses: JobStatus[] | null }[] = [
  { name: "All", statuses: null },
  { name: "In progress", statuses: ["QUEUED", "PLANNING", "RENDERING", "COMPOSING"] },
  { name: "Needs review", statuses: ["STORYBOARD_READY"] },
  { name: "Completed", statuses: ["COMPLETED"] },
  { name: "Failed", statuses: ["FAILED"] },
  { name: "Canceled", statuses: ["CANCELED"] },
];

export function CampaignPage({ id }: { id: string }) {
  const [filter, setFilter] = useState(0);
  const [after, setAfter] = useState<string | null>(null);
  const statuses = FILTERS[filter]?.statuses ?? null;
  const [{ data, error, fetching }] = useQuery({ query: CampaignQuery, variables: { id, status: statuses, after } });
  const campaign = data?.node?.__typename === "Campaign" ? data.node : null;
  const [editing, setEditing] = useState(false);
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [, del] = useMutation(DeleteCampaignMutation);

  if (error) return <RequestError error={error} />;
  if (!data) return <p className="muted">Loading…</p>;
  if (!campaign) return <p className="card">This campaign does not exist (or belongs to another organization).</p>;

  async function remove() {
    if (!campaign || !window.confirm(`Delete the campaign “${campaign.name}”?`)) return;
    const result = await del({ input: { campaignId: campaign.id } });
    const payload = result.data?.deleteCampaign;
    setErrors(payload?.userErrors ?? []);
    if (payload?.deletedCampaignId) navigate(paths.client(campaign.client.id));
  }

  const s = campaign.stats;
  return (
    <div className="stack">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={paths.clients()}>Clients</Link> / <Link to={paths.client(campaign.client.id)}>{campaign.client.name}</Link> /{" "}
        <span>{campaign.name}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1>
            {campaign.name} <Badge value={campaign.status} />
          </h1>
          {campaign.objective ? <p className="muted">{campaign.objective}</p> : null}
        </div>
        <div className="actions">
          <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
            Edit
          </button>
          <button type="button" className="danger" onClick={remove}>
            Delete
          </button>
          <Link to={paths.newAd(campaign.id)} className="button primary">
            New ad
          </Link>
        </div>
      </div>
      <UserErrors errors={errors} />
      <dl className="stats">
        <div><dt>Jobs</dt><dd>{s.jobCount} <span className="muted small">({s.completedJobCount} done, {s.failedJobCount} failed)</span></dd></div>
        <div><dt>Spend</dt><dd>{usd(s.actualCostUsd)} <span className="muted small">est. {usd(s.estimatedCostUsd)}</span></dd></div>
        <div><dt>Budget</dt><dd>{usd(campaign.budgetUsd)}</dd></div>
        <div><dt>Rendered</dt><dd>{seconds(s.renderedSeconds)}</dd></div>
      </dl>
      {editing ? <EditCampaign campaign={campaign} onDone={() => setEditing(false)} /> : null}
      <Section title="Job history" id="jobs">
        <div className="chips" role="group" aria-label="Filter by status">
          {FILTERS.map((f, i) => (
            <button
              key={f.name}
              type="button"
              className={`chip${i === filter ? " on" : ""}`}
              aria-pressed={i === filter}
              onClick={() => {
                setFilter(i);
                setAfter(null);
              }}
            >
              {f.name}
            </button>
          ))}
        </div>
        {campaign.jobs.edges.length === 0 ? <p className="empty">No jobs here.</p> : null}
        <ul className="rows" aria-busy={fetching}>
          {campaign.jobs.edges.map(({ node: j }) => (
            <li key={j.id}>
              <Link to={paths.job(j.id)} className="row-link" data-testid="job-row">
                <span className="row-main">
                  <strong>{j.brief.product}</strong>
                  <span className="muted small">
                    {new Date(j.createdAt).toLocaleString()} · {seconds(j.durationSeconds)} · {aspect(j.aspectRatio)}
                  </span>
                </span>
                <Badge value={j.status} />
                <span className="row-stats small muted">
                  {Math.round(j.progress * 100)}% · {usd(j.cost.actualUsd)} of {usd(j.cost.estimatedUsd)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
        <p className="muted small">
          {campaign.jobs.totalCount} in all{" "}
          {after ? (
            <button type="button" className="linkish" onClick={() => setAfter(null)}>
              back to the first page
            </button>
          ) : null}{" "}
          {campaign.jobs.pageInfo.hasNextPage ? (
            <button type="button" className="linkish" onClick={() => setAfter(campaign.jobs.pageInfo.endCursor ?? null)}>
              next page →
            </button>
          ) : null}
        </p>
      </Section>
    </div>
  );
}

function EditCampaign(props: {
  campaign: { id: string; name: string; objective?: string | null; status: CampaignStatus; budgetUsd?: number | null };
  onDone: () => void;
}) {
  const c = props.campaign;
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [state, update] = useMutation(UpdateCampaignMutation);

  async function submit(values: CampaignValues) {
    const result = await update({ input: { campaignId: c.id, ...values } });
    const payload = result.data?.updateCampaign;
    setErrors(payload?.userErrors ?? []);
    if (payload?.campaign) props.onDone();
  }

  return (
    <Section title="Edit campaign" id="edit-campaign">
      <CampaignForm
        initial={c}
        error={state.error}
        userErrors={errors}
        onSubmit={submit}
        actions={
          <>
            <button type="button" onClick={props.onDone}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={state.fetching}>
              Save
            </button>
          </>
        }
      />
    </Section>
  );
}
