// CopyObject. Blobs are content-addressed, so a copy is a new row that points at the source's blob
// (or its parts): no bytes are read or written, whatever the size.
import { checksumHeader } from "../checksums.ts";
import { S3Error } from "../errors.ts";
import { xmlResponse } from "../xml.ts";
import { requireBucket, versionHeader, type Handler } from "./_context.ts";
import { requireReadableSource, withoutRestore } from "./_archive.ts";
import { checkCopyConditions, copySourceVersionHeader, parseCopySource, sourceVersion } from "./_copy-source.ts";
import { writeConditions } from "./_write-conditions.ts";
import { DEFAULT_CONTENT_TYPE, readStorageClass, readStoredHeaders, readUserMetadata, STORAGE_CLASS_HEADER, validateKey } from "./_object-headers.ts";
import { lockFields, resolveObjectLock } from "./_object-lock.ts";
import { objectChecksum } from "./_object-rows.ts";
import { writeAccess } from "./_write-access.ts";
import { parseTaggingHeader, TAGGING_HEADER } from "./_tags.ts";

/** S3 copies at most 5 GiB in one CopyObject; larger objects need UploadPartCopy. */
const MAX_COPY_SIZE = 5 * 1024 ** 3;

export const copyObject: Handler = (ctx) => {
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
  const now = Date.now();
  let sourceVersionId = "null";
  const row = ctx.meta.copyObject(source, { bucket, key }, (found, destination) => {
    condition?.(destination);
    const current = sourceVersion(source, found);
    sourceVersionId = current.versionId;
    requireReadableSource(current, ctx.now);
    checkCopyConditions(h, current);
    if (source.bucket === bucket && source.key === key && source.versionId === undefined && !replacement && !h.has(STORAGE_CLASS_HEADER)) {
      throw new S3Error("InvalidRequest", { message: "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes." });
    }
    if (current.size > MAX_COPY_SIZE) {
      throw new S3Error("InvalidRequest", { message: `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_COPY_SIZE}` });
    }
    const { [STORAGE_CLASS_HEADER]: _sourceClass, ...headers } = replacement?.headers ?? withoutRestore(current.headers);
    if (storageClass) headers[STORAGE_CLASS_HEADER] = storageClass;
    return { ...current, bucket, key, lastModified: now, ...replacement, headers, ...access, ...(replacementTags ? { tags: replacementTags } : {}), ...lock };
  });
  // A source whose parts are not merged yet is copied as parts; the copy gets merged on its own.
  if (row.sha256 === "") ctx.merger.schedule(bucket, key);
  const versions = { ...copySourceVersionHeader(ctx, source, sourceVersionId), ...versionHeader(ctx, bucket, row.versionId) };
  const checksum = objectChecksum(row);
  const response = xmlResponse("CopyObjectResult", {
    ETag: row.etag, LastModified: new Date(row.lastModified).toISOString(),
    ...(checksum ? { [`Checksum${checksum.algorithm}`]: checksum.value, ChecksumType: checksum.type } : {}),
  });
  if (checksum) response.headers.set(checksumHeader(checksum.algorithm), checksum.value);
  for (const [name, value] of Object.entries(versions)) response.headers.set(name, value);
  return response;
};
