// A real browser against s3lite: headless Chromium, driven by playwright-core, loads a page from
// another origin that uploads with a presigned PUT (fetch, so CORS preflight and exposed headers
// matter) and with a plain HTML form POST, then downloads both objects again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { chromium, type Browser } from "playwright-core";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";

// Looked for as .ci/run looks for it, in the same order: CHROMIUM_PATH, chromium or chromium-browser
// on PATH, then where Debian and Google's packages put it.
const CHROMIUM = [
  process.env.CHROMIUM_PATH, Bun.which("chromium"), Bun.which("chromium-browser"),
  "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
].find((path): path is string => !!path && existsSync(path));
// CI installs Chromium (.ci/run); there a missing browser is a failure, not a skip.
const skip = skipWithout(CHROMIUM !== undefined);

let s: TestServer;
let app: ReturnType<typeof Bun.serve>;
let browser: Browser;
let bucket: string;

beforeAll(async () => {
  if (skip) return;
  if (!CHROMIUM) throw new Error("Chromium is not installed (set CHROMIUM_PATH or apt-get install chromium)");
  s = await startTestServer();
  bucket = uniqueBucket("browser");
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  // The web app: another origin (localhost vs s3lite's 127.0.0.1, another port) that hands its page
  // presigned requests, as a real app's backend would.
  app = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => appPage(new URL(req.url)) });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}, SLOW_TEST_MS);

afterAll(async () => {
  await browser?.close();
  app?.stop(true);
  await s?.stop();
});

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
const appOrigin = () => `http://localhost:${app.port}`;

async function appPage(url: URL): Promise<Response> {
  const html = (body: string) => new Response(`<!doctype html><html><body>${body}</body></html>`, { headers: { "content-type": "text/html" } });
  if (url.pathname === "/") {
    const put = await getSignedUrl(s.client, new PutObjectCommand({ Bucket: bucket, Key: "from-browser/put.txt", ContentType: "text/plain" }), { expiresIn: 300 });
    const get = await getSignedUrl(s.client, new GetObjectCommand({ Bucket: bucket, Key: "from-browser/put.txt" }), { expiresIn: 300 });
    const post = await createPresignedPost(s.client, {
      Bucket: bucket, Key: "from-browser/${filename}", Expires: 300,
      Conditions: [["starts-with", "$key", "from-browser/"], ["content-length-range", 1, 1024 * 1024]],
      Fields: { success_action_redirect: `${appOrigin()}/uploaded` },
    });
    const hidden = Object.entries(post.fields).map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`).join("");
    return html(`
      <form id="upload" method="post" action="${post.url}" enctype="multipart/form-data">${hidden}
        <input type="file" name="file"><button type="submit">Upload</button>
      </form>
      <script>
        window.putAndGet = async (text) => {
          const put = await fetch(${JSON.stringify(put)}, { method: "PUT", body: text, headers: { "content-type": "text/plain" } });
          const get = await fetch(${JSON.stringify(get)});
          return { putStatus: put.status, putEtag: put.headers.get("etag"), getStatus: get.status, getEtag: get.headers.get("etag"), body: await get.text() };
        };
      </script>`);
  }
  if (url.pathname === "/uploaded") {
    // success_action_redirect lands here with ?bucket&key&etag; the page downloads what it uploaded.
    const key = url.searchParams.get("key") ?? "";
    const get = await getSignedUrl(s.client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
    return html(`<pre id="where">${JSON.stringify(Object.fromEntries(url.searchParams))}</pre>
      <script>
        window.download = fetch(${JSON.stringify(get)}).then(async (r) => ({ status: r.status, etag: r.headers.get("etag"), body: await r.text() }));
      </script>`);
  }
  return new Response("not found", { status: 404 });
}

test.skipIf(skip)("Chromium on another origin uploads with a presigned PUT and with an HTML form POST, then downloads both", async () => {
  const page = await browser.newPage();
  try {
    await page.goto(appOrigin() + "/");
    expect(new URL(page.url()).origin).not.toBe(new URL(s.url).origin);

    // fetch PUT with Content-Type: not a simple request, so Chromium preflights it first.
    const put = await page.evaluate(() => (globalThis as unknown as { putAndGet(t: string): Promise<Record<string, unknown>> }).putAndGet("hello from a browser PUT"));
    expect(put).toMatchObject({ putStatus: 200, getStatus: 200, body: "hello from a browser PUT" });
    expect(put.putEtag).toMatch(/^"[0-9a-f]{32}"$/); // readable only because s3lite exposes ETag
    expect(put.getEtag).toBe(put.putEtag);

    // A plain form submission: the browser builds the multipart body and follows the 303.
    const fileBody = "hello from a browser form POST\n".repeat(100);
    await page.setInputFiles("input[type=file]", { name: "greeting.txt", mimeType: "text/plain", buffer: Buffer.from(fileBody) });
    await Promise.all([page.waitForURL((u) => u.pathname === "/uploaded"), page.click("button[type=submit]")]);
    const where = JSON.parse((await page.textContent("#where"))!);
    expect(where).toMatchObject({ bucket, key: "from-browser/greeting.txt" });
    const download = await page.evaluate(() => (globalThis as unknown as { download: Promise<{ status: number; etag: string; body: string }> }).download);
    expect(download).toEqual({ status: 200, etag: where.etag, body: fileBody });

    // And the SDK agrees with what the browser saw.
    const stored = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "from-browser/greeting.txt" }));
    expect(await stored.Body!.transformToString()).toBe(fileBody);
  } finally {
    await page.close();
  }
}, SLOW_TEST_MS);
