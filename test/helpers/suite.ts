// What most S3 suites start from: a server of their own and one fresh bucket in it, and more fresh
// buckets as their tests need them.
import { CreateBucketCommand, PutBucketVersioningCommand, type S3Client } from "@aws-sdk/client-s3";
import { startTestServer, uniqueBucket, type TestServer } from "./server.ts";

export async function startWithBucket(label: string): Promise<{ s: TestServer; bucket: string }> {
  const s = await startTestServer();
  const bucket = uniqueBucket(label);
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { s, bucket };
}

/** A new bucket of a unique name, made by `client` (so owned by its user), with versioning if asked. */
export async function newBucket(client: S3Client, label: string, versioning?: "Enabled" | "Suspended"): Promise<string> {
  const bucket = uniqueBucket(label);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  if (versioning) await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: versioning } }));
  return bucket;
}
