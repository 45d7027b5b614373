// x-amz-copy-source and its conditions and range: shared by UploadPartCopy and CopyObject.
import { percentDecode } from "../uri.ts";
import { S3Error } from "../errors.ts";
import { isVersionId, type ObjectRow, type VersionRow } from "../store/meta.ts";
import type { OpContext } from "./_context.ts";
import { etagMatches, wholeSeconds } from "./_etags.ts";

export interface CopySource {
  bucket: string;
  key: string;
  /** The source version, when the header names one (`?versionId=…`). */
  versionId?: string;
}

/** "bucket/key", "/bucket/key" or either URL-encoded, with an optional "?versionId=…". */
export function parseCopySource(header: string): CopySource {
  const [path = "", query] = header.split("?", 2);
  let versionId: string | undefined;
  if (query !== undefined) {
    versionId = new URLSearchParams(query).get("versionId") ?? undefined;
    if (versionId !== undefined && !isVersionId(versionId)) throw new S3Error("InvalidArgument", { message: "Invalid version id specified", ArgumentName: "x-amz-copy-source", ArgumentValue: header });
  }
  const raw = path.replace(/^\//, "");
  // Clients URL-encode it; one that did not and left a stray "%" gets its key as written.
  const bytes = percentDecode(raw);
  const decoded = bytes ? new TextDecoder().decode(bytes) : raw;
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) {
    throw new S3Error("InvalidArgument", { message: "Copy Source must mention the source bucket and key: sourcebucket/sourcekey", ArgumentName: "x-amz-copy-source", ArgumentValue: header });
  }
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

/** The source version a copy reads, or S3's refusal: NoSuchKey, NoSuchVersion, or a delete marker named by id. */
export function sourceVersion(source: CopySource, found: ObjectRow | VersionRow | undefined): ObjectRow {
  if (!found) throw source.versionId === undefined ? new S3Error("NoSuchKey", { Key: source.key }) : new S3Error("NoSuchVersion", { Key: source.key, VersionId: source.versionId });
  if ("deleteMarker" in found && found.deleteMarker) {
    throw new S3Error("InvalidRequest", { message: "The source of a copy request may not specifically refer to a delete marker by version id." });
  }
  return found;
}

/** x-amz-copy-source-version-id: the version read, where the source bucket has versioning or the header named it. */
export function copySourceVersionHeader(ctx: OpContext, source: CopySource, versionId: string): Record<string, string> {
  return source.versionId !== undefined || ctx.meta.versioningStatus(source.bucket) !== undefined ? { "x-amz-copy-source-version-id": versionId } : {};
}

/** The source object of a copy, after its x-amz-copy-source-if-* conditions. */
export function requireCopySource(ctx: OpContext): { source: CopySource; object: ObjectRow } {
  const source = parseCopySource(ctx.req.headers.get("x-amz-copy-source") ?? "");
  if (!ctx.meta.getBucket(source.bucket)) throw new S3Error("NoSuchBucket", { BucketName: source.bucket });
  const object = sourceVersion(source, source.versionId === undefined ? ctx.meta.getObject(source.bucket, source.key) : ctx.meta.getVersion(source.bucket, source.key, source.versionId));
  checkCopyConditions(ctx.req.headers, object);
  return { source, object };
}

/**
 * S3's rules: if-match outranks if-unmodified-since, and if-none-match outranks if-modified-since;
 * any condition that fails is 412 PreconditionFailed. `prefix` names the header family:
 * x-amz-copy-source-if-*, x-amz-rename-source-if-*, or "" for the plain If-* headers.
 */
export function checkCopyConditions(h: Headers, source: ObjectRow, prefix = "x-amz-copy-source"): void {
  const header = (name: string) => h.get(prefix ? `${prefix}-${name}` : name);
  const fail = (condition: string) => { throw new S3Error("PreconditionFailed", { Condition: prefix ? `${prefix}-${condition}` : condition }); };
  const ifMatch = header("if-match");
  const unmodifiedSince = Date.parse(header("if-unmodified-since") ?? "");
  if (ifMatch !== null) {
    if (!etagMatches(ifMatch, source.etag)) fail("If-Match");
  } else if (!Number.isNaN(unmodifiedSince) && wholeSeconds(source.lastModified) > wholeSeconds(unmodifiedSince)) {
    fail("If-Unmodified-Since");
  }
  const ifNoneMatch = header("if-none-match");
  const modifiedSince = Date.parse(header("if-modified-since") ?? "");
  if (ifNoneMatch !== null) {
    if (etagMatches(ifNoneMatch, source.etag)) fail("If-None-Match");
  } else if (!Number.isNaN(modifiedSince) && wholeSeconds(source.lastModified) <= wholeSeconds(modifiedSince)) {
    fail("If-Modified-Since");
  }
}

/** x-amz-copy-source-range: exactly "bytes=first-last", inside the source. Undefined copies it all. */
export function parseCopySourceRange(header: string | null, size: number): { start: number; end: number } | undefined {
  if (header === null) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!m || Number(m[1]) > Number(m[2])) {
    throw new S3Error("InvalidArgument", {
      message: "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
      ArgumentName: "x-amz-copy-source-range", ArgumentValue: header,
    });
  }
  const start = Number(m[1]), end = Number(m[2]);
  if (end >= size) throw new S3Error("InvalidRange", { message: `Range specified is not valid for source object of size: ${size}`, RangeRequested: header, ActualObjectSize: size });
  return { start, end };
}
