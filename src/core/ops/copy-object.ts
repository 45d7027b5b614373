// CopyObject. Blobs are content-addressed, so a copy is a new row that points at the source's blob
// (or its parts): no bytes are read or written, whatever the size. Only a copy with SSE-C or SSE-KMS
// on either side moves bytes (decrypting and re-encrypting them in bounded chunks, see copyBytes).
import { checksumHeader } from "../checksums.ts";
import { S3Error } from "../errors.ts";
import { xmlResponse } from "../xml.ts";
import { requireBucket, versionHeader, type Handler, type OpContext } from "./_context.ts";
import { requireReadableSource, withoutRestore } from "./_archive.ts";
import { checkCopyConditions, copySourceVersionHeader, parseCopySource, sourceVersion, type CopySource } from "./_copy-source.ts";
import { writeConditions } from "./_write-conditions.ts";
import { DEFAULT_CONTENT_TYPE, readStorageClass, readStoredHeaders, readUserMetadata, STORAGE_CLASS_HEADER, validateKey } from "./_object-headers.ts";
import { lockFields, resolveObjectLock } from "./_object-lock.ts";
import { objectChecksum } from "./_object-rows.ts";
import { encryptionHeaders, SSE_HEADER } from "./_sse.ts";
import { writeEncryption, type WriteEncryption } from "./_encryption.ts";
import { cipherPieces, COPY_SOURCE_CUSTOMER, encryptingStream, isEncryptedAtRest, newIv, readDecrypted, requireObjectKey, withoutEncryption } from "./_sse-c.ts";
import { rethrowStoreError } from "./_payload.ts";
import { readPartsStream } from "../store/read-parts.ts";
import type { ObjectRow } from "../store/meta.ts";
import { writeAccess } from "./_write-access.ts";
import { expirationHeaders } from "./bucket-lifecycle.ts";
import { parseTaggingHeader, TAGGING_HEADER } from "./_tags.ts";

/** S3 copies at most 5 GiB in one CopyObject; larger objects need UploadPartCopy. */
const MAX_COPY_SIZE = 5 * 1024 ** 3;

export const copyObject: Handler = async (ctx) => {
  const bucket = ctx.parsed.bucket!, key = ctx.parsed.key!;
  validateKey(key);
  requireBucket(ctx);
  const h = ctx.req.headers;
  const directive = (h.get("x-amz-metadata-directive") ?? "COPY").toUpperCase();
  if (directive !== "COPY" && directive !== "REPLACE") {
    throw new S3Error("InvalidArgument", { message: "Unknown metadata directive.", ArgumentName: "x-amz-metadata-directive", ArgumentValue: directive });
  }
  // Tags: COPY (the default) keeps the source version's and, as on AWS, ignores x-amz-tagging; REPLACE
  // takes x-amz-tagging, and no tags without it.
  const taggingDirective = (h.get("x-amz-tagging-directive") ?? "COPY").toUpperCase();
  if (taggingDirective !== "COPY" && taggingDirective !== "REPLACE") {
    throw new S3Error("InvalidArgument", { message: "Unknown tagging directive.", ArgumentName: "x-amz-tagging-directive", ArgumentValue: taggingDirective });
  }
  const replacementTags = taggingDirective === "REPLACE" ? parseTaggingHeader(h.get(TAGGING_HEADER)) : undefined;
  const source = parseCopySource(h.get("x-amz-copy-source") ?? "");
  if (!ctx.meta.getBucket(source.bucket)) throw new S3Error("NoSuchBucket", { BucketName: source.bucket });
  // With REPLACE, the request's headers describe the copy; with COPY, the source's do.
  const replacement = directive === "REPLACE"
    ? { contentType: h.get("content-type") ?? DEFAULT_CONTENT_TYPE, headers: readStoredHeaders(h), metadata: readUserMetadata(h) }
    : undefined;
  // The storage class is the request's, whatever the directive (STANDARD when it names none), as on AWS.
  const storageClass = readStorageClass(h);
  // A copy gets the request's ACL (the default when it names none), never the source's.
  const access = writeAccess(ctx, bucket);
  // "Copied objects will not retain the Object Lock settings from the original objects": the copy has
  // the request's, else the destination bucket's default retention.
  const lock = lockFields(resolveObjectLock(ctx, bucket, key, h));
  const condition = writeConditions(h, key);
  // SSE-C, SSE-KMS: a copy encrypted on either side moves the bytes (decrypted with the source's key,
  // encrypted with the destination's), in bounded chunks, before its row is written. The copy's
  // encryption is the request's or the destination bucket's default, never the source's, as on AWS.
  const encryption = writeEncryption(ctx, h, bucket);
  // Naming an encryption counts as changing it, as on AWS (an in-place copy is how objects are re-encrypted).
  const unchangedInPlace = source.bucket === bucket && source.key === key && source.versionId === undefined && !replacement
    && !h.has(STORAGE_CLASS_HEADER) && !h.has(SSE_HEADER) && !h.has("x-amz-server-side-encryption-customer-algorithm");
  const illegalCopy = () => new S3Error("InvalidRequest", { message: "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes." });
  const copied = encryption || [...h.keys()].some((name) => name.startsWith(COPY_SOURCE_CUSTOMER)) || sourceEncrypted(ctx, source)
    ? await copyBytes(ctx, source, encryption, (current) => {
      requireReadableSource(current, ctx.now);
      checkCopyConditions(h, current);
      // Before the bytes are copied rather than after: up to 5 GiB for nothing.
      if (unchangedInPlace) throw illegalCopy();
      if (current.size > MAX_COPY_SIZE) {
        throw new S3Error("InvalidRequest", { message: `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_COPY_SIZE}` });
      }
    })
    : undefined;
  const now = Date.now();
  let sourceVersionId = "null";
  const row = ctx.meta.copyObject(source, { bucket, key }, (found, destination) => {
    condition?.(destination);
    const current = sourceVersion(source, found);
    sourceVersionId = current.versionId;
    requireReadableSource(current, ctx.now);
    checkCopyConditions(h, current);
    // Without a copy of the bytes, an SSE-C source is refused: 400 without its key, as on AWS; a source
    // that became SSE-KMS since it was looked at cannot share its ciphertext with a plain copy.
    if (!copied) {
      requireObjectKey(ctx, current, COPY_SOURCE_CUSTOMER);
      if (isEncryptedAtRest(current.headers)) throw new S3Error("InternalError", { message: "The copy source changed while it was copied; nothing was changed. Retry." });
    } else if (!copied.isSource(current)) throw new S3Error("InternalError", { message: "The copy source changed while it was copied; nothing was changed. Retry." });
    if (unchangedInPlace) throw illegalCopy();
    if (current.size > MAX_COPY_SIZE) {
      throw new S3Error("InvalidRequest", { message: `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_COPY_SIZE}` });
    }
    const { [STORAGE_CLASS_HEADER]: _sourceClass, ...headers } = withoutEncryption(replacement?.headers ?? withoutRestore(current.headers));
    if (storageClass) headers[STORAGE_CLASS_HEADER] = storageClass;
    Object.assign(headers, copied?.headers);
    return { ...current, bucket, key, lastModified: now, ...replacement, headers, ...access, ...(replacementTags ? { tags: replacementTags } : {}), ...lock, ...copied?.fields };
  });
  // A source whose parts are not merged yet is copied as parts; the copy gets merged on its own.
  if (row.sha256 === "") ctx.merger.schedule(bucket, key);
  const versions = { ...copySourceVersionHeader(ctx, source, sourceVersionId), ...versionHeader(ctx, bucket, row.versionId), ...encryptionHeaders(row.headers), ...encryption?.answered, ...expirationHeaders(ctx, row) };
  const checksum = objectChecksum(row);
  const response = xmlResponse("CopyObjectResult", {
    ETag: row.etag, LastModified: new Date(row.lastModified).toISOString(),
    ...(checksum ? { [`Checksum${checksum.algorithm}`]: checksum.value, ChecksumType: checksum.type } : {}),
  });
  if (checksum) response.headers.set(checksumHeader(checksum.algorithm), checksum.value);
  for (const [name, value] of Object.entries(versions)) response.headers.set(name, value);
  return response;
};

interface CopiedBytes {
  fields: Pick<ObjectRow, "sha256" | "size" | "etag" | "partsCount" | "checksumAlgorithm" | "checksumValue" | "checksumType">;
  /** The destination's encryption headers, if it is encrypted. */
  headers: Record<string, string>;
  /** Whether the row found when the copy's row is written is still the version whose bytes were copied. */
  isSource(row: ObjectRow): boolean;
}

/** Whether the copy source (as it is now) is stored encrypted; a missing one is left to the copy to report. */
function sourceEncrypted(ctx: OpContext, source: CopySource): boolean {
  const found = source.versionId === undefined ? ctx.meta.getObject(source.bucket, source.key) : ctx.meta.getVersion(source.bucket, source.key, source.versionId);
  return found !== undefined && "headers" in found && isEncryptedAtRest(found.headers);
}

/**
 * Encrypted copies: the source version's plaintext (decrypted with x-amz-copy-source-server-side-encryption-customer-*
 * when it is SSE-C, with its data key when SSE-KMS) into a new blob, encrypted for the destination if it is. The copy is one
 * blob, its ETag the MD5 of what is stored and its checksum (of the plaintext) recomputed as FULL_OBJECT.
 */
async function copyBytes(ctx: OpContext, source: CopySource, encryption: WriteEncryption | undefined, check: (current: ObjectRow) => void): Promise<CopiedBytes> {
  const current = sourceVersion(source, source.versionId === undefined ? ctx.meta.getObject(source.bucket, source.key) : ctx.meta.getVersion(source.bucket, source.key, source.versionId));
  check(current);
  const sourceKey = requireObjectKey(ctx, current, COPY_SOURCE_CUSTOMER);
  const last = current.size - 1;
  const plain = current.size === 0
    ? new Blob([]).stream()
    : sourceKey
      ? readDecrypted(ctx, cipherPieces(ctx, current), sourceKey, 0, last)
      : current.sha256 === ""
        ? readPartsStream(ctx.blobs, ctx.meta.getObjectParts(current.bucket, current.key, current.versionId), 0, last)
        : ctx.blobs.file(current.sha256).stream();
  const algorithm = current.checksumAlgorithm;
  const algorithms = algorithm ? [algorithm] : [];
  const iv = encryption ? newIv() : undefined;
  const encrypting = encryption ? encryptingStream(encryption.key, iv!, algorithms) : undefined;
  const staged = await ctx.blobs.stage(encrypting ? plain.pipeThrough(encrypting.stream) : plain, {
    checksums: encrypting ? [] : algorithms, maxSize: Math.max(ctx.config.maxObjectSize, current.size), expectedSize: current.size,
  }).catch(rethrowStoreError);
  if (staged.size !== current.size) {
    await staged.discard();
    throw new Error(`the copy source gave ${staged.size} bytes of ${current.size}`);
  }
  await staged.commit();
  const checksums = encrypting ? encrypting.digests().checksums : staged.checksums;
  return {
    fields: {
      sha256: staged.sha256, size: staged.size, etag: `"${staged.md5}"`, partsCount: 0,
      checksumAlgorithm: algorithm, checksumValue: algorithm ? checksums[algorithm]! : null, checksumType: algorithm ? "FULL_OBJECT" : null,
    },
    headers: encryption ? encryption.stored(iv) : {},
    isSource: (row) => row.versionId === current.versionId && row.etag === current.etag && row.lastModified === current.lastModified,
  };
}
