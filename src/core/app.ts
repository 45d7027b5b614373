// createApp(): Request → Response for the S3 API. The only catch-all: every error becomes S3 XML here,
// every response gets its request id here, and one line per request is logged here.
import { verifyRequest, type CredentialStore } from "./auth/verify.ts";
import type { Config } from "./config.ts";
import { S3Error, errorResponse } from "./errors.ts";
import { LogLevels, logFormat, logger } from "./log.ts";
import { handlers } from "./ops/index.ts";
import { parseRequest, type ParsedRequest } from "./request.ts";
import { resolveOperation } from "./router.ts";
import type { BlobStore } from "./store/blobs.ts";
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

export function newRequestId(): string {
  return crypto.randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase();
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
      op = resolveOperation(parsed);
      const now = clock();
      const auth = verifyRequest(parsed, credentials, now);
      if (log.level >= LogLevels.debug) log.debug(`${requestId} ${op} signed by ${auth.accessKeyId}, payload ${auth.payloadHash}, content-encoding ${req.headers.get("content-encoding") ?? "-"}, trailer ${req.headers.get("x-amz-trailer") ?? "-"}`);
      const handler = handlers[op];
      if (!handler) throw new S3Error("NotImplemented", { message: `${op} is not implemented by s3lite yet.` });
      response = await handler({ req, parsed, auth, meta: deps.meta, blobs: deps.blobs, merger: deps.merger, config: deps.config, now });
    } catch (error) {
      const s3Error = error instanceof S3Error ? error : internalError(error, requestId);
      response = errorResponse(s3Error, parsed?.rawPath ?? "/", requestId, req.method);
    }
    response.headers.set("x-amz-request-id", requestId);
    response.headers.set("x-amz-id-2", requestId);
    response.headers.set("server", "s3lite");
    // Virtual-hosted requests are logged as their path-style twin, so every line names its bucket.
    const path = parsed ? (parsed.hostStyle ? `/${parsed.bucket}${parsed.rawPath}` : parsed.rawPath) : new URL(req.url).pathname;
    if (log.level >= LogLevels.info) logRequest(req, path, op, response, requestId, started);
    return response;
  };
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

function internalError(error: unknown, requestId: string): S3Error {
  log.error(`request ${requestId} failed`, error);
  return new S3Error("InternalError");
}
