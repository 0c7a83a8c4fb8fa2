import { useEffect, useState, type DragEvent, type FormEvent } from "react";
import { useMutation } from "urql";
import type { SceneContinuity, ShotType, Transition } from "../gql/graphql";
import {
  AddSceneMutation,
  ApproveStoryboardMutation,
  DeleteSceneMutation,
  RegenerateSceneMutation,
  ReorderScenesMutation,
  UpdateSceneMutation,
} from "../operations";
import { Badge, Section, UserErrors, label, usd, type UserErrorLike } from "../ui";
import type { Job } from "./Job";

type Scene = Job["scenes"][number];

const SHOTS: ShotType[] = ["WIDE", "MEDIUM", "CLOSE_UP", "EXTREME_CLOSE_UP", "OVERHEAD", "PRODUCT"];
const TRANSITIONS: Transition[] = ["CUT", "FADE", "DISSOLVE", "WIPE_LEFT", "WIPE_RIGHT", "SLIDE_UP", "ZOOM"];
const CONTINUITIES: SceneContinuity[] = ["CONTINUE", "CUT"];

export function Storyboard({ job, onChanged }: { job: Job; onChanged: () => void }) {
  const can = (a: string) => job.availableActions.includes(a as Job["availableActions"][number]);
  const editable = can("EDIT_SCENES");
  const [order, setOrder] = useState<string[]>(job.scenes.map((s) => s.id));
  const [dragged, setDragged] = useState<string | null>(null);
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [, reorder] = useMutation(ReorderScenesMutation);
  const [approving, approve] = useMutation(ApproveStoryboardMutation);
  const serverOrder = job.scenes.map((s) => s.id).join(",");
  useEffect(() => setOrder(serverOrder.split(",")), [serverOrder]);
  const byId = new Map(job.scenes.map((s) => [s.id, s]));
  const scenes = order.map((id) => byId.get(id)).filter((s): s is Scene => !!s);

  async function move(id: string, to: number) {
    const next = order.filter((x) => x !== id);
    next.splice(Math.max(0, Math.min(to, next.length)), 0, id);
    if (next.join(",") === order.join(",")) return;
    setOrder(next);
    const r = await reorder({ input: { jobId: job.id, sceneIds: next } });
    const errs = r.data?.reorderScenes.userErrors ?? [];
    setErrors(errs);
    if (errs.length || r.error) setOrder(serverOrder.split(","));
    onChanged();
  }

  function onDrop(e: DragEvent, targetId: string) {
    e.preventDefault();
    if (!dragged || dragged === targetId) return;
    void move(dragged, order.indexOf(targetId));
    setDragged(null);
  }

  async function onApprove() {
    const r = await approve({ input: { jobId: job.id } });
    setErrors(r.data?.approveStoryboard.userErrors ?? []);
    onChanged();
  }

  return (
    <Section
      title="Storyboard"
      id="storyboard"
      actions={
        can("APPROVE_STORYBOARD") ? (
          <button type="button" className="primary" onClick={() => void onApprove()} disabled={approving.fetching}>
            Approve and render
          </button>
        ) : null
      }
    >
      {editable ? <p className="muted small">Drag a card by its handle (or use ↑ ↓) to reorder. Edits are saved per scene.</p> : null}
      <UserErrors errors={errors} />
      <ol className="scenes">
        {scenes.map((s, i) => (
          <li
            key={s.id}
            className={`scene${dragged === s.id ? " dragging" : ""}`}
            data-testid="scene"
            data-scene-id={s.id}
            onDragOver={editable ? (e) => e.preventDefault() : undefined}
            onDrop={editable ? (e) => onDrop(e, s.id) : undefined}
          >
            <SceneCard
              scene={s}
              index={i}
              count={scenes.length}
              editable={editable}
              canRegenerate={can("REGENERATE_SCENE")}
              onMove={(to) => void move(s.id, to)}
              onDragStart={() => setDragged(s.id)}
              onDragEnd={() => setDragged(null)}
              onChanged={onChanged}
            />
          </li>
        ))}
      </ol>
      {editable ? <AddScene jobId={job.id} count={scenes.length} onChanged={onChanged} /> : null}
    </Section>
  );
}

type Draft = {
  title: string;
  script: string;
  caption: string;
  shotType: ShotType;
  transition: Transition;
  durationSeconds: string;
  continuity: SceneContinuity;
};

function draftOf(s: Scene): Draft {
  return {
    title: s.title,
    script: s.script,
    caption: s.caption,
    shotType: s.shotType,
    transition: s.transition,
    durationSeconds: String(s.durationSeconds),
    continuity: s.continuity,
  };
}

function SceneCard(props: {
  scene: Scene;
  index: number;
  count: number;
  editable: boolean;
  canRegenerate: boolean;
  onMove: (to: number) => void;
  onDragStart: () => void;
  onDragEnd: () => void;
  onChanged: () => void;
}) {
  const s = props.scene;
  const [draft, setDraft] = useState<Draft>(() => draftOf(s));
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [feedback, setFeedback] = useState("");
  const [showRegen, setShowRegen] = useState(false);
  const [saving, update] = useMutation(UpdateSceneMutation);
  const [regen, regenerate] = useMutation(RegenerateSceneMutation);
  const [, del] = useMutation(DeleteSceneMutation);
  const original = draftOf(s);
  const dirty = (Object.keys(draft) as (keyof Draft)[]).some((k) => draft[k] !== original[k]);

  // The server's version wins once it changed (another edit, a regeneration).
  const serverVersion = JSON.stringify(original);
  useEffect(() => setDraft(JSON.parse(serverVersion) as Draft), [serverVersion]);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  async function save(e: FormEvent) {
    e.preventDefault();
    const changes: Record<string, unknown> = {};
    for (const k of Object.keys(draft) as (keyof Draft)[]) {
      if (draft[k] !== original[k]) changes[k] = k === "durationSeconds" ? Number(draft[k]) : draft[k];
    }
    const r = await update({ input: { sceneId: s.id, ...changes } });
    setErrors(r.data?.updateScene.userErrors ?? []);
    props.onChanged();
  }

  async function onRegenerate(e: FormEvent) {
    e.preventDefault();
    const r = await regenerate({ input: { sceneId: s.id, feedback: feedback || null } });
    const errs = r.data?.regenerateScene.userErrors ?? [];
    setErrors(errs);
    if (!errs.length) {
      setFeedback("");
      setShowRegen(false);
    }
    props.onChanged();
  }

  async function onDelete() {
    if (!window.confirm(`Delete scene ${props.index + 1}, “${s.title}”?`)) return;
    const r = await del({ input: { sceneId: s.id } });
    setErrors(r.data?.deleteScene.userErrors ?? []);
    props.onChanged();
  }

  const image = s.image?.thumbnailUrl ?? s.image?.url;
  const ro = !props.editable;
  return (
    <article className="scene-card" aria-label={`Scene ${props.index + 1}: ${s.title}`}>
      <div className="scene-image">
        {image ? <img src={image} alt={`Key image of scene ${props.index + 1}`} /> : <span className="muted small">no image yet</span>}
        <span className="scene-no">{props.index + 1}</span>
        <span className="scene-badges">
          <Badge value={s.beat} />
          <Badge value={s.status} />
        </span>
      </div>
      <form className="scene-body" onSubmit={save}>
        <div className="scene-top">
          {props.editable ? (
            <span
              className="handle"
              draggable
              onDragStart={(e) => {
                e.dataTransfer.effectAllowed = "move";
                e.dataTransfer.setData("text/plain", s.id);
                props.onDragStart();
              }}
              onDragEnd={props.onDragEnd}
              title="Drag to reorder"
              data-testid="drag-handle"
              aria-hidden="true"
            >
              ⠿
            </span>
          ) : null}
          <input className="title-input" name="title" aria-label="Title" value={draft.title} readOnly={ro} onChange={(e) => set("title", e.target.value)} />
        </div>
        <label>
          Script
          <textarea name="script" rows={2} value={draft.script} readOnly={ro} onChange={(e) => set("script", e.target.value)} />
        </label>
        <label>
          Caption
          <input name="caption" value={draft.caption} readOnly={ro} onChange={(e) => set("caption", e.target.value)} />
        </label>
        <div className="scene-fields">
          <label>
            Shot
            <select name="shotType" value={draft.shotType} disabled={ro} onChange={(e) => set("shotType", e.target.value as ShotType)}>
              {SHOTS.map((x) => (
                <option key={x} value={x}>
                  {label(x)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Transition
            <select name="transition" value={draft.transition} disabled={ro} onChange={(e) => set("transition", e.target.value as Transition)}>
              {TRANSITIONS.map((x) => (
                <option key={x} value={x}>
                  {label(x)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Seconds
            <input name="durationSeconds" type="number" min={0.5} step="any" value={draft.durationSeconds} readOnly={ro} onChange={(e) => set("durationSeconds", e.target.value)} />
          </label>
          <label>
            Continuity
            <select name="continuity" value={draft.continuity} disabled={ro} onChange={(e) => set("continuity", e.target.value as SceneContinuity)}>
              {CONTINUITIES.map((x) => (
                <option key={x} value={x}>
                  {label(x)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {s.feedback.length > 0 ? (
          <p className="small muted">
            Refinements: {s.refinements} · {s.feedback.map((f) => `“${f}”`).join(", ")}
          </p>
        ) : null}
        {s.error ? (
          <p className="refusal small">
            <code>{s.error.code}</code> {s.error.message}
          </p>
        ) : null}
        <UserErrors errors={errors} />
        <div className="scene-actions">
          {props.editable ? (
            <>
              <button type="button" className="ghost small" disabled={props.index === 0} onClick={() => props.onMove(props.index - 1)} aria-label={`Move scene ${props.index + 1} up`}>
                ↑
              </button>
              <button type="button" className="ghost small" disabled={props.index === props.count - 1} onClick={() => props.onMove(props.index + 1)} aria-label={`Move scene ${props.index + 1} down`}>
                ↓
              </button>
              <button type="button" className="ghost small danger-text" onClick={() => void onDelete()}>
                Delete
              </button>
            </>
          ) : null}
          {props.canRegenerate ? (
            <button type="button" className="ghost small" aria-expanded={showRegen} onClick={() => setShowRegen(!showRegen)}>
              Regenerate…
            </button>
          ) : null}
          <span className="spacer" />
          <span className="small muted">{usd(s.cost.actualUsd || s.cost.estimatedUsd)}</span>
          {props.editable && dirty ? (
            <>
              <button type="button" className="small" onClick={() => setDraft(original)}>
                Undo
              </button>
              <button type="submit" className="primary small" disabled={saving.fetching}>
                Save
              </button>
            </>
          ) : null}
        </div>
      </form>
      {showRegen ? (
        <form className="regen" onSubmit={onRegenerate} aria-label={`Regenerate scene ${props.index + 1}`}>
          <label>
            What should change?
            <textarea name="feedback" rows={2} value={feedback} onChange={(e) => setFeedback(e.target.value)} placeholder="warmer light, closer on the product" />
          </label>
          <button type="submit" className="primary small" disabled={regen.fetching}>
            Regenerate
          </button>
        </form>
      ) : null}
    </article>
  );
}

function AddScene({ jobId, count, onChanged }: { jobId: string; count: number; onChanged: () => void }) {
  const [title, setTitle] = useState("");
  const [script, setScript] = useState("");
  const [caption, setCaption] = useState("");
  const [position, setPosition] = useState("");
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [state, add] = useMutation(AddSceneMutation);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await add({
      input: { jobId, title: title || null, script: script || null, caption: caption || null, position: position ? Number(position) : null },
    });
    const errs = r.data?.addScene.userErrors ?? [];
    setErrors(errs);
    if (!errs.length) {
      setTitle("");
      setScript("");
      setCaption("");
    }
    onChanged();
  }

  return (
    <details className="inline-form">
      <summary>Add a scene</summary>
      <form className="grid-form" onSubmit={submit} aria-label="Add a scene">
        <label>
          Title
          <input name="newTitle" value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <label>
          Script
          <input name="newScript" value={script} onChange={(e) => setScript(e.target.value)} />
        </label>
        <label>
          Caption
          <input name="newCaption" value={caption} onChange={(e) => setCaption(e.target.value)} />
        </label>
        <label>
          Position
          <select name="newPosition" value={position} onChange={(e) => setPosition(e.target.value)}>
            <option value="">before the end card</option>
            {Array.from({ length: count + 1 }, (_, i) => (
              <option key={i} value={i}>
                {i + 1}
              </option>
            ))}
          </select>
        </label>
        <UserErrors errors={errors} />
        <div className="actions">
          <button type="submit" className="primary" disabled={state.fetching}>
            Add scene
          </button>
        </div>
      </form>
    </details>
  );
}
