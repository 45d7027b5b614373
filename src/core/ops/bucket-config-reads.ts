// The configuration reads tools make on every run (Terraform's aws_s3_bucket reads twelve on each
// refresh), answered as AWS answers a bucket that has none of them set: s3lite cannot set these yet,
// so the default is the truth. Each is a "not configured" error where AWS gives one, else AWS's
// default document. Deleting a configuration that cannot exist changes nothing and says so with 204.
import { S3Error, type ErrorCode } from "../errors.ts";
import { xmlResponse } from "../xml.ts";
import { requireBucket, type Handler } from "./_context.ts";

/** Reads whose unset state AWS reports as an error. */
const notConfigured = (code: ErrorCode): Handler => (ctx) => {
  throw new S3Error(code, { BucketName: requireBucket(ctx).name });
};

/** Reads whose unset state AWS reports as a document. */
const defaultDocument = (root: string, body: Parameters<typeof xmlResponse>[1]): Handler => (ctx) => {
  requireBucket(ctx);
  return xmlResponse(root, body);
};

/** Deletes of configurations that no bucket here can have. */
const nothingToDelete: Handler = (ctx) => {
  requireBucket(ctx);
  return new Response(null, { status: 204 });
};

export const getBucketLifecycleConfiguration = notConfigured("NoSuchLifecycleConfiguration");
export const getObjectLockConfiguration = notConfigured("ObjectLockConfigurationNotFoundError");
export const getBucketTagging = notConfigured("NoSuchTagSet");

// New buckets on AWS since 2023: SSE-S3 by default.
export const getBucketEncryption = defaultDocument("ServerSideEncryptionConfiguration", {
  Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false },
});
export const deleteBucketLifecycle = nothingToDelete;
export const deleteBucketTagging = nothingToDelete;
