// Object operations: PutObject, GetObject, HeadObject, DeleteObject.
// Writes are blob first, row second; reads stream the blob file and never buffer an object.
import { checksumHeader } from "../checksums.ts";
import { S3Error } from "../errors.ts";
import type { ObjectRow, PartRow } from "../store/meta.ts";
import { onePartSlice, readParts } from "../store/read-parts.ts";
import { requestedVersion, requireBucket, requireObject, stampedResponse, versionHeader, type Handler, type OpContext } from "./_context.ts";
import { isInternalHeader, requireReadable, restoreHeader, restoreStateOf } from "./_archive.ts";
import { META_PREFIX, validateKey } from "./_object-headers.ts";
import { etagMatches, wholeSeconds } from "./_etags.ts";
import { metadataToWire } from "./_metadata-values.ts";
import { checkVersionDeletable, governanceBypass, lockFields, lockResponseHeaders, readBypass, requireLockIntegrity, resolveObjectLock } from "./_object-lock.ts";
import { describeObject, objectChecksum, singlePartRow, storeRow, type ResponseChecksum } from "./_object-rows.ts";
import { readObjectBody } from "./_payload.ts";
import { writeEncryption } from "./_encryption.ts";
import { cipherPieces, newIv, readDecrypted, requireObjectKey } from "./_sse-c.ts";
import { isKms, kmsDataKey, requireSigV4ForKms } from "./_sse-kms.ts";
import { encryptionHeaders, SSE_HEADER } from "./_sse.ts";
import { parseTaggingHeader, TAGGING_COUNT_HEADER, TAGGING_HEADER } from "./_tags.ts";
import { writeAccess, writerOf } from "./_write-access.ts";
import { expirationHeaders } from "./bucket-lifecycle.ts";
import { checkDeleteRequirement, deleteRequirement, writeConditions } from "./_write-conditions.ts";

export const putObject: Handler = async (ctx) => {
  const key = ctx.parsed.key!;
  validateKey(key);
  requireBucket(ctx);
  const headers = ctx.req.headers;
  // Headers, metadata and conditions are checked before the body is read, so a refused write costs
  // no upload and leaves nothing staged; the condition again at commit.
  const described = describeObject(headers);
  const tags = parseTaggingHeader(headers.get(TAGGING_HEADER));
  const access = writeAccess(ctx, ctx.parsed.bucket!);
  const lock = resolveObjectLock(ctx, ctx.parsed.bucket!, key, headers);
  if (lock.hasParameters) requireLockIntegrity(headers, "Put Object");
  const condition = writeConditions(headers, key);
  condition?.(ctx.meta.getObject(ctx.parsed.bucket!, key));
  // SSE-C and SSE-KMS: the body is stored encrypted (under the customer's key, or a data key of its
  // own) with an IV of its own; the row keeps what recognises or unwraps the key, never the key.
  const encryption = writeEncryption(ctx, headers, ctx.parsed.bucket!);
  const iv = encryption ? newIv() : undefined;
  const body = await readObjectBody(ctx, encryption ? { encrypt: { key: encryption.key, iv: iv! } } : {});
  const row = singlePartRow(ctx.parsed.bucket!, key, body, described, body.checksum, access);
  if (encryption) Object.assign(row.headers, encryption.stored(iv));
  if (tags.length > 0) row.tags = tags;
  Object.assign(row, lockFields(lock));
  // A small body kept inline commits in its row's transaction; a file is published before the row.
  const versionId = await body.commitWith(() => storeRow(ctx, row, condition));
  const response = new Headers({ etag: row.etag, ...encryptionHeaders(row.headers), ...encryption?.answered, ...versionHeader(ctx, row.bucket, versionId), ...expirationHeaders(ctx, row) });
  if (body.checksum) {
    response.set(checksumHeader(body.checksum.algorithm), body.checksum.value);
    response.set("x-amz-checksum-type", "FULL_OBJECT");
  }
  return new Response(null, { headers: response });
};

export const deleteObject: Handler = (ctx) => {
  requireBucket(ctx);
  const bucket = ctx.parsed.bucket!, key = ctx.parsed.key!;
  const versionId = requestedVersion(ctx);
  const required = deleteRequirement(ctx.req.headers);
  // Object Lock guards a version deleted by id; a delete without one only adds a marker, which it allows.
  const mayBypass = governanceBypass(ctx, bucket, readBypass(ctx, bucket));
  const guarded = versionId !== undefined;
  // The blob stays: another object may share it, and gc reclaims it off the request path.
  const outcome = ctx.meta.deleteObject(bucket, key, {
    versionId,
    allow: (required || guarded) ? (current) => {
      if (guarded) checkVersionDeletable(current, ctx.now, mayBypass);
      if (required) checkDeleteRequirement(required, current && "deleteMarker" in current && current.deleteMarker ? undefined : current, key);
      return true;
    } : undefined,
    markerOwner: writerOf(ctx),
  });
  const headers: Record<string, string> = {};
  if (outcome.versionId !== undefined) Object.assign(headers, versionHeader(ctx, bucket, outcome.versionId, versionId !== undefined));
  if (outcome.deleteMarker) headers["x-amz-delete-marker"] = "true";
  return new Response(null, { status: 204, headers });
};

export const getObject: Handler = (ctx) => readObject(ctx, true);
export const headObject: Handler = (ctx) => readObject(ctx, false);

function readObject(ctx: OpContext, withBody: boolean): Response | Promise<Response> {
  const object = requireObject(ctx);
  // SSE-C: the customer's key, checked before anything of the object is told (AWS: 400 without it, 403
  // with another). SSE-KMS: SigV4 required; the data key is unwrapped only when bytes are sent (below).
  const customerKey = requireObjectKey(ctx, object, undefined, { unwrapKms: false });
  const kms = isKms(object.headers);
  if (kms) requireSigV4ForKms(ctx.auth?.signatureVersion);
  // "x-amz-server-side-encryption should not be sent for GET or HEAD requests": AWS answers 400, whatever the object.
  if (ctx.req.headers.has(SSE_HEADER)) throw new S3Error("InvalidArgument", { message: "x-amz-server-side-encryption header is not supported for this operation.", ArgumentName: SSE_HEADER, ArgumentValue: ctx.req.headers.get(SSE_HEADER)! });
  // An archived object answers HEAD, with its restore if it has one, and GET only once restored, as on AWS.
  const restore = restoreHeader(withBody ? requireReadable(object, ctx.now) : restoreStateOf(object.headers, ctx.now));
  const headers = { ...objectHeaders(object), ...versionHeader(ctx, object.bucket, object.versionId, requestedVersion(ctx) !== undefined), ...lockResponseHeaders(ctx, object) };
  if (restore) headers["x-amz-restore"] = restore;
  // Lifecycle expiration applies to current versions only.
  if (!("isLatest" in object) || object.isLatest) Object.assign(headers, expirationHeaders(ctx, object));
  // response-content-type=… and friends: the caller (often a presigned URL's author) overrides how
  // this one response describes the object; what is stored stays as it was.
  if (ctx.parsed.rawQuery.includes("response-")) {
    for (const name of RESPONSE_OVERRIDES) {
      const value = ctx.parsed.query.get(`response-${name}`);
      if (value !== null) headers[name] = value;
    }
  }
  const notModified = checkPreconditions(ctx.req.headers, object);
  if (notModified) return new Response(null, { status: 304, headers: { etag: headers.etag!, "last-modified": headers["last-modified"]! } });
  const { partNumber } = ctx.params;
  const parts = object.partsCount > 0 && (object.sha256 === "" || partNumber !== undefined) ? ctx.meta.getObjectParts(object.bucket, object.key, object.versionId) : [];
  const selected = partNumber !== undefined ? selectPart(ctx, object, parts, partNumber) : undefined;
  const range = selected?.range ?? parseRange(ctx.req.headers.get("range"), object.size);
  if (range) {
    headers["content-range"] = `bytes ${range.start}-${range.end}/${object.size}`;
    headers["content-length"] = String(range.end - range.start + 1);
  } else {
    headers["content-length"] = String(object.size);
  }
  if (object.partsCount > 0 && partNumber !== undefined) headers["x-amz-mp-parts-count"] = String(object.partsCount);
  // A checksum covers what it was computed over: the object or one part of it, never a Range.
  const checksum = selected ? selected.checksum : range ? undefined : objectChecksum(object);
  if (checksum && ctx.req.headers.get("x-amz-checksum-mode")?.toUpperCase() === "ENABLED") {
    headers[checksumHeader(checksum.algorithm)] = checksum.value;
    headers["x-amz-checksum-type"] = checksum.type;
  }
  const status = range ? 206 : 200;
  if (!withBody || object.size === 0) return stampedResponse(ctx, null, { status, headers });
  const start = range?.start ?? 0, end = range?.end ?? object.size - 1;
  const init = { status, headers };
  if (customerKey || kms) return decryptedResponse(ctx, object, customerKey ?? kmsDataKey(ctx, object.headers), start, end, init);
  if (object.sha256 === "") {
    // Not merged into one blob yet (see store/merge-parts.ts). Bytes within one part are that part's
    // file; anything wider waits for the merge, since a stream would go out without Content-Length.
    const slice = onePartSlice(ctx.blobs, parts, start, end);
    if (slice) return new Response(slice, init);
    // The merger merges current versions; one that became noncurrent first is read from its parts.
    const current = ctx.meta.getObject(object.bucket, object.key);
    return current?.versionId === object.versionId ? afterMerge(ctx, object, parts, start, end, init) : new Response(readParts(ctx.blobs, parts, start, end), init);
  }
  // A small body lately served comes from memory, no lookup or file.
  const body = ctx.blobs.served(object.sha256, object.size);
  return stampedResponse(ctx, range ? body.slice(start, end + 1) : body, init);
}

/** Above this, a decrypted read streams (without Content-Length, oven-sh/bun#10507); below, it is decrypted whole. */
const DECRYPT_WHOLE = 8 * 1024 * 1024;

/**
 * An SSE-C or SSE-KMS object's bytes start..end, decrypted from the stored ciphertext: each piece's CTR
 * counter is seeked to where the range starts in it, so a Range reads only what it covers. A multipart
 * encrypted object stays as its parts (each encrypted with its own IV), which the merger leaves alone.
 */
async function decryptedResponse(ctx: OpContext, object: ObjectRow, key: Buffer, start: number, end: number, init: ResponseInit): Promise<Response> {
  const stream = readDecrypted(ctx, cipherPieces(ctx, object), key, start, end);
  if (end - start + 1 > DECRYPT_WHOLE) return new Response(stream, init);
  return new Response(await new Response(stream).bytes(), init);
}

/** The response once the object's parts are one blob; from the parts, unmerged, if the merge failed. */
async function afterMerge(ctx: OpContext, object: ObjectRow, parts: readonly PartRow[], start: number, end: number, init: ResponseInit): Promise<Response> {
  const merged = await ctx.merger.mergeNow(object.bucket, object.key).then(() => ctx.meta.getObject(object.bucket, object.key), () => undefined);
  // The same version (an overwrite meanwhile would have its own ETag and time), now one blob.
  if (merged && merged.sha256 !== "" && merged.etag === object.etag && merged.lastModified === object.lastModified) {
    const file = ctx.blobs.file(merged.sha256);
    return new Response(start === 0 && end === object.size - 1 ? file : file.slice(start, end + 1), init);
  }
  return new Response(readParts(ctx.blobs, parts, start, end), init);
}

const RESPONSE_OVERRIDES = ["content-type", "content-language", "expires", "cache-control", "content-disposition", "content-encoding"] as const;

/**
 * GetObject/HeadObject `partNumber` (already 1..10,000, see resolveParams): the Nth part of a multipart
 * object, sent as a ranged read. An object written in one piece has one part, the whole object.
 */
function selectPart(ctx: OpContext, object: ObjectRow, parts: readonly PartRow[], n: number): { range: { start: number; end: number }; checksum?: ResponseChecksum } {
  if (ctx.req.headers.has("range")) throw new S3Error("InvalidRequest", { message: "Cannot specify both Range header and partNumber query parameter" });
  const count = Math.max(1, object.partsCount);
  // A part number the object does not have is 400 InvalidPart on AWS, not a 416.
  if (n > count || object.size === 0) throw new S3Error("InvalidPart", { PartNumberRequested: n, ActualPartCount: count });
  if (object.partsCount === 0) return { range: { start: 0, end: object.size - 1 }, checksum: objectChecksum(object) };
  let start = 0;
  for (const part of parts.slice(0, n - 1)) start += part.size;
  const part = parts[n - 1]!;
  const checksum = object.checksumAlgorithm && part.checksumValue
    ? { algorithm: object.checksumAlgorithm, value: part.checksumValue, type: object.checksumType ?? "COMPOSITE" }
    : undefined;
  return { range: { start, end: start + part.size - 1 }, checksum };
}

const lastModifiedTexts = new Map<number, string>();

/** An object's Last-Modified as the header writes it: remembered, since toUTCString() was ~2 µs of a small GET. */
function lastModifiedHeader(ms: number): string {
  let text = lastModifiedTexts.get(ms);
  if (text === undefined) {
    if (lastModifiedTexts.size >= 1024) lastModifiedTexts.clear();
    lastModifiedTexts.set(ms, (text = new Date(ms).toUTCString()));
  }
  return text;
}

/** Response headers by lower-case name; a plain object, which Response takes without building a Headers first. */
function objectHeaders(object: ObjectRow): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": object.contentType,
    etag: object.etag,
    "last-modified": lastModifiedHeader(object.lastModified),
    "accept-ranges": "bytes",
  };
  for (const name in object.headers) if (!isInternalHeader(name)) headers[name] = object.headers[name]!;
  Object.assign(headers, encryptionHeaders(object.headers));
  for (const name in object.metadata) headers[META_PREFIX + name] = metadataToWire(object.metadata[name]!);
  if (object.tags?.length) headers[TAGGING_COUNT_HEADER] = String(object.tags.length);
  return headers;
}

/**
 * GetObject/HeadObject conditions with S3's precedence: If-Match outranks If-Unmodified-Since (412),
 * If-None-Match outranks If-Modified-Since (304). Returns true for 304 Not Modified.
 */
function checkPreconditions(h: Headers, object: ObjectRow): boolean {
  const ifMatch = h.get("if-match");
  const ifUnmodifiedSince = ifMatch === null ? httpDate(h.get("if-unmodified-since")) : NaN;
  if (ifMatch !== null ? !etagMatches(ifMatch, object.etag) : wholeSeconds(object.lastModified) > wholeSeconds(ifUnmodifiedSince)) {
    throw new S3Error("PreconditionFailed", { Condition: ifMatch !== null ? "If-Match" : "If-Unmodified-Since" });
  }
  const ifNoneMatch = h.get("if-none-match");
  if (ifNoneMatch !== null) return etagMatches(ifNoneMatch, object.etag);
  const ifModifiedSince = httpDate(h.get("if-modified-since"));
  return !Number.isNaN(ifModifiedSince) && wholeSeconds(object.lastModified) <= wholeSeconds(ifModifiedSince);
}

/** An HTTP date header as epoch ms; NaN when absent or unreadable (the condition is then ignored). */
const httpDate = (value: string | null): number => (value === null ? NaN : Date.parse(value));

/**
 * One byte range: `bytes=a-b`, `bytes=a-` or `bytes=-n`. As S3 does, a header it cannot parse, or one
 * with several ranges, is ignored and the whole object sent; a range past the end is 416 InvalidRange.
 */
export function parseRange(header: string | null, size: number): { start: number; end: number } | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number, end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) throw new S3Error("InvalidRange", { RangeRequested: header!, ActualObjectSize: size });
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== "" && Number(m[2]) < start) return undefined;
  }
  if (start >= size) throw new S3Error("InvalidRange", { RangeRequested: header!, ActualObjectSize: size });
  return { start, end };
}
