// createApp(): Request → Response for the S3 API. The only catch-all: every error becomes S3 XML here,
// every response gets its request id here, and one line per request is logged here.
import { consoleAnswer } from "../console/routes.ts";
import { Authorizer, type RequestFacts } from "./access/authorize.ts";
import { ANONYMOUS, buildIdentities } from "./access/identities.ts";
import { verifyRequest } from "./auth/verify.ts";
import type { Config } from "./config.ts";
import { S3Error, errorResponse } from "./errors.ts";
import { LogLevels, logFormat, logger } from "./log.ts";
import { stampHeaders, stampedResponses } from "./ops/_context.ts";
import { addCorsHeaders, handlers, refuseUnsupportedHeaders } from "./ops/index.ts";
import { headersSent, parseRequest, type ParsedRequest } from "./request.ts";
import { resolveOperation, resolveParams } from "./router.ts";
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

/** What Bun's fetch handler gets beside the request: the server, which knows the client's address. */
export interface Connection {
  requestIP(req: Request): { address: string } | null;
}

/** Copies answer NoSuchKey for their source, which authorization has already weighed. */
const COPIES = new Set(["CopyObject", "UploadPartCopy", "RenameObject"]);

export function createApp(deps: AppDeps): (req: Request, connection?: Connection) => Promise<Response> {
  const identities = buildIdentities(deps.config.users);
  const credentials = identities.secrets;
  const access = new Authorizer(deps.meta, identities);
  const clock = deps.now ?? Date.now;

  return async function fetch(received: Request, connection?: Connection): Promise<Response> {
    let req = received;
    const started = performance.now();
    const requestId = newRequestId();
    // The web console's files, and the redirect there of a browser opening /: static, outside the S3 API.
    const forConsole = deps.config.console ? consoleAnswer(req, deps.config) : undefined;
    if (forConsole) {
      const answer = await forConsole;
      if (answer) return logged(req, undefined, "Console", stamp(answer, requestId), requestId, started);
    }
    let parsed: ParsedRequest | undefined;
    let op = "-";
    let facts: RequestFacts | undefined;
    let response: Response;
    try {
      parsed = parseRequest(req, deps.config.domains);
      checkHeaderSection(req.headers);
      const route = resolveOperation(parsed);
      op = route.op;
      const now = clock();
      // Form uploads are signed inside the form, which only their handler reads; preflights carry no credentials.
      const auth = route.auth === "signed" ? verifyRequest(parsed, credentials, now) : undefined;
      if (auth) req = withHoistedHeaders(req, parsed);
      if (log.level >= LogLevels.debug) log.debug(`${requestId} ${op} ${auth ? `signed by ${auth.accessKeyId}, payload ${auth.payloadHash}` : `auth ${route.auth}`}, content-encoding ${req.headers.get("content-encoding") ?? "-"}, trailer ${req.headers.get("x-amz-trailer") ?? "-"}`);
      const principal = auth ? identities.byAccessKey(auth.accessKeyId)! : ANONYMOUS;
      // The client's address only when a policy's aws:SourceIp asks: Bun's requestIP() costs ~5 µs, a tenth of a small GET's app time.
      let clientIp: { address?: string } | undefined;
      facts = { principal, parsed, auth, now, get clientIp() { return (clientIp ??= { address: connection?.requestIP(received)?.address }).address; } };
      // Form uploads are authorized by their handler, once the form has said who signed it.
      if (route.auth === "signed") access.authorizeRequest(route.op, facts);
      const handler = handlers[route.op];
      if (!handler) throw new S3Error("NotImplemented", { message: `${op} is not implemented by s3lite yet.` });
      // Not for a preflight, which asks what a request may carry, nor a form upload, which carries its
      // fields in its body, where its handler checks them once the form's signature holds.
      if (route.auth === "signed") refuseUnsupportedHeaders(Object.entries(headersSent(req.headers)), route.op);
      // Arguments are checked only now: a request that may not be made is AccessDenied and, unimplemented, NotImplemented whatever they say.
      const params = resolveParams(route, parsed);
      response = await handler({ req, parsed, params, auth, principal, facts, access, identities, meta: deps.meta, blobs: deps.blobs, merger: deps.merger, config: deps.config, credentials, now, requestId });
    } catch (error) {
      let s3Error = error instanceof S3Error ? error : internalError(error, requestId);
      if (s3Error.code === "NoSuchKey" && facts && parsed?.bucket && !COPIES.has(op) && access.hidesMissingKey(parsed.bucket, facts)) s3Error = new S3Error("AccessDenied");
      response = errorResponse(s3Error, parsed?.rawPath ?? "/", requestId, req.method);
    }
    // Stamped before CORS headers are added, so the request id is among the exposed headers.
    stamp(response, requestId);
    addCorsHeaders(response, req, parsed?.bucket, deps);
    return logged(req, parsed, op, response, requestId, started);
  };
}

/** The query parameters of a presigned URL that sign it; any other x-amz-* parameter stands for a header. */
const PRESIGN_PARAMETERS = new Set(["x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires", "x-amz-signedheaders", "x-amz-signature", "x-amz-security-token", "x-amz-content-sha256"]);
/**
 * Checksums stay query parameters: the JS SDK presigns a PUT with the CRC32 of an empty body
 * (x-amz-checksum-crc32=AAAAAA==), and whether S3 checks a body against it is not settled here.
 */
const notHoisted = (name: string) => PRESIGN_PARAMETERS.has(name) || name.startsWith("x-amz-checksum-") || name === "x-amz-sdk-checksum-algorithm";

/**
 * Presigners move the x-amz-* headers of a request (metadata, ACL, storage class, tagging) into its
 * query, where the signature covers them, and S3 reads them as the headers they stand for: so does
 * s3lite, so that none is dropped. A header sent as well wins. Values go in as their UTF-8 bytes, as a
 * header carries them.
 */
function withHoistedHeaders(req: Request, parsed: ParsedRequest): Request {
  if (!mayHoist(parsed.rawQuery)) return req;
  let headers: Headers | undefined;
  for (const [name, value] of parsed.query) {
    const lower = name.toLowerCase();
    if (!lower.startsWith("x-amz-") || notHoisted(lower) || req.headers.has(lower)) continue;
    try {
      (headers ??= new Headers(req.headers)).set(lower, Buffer.from(value).toString("latin1"));
    } catch {
      throw new S3Error("InvalidArgument", { message: `The query parameter ${name} is not a valid header value.`, ArgumentName: name, ArgumentValue: value });
    }
  }
  if (!headers) return req;
  const hoisted = new Request(req, { headers });
  parsed.headers = hoisted.headers;
  return hoisted;
}

/**
 * Whether the raw query has an x-amz-* parameter, in any case, that may stand for a header. Every
 * presigned URL has the signing ones: a scan of the raw text rules those out without walking the
 * parsed query, which cost ~5 µs of a presigned GET.
 */
function mayHoist(rawQuery: string): boolean {
  // A name with an escape anywhere (even in "x-amz-" itself) is decoded by the parsed query: walked there.
  if (NAME_WITH_ESCAPE.test(rawQuery)) return true;
  const lower = rawQuery.toLowerCase();
  for (let at = lower.indexOf("x-amz-"); at >= 0; at = lower.indexOf("x-amz-", at + 6)) {
    if (at > 0 && lower[at - 1] !== "&") continue;
    const end = lower.slice(at).search(/[=&]/);
    const name = end < 0 ? lower.slice(at) : lower.slice(at, at + end);
    if (!notHoisted(name)) return true;
  }
  return false;
}

const NAME_WITH_ESCAPE = /(?:^|&)[^=&]*%/;

/** S3 refuses a request whose headers exceed 8 KB (Bun itself cuts at 16 KB, with a bare 431). */
const MAX_HEADER_SECTION = 8192;

function checkHeaderSection(headers: Headers): void {
  let size = 0;
  const sent = headersSent(headers);
  for (const name in sent) {
    const value = sent[name]!;
    // A browser sends a localhost app's cookies to every localhost port; AWS never sees them.
    if (name !== "cookie") size += name.length + value.length + 4;
  }
  if (size > MAX_HEADER_SECTION) throw new S3Error("RequestHeaderSectionTooLarge", { MaxSizeAllowed: MAX_HEADER_SECTION });
}

/** The headers every response carries. */
function stamp(response: Response, requestId: string): Response {
  if (stampedResponses.has(response)) return response;
  for (const [name, value] of Object.entries(stampHeaders(requestId))) response.headers.set(name, value);
  return response;
}

function logged(req: Request, parsed: ParsedRequest | undefined, op: string, response: Response, requestId: string, started: number): Response {
  // Virtual-hosted requests are logged as their path-style twin, so every line names its bucket.
  const path = parsed ? (parsed.hostStyle ? `/${parsed.bucket}${parsed.rawPath}` : parsed.rawPath) : new URL(req.url).pathname;
  if (log.level >= LogLevels.info) logRequest(req, path, op, response, requestId, started);
  return response;
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
