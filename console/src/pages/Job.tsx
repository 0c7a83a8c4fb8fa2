import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import type { AspectRatio, JobQuery as JobQueryResult, RenderQuality, Resolution, VideoFormat } from "../gql/graphql";
import { CancelJobMutation, ExportJobMutation, JobQuery, RetryJobMutation } from "../operations";
import { Link, paths } from "../router";
import { Badge, RequestError, Section, UserErrors, aspect, bytes, label, seconds, usd, type UserErrorLike } from "../ui";
import { useJobEvents, type EventStream } from "../useJobEvents";
import { Storyboard } from "./Storyboard";
import { ASPECTS } from "./NewAd";

export type Job = Extract<NonNullable<JobQueryResult["node"]>, { __typename: "Job" }>;

const STAGES = ["PLAN", "STORYBOARD", "CLIPS", "COMPOSE", "RENDER"] as const;

export function JobPage({ id }: { id: string }) {
  const [{ data, error }, refetch] = useQuery({ query: JobQuery, variables: { id } });
  const job = data?.node?.__typename === "Job" ? data.node : null;

  // Events say that something changed: read the job again, at most every 700 ms.
  const pending = useRef(0);
  const refresh = useCallback(() => {
    if (pending.current) return;
    pending.current = window.setTimeout(() => {
      pending.current = 0;
      refetch({ requestPolicy: "network-only" });
    }, 700);
  }, [refetch]);
  useEffect(() => () => window.clearTimeout(pending.current), []);
  const stream = useJobEvents(id, refresh);

  // Exports run after the job completed: follow them until none is left running.
  const exporting = job?.renders.some((r) => r.status === "QUEUED" || r.status === "RENDERING") ?? false;
  useEffect(() => {
    if (!exporting) return;
    const t = window.setInterval(() => refetch({ requestPolicy: "network-only" }), 1000);
    return () => window.clearInterval(t);
  }, [exporting, refetch]);

  if (error && !job) return <RequestError error={error} />;
  if (!data) return <p className="muted">Loading…</p>;
  if (!job) return <p className="card">This job does not exist (or belongs to another organization).</p>;

  const progress = Math.max(stream.progress, job.progress);
  return (
    <div className="stack">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={paths.clients()}>Clients</Link> / <Link to={paths.client(job.campaign.client.id)}>{job.campaign.client.name}</Link> /{" "}
        <Link to={paths.campaign(job.campaign.id)}>{job.campaign.name}</Link> / <span>{job.brief.product}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1>
            {job.brief.product} <Badge value={job.status} />
          </h1>
          <p className="muted small">
            {seconds(job.durationSeconds)} · {aspect(job.aspectRatio)} · {job.captions ? "captions" : "no captions"} ·{" "}
            {job.continuity ? "continuity" : "cuts"} · refinements {job.refinementsUsed}/{job.refinementsLimit}
          </p>
        </div>
      </div>
      <ProgressPanel job={job} progress={progress} stream={stream} onChanged={refresh} />
      {job.status === "COMPLETED" ? <Result job={job} onChanged={() => { refresh(); stream.resume(); }} /> : null}
      {job.scenes.length > 0 ? <Storyboard job={job} onChanged={refresh} /> : null}
      <EventLog stream={stream} />
    </div>
  );
}

function ProgressPanel(props: { job: Job; progress: number; stream: EventStream; onChanged: () => void }) {
  const { job, progress, stream } = props;
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [, retry] = useMutation(RetryJobMutation);
  const [, cancel] = useMutation(CancelJobMutation);
  const can = (a: string) => job.availableActions.includes(a as Job["availableActions"][number]);
  // Where the job stands: the running stage, or (between stages) the next one.
  const stageIndex =
    job.status === "COMPLETED"
      ? STAGES.length
      : job.status === "STORYBOARD_READY"
        ? 2
        : job.stage
          ? STAGES.indexOf(job.stage)
          : job.status === "PLANNING"
            ? 0
            : -1;
  const pct = Math.round(progress * 100);
  const variance = job.cost.varianceRatio;

  async function onRetry() {
    const r = await retry({ input: { jobId: job.id } });
    setErrors(r.data?.retryJob.userErrors ?? []);
    stream.resume();
    props.onChanged();
  }
  async function onCancel() {
    if (!window.confirm("Cancel this job?")) return;
    const r = await cancel({ input: { jobId: job.id } });
    setErrors(r.data?.cancelJob.userErrors ?? []);
    props.onChanged();
  }

  return (
    <Section
      title="Progress"
      id="progress"
      actions={
        <span className={`live small ${stream.connected ? "on" : ""}`} data-testid="live">
          {stream.done ? "finished" : stream.connected ? "● live" : "connecting…"}
          {stream.reconnects > 0 ? ` · reconnected ${stream.reconnects}×` : ""}
        </span>
      }
    >
      <ol className="stages" aria-label="Stages">
        {STAGES.map((s, i) => (
          <li
            key={s}
            className={
              i < stageIndex
                ? "done"
                : i === stageIndex
                  ? job.status === "FAILED"
                    ? "failed"
                    : job.status === "STORYBOARD_READY" || job.status === "CANCELED"
                      ? "next"
                      : "now"
                  : ""
            }
            aria-current={i === stageIndex ? "step" : undefined}
          >
            {label(s)}
          </li>
        ))}
      </ol>
      <div className="bar" role="progressbar" aria-label="Job progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} data-testid="job-progress">
        <span style={{ width: `${pct}%` }} />
      </div>
      <p className="small muted">
        {pct}% · {label(job.status)}
        {job.stage ? ` · ${label(job.stage)}` : ""}
      </p>
      {job.scenes.length > 0 ? (
        <ul className="scene-status" aria-label="Scenes">
          {job.scenes.map((s) => (
            <li key={s.id} title={s.title}>
              <span className="small">{s.position + 1}</span> <Badge value={s.status} />
            </li>
          ))}
        </ul>
      ) : null}
      <dl className="stats compact">
        <div><dt>Estimated</dt><dd>{usd(job.cost.estimatedUsd)}</dd></div>
        <div><dt>Actual</dt><dd data-testid="cost-actual">{usd(job.cost.actualUsd)}</dd></div>
        <div><dt>Variance</dt><dd>{variance != null ? `${variance >= 0 ? "+" : ""}${Math.round(variance * 100)}%` : "—"}</dd></div>
        <div><dt>Budget</dt><dd>{usd(job.budgetUsd)}</dd></div>
      </dl>
      {job.warnings.length > 0 ? (
        <div className="alert warn" role="status" data-testid="job-warnings">
          <p>
            <strong>Worth a look before you send it</strong>
          </p>
          <ul>
            {job.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {job.error ? (
        <div className="alert error" role="alert" data-testid="job-error">
          <p>
            <code>{job.error.code}</code> in {label(job.error.stage) || "the job"}: {job.error.message}
          </p>
          <p className="small">
            {job.error.retryable
              ? "A transient failure: Retry resumes at this stage and keeps finished work."
              : "Fix the cause first; then Retry resumes at this stage and keeps finished work."}
          </p>
        </div>
      ) : null}
      <UserErrors errors={errors} />
      <div className="actions">
        {can("RETRY") ? (
          <button type="button" className="primary" onClick={() => void onRetry()}>
            Retry
          </button>
        ) : null}
        {can("CANCEL") ? (
          <button type="button" className="danger" onClick={() => void onCancel()}>
            Cancel job
          </button>
        ) : null}
      </div>
    </Section>
  );
}

const FORMATS: VideoFormat[] = ["MP4", "WEBM", "MOV"];
const RESOLUTIONS: Resolution[] = ["P480", "P720", "P1080", "P2160"];
const QUALITIES: RenderQuality[] = ["FAST", "BALANCED", "HIGH"];

function Result({ job, onChanged }: { job: Job; onChanged: () => void }) {
  const [format, setFormat] = useState<VideoFormat>("WEBM");
  const [resolution, setResolution] = useState<Resolution>("P720");
  const [shape, setShape] = useState<AspectRatio | "">("");
  const [quality, setQuality] = useState<RenderQuality>("FAST");
  const [burn, setBurn] = useState<"" | "on" | "off">("");
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [state, run] = useMutation(ExportJobMutation);
  const src = job.output?.asset?.url;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const captions = burn === "" ? null : burn === "on";
    const r = await run({ input: { jobId: job.id, format, resolution, aspectRatio: shape || null, quality, captions } });
    setErrors(r.data?.exportJob.userErrors ?? []);
    onChanged();
  }

  return (
    <Section title="The ad" id="result">
      <div className="result">
        <div className={`player a-${job.aspectRatio.toLowerCase()}`}>
          {src ? <video controls preload="metadata" src={src} data-testid="player" /> : <p className="muted">The video is not available.</p>}
        </div>
        <div className="exports">
          <h3>Renders</h3>
          <ul className="renders">
            {job.renders.map((r) => (
              <li key={r.id} data-testid="render" data-format={r.format} data-status={r.status}>
                <span>
                  <strong>{r.format}</strong> {r.resolution.slice(1)}p · {aspect(r.aspectRatio)}
                  {r.captions != null ? <span className="muted small"> · {r.captions ? "captions" : "no captions"}</span> : null}
                  {r.isDefault ? <span className="muted small"> · default</span> : null}
                </span>
                {r.status === "COMPLETED" && r.asset?.url ? (
                  <a className="button small" href={r.asset.url} download={r.asset.filename ?? `ad.${r.format.toLowerCase()}`}>
                    Download {bytes(r.asset.byteSize)}
                  </a>
                ) : r.status === "FAILED" ? (
                  <span className="refusal small">
                    <code>{r.error?.code}</code> {r.error?.message}
                  </span>
                ) : (
                  <progress max={1} value={r.progress} aria-label={`Export ${r.format}`} />
                )}
              </li>
            ))}
          </ul>
          {job.captionFiles.length > 0 ? (
            <>
              <h3>Captions</h3>
              <p className="actions" data-testid="caption-files">
                {job.captionFiles.map((c) =>
                  c.url ? (
                    <a key={c.id} className="button small" href={c.url} download={c.filename ?? undefined}>
                      {(c.filename ?? "captions").split(".").pop()?.toUpperCase()}
                    </a>
                  ) : null,
                )}
              </p>
            </>
          ) : null}
          {job.availableActions.includes("EXPORT") ? (
            <form className="export-form" onSubmit={submit} aria-label="Export">
              <h3>Export</h3>
              <label>
                Format
                <select name="format" value={format} onChange={(e) => setFormat(e.target.value as VideoFormat)}>
                  {FORMATS.map((f) => (
                    <option key={f}>{f}</option>
                  ))}
                </select>
              </label>
              <label>
                Resolution
                <select name="resolution" value={resolution} onChange={(e) => setResolution(e.target.value as Resolution)}>
                  {RESOLUTIONS.map((r) => (
                    <option key={r} value={r}>
                      {r.slice(1)}p
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Aspect
                <select name="aspect" value={shape} onChange={(e) => setShape(e.target.value as AspectRatio | "")}>
                  <option value="">as the job</option>
                  {ASPECTS.map((a) => (
                    <option key={a} value={a}>
                      {aspect(a)}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Quality
                <select name="quality" value={quality} onChange={(e) => setQuality(e.target.value as RenderQuality)}>
                  {QUALITIES.map((q) => (
                    <option key={q} value={q}>
                      {label(q)}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Captions
                <select name="captions" value={burn} onChange={(e) => setBurn(e.target.value as "" | "on" | "off")}>
                  <option value="">as the ad</option>
                  <option value="on">burned in</option>
                  <option value="off">none</option>
                </select>
              </label>
              <UserErrors errors={errors} />
              <button type="submit" className="primary" disabled={state.fetching}>
                Export
              </button>
            </form>
          ) : null}
        </div>
      </div>
    </Section>
  );
}

function EventLog({ stream }: { stream: EventStream }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [stream.events.length]);
  return (
    <Section title={`Event log (${stream.events.length})`} id="events">
      <div className="log" ref={box} tabIndex={0} aria-label="Events">
        <table>
          <tbody>
            {stream.events.map((e) => (
              <tr key={e.sequence} data-testid="event" data-seq={e.sequence}>
                <td className="muted">{e.sequence}</td>
                <td className="muted">{new Date(e.at).toLocaleTimeString()}</td>
                <td>
                  <code>{e.type}</code>
                </td>
                <td>{e.message}</td>
                <td className="muted">{Math.round(e.progress * 100)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
