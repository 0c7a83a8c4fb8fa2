// The whole flow in Debian's chromium against a real `adreel serve --seed`: sign in, client and
// campaign, brand kit uploads, brief with a live estimate, storyboard edits, approval, live
// progress through a dropped WebSocket, the finished ad played, a WebM export downloaded and
// decoded. Run: npm run e2e (from console/).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SHOTS, adreel, decode, gql, launch, makeMedia, openPage, shot, signIn, startServer } from "./harness.mjs";

let server;
let browser;
let media;
let page;
let problems;
const state = {};
// against a long-running server (E2E_URL), names get a suffix so runs do not collide
const SUFFIX = process.env.E2E_URL ? ` ${Date.now() % 100000}` : "";

// Each step builds on the previous one: after a failure the rest are skipped.
let broken = false;
function step(name, fn, timeout = 900_000) {
  test(name, { timeout }, async (t) => {
    if (broken) return t.skip("an earlier step failed");
    try {
      await fn(t);
    } catch (e) {
      broken = true;
      await shot(page, `failed-${name.slice(0, 30).replace(/\W+/g, "-")}`).catch(() => {});
      throw e;
    }
  });
}

before(async () => {
  rmSync(SHOTS, { recursive: true, force: true });
  media = makeMedia();
  [server, browser] = await Promise.all([startServer(), launch()]);
  ({ page, problems } = await openPage(browser, server));
  page.setDefaultTimeout(30_000);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  media?.cleanup();
});

// The browser logs a console error for every 4xx answer it receives; these two are the point of
// their tests (a wrong key, a refused upload) and nothing else may appear.
const EXPECTED = [/status of 401/, /status of 415/, /status of 400/];
const unexpected = () => problems.filter((p) => !EXPECTED.some((re) => re.test(p)));

step("a wrong key is refused with a clear message", async () => {
  await page.goto("/");
  await shot(page, "01-sign-in");
  await page.getByLabel("API key").fill("adr_00000000_not-a-real-key");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "not accepted" }).waitFor();
  await shot(page, "02-wrong-key");
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
});

step("sign in, create a client", async () => {
  await signIn(page, server.key);
  await page.getByTestId("org").filter({ hasText: "Demo" }).waitFor();
  await page.getByLabel("Name").fill(`Northwind Coffee${SUFFIX}`);
  await page.getByLabel("Website").fill("https://northwind.example");
  await page.getByLabel("Industry").fill("Coffee");
  await page.getByLabel("Brand colors").fill("#3b2a20, #e8b04a");
  await page.getByRole("button", { name: "Create client" }).click();
  await page.getByRole("heading", { level: 1, name: `Northwind Coffee${SUFFIX}` }).waitFor();
  state.clientUrl = page.url();
  // the API's own refusal: the same name again is a DUPLICATE
  await page.getByRole("link", { name: "Clients", exact: true }).first().click();
  await page.getByLabel("Name").fill(`northwind  coffee${SUFFIX}`);
  await page.getByRole("button", { name: "Create client" }).click();
  await page.getByRole("alert").filter({ hasText: "DUPLICATE" }).waitFor();
  await page.getByLabel("Search clients").fill("north");
  await page.locator(".rows").getByText(`Northwind Coffee${SUFFIX}`).waitFor();
  await shot(page, "03-clients");
});

step("brand kit: drag-and-drop upload with progress, file picker, a refused file", async () => {
  await page.goto(state.clientUrl);
  await page.getByTestId("dropzone").waitFor();
  // drop the logo like a user would: a DataTransfer carrying the file
  const { readFileSync } = await import("node:fs");
  const logo = readFileSync(media.logo).toString("base64");
  await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], "logo.png", { type: "image/png" }));
    const zone = document.querySelector('[data-testid="dropzone"]');
    zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, logo);
  await page.getByTestId("file-input").setInputFiles([media.product, media.music]);
  const transfers = page.locator(".transfer");
  await assert.doesNotReject(() => page.waitForFunction(() => document.querySelectorAll('.transfer[data-state="done"]').length === 3));
  for (const t of await transfers.all()) {
    assert.equal(await t.locator("progress").evaluate((p) => p.value), 1);
  }
  // a text file is refused with its code
  await page.getByTestId("file-input").setInputFiles([media.text]);
  const refused = page.locator('.transfer[data-state="refused"]');
  await refused.waitFor();
  assert.match(await refused.innerText(), /UNSUPPORTED_MEDIA/);
  // three READY assets with thumbnails for the two images
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="asset"].s-ready').length === 3, null, { timeout: 60_000 });
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="asset"] .thumb img')].filter((i) => i.complete && i.naturalWidth > 0).length === 2);
  // an import from a private address is refused by the SSRF guard, with its code
  await page.getByRole("textbox", { name: "Import from URL" }).fill("http://127.0.0.1:9/logo.png");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByTestId("dropzone").locator("xpath=..").getByText("URL_NOT_ALLOWED").first().waitFor({ timeout: 60_000 });
  await shot(page, "04-brand-kit");
});

step("create a campaign, fill the brief, see the estimate, create the ad", async () => {
  await page.getByText("New campaign").click();
  await page.locator('input[name="campaignName"]').fill("Autumn launch");
  await page.locator('input[name="objective"]').fill("Awareness for the autumn blend");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await page.getByRole("heading", { level: 1, name: /Autumn launch/ }).waitFor();
  state.campaignUrl = page.url();
  state.campaignId = decodeURIComponent(page.url().split("/campaigns/")[1]);
  await page.getByRole("link", { name: "New ad" }).click();
  await page.getByRole("heading", { name: "New ad" }).waitFor();
  await page.getByLabel("Product", { exact: true }).fill("Northwind autumn blend");
  await page.getByLabel("Audience", { exact: true }).fill("coffee lovers, 25-45");
  await page.getByLabel("Tone", { exact: true }).fill("warm");
  await page.getByLabel("Call to action", { exact: true }).fill("Order today");
  await page.locator('input[name="durationSeconds"]').fill("9");
  await page.locator('select[name="sceneCount"]').selectOption("3");
  await page.locator('select[name="aspectRatio"]').selectOption("LANDSCAPE_16_9");
  // the ad speaks by default, in a voice picked from what the voice providers offer
  assert.equal(await page.locator('input[name="voiceover"]').isChecked(), true);
  const voices = page.locator('select[name="narrator"] option');
  await page.waitForFunction(() => document.querySelectorAll('select[name="narrator"] option').length > 1);
  state.voice = await voices.nth(1).getAttribute("value");
  await page.locator('select[name="narrator"]').selectOption(state.voice);
  const estimate = page.getByTestId("estimate-usd");
  await estimate.waitFor();
  assert.match(await estimate.innerText(), /^\$\d/);
  await page.locator(".plan li").nth(2).waitFor();
  assert.equal(await page.locator(".plan li").count(), 3);
  await shot(page, "05-new-ad");
  await page.getByRole("button", { name: "Create the ad" }).click();
  await page.waitForURL(/\/jobs\//);
  state.jobId = decodeURIComponent(page.url().split("/jobs/")[1]);
  const brief = (await gql(server, "query($id: ID!) { node(id: $id) { ... on Job { voiceover brief { voice } } } }", { id: state.jobId })).node;
  assert.equal(brief.voiceover, true);
  assert.equal(brief.brief.voice, state.voice.split("/").slice(1).join("/"));
});

/** A real mouse drag in small steps (HTML5 drag and drop starts only after some movement). */
async function drag(source, target) {
  const a = await source.boundingBox();
  const b = await target.boundingBox();
  const [x0, y0, x1, y1] = [a.x + a.width / 2, a.y + a.height / 2, b.x + b.width / 2, b.y + b.height / 3];
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(x0 + ((x1 - x0) * i) / 10, y0 + ((y1 - y0) * i) / 10);
  await page.mouse.up();
}

/** Retry an assertion for up to `ms` (the API answers before every write is visible). */
async function eventually(check, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

async function scenesOnServer() {
  const data = await gql(server, "query($id: ID!) { node(id: $id) { ... on Job { status availableActions scenes { id caption feedback } } } }", { id: state.jobId });
  return data.node;
}

step("storyboard review: edit a caption, reorder, regenerate with feedback", async () => {
  await page.getByRole("button", { name: "Approve and render" }).waitFor({ timeout: 180_000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="scene"] .scene-image img').length >= 3, null, { timeout: 120_000 });
  await shot(page, "06-storyboard");
  const cards = page.getByTestId("scene");
  // edit the first caption
  const caption = cards.nth(0).locator('input[name="caption"]');
  await caption.fill("Autumn in every cup");
  await cards.nth(0).getByRole("button", { name: "Save" }).click();
  await eventually(async () => assert.equal((await scenesOnServer()).scenes[0].caption, "Autumn in every cup"));
  // drag the second scene onto the first
  const before = (await scenesOnServer()).scenes.map((s) => s.id);
  await drag(cards.nth(1).getByTestId("drag-handle"), cards.nth(0));
  let afterOrder = before;
  for (let i = 0; i < 60 && afterOrder.join() === before.join(); i++) {
    await page.waitForTimeout(500);
    afterOrder = (await scenesOnServer()).scenes.map((s) => s.id);
  }
  assert.deepEqual(afterOrder, [before[1], before[0], ...before.slice(2)]);
  await page.waitForFunction((first) => document.querySelector('[data-testid="scene"]')?.dataset.sceneId === first, afterOrder[0]);
  // regenerate the (new) second scene with feedback
  await cards.nth(1).getByRole("button", { name: "Regenerate…" }).click();
  await page.getByLabel("What should change?").fill("warmer light, closer on the cup");
  await page.getByRole("button", { name: "Regenerate", exact: true }).click();
  await cards.nth(1).getByText("warmer light, closer on the cup").waitFor({ timeout: 60_000 });
  await eventually(async () => assert.deepEqual((await scenesOnServer()).scenes[1].feedback, ["warmer light, closer on the cup"]));
  await shot(page, "07-storyboard-edited");
});

step("approve, then live progress to COMPLETED through a dropped WebSocket", async () => {
  // every value the progress bar shows, in order
  await page.evaluate(() => {
    const bar = document.querySelector('[data-testid="job-progress"]');
    window.__progress = [Number(bar.getAttribute("aria-valuenow"))];
    new MutationObserver(() => window.__progress.push(Number(bar.getAttribute("aria-valuenow")))).observe(bar, {
      attributes: true,
      attributeFilter: ["aria-valuenow"],
    });
  });
  const approve = page.getByRole("button", { name: "Approve and render" });
  await page.waitForFunction(() => {
    const b = [...document.querySelectorAll("button")].find((x) => x.textContent === "Approve and render");
    return b && !b.disabled;
  });
  await approve.click();
  await page.locator("h1 .badge").filter({ hasText: /Rendering|Composing/ }).waitFor({ timeout: 60_000 });
  // drop the connection mid-job: the page subscribes again after its last cursor
  const dropped = await page.evaluate(() => {
    const open = window.__sockets.filter((s) => s.readyState === WebSocket.OPEN);
    open.forEach((s) => s.close(3000, "test drop"));
    return open.length;
  });
  assert.ok(dropped >= 1, "a WebSocket was open");
  await page.getByTestId("live").filter({ hasText: "reconnected" }).waitFor({ timeout: 30_000 });
  await shot(page, "08-progress");
  await page.locator("h1 .badge").filter({ hasText: "Completed" }).waitFor({ timeout: 600_000 });
  await page.getByTestId("live").filter({ hasText: "finished" }).waitFor();
  const values = await page.evaluate(() => window.__progress);
  for (let i = 1; i < values.length; i++) assert.ok(values[i] >= values[i - 1], `progress went back: ${values.join(",")}`);
  assert.equal(values.at(-1), 100);
  // the log holds every event exactly once, as the server has them
  const seqs = await page.getByTestId("event").evaluateAll((rows) => rows.map((r) => Number(r.dataset.seq)));
  const total = (await gql(server, "query($id: ID!) { node(id: $id) { ... on Job { events(first: 1) { totalCount } } } }", { id: state.jobId })).node.events.totalCount;
  assert.deepEqual(seqs, Array.from({ length: total }, (_, i) => i + 1));
});

step("play the ad, export a WebM, download and decode it", async () => {
  const video = page.getByTestId("player");
  await video.waitFor();
  await video.evaluate((v) => {
    v.muted = true;
    return v.play();
  });
  await page.waitForFunction(() => document.querySelector('[data-testid="player"]').currentTime > 0.5, null, { timeout: 30_000 });
  assert.equal(await video.evaluate((v) => v.error), null);
  await shot(page, "09-result");
  // seeking near the end works (the file endpoint answers ranged requests)
  const at = await video.evaluate(
    (v) =>
      new Promise((ok) => {
        v.addEventListener("seeked", () => ok(v.currentTime), { once: true });
        v.currentTime = 7;
      }),
  );
  assert.ok(Math.abs(at - 7) < 0.5, `seeked to ${at}`);
  await video.evaluate((v) => v.pause());
  // the 64 px logo would be enlarged past 2x on the end card: the job says so
  assert.match(await page.getByTestId("job-warnings").innerText(), /logo \(64x64\) would be enlarged/);
  // the narrated ad's captions download as SRT and WebVTT
  const captionLinks = page.getByTestId("caption-files").getByRole("link");
  assert.deepEqual(await captionLinks.allInnerTexts(), ["SRT", "VTT"]);
  const vtt = await page.evaluate(async (href) => (await fetch(href)).text(), await captionLinks.nth(1).getAttribute("href"));
  assert.match(vtt, /^WEBVTT/);
  assert.match(vtt, /^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$/m);
  const form = page.getByRole("form", { name: "Export" });
  await form.locator('select[name="format"]').selectOption("WEBM");
  await form.locator('select[name="resolution"]').selectOption("P480");
  await form.locator('select[name="captions"]').selectOption("off");
  await form.getByRole("button", { name: "Export" }).click();
  const webm = page.locator('[data-testid="render"][data-format="WEBM"]');
  await webm.waitFor();
  await page.locator('[data-testid="render"][data-format="WEBM"][data-status="COMPLETED"]').waitFor({ timeout: 300_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), webm.getByRole("link", { name: /Download/ }).click()]);
  const file = join(media.dir, "export.webm");
  await download.saveAs(file);
  const { seconds } = decode(file);
  assert.ok(Math.abs(seconds - 9) < 1.5, `the WebM lasts ${seconds} s`);
  const exported = (await gql(server, "query($id: ID!) { node(id: $id) { ... on Job { renders { format captions } } } }", { id: state.jobId })).node.renders;
  assert.deepEqual(exported.find((r) => r.format === "WEBM"), { format: "WEBM", captions: false });
  await shot(page, "10-exported");
});

step("job history of the campaign, filtered by status", async () => {
  await page.goto(state.campaignUrl);
  await page.getByRole("button", { name: "Completed" }).click();
  await page.getByTestId("job-row").filter({ hasText: "Northwind autumn blend" }).waitFor();
  await page.getByRole("button", { name: "Failed" }).click();
  await page.getByText("No jobs here.").waitFor();
  await page.getByRole("button", { name: "All" }).click();
  await page.getByTestId("job-row").first().waitFor();
  await shot(page, "11-campaign");
});

step("a failed job shows its StageError and is retried to COMPLETED", async () => {
  // the music's stored file vanishes before the job composes: it fails with ASSET_MISSING
  const clientId = (await gql(server, "query($id: ID!) { node(id: $id) { ... on Campaign { client { id } } } }", { id: state.campaignId })).node.client.id;
  const music = (await gql(server, "query($c: ID!) { assets(clientId: $c, role: MUSIC, first: 1) { edges { node { id } } } }", { c: clientId })).assets.edges[0].node.id;
  const uuid = Buffer.from(music, "base64").toString().split(":")[1].replaceAll("-", "");
  const orgs = join(server.dataDir, "storage", "orgs");
  const file = readdirSync(orgs).map((o) => join(orgs, o, "assets", uuid, "original.wav")).find((f) => existsSync(f));
  assert.ok(file, "the music's stored file");
  renameSync(file, `${file}.away`);
  try {
    await page.goto(state.campaignUrl);
    await page.getByRole("link", { name: "New ad" }).click();
    await page.getByLabel("Product", { exact: true }).fill("Northwind cold brew");
    await page.locator('input[name="durationSeconds"]').fill("6");
    await page.locator('select[name="sceneCount"]').selectOption("3");
    await page.locator('select[name="music"]').selectOption({ label: "music.wav" });
    await page.locator('input[name="autoApprove"]').check();
    await page.getByTestId("estimate-usd").waitFor();
    await page.getByRole("button", { name: "Create the ad" }).click();
    await page.waitForURL(/\/jobs\//);
    const error = page.getByTestId("job-error");
    await error.waitFor({ timeout: 300_000 });
    assert.match(await error.innerText(), /ASSET_MISSING/);
    await page.locator("h1 .badge").filter({ hasText: "Failed" }).waitFor();
    await shot(page, "12-failed-job");
  } finally {
    renameSync(`${file}.away`, file);
  }
  await page.getByRole("button", { name: "Retry" }).click();
  await page.locator("h1 .badge").filter({ hasText: "Completed" }).waitFor({ timeout: 600_000 });
  assert.equal(await page.getByTestId("job-error").count(), 0);
});

step("phone width: the job page and the clients list fit", async () => {
  const { page: phone, problems: phoneProblems } = await openPage(browser, server, { width: 390, height: 844 });
  await signIn(phone, server.key);
  await phone.goto(`/jobs/${encodeURIComponent(state.jobId)}`);
  await phone.getByTestId("player").waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await shot(phone, "13-phone-job");
  await phone.goto("/");
  await phone.locator(".rows li").first().waitFor();
  await shot(phone, "14-phone-clients");
  assert.deepEqual(phoneProblems, []);
  await phone.context().close();
});

step("keyboard: the main actions are reachable with Tab", async () => {
  await page.goto("/");
  const reached = new Set();
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press("Tab");
    reached.add(await page.evaluate(() => document.activeElement?.textContent?.trim() || document.activeElement?.getAttribute("aria-label") || ""));
  }
  for (const name of ["Sign out", "Search clients", "Create client"]) assert.ok(reached.has(name), `${name} not reached: ${[...reached].join(" | ")}`);
});

step("sign out, and no console errors anywhere", async () => {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.deepEqual(unexpected(), []);
});

step("a key revoked during the session signs the page out with a message", async () => {
  const key = adreel(server, "keys", "create", "--org", "Demo", "--name", "revoked-in-test").match(/\badr_[A-Za-z0-9_-]+/)[0];
  await signIn(page, key);
  await page.locator(".rows li").first().waitFor();
  adreel(server, "keys", "revoke", key);
  await page.getByRole("link", { name: "Northwind Coffee", exact: false }).first().click();
  await page.getByRole("status").filter({ hasText: "no longer accepted" }).waitFor();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await shot(page, "15-revoked");
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
});
