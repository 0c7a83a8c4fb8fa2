// The signed PUT of createAssetUpload, with XMLHttpRequest so the browser reports upload progress.

export type PutResult =
  | { ok: true; status: string; duplicate: boolean; error?: { code: string; message: string } }
  | { ok: false; code: string; message: string };

export function putFile(url: string, file: Blob, onProgress: (fraction: number) => void): Promise<PutResult> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => resolve({ ok: false, code: "NETWORK", message: "the upload was interrupted" });
    xhr.onload = () => {
      type Body = {
        asset?: { status: string; duplicate: boolean; error?: { code: string; message: string } };
        error?: { code: string; message: string };
      };
      let body: Body = {};
      try {
        body = JSON.parse(xhr.responseText) as Body;
      } catch {
        // a proxy's HTML error page: fall through to the status
      }
      if (xhr.status >= 200 && xhr.status < 300 && body.asset) {
        onProgress(1);
        resolve({ ok: true, status: body.asset.status, duplicate: body.asset.duplicate, error: body.asset.error });
      } else {
        resolve({
          ok: false,
          code: body.error?.code ?? `HTTP_${xhr.status}`,
          message: body.error?.message ?? xhr.statusText ?? "upload failed",
        });
      }
    };
    xhr.send(file);
  });
}
