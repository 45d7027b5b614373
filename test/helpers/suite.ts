// What most S3 suites start from: a server of their own and one fresh bucket in it.
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { startTestServer, uniqueBucket, type TestServer } from "./server.ts";

export async function startWithBucket(label: string): Promise<{ s: TestServer; bucket: string }> {
  const s = await startTestServer();
  const bucket = uniqueBucket(label);
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { s, bucket };
}
