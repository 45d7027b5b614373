// The web console in headless Chromium (playwright-core): a session from sign-in to sign-out through
// buckets, uploads (one multipart), a folder, downloads, a presigned link, details and deletes, checked
// against the SDK; a wrong secret's error; and the console's routes over plain fetch.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand, GetBucketTaggingCommand, GetBucketVersioningCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand,
  ListBucketsCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type PutObjectCommandInput,
} from "@aws-sdk/client-s3";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startServer } from "../../src/index.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS, TEST_CREDENTIALS } from "../setup.ts";

// Looked for as .ci/run looks for it (and as browser-uploads.test.ts does).
const CHROMIUM = [
  process.env.CHROMIUM_PATH, Bun.which("chromium"), Bun.which("chromium-browser"),
  "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
].find((path): path is string => !!path && existsSync(path));
const skip = skipWithout(CHROMIUM !== undefined);

const ROOT = join(import.meta.dir, "../..");
/** A second user, who owns none of the test's buckets. */
const OTHER = { accessKeyId: "AKIAOTHERUSER", secretAccessKey: "other-secret", user: "other" };
/** Where the README's screenshot is written, when S3LITE_CONSOLE_SCREENSHOT=1 asks for it. */
const SCREENSHOT = join(ROOT, "docs/console.png");

let s: TestServer;
let browser: Browser;
let folder: string;

beforeAll(async () => {
  s = await startTestServer({ extraCredentials: [OTHER] });
  folder = mkdtempSync(join(tmpdir(), "s3lite-console-"));
  if (skip) return;
  if (!CHROMIUM) throw new Error("Chromium is not installed (set CHROMIUM_PATH or apt-get install chromium)");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}, SLOW_TEST_MS);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** A page of a fresh context that records every URL it requests. */
async function openConsole(): Promise<{ context: BrowserContext; page: Page; requested: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light", acceptDownloads: true });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: s.url });
  const page = await context.newPage();
  const requested: string[] = [];
  page.on("request", (request) => requested.push(request.url()));
  // A browser opening the endpoint itself is sent to the console.
  await page.goto(`${s.url}/`);
  expect(new URL(page.url()).pathname).toBe("/_s3lite/console/");
  return { context, page, requested };
}

/**
 * Runs `steps` in a fresh console page, then checks that no request left the server's origin (the
 * console loads and sends nothing elsewhere), and closes the page's context whatever happened.
 */
async function inConsole(steps: (page: Page, requested: readonly string[]) => Promise<void>): Promise<void> {
  const { context, page, requested } = await openConsole();
  try {
    await steps(page, requested);
    const origin = new URL(s.url).origin;
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
  } finally {
    await context.close();
  }
}

async function signIn(page: Page, secret: string = TEST_CREDENTIALS.secretAccessKey, accessKeyId: string = TEST_CREDENTIALS.accessKeyId): Promise<void> {
  await page.fill('input[name="accessKeyId"]', accessKeyId);
  await page.fill('input[name="secretAccessKey"]', secret);
  await page.click('button:has-text("Sign in")');
}

const bytes = (size: number, seed: number) => {
  const out = new Uint8Array(size);
  for (let i = 0, x = seed; i < size; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return Buffer.from(out);
};

describe.skipIf(skip)("web console in Chromium", () => {
  test("a session: sign in, bucket, uploads, folder, download, presigned link, details, deletes, sign out", async () => {
    await inConsole(async (page, requested) => {
      await signIn(page);
      await page.waitForSelector('h1:has-text("Buckets")');
      expect(await page.evaluate(() => sessionStorage.length)).toBe(1);

      // Create a versioned bucket.
      const bucket = uniqueBucket("console");
      await page.click('button:has-text("Create bucket")');
      await page.fill('dialog input[name="name"]', bucket);
      await page.check('dialog input[name="versioning"]');
      await page.click('dialog button[type="submit"]');
      await page.waitForSelector(`tr[data-bucket="${bucket}"]`);
      await s.client.send(new HeadBucketCommand({ Bucket: bucket }));
      expect(await page.textContent(`td.count[data-bucket="${bucket}"]`)).toBe("0");

      // Two files by the file input: one small, one of three 8 MiB parts.
      await page.click(`a:has-text("${bucket}")`);
      await page.waitForSelector('text="This folder is empty."');
      const small = Buffer.from("hello from the console\n");
      const large = bytes(17 * 1024 * 1024 + 5, 7);
      await page.setInputFiles("#upload-files", [
        { name: "hello.txt", mimeType: "text/plain", buffer: small },
        { name: "large.bin", mimeType: "application/octet-stream", buffer: large },
      ]);
      await page.waitForSelector('#uploads li[data-state="done"] >> nth=1', { timeout: 30_000 });
      const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "large.bin" }));
      expect(head.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
      expect(head.ContentLength).toBe(large.length);
      const stored = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "large.bin" }));
      expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(large)).toBe(true);

      // A folder by the webkitdirectory input: its keys keep the folder's name and paths.
      const photos = join(folder, "photos");
      mkdirSync(join(photos, "sub"), { recursive: true });
      const json = JSON.stringify({ hello: "world", n: [1, 2, 3] });
      writeFileSync(join(photos, "a.json"), json);
      writeFileSync(join(photos, "sub", "b.txt"), "bee");
      await page.setInputFiles("#upload-folder", photos);
      await page.waitForSelector('#uploads li[data-state="done"] >> nth=3', { timeout: 30_000 });
      const listed = await s.client.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual(["hello.txt", "large.bin", "photos/a.json", "photos/sub/b.txt"]);
      await page.waitForSelector('tr.folder[data-key="photos/"]');

      // Open the folder: breadcrumbs, a subfolder and the file.
      await page.click('tr.folder[data-key="photos/"] a');
      await page.waitForSelector('tr[data-key="photos/a.json"]');
      expect(await page.textContent('nav.crumbs [aria-current="page"]')).toBe("photos");
      expect(await page.isVisible('tr.folder[data-key="photos/sub/"]')).toBe(true);

      // Download it: the same bytes.
      const [download] = await Promise.all([page.waitForEvent("download"), page.click('button[aria-label="Download photos/a.json"]')]);
      expect(download.suggestedFilename()).toBe("a.json");
      expect(await Bun.file((await download.path())!).text()).toBe(json);

      // Its details: the server's own metadata, and a preview.
      await page.click('tr[data-key="photos/a.json"] a');
      await page.waitForSelector('dd[data-field="ETag"]');
      const meta = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "photos/a.json" }));
      expect(await page.textContent('dd[data-field="ETag"]')).toBe(meta.ETag!);
      expect(await page.textContent('dd[data-field="Content type"]')).toBe("application/json");
      expect(await page.textContent('dd[data-field="Size"]')).toContain(`${json.length} bytes`);
      expect(await page.textContent('dd[data-field="Version ID"]')).toBe(meta.VersionId!);
      expect(await page.textContent('dd[data-field="Checksum SHA256"]')).toBe((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "photos/a.json", ChecksumMode: "ENABLED" }))).ChecksumSHA256!);
      await page.waitForSelector(".versions td.mono");
      expect(await page.textContent(".versions td.mono")).toContain(meta.VersionId!);
      await page.waitForSelector(".preview pre");
      expect(JSON.parse((await page.textContent(".preview pre"))!)).toEqual(JSON.parse(json));

      // A presigned link, made in the browser, copied in one click, and good without credentials.
      await page.selectOption("#presign-expiry", "900");
      await page.click('button:has-text("Copy presigned link")');
      await page.waitForSelector('#messages.info:has-text("Presigned link copied")');
      const link = await page.evaluate<string>("navigator.clipboard.readText()");
      expect(link).toBe(await page.inputValue("#presigned-url"));
      expect(new URL(link).searchParams.get("X-Amz-Expires")).toBe("900");
      const fetched = await fetch(link);
      expect(fetched.status).toBe(200);
      expect(await fetched.text()).toBe(json);

      // Select two objects at the top and delete them (DeleteObjects).
      await page.click(`nav.crumbs a:has-text("${bucket}")`);
      await page.waitForSelector('tr[data-key="hello.txt"]');
      await page.check('input[aria-label="Select hello.txt"]');
      await page.check('input[aria-label="Select large.bin"]');
      await page.click('button:has-text("Delete selected (2)")');
      await page.click('dialog button[type="submit"]');
      await page.waitForSelector('tr[data-key="hello.txt"]', { state: "detached" });
      const left = await s.client.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect(left.Contents?.map((o) => o.Key)).toEqual(["photos/a.json", "photos/sub/b.txt"]);

      // Delete the bucket, emptied first (its versions and delete markers too); the name must be typed.
      await page.click('nav.crumbs a:has-text("Buckets")');
      await page.click(`button[aria-label="Delete bucket ${bucket}"]`);
      await page.check('dialog input[name="empty"]');
      expect(await page.isDisabled('dialog button[type="submit"]')).toBe(true);
      await page.fill('dialog input[name="confirm"]', bucket);
      await page.click('dialog button[type="submit"]');
      await page.waitForSelector(`tr[data-bucket="${bucket}"]`, { state: "detached" });
      const buckets = await s.client.send(new ListBucketsCommand({}));
      expect(buckets.Buckets?.map((b) => b.Name)).not.toContain(bucket);

      // Sign out: the key is forgotten.
      await page.click('button:has-text("Sign out")');
      await page.waitForSelector('input[name="secretAccessKey"]');
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

      expect(requested.length).toBeGreaterThan(10);
    });
  }, SLOW_TEST_MS);

  test("details of an SDK-written object, bucket settings with the server's errors, a drop, dark and narrow windows", async () => {
    const bucket = uniqueBucket("uploads");
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
    const put = (Key: string, Body: string | Uint8Array, extra: Partial<PutObjectCommandInput> = {}) => s.client.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ...extra }));
    await put("reports/2026-11.csv", "month,total\nnov,42\n", { ContentType: "text/csv", Metadata: { owner: "qa-team" }, Tagging: "env=test&team=web", StorageClass: "STANDARD_IA" });
    await put("assets/logo.png", bytes(48_213, 3), { ContentType: "image/png" });
    await put("README.md", "# uploads\n", { ContentType: "text/markdown" });
    await put("config.json", JSON.stringify({ retries: 3 }), { ContentType: "application/json" });
    await put("exports/users-2026-11-30.ndjson", bytes(2_400_000, 5), { ContentType: "application/x-ndjson" });
    await put("fixture.bin", bytes(9 * 1024 * 1024, 9));
    await inConsole(async (page) => {
      await signIn(page);
      await page.waitForSelector(`tr[data-bucket="${bucket}"]`);
      await page.waitForSelector(`td.count[data-bucket="${bucket}"]:text-is("6")`);
      await page.click(`a:has-text("${bucket}")`);
      await page.waitForSelector('tr[data-key="fixture.bin"]');
      // Sorted by size, largest first.
      await page.click('button.sort[data-sort="size"]');
      await page.click('button.sort[data-sort="size"]');
      expect(await page.getAttribute("tbody tr:not(.folder) >> nth=0", "data-key")).toBe("fixture.bin");
      await page.click('button.sort[data-sort="name"]');
      await page.mouse.move(640, 760);
      if (process.env.S3LITE_CONSOLE_SCREENSHOT === "1") await page.screenshot({ path: SCREENSHOT });

      // A file dropped on the listing goes up into the folder shown.
      const dataTransfer = await page.evaluateHandle(`(() => {
        const data = new DataTransfer();
        data.items.add(new File(["dropped!"], "dropped.txt", { type: "text/plain" }));
        return data;
      })()`);
      await page.dispatchEvent("section.objects", "drop", { dataTransfer });
      await page.waitForSelector('tr[data-key="dropped.txt"]');
      expect(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "dropped.txt" }))).Body!.transformToString()).toBe("dropped!");

      // A prefix filter within the folder.
      await page.fill('input[aria-label="Filter by prefix"]', "con");
      await page.waitForSelector('tr[data-key="README.md"]', { state: "detached" });
      expect(await page.$$eval("tbody tr", (rows) => rows.map((r) => r.getAttribute("data-key")))).toEqual(["config.json"]);

      // Details: user metadata, tags, storage class, a preview.
      await page.goto(`${s.url}/_s3lite/console/#/o/${bucket}/reports/2026-11.csv`);
      await page.waitForSelector('dd[data-field="Storage class"]');
      expect(await page.textContent('dd[data-field="Storage class"]')).toBe("STANDARD_IA");
      expect(await page.textContent('dd[data-field="Content type"]')).toBe("text/csv");
      await page.waitForSelector('.card:has(h2:has-text("Tags")) dt');
      expect(await page.$$eval('.card:has(h2:has-text("Tags")) dl > *', (els) => els.map((e) => e.textContent))).toEqual(["env", "test", "team", "web"]);
      expect(await page.$$eval('.card:has(h2:has-text("User metadata")) dl > *', (els) => els.map((e) => e.textContent))).toEqual(["owner", "qa-team"]);
      expect(await page.textContent(".versions")).toContain("not enabled");
      await page.waitForSelector(".preview pre");
      expect(await page.textContent(".preview pre")).toBe("month,total\nnov,42\n");

      // Settings: a malformed policy shows the server's own error; versioning and tags are saved.
      await page.goto(`${s.url}/_s3lite/console/#/s/${bucket}`);
      await page.waitForSelector("#policy textarea");
      await page.fill("#policy textarea", '{ "Version": "2012-10-17", "Statement": [ { "Effect": "Maybe" } ] }');
      await page.click('#policy button:has-text("Save")');
      await page.waitForSelector("#messages.error");
      expect(await page.textContent("#messages strong")).toBe("MalformedPolicy");
      await page.selectOption('select[name="versioning"]', "Enabled");
      await page.click('#versioning button:has-text("Save")');
      await page.waitForSelector('#messages.info:has-text("Versioning: saved")');
      expect((await s.client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Enabled");
      await page.fill("#tags textarea", "project=console\nowner=qa");
      await page.click('#tags button:has-text("Save")');
      await page.waitForSelector('#messages.info:has-text("Tags: saved")');
      expect((await s.client.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet).toEqual([{ Key: "project", Value: "console" }, { Key: "owner", Value: "qa" }]);
      await page.waitForSelector('input[name="BlockPublicPolicy"]:checked');

      // Dark mode follows the system; a narrow window needs no sideways scrolling.
      const light = await page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
      await page.emulateMedia({ colorScheme: "dark" });
      expect(await page.evaluate<string>("getComputedStyle(document.body).backgroundColor")).not.toBe(light);
      await page.setViewportSize({ width: 375, height: 740 });
      await page.goto(`${s.url}/_s3lite/console/#/b/${bucket}/`);
      await page.waitForSelector('tr[data-key="fixture.bin"]');
      expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);

    });
  }, SLOW_TEST_MS);

  test("a cancelled multipart upload is aborted, and a new folder is an empty key ending in /", async () => {
    const bucket = uniqueBucket("cancel");
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
    await inConsole(async (page) => {
      await signIn(page);
      await page.click(`a:has-text("${bucket}")`);
      await page.waitForSelector('text="This folder is empty."');
      // Playwright hands over files above 50 MB by path only.
      const huge = join(folder, "huge.bin");
      writeFileSync(huge, bytes(96 * 1024 * 1024, 11));
      await page.setInputFiles("#upload-files", huge);
      // Cancelled once its first part is on the way.
      await page.waitForSelector('#uploads progress:not([value="0"])');
      await page.click('button[aria-label="Cancel huge.bin"]');
      await page.waitForSelector('#uploads li[data-state="cancelled"]');
      // AbortMultipartUpload follows the cancelled part.
      let uploads = 1;
      for (let tries = 0; uploads > 0 && tries < 50; tries++) {
        uploads = (await s.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads?.length ?? 0;
        if (uploads) await Bun.sleep(100);
      }
      expect(uploads).toBe(0);
      expect((await s.client.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);

      await page.click('button:has-text("Create folder")');
      await page.fill('dialog input[name="name"]', "fixtures");
      await page.click('dialog button[type="submit"]');
      await page.waitForSelector('tr.folder[data-key="fixtures/"]');
      const marker = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "fixtures/" }));
      expect(marker.ContentLength).toBe(0);
    });
  }, SLOW_TEST_MS);

  test("another user's key sees only that user's buckets, and AccessDenied for the others", async () => {
    const bucket = uniqueBucket("private");
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
    await inConsole(async (page) => {
      await signIn(page, OTHER.secretAccessKey, OTHER.accessKeyId);
      await page.waitForSelector('h1:has-text("Buckets")');
      await page.waitForSelector("tbody tr");
      expect(await page.$(`tr[data-bucket="${bucket}"]`)).toBeNull();
      await page.goto(`${s.url}/_s3lite/console/#/b/${bucket}/`);
      await page.waitForSelector("#messages.error");
      expect(await page.textContent("#messages strong")).toBe("AccessDenied");
    });
  }, SLOW_TEST_MS);

  test("a wrong secret, typed by keyboard alone, shows the server's SignatureDoesNotMatch, and no request leaves the origin", async () => {
    await inConsole(async (page) => {
      // By keyboard alone: the key's field has the focus, Tab moves on, Enter submits.
      await page.waitForSelector('input[name="accessKeyId"]:focus');
      await page.keyboard.type(TEST_CREDENTIALS.accessKeyId);
      await page.keyboard.press("Tab");
      await page.keyboard.type("not-the-secret");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#messages.error");
      const message = await page.textContent("#messages");
      expect(message).toContain("SignatureDoesNotMatch");
      expect(message).toContain("The request signature we calculated does not match the signature you provided");
      expect(await page.isVisible('input[name="secretAccessKey"]')).toBe(true);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    });
  }, SLOW_TEST_MS);
});

describe("web console routes", () => {
  test("/ asked for as HTML without credentials redirects to the console; signed requests to / are S3's", async () => {
    const landing = await fetch(`${s.url}/`, { headers: { accept: "text/html,application/xhtml+xml" }, redirect: "manual" });
    expect([302, 307]).toContain(landing.status);
    expect(landing.headers.get("location")).toBe("/_s3lite/console/");
    // The same Accept, signed: ListBuckets as ever.
    const signed = await fetchSigned(`${s.url}/`, { headers: { accept: "text/html" } });
    expect(signed.status).toBe(200);
    expect(await signed.text()).toContain("<ListAllMyBucketsResult");
    // Presigned, in the query: also S3's.
    const client = new S3Client({ endpoint: s.url, region: "us-east-1", forcePathStyle: true, credentials: TEST_CREDENTIALS });
    expect((await client.send(new ListBucketsCommand({}))).$metadata.httpStatusCode).toBe(200);
    // Not HTML (an anonymous SDK call, curl): S3's AccessDenied.
    expect((await fetch(`${s.url}/`, { redirect: "manual" })).status).toBe(403);
  });

  test("the page, script and stylesheet are served same-origin only, and are small", async () => {
    const page = await fetch(`${s.url}/_s3lite/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    let total = html.length;
    for (const name of ["app.js", "app.css", "icon.svg"]) {
      const asset = await fetch(`${s.url}/_s3lite/console/${name}`, { headers: { "accept-encoding": "gzip" }, decompress: false } as RequestInit);
      expect(asset.status).toBe(200);
      total += Number(asset.headers.get("content-length"));
      const again = await fetch(`${s.url}/_s3lite/console/${name}`, { headers: { "if-none-match": asset.headers.get("etag")! } });
      expect(again.status).toBe(304);
    }
    // What a browser downloads, gzipped: a budget that keeps the console small.
    expect(total).toBeLessThan(32 * 1024);
    expect((await fetch(`${s.url}/_s3lite/console/nope.js`)).status).toBe(404);
    expect((await fetch(`${s.url}/_s3lite/console`, { redirect: "manual" })).headers.get("location")).toBe("/_s3lite/console/");
  });

  test("with the console off, /_s3lite/console/ is S3's NoSuchBucket and / redirects nowhere", async () => {
    const off = await startServer({ console: false, credentials: TEST_CREDENTIALS, logLevel: "silent" });
    try {
      expect(off.config.console).toBe(false);
      const page = await fetch(`${off.url}/_s3lite/console/`);
      expect(page.status).toBe(404);
      expect(await page.text()).toContain("<Code>NoSuchBucket</Code>");
      expect((await fetch(`${off.url}/`, { headers: { accept: "text/html" }, redirect: "manual" })).status).toBe(403);
    } finally {
      await off.stop();
    }
  });

  test("the browser code type-checks against the DOM (the project's tsconfig sees it as plain JavaScript)", () => {
    const tsc = Bun.spawnSync([join(ROOT, "node_modules/.bin/tsc"), "--noEmit", "-p", join(ROOT, "src/console/browser")], { stderr: "pipe", stdout: "pipe" });
    expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe("");
    expect(tsc.exitCode).toBe(0);
  }, SLOW_TEST_MS);
});
