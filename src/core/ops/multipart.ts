// Multipart upload: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
// AbortMultipartUpload. Parts are blobs like any other; completion writes rows only, so it copies no
// bytes whatever the size, and merging the parts into one blob happens later, off the request path.
import { createHash } from "node:crypto";
import { uriEncode } from "../uri.ts";
import { CHECKSUM_ALGORITHMS, checksumHeader, parseChecksumAlgorithm, type ChecksumAlgorithm } from "../checksums.ts";
import { S3Error } from "../errors.ts";
import { ALLOWED_TYPES, CHECKSUM_TYPES, combineCrcs, compositeChecksum, defaultChecksumType, type ChecksumType } from "../multipart-checksums.ts";
import type { CompletedUpload, PartRow, UploadRow } from "../store/meta.ts";
import { readPartsStream } from "../store/read-parts.ts";
import { parseXml, xmlResponse, type XmlObject } from "../xml.ts";
import { requireReadableSource } from "./_archive.ts";
import { requireBucket, requireUpload, versionHeader, type Handler, type OpContext } from "./_context.ts";
import { copySourceVersionHeader, parseCopySourceRange, requireCopySource } from "./_copy-source.ts";
import { normalizeETag } from "./_etags.ts";
import { MIN_PART_SIZE } from "./_limits.ts";
import { DEFAULT_CONTENT_TYPE, readStoredHeaders, readUserMetadata, validateKey } from "./_object-headers.ts";
import { defaultLock, lockConfigOf, lockFields, requireLockIntegrity, resolveObjectLock, uploadHasLockParameters } from "./_object-lock.ts";
import { declaredChecksum, readObjectBody, readSmallBody, rethrowStoreError } from "./_payload.ts";
import { encryptionHeaders } from "./_sse.ts";
import { writeEncryption } from "./_encryption.ts";
import { cipherPieces, COPY_SOURCE_CUSTOMER, encryptingStream, isEncryptedAtRest, newIv, readDecrypted, requireObjectKey, requireUploadKey } from "./_sse-c.ts";
import { writeAccess } from "./_write-access.ts";
import { writeConditions } from "./_write-conditions.ts";
import { parseTaggingHeader, TAGGING_HEADER } from "./_tags.ts";
import { expirationHeaders } from "./bucket-lifecycle.ts";

const MAX_COMPLETE_BODY = 10_000 * 512;

/** The ETag of a multipart object: MD5 of the parts' binary MD5s, then "-" and the part count. */
export function multipartETag(partETags: readonly string[]): string {
  const md5 = createHash("md5");
  for (const etag of partETags) md5.update(Buffer.from(etag.replace(/"/g, ""), "hex"));
  return `"${md5.digest("hex")}-${partETags.length}"`;
}

let lastIdTime = 0;
/**
 * Upload ids start with the creation time in fixed-width base 36, so that ordering by id is ordering by
 * initiation, as ListMultipartUploads promises within a key; the rest is random.
 */
function newUploadId(): string {
  lastIdTime = Math.max(Date.now(), lastIdTime + 1);
  return lastIdTime.toString(36).padStart(10, "0") + Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
}

/** x-amz-checksum-algorithm and x-amz-checksum-type of CreateMultipartUpload, with S3's allowed pairs. */
function uploadChecksum(headers: Headers): Pick<UploadRow, "checksumAlgorithm" | "checksumType"> {
  const requested = headers.get("x-amz-checksum-algorithm");
  const requestedType = headers.get("x-amz-checksum-type");
  if (requested === null) {
    if (requestedType !== null) throw new S3Error("InvalidRequest", { message: "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header." });
    return { checksumAlgorithm: null, checksumType: null };
  }
  const algorithm = parseChecksumAlgorithm(requested);
  if (!algorithm) throw new S3Error("InvalidRequest", { message: `Checksum algorithm provided is unsupported: ${requested}` });
  if (requestedType === null) return { checksumAlgorithm: algorithm, checksumType: defaultChecksumType(algorithm) };
  const type = requestedType.toUpperCase() as ChecksumType;
  if (!CHECKSUM_TYPES.includes(type)) throw new S3Error("InvalidRequest", { message: `Value for x-amz-checksum-type header is invalid: ${requestedType}` });
  if (!ALLOWED_TYPES[algorithm].includes(type)) throw new S3Error("InvalidRequest", { message: `The ${type} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.` });
  return { checksumAlgorithm: algorithm, checksumType: type };
}

const checksumMismatch = (expected: ChecksumAlgorithm | null, actual: ChecksumAlgorithm | null) =>
  new S3Error("InvalidRequest", { message: `Checksum Type mismatch occurred, expected checksum Type: ${expected?.toLowerCase() ?? "null"}, actual checksum Type: ${actual?.toLowerCase() ?? "null"}` });

export const createMultipartUpload: Handler = (ctx) => {
  const key = ctx.parsed.key!;
  validateKey(key);
  requireBucket(ctx);
  const headers = ctx.req.headers;
  const checksum = uploadChecksum(headers);
  // Kept on the upload; the object gets them at completion.
  const tags = parseTaggingHeader(headers.get(TAGGING_HEADER));
  const access = writeAccess(ctx, ctx.parsed.bucket!);
  // The retention and legal hold the headers name; the bucket's default, if none, is applied at completion.
  const lock = lockFields(resolveObjectLock(ctx, ctx.parsed.bucket!, key, headers, { applyDefault: false }));
  // SSE-C: the upload keeps the key's salted HMAC and MD5; every part must come with the same key.
  // SSE-KMS: the upload keeps its wrapped data key, which encrypts every part.
  const encryption = writeEncryption(ctx, headers, ctx.parsed.bucket!);
  const uploadId = newUploadId();
  const stored = { ...readStoredHeaders(headers), ...encryption?.stored() };
  ctx.meta.createUpload({
    uploadId, bucket: ctx.parsed.bucket!, key, createdAt: Date.now(), contentType: headers.get("content-type") ?? DEFAULT_CONTENT_TYPE,
    headers: stored, metadata: readUserMetadata(headers), ...checksum, ...(tags.length > 0 ? { tags } : {}),
    ...lock, ...access, initiator: ctx.principal.kind === "user" ? ctx.principal.canonicalId : access.owner,
  });
  const response = xmlResponse("InitiateMultipartUploadResult", { Bucket: ctx.parsed.bucket!, Key: key, UploadId: uploadId });
  for (const [name, value] of Object.entries({ ...encryptionHeaders(stored), ...encryption?.answered })) response.headers.set(name, value);
  if (checksum.checksumAlgorithm) {
    response.headers.set("x-amz-checksum-algorithm", checksum.checksumAlgorithm);
    response.headers.set("x-amz-checksum-type", checksum.checksumType!);
  }
  return response;
};

/** Stores a part row, unless the upload was completed or aborted while the part's bytes came in. */
function savePart(ctx: OpContext, upload: UploadRow, part: PartRow): void {
  if (!ctx.meta.getUpload(upload.uploadId)) throw new S3Error("NoSuchUpload", { UploadId: upload.uploadId });
  ctx.meta.putUploadPart(upload.uploadId, part);
}

export const uploadPart: Handler = async (ctx) => {
  const partNumber = ctx.params.partNumber!;
  const upload = requireUpload(ctx);
  // With an upload checksum, every part carries that algorithm; a COMPOSITE one needs the client's value.
  const declared = declaredChecksum(ctx.req.headers)?.algorithm ?? null;
  if (upload.checksumAlgorithm && declared !== upload.checksumAlgorithm && (declared !== null || upload.checksumType === "COMPOSITE")) {
    throw checksumMismatch(upload.checksumAlgorithm, declared);
  }
  if (uploadHasLockParameters(ctx, upload)) requireLockIntegrity(ctx.req.headers, "Put Part");
  // SSE-C and SSE-KMS: the part is encrypted with an IV of its own, which its ETag carries (see partIv).
  const key = requireUploadKey(ctx, upload);
  const iv = key ? newIv() : undefined;
  const body = await readObjectBody(ctx, { checksum: upload.checksumAlgorithm ?? undefined, ...(key ? { encrypt: { key, iv: iv! } } : {}) });
  await body.commit();
  const part: PartRow = {
    partNumber, sha256: body.sha256, size: body.size, etag: `"${iv ? iv.toString("hex") : body.md5}"`, lastModified: Date.now(),
    checksumValue: upload.checksumAlgorithm ? body.checksum!.value : null,
  };
  savePart(ctx, upload, part);
  const headers = new Headers({ etag: part.etag, ...encryptionHeaders(upload.headers) });
  if (body.checksum) headers.set(checksumHeader(body.checksum.algorithm), body.checksum.value);
  return new Response(null, { headers });
};

export const uploadPartCopy: Handler = async (ctx) => {
  const partNumber = ctx.params.partNumber!;
  const upload = requireUpload(ctx);
  const { source: named, object: source } = requireCopySource(ctx);
  requireReadableSource(source, ctx.now);
  // SSE-C: the source's key (x-amz-copy-source-server-side-encryption-customer-*) decrypts it, the
  // upload's key encrypts the part; the bytes pass through in 256 KiB chunks.
  const sourceKey = requireObjectKey(ctx, source, COPY_SOURCE_CUSTOMER);
  const key = requireUploadKey(ctx, upload);
  const range = parseCopySourceRange(ctx.req.headers.get("x-amz-copy-source-range"), source.size);
  const start = range?.start ?? 0, end = range?.end ?? source.size - 1;
  if (end - start + 1 > ctx.config.maxObjectSize) throw new S3Error("EntityTooLarge", { MaxSizeAllowed: ctx.config.maxObjectSize, ProposedSize: end - start + 1 });
  const plain = sourceKey
    ? readDecrypted(ctx, cipherPieces(ctx, source), sourceKey, start, end)
    : source.sha256 === ""
      ? readPartsStream(ctx.blobs, ctx.meta.getObjectParts(source.bucket, source.key, source.versionId), start, end)
      : ctx.blobs.file(source.sha256).slice(start, end + 1).stream();
  const checksums = upload.checksumAlgorithm ? [upload.checksumAlgorithm] : [];
  const iv = key ? newIv() : undefined;
  const encrypting = key ? encryptingStream(key, iv!, checksums) : undefined;
  const bytes = encrypting ? plain.pipeThrough(encrypting.stream) : plain;
  const staged = await ctx.blobs.stage(bytes, { checksums: encrypting ? [] : checksums, maxSize: ctx.config.maxObjectSize, expectedSize: end - start + 1 }).catch(rethrowStoreError);
  if (staged.size !== end - start + 1) {
    await staged.discard();
    throw new Error(`the copy source gave ${staged.size} bytes of ${end - start + 1}`);
  }
  await staged.commit();
  const plainChecksums = encrypting ? encrypting.digests().checksums : staged.checksums;
  const checksumValue = upload.checksumAlgorithm ? plainChecksums[upload.checksumAlgorithm]! : null;
  const part: PartRow = { partNumber, sha256: staged.sha256, size: staged.size, etag: `"${iv ? iv.toString("hex") : staged.md5}"`, lastModified: Date.now(), checksumValue };
  savePart(ctx, upload, part);
  const response = xmlResponse("CopyPartResult", {
    ETag: part.etag,
    LastModified: new Date(part.lastModified).toISOString(),
    ...(upload.checksumAlgorithm ? { [`Checksum${upload.checksumAlgorithm}`]: checksumValue } : {}),
  });
  const answered = { ...copySourceVersionHeader(ctx, named, source.versionId), ...encryptionHeaders(upload.headers) };
  for (const [name, value] of Object.entries(answered)) response.headers.set(name, value);
  return response;
};

interface CompletedPart {
  partNumber: number;
  etag: string;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

/** The part list of a CompleteMultipartUpload body, as given. */
function parseCompletedParts(text: string): CompletedPart[] {
  const root = parseXml(text).CompleteMultipartUpload as XmlObject | undefined;
  const parts = root && typeof root === "object" ? (root.Part as XmlObject[] | undefined) : undefined;
  if (!parts || parts.length === 0) throw new S3Error("MalformedXML");
  return parts.map((p) => {
    const partNumber = typeof p.PartNumber === "string" && /^\d+$/.test(p.PartNumber.trim()) ? Number(p.PartNumber) : NaN;
    if (!Number.isInteger(partNumber) || typeof p.ETag !== "string") throw new S3Error("MalformedXML");
    const checksums: CompletedPart["checksums"] = {};
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const value = p[`Checksum${algorithm}`];
      if (typeof value === "string") checksums[algorithm] = value.trim();
    }
    return { partNumber, etag: p.ETag, checksums };
  });
}

/** Matches the requested parts against the stored ones, in S3's order of checks. */
function matchParts(upload: UploadRow, requested: readonly CompletedPart[], stored: ReadonlyMap<number, PartRow>): PartRow[] {
  const parts: PartRow[] = [];
  for (const [i, r] of requested.entries()) {
    if (i > 0 && r.partNumber <= requested[i - 1]!.partNumber) throw new S3Error("InvalidPartOrder", { UploadId: upload.uploadId });
    const part = stored.get(r.partNumber);
    const algorithm = upload.checksumAlgorithm;
    const claimed = algorithm ? r.checksums[algorithm] : undefined;
    if (!part || normalizeETag(part.etag) !== normalizeETag(r.etag) || (claimed !== undefined && claimed !== part.checksumValue)) {
      throw new S3Error("InvalidPart", { UploadId: upload.uploadId, PartNumber: r.partNumber, ETag: r.etag });
    }
    if (algorithm && upload.checksumType === "COMPOSITE" && claimed === undefined) {
      throw new S3Error("InvalidRequest", { message: `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${r.partNumber} in the request.` });
    }
    parts.push(part);
  }
  for (const part of parts.slice(0, -1)) {
    if (part.size < MIN_PART_SIZE) {
      throw new S3Error("EntityTooSmall", { ProposedSize: part.size, MinSizeAllowed: MIN_PART_SIZE, PartNumber: part.partNumber, ETag: part.etag });
    }
  }
  return parts;
}

/** The object's checksum from its parts' checksums, checked against what the Complete request claims. */
function objectChecksum(headers: Headers, upload: UploadRow, parts: readonly PartRow[]): string | null {
  const algorithm = upload.checksumAlgorithm;
  const claimedType = headers.get("x-amz-checksum-type");
  const claimed = CHECKSUM_ALGORITHMS.filter((a) => headers.has(checksumHeader(a)));
  if (!algorithm) return null;
  if (claimedType !== null && claimedType.toUpperCase() !== upload.checksumType) {
    throw new S3Error("InvalidRequest", { message: `The upload was created using the ${upload.checksumType} checksum mode. The complete request must use the same checksum mode.` });
  }
  if (claimed.some((a) => a !== algorithm)) throw checksumMismatch(algorithm, claimed.find((a) => a !== algorithm)!);
  const value = upload.checksumType === "FULL_OBJECT"
    ? combineCrcs(algorithm, parts.map((p) => ({ value: p.checksumValue!, size: p.size })))
    : compositeChecksum(algorithm, parts.map((p) => p.checksumValue!));
  const expected = headers.get(checksumHeader(algorithm));
  if (expected !== null && expected.trim() !== value && `${expected.trim()}-${parts.length}` !== value) {
    throw new S3Error("BadDigest", { message: `The ${algorithm.toLowerCase()} you specified for the full object did not match the one calculated from its parts.` });
  }
  return value;
}

export const completeMultipartUpload: Handler = async (ctx) => {
  const retried = completedBefore(ctx);
  if (retried) return retried;
  const upload = requireUpload(ctx);
  const headers = ctx.req.headers;
  // SSE-C: the key is optional here, as on AWS, and checked when given.
  requireUploadKey(ctx, upload, false);
  const requested = parseCompletedParts(new TextDecoder().decode(await readSmallBody(ctx, MAX_COMPLETE_BODY, { checksumOfBody: false })));
  // While the body came in, another request may have completed or aborted the upload.
  if (!ctx.meta.getUpload(upload.uploadId)) return completedBefore(ctx) ?? noSuchUpload(upload.uploadId);
  const stored = new Map(ctx.meta.getUploadParts(upload.uploadId).map((p) => [p.partNumber, p]));
  const parts = matchParts(upload, requested, stored);
  const size = parts.reduce((sum, p) => sum + p.size, 0);
  const declaredSize = headers.get("x-amz-mp-object-size");
  if (declaredSize !== null && Number(declaredSize) !== size) {
    throw new S3Error("InvalidRequest", { message: `The provided 'x-amz-mp-object-size' header value ${declaredSize} does not match what was computed: ${size}` });
  }
  const checksumValue = objectChecksum(headers, upload, parts);
  const etag = multipartETag(parts.map((p) => p.etag));
  // One part is already one blob: nothing to merge.
  // An SSE-C object stays as its parts, whose ETags carry their IVs (see _sse-c.ts).
  const single = parts.length === 1 && !isEncryptedAtRest(upload.headers) ? parts[0]!.sha256 : "";
  const lastModified = Date.now();
  const completed = ctx.meta.completeUpload(upload.uploadId, {
    bucket: upload.bucket, key: upload.key, sha256: single, size, etag, lastModified,
    contentType: upload.contentType, headers: upload.headers, metadata: upload.metadata,
    checksumAlgorithm: upload.checksumAlgorithm, checksumValue, checksumType: upload.checksumType, partsCount: parts.length,
    owner: upload.owner, acl: upload.acl, tags: upload.tags, lock: upload.lock ?? defaultLock(lockConfigOf(ctx, upload.bucket), ctx.now), legalHold: upload.legalHold,
  }, single ? parts.map((p) => ({ ...p, sha256: "" })) : parts, writeConditions(headers, upload.key));
  if (!completed) return completedBefore(ctx) ?? noSuchUpload(upload.uploadId);
  if (!single) ctx.merger.schedule(upload.bucket, upload.key);
  const done = { uploadId: upload.uploadId, bucket: upload.bucket, key: upload.key, etag, checksumAlgorithm: upload.checksumAlgorithm, checksumValue, checksumType: upload.checksumType, versionId: completed };
  return completionResult(ctx, done, upload.headers, expirationHeaders(ctx, { bucket: upload.bucket, key: upload.key, size, tags: upload.tags, lastModified }));
};

function noSuchUpload(uploadId: string): never {
  throw new S3Error("NoSuchUpload", { UploadId: uploadId });
}

/**
 * A completion repeated after it succeeded (an SDK retries when the first answer was lost) gets the
 * first answer again, as on AWS, rather than NoSuchUpload.
 */
function completedBefore(ctx: OpContext): Response | undefined {
  const done = ctx.meta.getCompletedUpload(ctx.params.uploadId!);
  if (!done || done.bucket !== ctx.parsed.bucket || done.key !== ctx.parsed.key) return undefined;
  // The object's stored headers say how it is encrypted; an object replaced or deleted since reports the default.
  const object = ctx.meta.getObject(done.bucket, done.key);
  const same = object?.etag === done.etag ? object : undefined;
  return completionResult(ctx, done, same?.headers ?? {}, same ? expirationHeaders(ctx, same) : {});
}

/** The completion's answer; `expiration` is x-amz-expiration, where a lifecycle rule will expire the object. */
function completionResult(ctx: OpContext, done: CompletedUpload, stored: Readonly<Record<string, string>>, expiration: Record<string, string>): Response {
  const response = xmlResponse("CompleteMultipartUploadResult", {
    Location: `${new URL(ctx.req.url).origin}/${done.bucket}/${uriEncode(done.key, true)}`,
    Bucket: done.bucket,
    Key: done.key,
    ETag: done.etag,
    ...(done.checksumAlgorithm ? { [`Checksum${done.checksumAlgorithm}`]: done.checksumValue, ChecksumType: done.checksumType } : {}),
  });
  for (const [name, value] of Object.entries({ ...versionHeader(ctx, done.bucket, done.versionId), ...encryptionHeaders(stored), ...expiration })) response.headers.set(name, value);
  return response;
}

export const abortMultipartUpload: Handler = (ctx) => {
  const upload = requireUpload(ctx);
  // The part rows go now; their blobs stay until gc, since another object may share them.
  ctx.meta.deleteUpload(upload.uploadId);
  return new Response(null, { status: 204 });
};
