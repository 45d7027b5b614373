// A memory server (startServer({ memory: true }), serve --memory): nothing on disk, and a limit that
// answers like a full disk (503, retried by SDKs) while storing nothing of the refused body.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand,
  ListPartsCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { startServer } from "../../src/index.ts";
import { errorOf, MiB, random, sameBytes } from "../helpers/data.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";

let watched: { cwd: string; tmp: string; previous: { cwd: string; tmpdir: string | undefined } } | undefined;
beforeEach(() => {
  // A fresh working directory and TMPDIR: anything the server writes, by any path, lands in one of them.
  const root = mkdtempSync(join(tmpdir(), "s3lite-memory-test-"));
  watched = { cwd: join(root, "cwd"), tmp: join(root, "tmp"), previous: { cwd: process.cwd(), tmpdir: process.env.TMPDIR } };
  for (const dir of [watched.cwd, watched.tmp]) mkdirSync(dir);
  process.chdir(watched.cwd);
  process.env.TMPDIR = watched.tmp;
});
afterEach(() => {
  const { previous } = watched!;
  process.chdir(previous.cwd);
  if (previous.tmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous.tmpdir;
  rmSync(resolve(watched!.cwd, ".."), { recursive: true, force: true });
});

test("a memory server writes no file or folder: no data folder, no temp files, not even for large bodies and merges", async () => {
  expect(tmpdir()).toBe(watched!.tmp);
  const s3 = await startServer({ memory: true, buckets: ["mem"], logLevel: "silent" });
  expect(s3.dataDir).toBeUndefined();
  const client = new S3Client({ endpoint: s3.url, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
  const large = random(9 * MiB); // past 8 MiB its MD5 is hashed on the worker thread
  await client.send(new PutObjectCommand({ Bucket: "mem", Key: "small", Body: "in memory" }));
  await client.send(new PutObjectCommand({ Bucket: "mem", Key: "large", Body: large }));
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "mem", Key: "parts" }));
  const parts = [];
  for (const [i, body] of [large.subarray(0, 5 * MiB), large.subarray(5 * MiB)].entries()) {
    const { ETag } = await client.send(new UploadPartCommand({ Bucket: "mem", Key: "parts", UploadId, PartNumber: i + 1, Body: body }));
    parts.push({ ETag, PartNumber: i + 1 });
  }
  await client.send(new CompleteMultipartUploadCommand({ Bucket: "mem", Key: "parts", UploadId, MultipartUpload: { Parts: parts } }));
  await s3.settled();
  const merged = await client.send(new GetObjectCommand({ Bucket: "mem", Key: "parts" }));
  expect(merged.ContentLength).toBe(large.length);
  expect(sameBytes(await merged.Body!.transformToByteArray(), large)).toBe(true);
  expect(await (await client.send(new GetObjectCommand({ Bucket: "mem", Key: "small" }))).Body!.transformToString()).toBe("in memory");
  await s3.reset();
  // While it runs (a disk server's temp folder would be here now) and after it stopped.
  const written = () => [...readdirSync(watched!.cwd), ...readdirSync(watched!.tmp)];
  expect(written()).toEqual([]);
  client.destroy();
  await s3.stop();
  expect(written()).toEqual([]);
});

test("--memory does not go with a data folder or fsync: those are about the disk", async () => {
  await expect(startServer({ memory: true, dataDir: "somewhere", logLevel: "silent" })).rejects.toThrow(/--memory/);
  await expect(startServer({ memory: true, fsync: true, logLevel: "silent" })).rejects.toThrow(/--memory/);
  expect(readdirSync(watched!.cwd)).toEqual([]);
});

let s: TestServer | undefined;
afterEach(async () => { await s?.stop(); s = undefined; });

test("at its limit a memory server answers 503 ServiceUnavailable and keeps nothing of the refused body; past the whole limit it is EntityTooLarge", async () => {
  s = await startTestServer({ store: "memory", memoryLimit: "1MiB" });
  // One attempt: SDKs retry a 503 on their own, which is what makes it the right answer here.
  const client = s.makeClient({ maxAttempts: 1 });
  await client.send(new CreateBucketCommand({ Bucket: "full" }));
  const first = random(600 * 1024);
  await client.send(new PutObjectCommand({ Bucket: "full", Key: "first", Body: first }));

  const refused = await errorOf(client.send(new PutObjectCommand({ Bucket: "full", Key: "second", Body: random(600 * 1024) })));
  expect([refused.$metadata.httpStatusCode, refused.name]).toEqual([503, "ServiceUnavailable"]);
  expect((await errorOf(client.send(new HeadObjectCommand({ Bucket: "full", Key: "second" })))).name).toBe("NotFound");
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "full", Key: "parts" }));
  const part = await errorOf(client.send(new UploadPartCommand({ Bucket: "full", Key: "parts", UploadId, PartNumber: 1, Body: random(600 * 1024) })));
  expect(part.name).toBe("ServiceUnavailable");
  expect((await client.send(new ListPartsCommand({ Bucket: "full", Key: "parts", UploadId }))).Parts).toBeUndefined();
  expect(await s.heldBytes()).toBe(first.length);

  const tooLarge = await errorOf(client.send(new PutObjectCommand({ Bucket: "full", Key: "huge", Body: random(2 * MiB) })));
  expect([tooLarge.$metadata.httpStatusCode, tooLarge.name]).toEqual([400, "EntityTooLarge"]);

  // What was stored before is intact; once reset() empties the buckets there is room again.
  expect(sameBytes(await (await client.send(new GetObjectCommand({ Bucket: "full", Key: "first" }))).Body!.transformToByteArray(), first)).toBe(true);
  await s.server.reset();
  expect(await s.heldBytes()).toBe(0);
  await client.send(new PutObjectCommand({ Bucket: "full", Key: "second", Body: random(600 * 1024) }));
  client.destroy();
});
