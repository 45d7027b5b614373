// The web console's server side: its page, script and stylesheet under /_s3lite/console/, and the
// redirect there of a browser opening the endpoint's root without credentials. It serves static files
// only: the console reads and changes everything through the S3 API, signed in the browser.
import { join } from "node:path";
import type { Config } from "../core/config.ts";
import { logger } from "../core/log.ts";
import { parseRequest } from "../core/request.ts";
import { VERSION } from "../core/version.ts";

export const CONSOLE_PATH = "/_s3lite/console/";
const CONSOLE_PREFIX = "/_s3lite/console";
const log = logger("console");

interface Asset {
  body: Uint8Array;
  gzipped: Uint8Array;
  type: string;
  etag: string;
}

/**
 * Built on the first console request and kept in memory: a server whose console nobody opens pays
 * nothing for it at start-up, and one that does pays one Bun.build of a few files (~35 ms, a few MiB).
 */
let assets: Promise<Map<string, Asset>> | undefined;

const BROWSER_DIR = join(import.meta.dir, "browser");

async function buildAssets(): Promise<Map<string, Asset>> {
  const built = await Bun.build({ entrypoints: [join(BROWSER_DIR, "main.js")], target: "browser", format: "esm", minify: true });
  if (!built.success) throw new AggregateError(built.logs, "the console's script did not build");
  const script = await built.outputs[0]!.text();
  const css = await Bun.file(join(BROWSER_DIR, "console.css")).text();
  const files = new Map<string, Asset>();
  const add = (name: string, text: string, type: string) => {
    const body = new TextEncoder().encode(text);
    files.set(name, { body, gzipped: Bun.gzipSync(body, { level: 9 }), type, etag: `"${Bun.hash(body).toString(16)}"` });
  };
  add("app.js", script, "text/javascript; charset=utf-8");
  add("app.css", minifyCss(css), "text/css; charset=utf-8");
  add("icon.svg", ICON, "image/svg+xml");
  return files;
}

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b63ce"/><path d="M8 11h16v4H8zm0 6h16v4H8z" fill="#fff"/></svg>`;

/** Comments and runs of whitespace go; the rules stay as written. */
const minifyCss = (css: string) => css.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\s+/g, " ").replace(/\s*([{};,>])\s*/g, "$1").trim();

/** The page: a shell the script fills. The region is the server's, for the scope the browser signs with. */
function page(region: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="s3lite-region" content="${region.replace(/[^\w-]/g, "")}"><title>s3lite console</title>
<link rel="icon" href="icon.svg"><link rel="stylesheet" href="app.css?v=${VERSION}"><script type="module" src="app.js?v=${VERSION}"></script></head>
<body><header class="top"><a class="brand" href="#/">s3<span>lite</span> console</a><div id="account"></div></header>
<div id="messages" class="messages" role="status" aria-live="polite"></div>
<main id="main"><noscript>The s3lite console needs JavaScript.</noscript></main>
<aside id="uploads" class="card" hidden aria-label="Uploads"><header><h2>Uploads</h2><button class="small" id="clear-uploads">Clear finished</button></header><ul></ul></aside>
</body></html>`;
}

/**
 * Same-origin only, and nothing from elsewhere: the console must work offline, and the policy makes
 * the browser refuse any request that would leave this server.
 */
const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/**
 * The console's answer, or undefined for every request that is not the console's (synchronously, so
 * that S3 requests pay one string comparison). Bucket names cannot start with "_", so the path never
 * shadows a bucket; on a virtual-hosted bucket's host it is that bucket's key, and left alone.
 */
export function consoleAnswer(req: Request, config: Pick<Config, "domains" | "region">): Promise<Response | undefined> | undefined {
  const url = req.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return undefined;
  const isConsole = url.startsWith(CONSOLE_PREFIX, start);
  const isRoot = !isConsole && (url.length === start + 1 || url[start + 1] === "?");
  if (!isConsole && !(isRoot && isBrowserLanding(req, url.slice(start + 2)))) return undefined;
  let hostStyle;
  try {
    hostStyle = parseRequest(req, config.domains).hostStyle;
  } catch {
    return undefined;
  }
  if (hostStyle) return undefined;
  if (!isConsole) return Promise.resolve(redirectToConsole());
  const q = url.indexOf("?", start);
  return consoleResponse(req, q < 0 ? url.slice(start) : url.slice(start, q), config.region);
}

async function consoleResponse(req: Request, path: string, region: string): Promise<Response | undefined> {
  if (path === CONSOLE_PREFIX) return new Response(null, { status: 308, headers: { location: CONSOLE_PATH } });
  if (!path.startsWith(CONSOLE_PATH)) return undefined;
  if (req.method !== "GET" && req.method !== "HEAD") return new Response("Method Not Allowed", { status: 405, headers: { allow: "GET, HEAD" } });
  const name = path.slice(CONSOLE_PATH.length);
  if (name === "" || name === "index.html") {
    return new Response(req.method === "HEAD" ? null : page(region), { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache", ...SECURITY_HEADERS } });
  }
  assets ??= buildAssets().catch((error) => { assets = undefined; throw error; });
  let files;
  try {
    files = await assets;
  } catch (error) {
    // Logged for the operator; the browser gets no path or stack, as with any error of this server.
    log.error(`the web console could not be built: ${(error as Error).message}`);
    log.debug(error);
    return new Response("The web console could not be built; the server's log says why.", { status: 500, headers: { "content-type": "text/plain" } });
  }
  const asset = files.get(name);
  if (!asset) return new Response("Not Found", { status: 404, headers: { "content-type": "text/plain" } });
  const headers: Record<string, string> = { "content-type": asset.type, etag: asset.etag, "cache-control": "no-cache", vary: "accept-encoding", ...SECURITY_HEADERS };
  if (req.headers.get("if-none-match") === asset.etag) return new Response(null, { status: 304, headers });
  const gzip = /\bgzip\b/.test(req.headers.get("accept-encoding") ?? "");
  if (gzip) headers["content-encoding"] = "gzip";
  const body = gzip ? asset.gzipped : asset.body;
  headers["content-length"] = String(body.byteLength);
  return new Response(req.method === "HEAD" ? null : body, { headers });
}

/** Query parameters that carry a signature: a request with one is a client's, never a browser's landing. */
const AUTH_QUERY = /(^|&)(X-Amz-Signature|X-Amz-Credential|AWSAccessKeyId|Signature)=/i;

/**
 * A browser opening the endpoint (GET / asking for HTML, no Authorization, no signature in the query):
 * S3 would answer AccessDenied XML, which helps no one. Signed requests to / (ListBuckets) are untouched.
 */
function isBrowserLanding(req: Request, query: string): boolean {
  return req.method === "GET" && !req.headers.has("authorization") && !AUTH_QUERY.test(query)
    && (req.headers.get("accept") ?? "").includes("text/html");
}

const redirectToConsole = (): Response => new Response(null, { status: 302, headers: { location: CONSOLE_PATH, "cache-control": "no-store" } });
