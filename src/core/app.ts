// createApp(): Request → Response for the S3 API. The only catch-all: every error becomes S3 XML here,
// every response gets its request id here, and one line per request is logged here.
import { verifyRequest, type CredentialStore } from "./auth/verify.ts";
import type { Config } from "./config.ts";
import { S3Error, errorResponse } from "./errors.ts";
import { LogLevels, logger } from "./log.ts";
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
      parsed = parseRequest(req);
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
    log.info(`${req.method} ${parsed?.rawPath ?? req.url} ${op} ${response.status} ${(performance.now() - started).toFixed(1)}ms`);
    return response;
  };
}

function internalError(error: unknown, requestId: string): S3Error {
  log.error(`request ${requestId} failed`, error);
  return new S3Error("InternalError");
}
