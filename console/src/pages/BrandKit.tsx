import { useEffect, useRef, useState, type DragEvent, type FormEvent } from "react";
import { useClient, useMutation, useQuery } from "urql";
import type { AssetRole } from "../gql/graphql";
import { ClientAssetsQuery, CreateAssetUploadMutation, DeleteAssetMutation, ImportAssetMutation } from "../operations";
import { putFile } from "../upload";
import { Badge, RequestError, Section, UserErrors, bytes, label, seconds, type UserErrorLike } from "../ui";

export const BRAND_ROLES: AssetRole[] = ["LOGO", "PRODUCT", "CHARACTER", "BACKGROUND", "MUSIC", "VOICEOVER", "REFERENCE"];

/** The role a file most likely plays, from its type and name (the user can pick another). */
export function guessRole(file: File): AssetRole {
  if (file.type.startsWith("audio/")) return /voice|vo[-_ ]/i.test(file.name) ? "VOICEOVER" : "MUSIC";
  if (file.type.startsWith("video/")) return "REFERENCE";
  if (/logo/i.test(file.name)) return "LOGO";
  if (/character|person|model/i.test(file.name)) return "CHARACTER";
  if (/background|backdrop/i.test(file.name)) return "BACKGROUND";
  return "PRODUCT";
}

type Transfer = {
  id: number;
  name: string;
  size: number;
  progress: number;
  state: "uploading" | "done" | "refused";
  code?: string;
  message?: string;
};

let transferIds = 0;

export function BrandKit({ clientId }: { clientId: string }) {
  const client = useClient();
  const [{ data, error }, refetch] = useQuery({ query: ClientAssetsQuery, variables: { clientId } });
  const [role, setRole] = useState<AssetRole | "AUTO">("AUTO");
  const [transfers, setTransfers] = useState<Transfer[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const [, del] = useMutation(DeleteAssetMutation);
  const [deleteErrors, setDeleteErrors] = useState<readonly UserErrorLike[]>([]);
  const assets = data?.assets.edges.map((e) => e.node) ?? [];
  const pending = assets.some((a) => a.status === "PENDING");

  // An import runs in the background: look again until nothing is PENDING.
  useEffect(() => {
    if (!pending) return;
    const t = window.setTimeout(() => refetch({ requestPolicy: "network-only" }), 1500);
    return () => window.clearTimeout(t);
  }, [pending, data, refetch]);

  function patch(id: number, change: Partial<Transfer>) {
    setTransfers((ts) => ts.map((t) => (t.id === id ? { ...t, ...change } : t)));
  }

  async function upload(file: File) {
    const id = ++transferIds;
    setTransfers((ts) => [{ id, name: file.name, size: file.size, progress: 0, state: "uploading" }, ...ts]);
    const created = await client
      .mutation(CreateAssetUploadMutation, {
        input: {
          clientId,
          role: role === "AUTO" ? guessRole(file) : role,
          filename: file.name,
          contentType: file.type || null,
          byteSize: file.size,
        },
      })
      .toPromise();
    const payload = created.data?.createAssetUpload;
    const refusal = payload?.userErrors[0];
    if (!payload?.uploadUrl || refusal) {
      patch(id, {
        state: "refused",
        code: refusal?.code ?? "ERROR",
        message: refusal?.message ?? created.error?.message ?? "the upload could not start",
      });
      return;
    }
    const result = await putFile(payload.uploadUrl, file, (p) => patch(id, { progress: p }));
    if (!result.ok) patch(id, { state: "refused", code: result.code, message: result.message });
    else if (result.error) patch(id, { state: "refused", code: result.error.code, message: result.error.message });
    else patch(id, { state: "done", progress: 1 });
    refetch({ requestPolicy: "network-only" });
  }

  function onFiles(files: FileList | null) {
    if (!files) return;
    Array.from(files).forEach((f) => void upload(f));
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setOver(false);
    onFiles(e.dataTransfer.files);
  }

  async function remove(assetId: string) {
    const result = await del({ input: { assetId } });
    setDeleteErrors(result.data?.deleteAsset.userErrors ?? []);
    refetch({ requestPolicy: "network-only" });
  }

  return (
    <Section
      title="Brand kit"
      id="brand-kit"
      actions={
        <label className="inline">
          Role for new files{" "}
          <select name="uploadRole" value={role} onChange={(e) => setRole(e.target.value as AssetRole | "AUTO")}>
            <option value="AUTO">guess from the file</option>
            {BRAND_ROLES.map((r) => (
              <option key={r} value={r}>
                {label(r)}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <div
        className={`dropzone${over ? " over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="dropzone"
      >
        <p>
          Drop logos, product shots, characters, music or voice-overs here, or{" "}
          <button type="button" className="linkish" onClick={() => input.current?.click()}>
            choose files
          </button>
          .
        </p>
        <p className="muted small">PNG, JPEG, WebP · MP4, MOV, WebM · MP3, WAV, M4A, OGG</p>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            onFiles(e.target.files);
            e.target.value = "";
          }}
        />
      </div>
      {transfers.length > 0 ? (
        <ul className="transfers" aria-label="Uploads">
          {transfers.map((t) => (
            <li key={t.id} className={`transfer ${t.state}`} data-state={t.state}>
              <span className="t-name">
                {t.name} <span className="muted small">{bytes(t.size)}</span>
              </span>
              <progress max={1} value={t.progress} aria-label={`Upload of ${t.name}`} />
              {t.state === "refused" ? (
                <span className="refusal" role="alert">
                  <code>{t.code}</code> {t.message}
                </span>
              ) : (
                <span className="small muted">{t.state === "done" ? "uploaded" : `${Math.round(t.progress * 100)}%`}</span>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <ImportFromUrl clientId={clientId} onImported={() => refetch({ requestPolicy: "network-only" })} role={role} />
      <RequestError error={error} />
      <UserErrors errors={deleteErrors} />
      {assets.length === 0 && data ? <p className="empty">No brand material yet.</p> : null}
      <ul className="assets" aria-label="Assets">
        {assets.map((a) => (
          <li key={a.id} className={`asset s-${a.status.toLowerCase()}`} data-testid="asset" data-filename={a.filename ?? ""}>
            <div className="thumb">
              {a.thumbnailUrl ? (
                <img src={a.thumbnailUrl} alt={a.filename ?? "asset"} loading="lazy" />
              ) : (
                <span className="thumb-kind" aria-hidden="true">
                  {a.kind === "AUDIO" ? "♪" : a.kind === "VIDEO" ? "▶" : a.status === "PENDING" ? "…" : "?"}
                </span>
              )}
            </div>
            <div className="asset-meta">
              <strong className="ellipsis" title={a.filename ?? a.sourceUrl ?? ""}>
                {a.filename ?? a.sourceUrl ?? "untitled"}
              </strong>
              <span className="small muted">
                {label(a.role)} · {bytes(a.byteSize)}
                {a.width ? ` · ${a.width}×${a.height}` : ""}
                {a.durationSeconds ? ` · ${seconds(a.durationSeconds)}` : ""}
              </span>
              {a.status !== "READY" ? <Badge value={a.status} /> : null}
              {a.error ? (
                <span className="refusal small">
                  <code>{a.error.code}</code> {a.error.message}
                </span>
              ) : null}
              {a.kind === "AUDIO" && a.url ? <audio controls preload="none" src={a.url} /> : null}
            </div>
            <button type="button" className="ghost small" onClick={() => void remove(a.id)} aria-label={`Delete ${a.filename ?? "asset"}`}>
              Delete
            </button>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function ImportFromUrl(props: { clientId: string; role: AssetRole | "AUTO"; onImported: () => void }) {
  const [url, setUrl] = useState("");
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [state, run] = useMutation(ImportAssetMutation);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const result = await run({
      input: { url, clientId: props.clientId, role: props.role === "AUTO" ? null : props.role },
    });
    const payload = result.data?.importAssetFromUrl;
    setErrors(payload?.userErrors ?? []);
    if (payload?.asset) {
      setUrl("");
      props.onImported();
    }
  }

  return (
    <form className="row-form" onSubmit={submit} aria-label="Import from URL">
      <label className="grow">
        Import from URL
        <input name="importUrl" type="url" required placeholder="https://example.com/logo.png" value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <button type="submit" disabled={state.fetching}>
        Import
      </button>
      <UserErrors errors={errors} />
    </form>
  );
}
