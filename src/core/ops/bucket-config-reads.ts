// The configuration reads tools make on every run (Terraform's aws_s3_bucket reads twelve on each
// refresh) that s3lite cannot set yet, answered as AWS answers a bucket that has none of them set:
// the default is the truth, AWS's default document.
import { xmlResponse } from "../xml.ts";
import { requireBucket, type Handler } from "./_context.ts";

/** Reads whose unset state AWS reports as a document. */
const defaultDocument = (root: string, body: Parameters<typeof xmlResponse>[1]): Handler => (ctx) => {
  requireBucket(ctx);
  return xmlResponse(root, body);
};

// New buckets on AWS since 2023: SSE-S3 by default.
export const getBucketEncryption = defaultDocument("ServerSideEncryptionConfiguration", {
  Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false },
});
