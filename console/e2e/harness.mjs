// Test harness: a real `adreel serve --seed` on a free port with its own data directory,
// Debian's chromium through playwright-core, and small media files made with FFmpeg.
import { spawn, execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SHOTS = resolve(dirname(fileURLToPath(import.meta.url)), "screenshots");
const PYTHON = process.env.ADREEL_PYTHON ?? join(ROOT, ".venv", "bin", "python");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * Start `adreel serve --seed`; resolves once /healthz answers, with the printed API key.
 * E2E_URL, E2E_KEY and E2E_DATA_DIR point the suite at a server already running instead.
 */
export async function startServer() {
  if (process.env.E2E_URL && process.env.E2E_KEY) {
    return { url: process.env.E2E_URL, key: process.env.E2E_KEY, dataDir: process.env.E2E_DATA_DIR ?? "", log: () => "", stop: async () => {} };
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "adreel-e2e-"));
  const url = `http://127.0.0.1:${port}`;
  const env = { ...process.env, ADREEL_DATA_DIR: dataDir, ADREEL_PUBLIC_URL: url, PYTHONUNBUFFERED: "1" };
  delete env.ADREEL_DATABASE_URL;
  delete env.ADREEL_REDIS_URL;
  const child = spawn(PYTHON, ["-m", "cli", "serve", "--seed", "--host", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const deadline = Date.now() + 180_000;
  let key = null;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`adreel serve exited:\n${output}`);
    key ??= output.match(/\badr_[A-Za-z0-9_-]+/)?.[0] ?? null;
    if (key) {
      try {
        const r = await fetch(`${url}/healthz`);
        if (r.ok) break;
      } catch {
        // not listening yet
      }
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  if (!key) throw new Error(`no key printed:\n${output}`);
  return {
    url,
    key,
    dataDir,
    log: () => output,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => {
        const t = setTimeout(() => {
          child.kill("SIGKILL");
          r();
        }, 10_000);
        child.once("exit", () => {
          clearTimeout(t);
          r();
        });
      });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Run the adreel command on the server's data (for example to issue or revoke a key). */
export function adreel(server, ...args) {
  const env = { ...process.env, ADREEL_DATA_DIR: server.dataDir, ADREEL_PUBLIC_URL: server.url };
  return execFileSync(PYTHON, ["-m", "cli", ...args], { cwd: ROOT, env, encoding: "utf8" });
}

/** A GraphQL call with the key, for checks behind the page's back. */
export async function gql(server, query, variables = {}) {
  const r = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${server.key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export async function launch() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
}

/**
 * A page that records console errors and uncaught exceptions, and every WebSocket it opens
 * (window.__sockets) so a test can drop the connection.
 */
export async function openPage(browser, server, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, baseURL: server.url, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`exception: ${e.message}`));
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets.push(this);
      }
    };
  });
  return { page, context, problems };
}

export async function signIn(page, key) {
  await page.goto("/");
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export function ffmpegExe() {
  return execFileSync(PYTHON, ["-c", "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"], {
    encoding: "utf8",
  }).trim();
}

/** Small media files: a logo (PNG, 64 px: too small for a sharp end card, so the job warns), a product shot (JPEG), music (WAV) and a text file. */
export function makeMedia() {
  const dir = mkdtempSync(join(tmpdir(), "adreel-media-"));
  const ff = ffmpegExe();
  const run = (...args) => execFileSync(ff, ["-v", "error", "-y", ...args]);
  run("-f", "lavfi", "-i", "color=c=0x4f46e5:s=64x64,drawbox=x=16:y=16:w=32:h=32:color=white:t=fill", "-frames:v", "1", join(dir, "logo.png"));
  run("-f", "lavfi", "-i", "testsrc2=s=800x800", "-frames:v", "1", "-q:v", "3", join(dir, "product.jpg"));
  run("-f", "lavfi", "-i", "sine=frequency=330:duration=12:sample_rate=22050", "-ac", "1", join(dir, "music.wav"));
  writeFileSync(join(dir, "notes.txt"), "not a picture, just some words\n".repeat(20));
  return {
    dir,
    logo: join(dir, "logo.png"),
    product: join(dir, "product.jpg"),
    music: join(dir, "music.wav"),
    text: join(dir, "notes.txt"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Decode a video file completely; returns its duration in seconds from FFmpeg's report. */
export function decode(file) {
  const r = spawnSync(ffmpegExe(), ["-hide_banner", "-xerror", "-i", file, "-f", "null", "-"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`FFmpeg could not decode ${file}:\n${r.stderr}`);
  const m = r.stderr.match(/Duration: (\d+):(\d+):([\d.]+)/);
  if (!m) throw new Error(`no duration in FFmpeg's report:\n${r.stderr}`);
  return { seconds: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]), report: r.stderr };
}
