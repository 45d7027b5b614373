// createApp(): Request → Response for the S3 API. The only catch-all: every error becomes S3 XML here,
// every response gets its request id here, and one line per request is logged here.
import { verifyRequest, type CredentialStore } from "./auth/verify.ts";
import { applyCorsHeaders, matchRule, PERMISSIVE_RULE, preflightHeaders, requestedHeaders, type CorsRule } from "./cors.ts";
import type { Config } from "./config.ts";
import { S3Error, errorResponse } from "./errors.ts";
import { LogLevels, logFormat, logger } from "./log.ts";
import { CORS_CONFIG } from "./ops/bucket-cors.ts";
import { handlers } from "./ops/index.ts";
import { FORM_SIGNED } from "./ops/post-object.ts";
import { refuseUnsupportedHeaders } from "./ops/_unsupported-headers.ts";
import { parseRequest, type ParsedRequest } from "./request.ts";
import { resolveOperation } from "./router.ts";
import type { BlobStore } from "./store/blobs.ts";
import { isOutOfSpace } from "./store/faults.ts";
import type { PartMerger } from "./store/merge-parts.ts";
import type { Metadata } from "./store/meta.ts";

export interface AppDeps {
  config: Config;
  meta: Metadata;
  blobs: BlobStore;
  merger: PartMerger;
  /** Injectable clock for tests of expiry and skew. */
  now?: () => number;
}

const log = logger("http");

// 16 upper-case hex digits as S3's are: a random per-process prefix, then a counter, so ids never repeat within a run.
const REQUEST_ID_PREFIX = crypto.randomUUID().slice(0, 6).toUpperCase();
let requestCount = 0;

export function newRequestId(): string {
  requestCount = (requestCount + 1) % 0x10000000000;
  return REQUEST_ID_PREFIX + requestCount.toString(16).toUpperCase().padStart(10, "0");
}

export function createApp(deps: AppDeps): (req: Request) => Promise<Response> {
  const credentials: CredentialStore = new Map(deps.config.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  const clock = deps.now ?? Date.now;

  return async function fetch(req: Request): Promise<Response> {
    const started = performance.now();
    const requestId = newRequestId();
    let parsed: ParsedRequest | undefined;
    let op = "-";
    let response: Response;
    try {
      parsed = parseRequest(req, deps.config.domains);
      checkHeaderSection(req.headers);
      if (req.method === "OPTIONS") {
        op = "PreflightRequest";
        response = stamp(preflight(req, parsed, deps), requestId);
        return logged(req, parsed, op, response, requestId, started);
      }
      op = resolveOperation(parsed);
      const now = clock();
      // A browser POST is signed inside its form, which only its handler reads.
      const auth = op === "PostObject" ? FORM_SIGNED : verifyRequest(parsed, credentials, now);
      if (log.level >= LogLevels.debug) log.debug(`${requestId} ${op} signed by ${auth.accessKeyId}, payload ${auth.payloadHash}, content-encoding ${req.headers.get("content-encoding") ?? "-"}, trailer ${req.headers.get("x-amz-trailer") ?? "-"}`);
      const handler = handlers[op];
      if (!handler) throw new S3Error("NotImplemented", { message: `${op} is not implemented by s3lite yet.` });
      refuseUnsupportedHeaders(req.headers);
      response = await handler({ req, parsed, auth, meta: deps.meta, blobs: deps.blobs, merger: deps.merger, config: deps.config, credentials, now });
    } catch (error) {
      const s3Error = error instanceof S3Error ? error : internalError(error, requestId);
      response = errorResponse(s3Error, parsed?.rawPath ?? "/", requestId, req.method);
    }
    // Stamped before CORS headers are added, so the request id is among the exposed headers.
    stamp(response, requestId);
    const origin = req.headers.get("origin");
    // Errors get CORS headers too, so browser code can read S3's error document.
    if (origin) {
      const rule = corsRule(bucketCorsRules(parsed?.bucket, deps), deps, origin, req.method);
      if (rule) applyCorsHeaders(response, rule, origin);
    }
    return logged(req, parsed, op, response, requestId, started);
  };
}

/** S3 refuses a request whose headers exceed 8 KB (Bun itself cuts at 16 KB, with a bare 431). */
const MAX_HEADER_SECTION = 8192;

function checkHeaderSection(headers: Headers): void {
  let size = 0;
  for (const [name, value] of headers) {
    // A browser sends a localhost app's cookies to every localhost port; AWS never sees them.
    if (name !== "cookie") size += name.length + value.length + 4;
  }
  if (size > MAX_HEADER_SECTION) throw new S3Error("RequestHeaderSectionTooLarge", { MaxSizeAllowed: MAX_HEADER_SECTION });
}

/** The headers every response carries. */
function stamp(response: Response, requestId: string): Response {
  response.headers.set("x-amz-request-id", requestId);
  response.headers.set("x-amz-id-2", requestId);
  response.headers.set("server", "s3lite");
  return response;
}

function logged(req: Request, parsed: ParsedRequest | undefined, op: string, response: Response, requestId: string, started: number): Response {
  // Virtual-hosted requests are logged as their path-style twin, so every line names its bucket.
  const path = parsed ? (parsed.hostStyle ? `/${parsed.bucket}${parsed.rawPath}` : parsed.rawPath) : new URL(req.url).pathname;
  if (log.level >= LogLevels.info) logRequest(req, path, op, response, requestId, started);
  return response;
}

/** A bucket's own CORS rules, when it has a configuration. */
function bucketCorsRules(bucket: string | undefined, deps: AppDeps): CorsRule[] | undefined {
  return bucket !== undefined ? deps.meta.getBucketConfig<CorsRule[]>(bucket, CORS_CONFIG) : undefined;
}

/**
 * The rule that governs a cross-origin request: the bucket's first matching rule when it has a CORS
 * configuration, else the development default when that is on. Undefined: not allowed.
 */
function corsRule(rules: CorsRule[] | undefined, deps: AppDeps, origin: string, method: string, headers: readonly string[] = []): CorsRule | undefined {
  if (rules) return matchRule(rules, origin, method, headers);
  return deps.config.permissiveCors ? PERMISSIVE_RULE : undefined;
}

/** OPTIONS: a browser's preflight, answered without auth as S3 does. */
function preflight(req: Request, parsed: ParsedRequest, deps: AppDeps): Response {
  const origin = req.headers.get("origin");
  const method = req.headers.get("access-control-request-method");
  if (!origin) throw new S3Error("BadRequest");
  if (!method) throw new S3Error("BadRequest", { message: "Invalid Access-Control-Request-Method: null" });
  if (parsed.bucket !== undefined && !deps.meta.getBucket(parsed.bucket)) throw new S3Error("NoSuchBucket", { BucketName: parsed.bucket });
  const headers = requestedHeaders(req.headers.get("access-control-request-headers"));
  const rules = bucketCorsRules(parsed.bucket, deps);
  const rule = corsRule(rules, deps, origin, method, headers);
  if (!rule) {
    throw new S3Error("AccessForbidden", rules ? { Method: method, ResourceType: "OBJECT" } : { message: "CORSResponse: CORS is not enabled for this bucket.", Method: method, ResourceType: "BUCKET" });
  }
  return new Response(null, { status: 200, headers: preflightHeaders(rule, origin, method, headers) });
}

/** One line per request: method, path, operation, status, bytes (received for writes, sent for reads), ms. */
function logRequest(req: Request, path: string, op: string, response: Response, requestId: string, started: number): void {
  const reads = req.method === "GET" || req.method === "HEAD";
  const bytes = Number((reads ? response.headers.get("content-length") : req.headers.get("x-amz-decoded-content-length") ?? req.headers.get("content-length")) ?? 0);
  const ms = Number((performance.now() - started).toFixed(1));
  const text = `${req.method} ${path} ${op} ${response.status} ${bytes}B ${ms}ms`;
  if (logFormat() === "json") log.info(text, { requestId, method: req.method, path, op, status: response.status, bytes, ms });
  else log.info(text);
}

/** Anything not an S3Error: logged here (never sent: no stack or path reaches a client). A full disk is 503, so clients retry. */
function internalError(error: unknown, requestId: string): S3Error {
  if (isOutOfSpace(error)) {
    log.error(`request ${requestId} failed: the data folder is out of space (${(error as NodeJS.ErrnoException).code}); nothing was stored`);
    return new S3Error("ServiceUnavailable", { message: "s3lite's data folder is out of space; nothing was stored. Free some space and retry." });
  }
  // One line for the operator; the stack only with --verbose, so logs shipped elsewhere carry no code paths.
  const { code, message } = error as NodeJS.ErrnoException;
  log.error(`request ${requestId} failed: ${code ? `${code} ` : ""}${message ?? String(error)}`);
  log.debug(error);
  return new S3Error("InternalError");
}
