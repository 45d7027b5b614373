// PutBucketTagging, GetBucketTagging, DeleteBucketTagging: the bucket's tag set, in bucket_configs
// "tagging" in the order written. A bucket without one answers NoSuchTagSet, as on AWS.
import { S3Error } from "../errors.ts";
import type { OperationName } from "../router.ts";
import type { ObjectTag } from "../store/meta.ts";
import { xmlResponse } from "../xml.ts";
import { requireBucket, type Handler } from "./_context.ts";
import { readSmallBody } from "./_payload.ts";
import { parseTaggingDocument, renderTagSet, validateTags } from "./_tags.ts";

const TAGGING_CONFIG = "tagging";
/** Fifty tags of 128 and 256 characters, each up to four bytes in UTF-8. */
const MAX_BODY = 256 * 1024;

// "When this operation sets the tags for a bucket, it will overwrite any current tags the bucket
// already has"; AWS requires Content-MD5 or an x-amz-checksum-* on it, and answers 204.
const putBucketTagging: Handler = async (ctx) => {
  const bucket = requireBucket(ctx).name;
  const text = new TextDecoder().decode(await readSmallBody(ctx, MAX_BODY, { requireIntegrity: true }));
  if (text.trim() === "") throw new S3Error("MissingRequestBodyError");
  const tags = parseTaggingDocument(text);
  validateTags(tags, "bucket");
  // An empty tag set leaves the bucket with none, so GetBucketTagging answers NoSuchTagSet again.
  ctx.meta.setBucketConfig(bucket, TAGGING_CONFIG, tags.length > 0 ? tags : undefined);
  return new Response(null, { status: 204 });
};

const getBucketTagging: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  const tags = ctx.meta.getBucketConfig<ObjectTag[]>(bucket, TAGGING_CONFIG);
  if (!tags) throw new S3Error("NoSuchTagSet", { BucketName: bucket });
  return xmlResponse("Tagging", renderTagSet(tags));
};

const deleteBucketTagging: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  ctx.meta.setBucketConfig(bucket, TAGGING_CONFIG, undefined);
  return new Response(null, { status: 204 });
};

export const bucketTaggingHandlers: Partial<Record<OperationName, Handler>> = {
  PutBucketTagging: putBucketTagging,
  GetBucketTagging: getBucketTagging,
  DeleteBucketTagging: deleteBucketTagging,
};
