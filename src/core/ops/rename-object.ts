// RenameObject: a new key for an existing object, in one transaction. Blobs are content-addressed,
// so the object's row (and its parts) move and no byte is copied; the old key is gone at once.
// AWS offers it on directory buckets (S3 Express One Zone); s3lite's buckets stand for those too.
import { S3Error } from "../errors.ts";
import { requireBucket, type Handler } from "./_context.ts";
import { checkCopyConditions, parseCopySource } from "./_copy-source.ts";
import { validateKey } from "./_object-headers.ts";
import { writeConditions } from "./_write-conditions.ts";

export const renameObject: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  const key = ctx.parsed.key!;
  validateKey(key);
  // Directory buckets, where AWS offers RenameObject, have no versioning; what a rename means for
  // versions (a marker at the source? a new version at the destination?) AWS does not say.
  if (ctx.meta.versioningStatus(bucket) !== undefined) {
    throw new S3Error("NotImplemented", { message: "s3lite does not implement RenameObject in a bucket with versioning; nothing was changed." });
  }
  const h = ctx.req.headers;
  const header = h.get("x-amz-rename-source");
  if (header === null) throw new S3Error("InvalidRequest", { message: "Missing required header for this request: x-amz-rename-source" });
  const source = parseCopySource(header);
  if (source.bucket !== bucket) {
    throw new S3Error("InvalidRequest", { message: "The source and destination of a rename must be in the same bucket.", ArgumentName: "x-amz-rename-source", ArgumentValue: header });
  }
  if (source.key === key) throw new S3Error("InvalidRequest", { message: "The source and destination of a rename are the same object." });
  const condition = writeConditions(h, key);
  const moved = ctx.meta.renameObject(bucket, source.key, key, (current, destination) => {
    if (!current) throw new S3Error("NoSuchKey", { Key: source.key });
    checkCopyConditions(h, current, "x-amz-rename-source");
    condition?.(destination);
    // If-Modified-Since and If-Unmodified-Since apply to a destination that exists.
    if (destination) checkCopyConditions(h, destination, "");
  });
  // An object still kept as its parts is merged under its new key.
  if (moved.sha256 === "") ctx.merger.schedule(bucket, key);
  return new Response(null, { status: 200 });
};
