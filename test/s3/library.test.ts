import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { CreateMultipartUploadCommand, GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startServer } from "../../src/index.ts";

test("startServer() with no options: a free port, a temp folder, the default keys; reset() empties buckets; stop() removes the folder", async () => {
  const s3 = await startServer({ buckets: ["fixtures"], logLevel: "silent" });
  expect(s3.port).toBeGreaterThan(0);
  expect(s3.url).toBe(`http://127.0.0.1:${s3.port}`);
  expect(s3.region).toBe("us-east-1");
  expect(s3.credentials).toEqual({ accessKeyId: "s3lite", secretAccessKey: "s3lite-secret" });
  const client = new S3Client({ endpoint: s3.url, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
  await client.send(new PutObjectCommand({ Bucket: "fixtures", Key: "a.txt", Body: "first test's data" }));
  await client.send(new CreateMultipartUploadCommand({ Bucket: "fixtures", Key: "half-done" }));

  await s3.reset();
  expect((await client.send(new ListObjectsV2Command({ Bucket: "fixtures" }))).KeyCount).toBe(0);
  expect((await client.send(new ListMultipartUploadsCommand({ Bucket: "fixtures" }))).Uploads).toBeUndefined();
  // The bucket stays usable, and identical content written again is stored again.
  await client.send(new PutObjectCommand({ Bucket: "fixtures", Key: "a.txt", Body: "first test's data" }));
  expect(await (await client.send(new GetObjectCommand({ Bucket: "fixtures", Key: "a.txt" }))).Body!.transformToString()).toBe("first test's data");

  client.destroy();
  await s3.stop();
  expect(existsSync(s3.dataDir!)).toBe(false);
});
