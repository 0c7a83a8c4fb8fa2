import { useMemo, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import type { AspectRatio, CreateJobInput } from "../gql/graphql";
import { CampaignHeaderQuery, ClientAssetsQuery, CreateJobMutation, EstimateJobQuery, VoicesQuery } from "../operations";
import { Link, navigate, paths } from "../router";
import { RequestError, Section, UserErrors, aspect, label, seconds, usd, useDebounced, type UserErrorLike } from "../ui";

export const ASPECTS: AspectRatio[] = ["PORTRAIT_9_16", "LANDSCAPE_16_9", "SQUARE_1_1", "VERTICAL_4_5"];

type Form = {
  product: string;
  audience: string;
  tone: string;
  callToAction: string;
  language: string;
  prompt: string;
  /** The product's features, one a line (the benefit scene calls them out). */
  features: string;
  durationSeconds: string;
  aspectRatio: AspectRatio;
  sceneCount: string;
  continuity: boolean;
  captions: boolean;
  voiceover: boolean;
  autoApprove: boolean;
  music: string;
  assetIds: string[];
  budgetUsd: string;
  planner: string;
  image: string;
  video: string;
  voice: string;
  /** The chosen voice as "provider/id" (from the `voices` query); empty: the provider's default. */
  narrator: string;
};

const EMPTY: Form = {
  product: "",
  audience: "",
  tone: "",
  callToAction: "",
  language: "",
  prompt: "",
  features: "",
  durationSeconds: "15",
  aspectRatio: "PORTRAIT_9_16",
  sceneCount: "",
  continuity: true,
  captions: true,
  voiceover: true,
  autoApprove: false,
  music: "",
  assetIds: [],
  budgetUsd: "",
  planner: "",
  image: "",
  video: "",
  voice: "",
  narrator: "",
};

function toInput(campaignId: string, f: Form): CreateJobInput {
  const [narratorProvider, ...rest] = f.narrator ? f.narrator.split("/") : [""];
  const narrator = rest.join("/");
  const voiceProvider = f.voice || (f.voiceover ? narratorProvider : "");
  const providers = { planner: f.planner || null, image: f.image || null, video: f.video || null, voice: voiceProvider || null };
  return {
    campaignId,
    brief: {
      product: f.product,
      audience: f.audience || null,
      tone: f.tone || null,
      callToAction: f.callToAction || null,
      language: f.language || null,
      prompt: f.prompt || null,
      features: f.features.split("\n").map((line) => line.trim()).filter(Boolean),
      voice: f.voiceover && narrator ? narrator : null,
    },
    durationSeconds: Number(f.durationSeconds) || 0,
    aspectRatio: f.aspectRatio,
    sceneCount: f.sceneCount ? Number(f.sceneCount) : null,
    continuity: f.continuity,
    captions: f.captions,
    voiceover: f.voiceover,
    autoApprove: f.autoApprove,
    music: f.music || null,
    assetIds: f.assetIds.length ? f.assetIds : null,
    budgetUsd: f.budgetUsd ? Number(f.budgetUsd) : null,
    providers: Object.values(providers).some(Boolean) ? providers : null,
  };
}

export function NewAdPage({ campaignId }: { campaignId: string }) {
  const [{ data: head }] = useQuery({ query: CampaignHeaderQuery, variables: { id: campaignId } });
  const campaign = head?.node?.__typename === "Campaign" ? head.node : null;
  const clientId = campaign?.client.id ?? "";
  const [{ data: assetData }] = useQuery({ query: ClientAssetsQuery, variables: { clientId }, pause: !clientId });
  const ready = (assetData?.assets.edges ?? []).map((e) => e.node).filter((a) => a.status === "READY");
  const images = ready.filter((a) => a.kind === "IMAGE");
  const audio = ready.filter((a) => a.kind === "AUDIO" && a.role !== "VOICEOVER");

  const [form, setForm] = useState<Form>(EMPTY);
  const [{ data: voiceData }] = useQuery({ query: VoicesQuery, variables: { language: form.language.trim() || null } });
  const voices = voiceData?.voices ?? [];
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const input = useMemo(() => toInput(campaignId, form), [campaignId, form]);
  const debounced = useDebounced(input, 400);
  const [{ data: est, fetching: estimating, error: estError }] = useQuery({
    query: EstimateJobQuery,
    variables: { input: debounced },
    pause: !debounced.brief.product.trim(),
    requestPolicy: "network-only",
  });
  const estimate = est?.estimateJob;
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [created, create] = useMutation(CreateJobMutation);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const result = await create({ input });
    const payload = result.data?.createJob;
    setErrors(payload?.userErrors ?? []);
    if (payload?.job) navigate(paths.job(payload.job.id));
  }

  const text = (k: "product" | "audience" | "tone" | "callToAction" | "language", title: string, placeholder = "") => (
    <label>
      {title}
      <input name={k} value={form[k]} placeholder={placeholder} required={k === "product"} onChange={(e) => set(k, e.target.value)} />
    </label>
  );

  return (
    <div className="stack">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={paths.clients()}>Clients</Link> /{" "}
        {campaign ? (
          <>
            <Link to={paths.client(campaign.client.id)}>{campaign.client.name}</Link> /{" "}
            <Link to={paths.campaign(campaign.id)}>{campaign.name}</Link> /{" "}
          </>
        ) : null}
        <span>New ad</span>
      </nav>
      <h1>New ad</h1>
      <div className="split">
        <form className="card brief" onSubmit={submit} aria-label="Brief">
          <h2>Brief</h2>
          <div className="grid-form">
            {text("product", "Product", "Aurora running shoes")}
            {text("audience", "Audience", "urban runners, 25–40")}
            {text("tone", "Tone", "energetic")}
            {text("callToAction", "Call to action", "Shop now")}
            {text("language", "Language", "en")}
            <label className="wide">
              Creative direction
              <textarea name="prompt" rows={3} value={form.prompt} onChange={(e) => set("prompt", e.target.value)} />
            </label>
            <label className="wide">
              Features (one a line, up to 5)
              <textarea name="features" rows={3} placeholder={"Hydrates for 24 hours\nSPF 30 sun shield"} value={form.features} onChange={(e) => set("features", e.target.value)} />
            </label>
            <label>
              Duration (seconds)
              <input name="durationSeconds" type="number" min={5} max={120} step={1} value={form.durationSeconds} onChange={(e) => set("durationSeconds", e.target.value)} />
            </label>
            <label>
              Aspect ratio
              <select name="aspectRatio" value={form.aspectRatio} onChange={(e) => set("aspectRatio", e.target.value as AspectRatio)}>
                {ASPECTS.map((a) => (
                  <option key={a} value={a}>
                    {aspect(a)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Scenes
              <select name="sceneCount" value={form.sceneCount} onChange={(e) => set("sceneCount", e.target.value)}>
                <option value="">let the planner decide</option>
                {[3, 4, 5, 6, 7].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Music
              <select name="music" value={form.music} onChange={(e) => set("music", e.target.value)}>
                <option value="">{!audio.length ? "none in the brand kit" : form.assetIds.length ? "none (brand assets are picked)" : "the brand kit's newest track"}</option>
                {audio.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.filename ?? a.id}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Budget (USD)
              <input name="budgetUsd" type="number" min={0} step="0.01" placeholder={campaign?.budgetUsd != null ? `campaign: ${campaign.budgetUsd}` : ""} value={form.budgetUsd} onChange={(e) => set("budgetUsd", e.target.value)} />
            </label>
            <fieldset className="checks wide">
              <legend>Options</legend>
              {(
                [
                  ["continuity", "Scenes continue each other's shot"],
                  ["captions", "Captions"],
                  ["voiceover", "Voice-over"],
                  ["autoApprove", "Render without storyboard review"],
                ] as const
              ).map(([k, t]) => (
                <label key={k} className="check">
                  <input type="checkbox" name={k} checked={form[k]} onChange={(e) => set(k, e.target.checked)} /> {t}
                </label>
              ))}
            </fieldset>
            {form.voiceover ? (
              <label>
                Voice
                <select name="narrator" value={form.narrator} onChange={(e) => set("narrator", e.target.value)}>
                  <option value="">the provider's default</option>
                  {voices.map((v) => (
                    <option key={`${v.provider}/${v.id}`} value={`${v.provider}/${v.id}`}>
                      {v.name} · {v.language}
                      {v.gender ? ` · ${v.gender}` : ""} ({v.provider})
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
            <fieldset className="wide">
              <legend>Brand assets ({images.length ? "none picked: the brand kit decides" : "the brand kit has no images"})</legend>
              <div className="pick-assets">
                {images.map((a) => (
                  <label key={a.id} className="pick">
                    <input
                      type="checkbox"
                      checked={form.assetIds.includes(a.id)}
                      onChange={(e) =>
                        set("assetIds", e.target.checked ? [...form.assetIds, a.id] : form.assetIds.filter((x) => x !== a.id))
                      }
                    />
                    {a.thumbnailUrl ? <img src={a.thumbnailUrl} alt="" /> : null}
                    <span className="small">
                      {a.filename} <span className="muted">{label(a.role)}</span>
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>
            <details className="wide">
              <summary>Providers (default: built-in, offline)</summary>
              <div className="grid-form">
                {(["planner", "image", "video", "voice"] as const).map((k) => (
                  <label key={k}>
                    {label(k)}
                    <input name={`provider-${k}`} placeholder="builtin" value={form[k]} onChange={(e) => set(k, e.target.value)} />
                  </label>
                ))}
              </div>
            </details>
          </div>
          <UserErrors errors={errors} />
          <RequestError error={created.error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={created.fetching || !form.product.trim()}>
              {created.fetching ? "Starting…" : "Create the ad"}
            </button>
          </div>
        </form>
        <Section title="Estimate" id="estimate">
          <div aria-live="polite" data-testid="estimate" aria-busy={estimating}>
            {!form.product.trim() ? <p className="muted">Name the product to see what the ad will cost.</p> : null}
            <RequestError error={estError} />
            {estimate ? (
              <>
                <UserErrors errors={estimate.userErrors} />
                {estimate.estimatedUsd != null ? (
                  <>
                    <p className="big" data-testid="estimate-usd">
                      {usd(estimate.estimatedUsd)}
                    </p>
                    <p className="muted small">
                      {estimate.sceneCount} scenes · {seconds(estimate.durationSeconds)}
                      {estimate.budgetUsd != null
                        ? ` · budget ${usd(estimate.budgetUsd)} ${estimate.withinBudget ? "✓ within" : "✗ over"}`
                        : ""}
                    </p>
                    <ol className="plan">
                      {estimate.scenes.map((s) => (
                        <li key={s.position}>
                          <span>
                            <strong>{s.title}</strong> <span className="muted small">{label(s.beat)}</span>
                          </span>
                          <span className="small muted">
                            {seconds(s.durationSeconds)} · {usd(s.estimatedUsd)}
                          </span>
                        </li>
                      ))}
                    </ol>
                  </>
                ) : null}
              </>
            ) : null}
            {estimating ? <p className="muted small">Estimating…</p> : null}
          </div>
        </Section>
      </div>
    </div>
  );
}
