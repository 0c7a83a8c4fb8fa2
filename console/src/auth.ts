// The API key lives in sessionStorage: it is gone when the tab closes and never reaches a URL.
const KEY = "adreel.apiKey";

export function loadKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function clearKey(): void {
  sessionStorage.removeItem(KEY);
}

/** Check a key against the API: the organization's name, or a message saying why not. */
export async function checkKey(
  key: string,
): Promise<{ ok: true; organization: string } | { ok: false; message: string }> {
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: "{ viewer { organization { name } } }" }),
    });
  } catch {
    return { ok: false, message: "The server cannot be reached. Is `adreel serve` running?" };
  }
  type Body = {
    data?: { viewer?: { organization: { name: string } } } | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  const body = (await response.json().catch(() => ({}))) as Body;
  const name = body.data?.viewer?.organization.name;
  if (response.ok && name) return { ok: true, organization: name };
  const code = body.errors?.[0]?.extensions?.code;
  if (response.status === 401 || code === "UNAUTHENTICATED") {
    return {
      ok: false,
      message: "This API key was not accepted: it is wrong, or it has been revoked.",
    };
  }
  if (response.status === 429) return { ok: false, message: "Too many requests; try again in a minute." };
  return { ok: false, message: body.errors?.[0]?.message ?? `The server answered ${response.status}.` };
}
