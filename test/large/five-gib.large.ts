// `bun run test:large`: a 5 GiB object through a single PUT and through a multipart upload of 1,024
// parts, each read back byte-exact, with the server's peak memory checked. Its own script because it
// moves ~30 GiB through the disk; S3LITE_LARGE_GIB makes it smaller for a quick try.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { generatedBody, hashStream } from "../helpers/generated.ts";
import { spawnServer, type ServerProcess } from "../helpers/server-process.ts";
import { TEST_CREDENTIALS } from "../setup.ts";

const GiB = 1024 ** 3, MiB = 1024 ** 2;
const SIZE = Math.round(Number(process.env.S3LITE_LARGE_GIB ?? 5) * GiB);
const PART = 5 * MiB;
/** Flat memory: far below the object size. The goal is 100 MiB (measured 79–82 single, 86–90 multipart); this guards against regressions with some slack. */
const PEAK_RSS_LIMIT_MIB = 110;
const LONG = 30 * 60 * 1000;

let dataDir: string, server: ServerProcess, client: S3Client;
const bucket = "large";
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "s3lite-large-"));
  server = await spawnServer(dataDir, `${TEST_CREDENTIALS.accessKeyId}:${TEST_CREDENTIALS.secretAccessKey}`);
  client = new S3Client({ endpoint: server.url, region: "us-east-1", forcePathStyle: true, credentials: TEST_CREDENTIALS });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(async () => {
  client.destroy();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function readBack(key: string) {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { contentLength: got.ContentLength, ...(await hashStream(got.Body as AsyncIterable<Uint8Array>)) };
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const rate = (ms: number) => `${(SIZE / MiB / (ms / 1000)).toFixed(0)} MiB/s`;

test(`a ${(SIZE / GiB).toFixed(1)} GiB single PUT streams in and out byte-exact`, async () => {
  const body = generatedBody(SIZE, 1);
  let t = performance.now();
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: "single", Body: body.readable, ContentLength: SIZE }));
  const put = performance.now() - t;
  t = performance.now();
  const back = await readBack("single");
  const get = performance.now() - t;
  expect(back).toEqual({ contentLength: SIZE, sha256: body.sha256(), size: SIZE });
  console.log(`single PUT ${seconds(put)} s (${rate(put)}), GET ${seconds(get)} s (${rate(get)}), server peak RSS ${server.peakRssMiB().toFixed(0)} MiB`);
  expect(server.peakRssMiB()).toBeLessThan(PEAK_RSS_LIMIT_MIB);
}, LONG);

test(`a ${(SIZE / GiB).toFixed(1)} GiB multipart upload of ${Math.ceil(SIZE / PART)} parts reads back byte-exact, with its Content-Length, straight after completion`, async () => {
  const body = generatedBody(SIZE, 2);
  let t = performance.now();
  await new Upload({ client, params: { Bucket: bucket, Key: "multipart", Body: body.readable }, partSize: PART, queueSize: 4 }).done();
  const upload = performance.now() - t;
  // Straight away the parts are still being merged into one blob in the background.
  expect(await server.pendingMerges()).toBeGreaterThan(0);
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "multipart" }));
  expect(head.ContentLength).toBe(SIZE);
  expect(head.ETag).toEndWith(`-${Math.ceil(SIZE / PART)}"`);
  // A full GET now waits for the merge (it is what lets the answer carry a Content-Length): the wait is
  // the time to its headers.
  t = performance.now();
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "multipart" }));
  const headers = performance.now() - t;
  const early = { contentLength: got.ContentLength, ...(await hashStream(got.Body as AsyncIterable<Uint8Array>)) };
  const earlyGet = performance.now() - t;
  expect(early).toEqual({ contentLength: SIZE, sha256: body.sha256(), size: SIZE });
  expect(await server.pendingMerges()).toBe(0);
  t = performance.now();
  const late = await readBack("multipart");
  const lateGet = performance.now() - t;
  expect(late).toEqual({ contentLength: SIZE, sha256: body.sha256(), size: SIZE });
  console.log(`multipart upload ${seconds(upload)} s (${rate(upload)}); GET straight after: headers after ${seconds(headers)} s (the rest of the merge), whole in ${seconds(earlyGet)} s; GET again ${seconds(lateGet)} s (${rate(lateGet)}); server peak RSS ${server.peakRssMiB().toFixed(0)} MiB`);
  expect(server.peakRssMiB()).toBeLessThan(PEAK_RSS_LIMIT_MIB);
}, LONG);

test(`a ${(SIZE / GiB).toFixed(1)} GiB single PUT with SSE-C is encrypted and decrypted in flat memory, whole and from an offset`, async () => {
  const key = Buffer.alloc(32, 0xc5);
  const sseC = { SSECustomerAlgorithm: "AES256", SSECustomerKey: key.toString("base64"), SSECustomerKeyMD5: new Bun.CryptoHasher("md5").update(key).digest("base64") };
  const body = generatedBody(SIZE, 3);
  let t = performance.now();
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: "sse-c", Body: body.readable, ContentLength: SIZE, ...sseC }));
  const put = performance.now() - t;
  const peakAfterPut = server.peakRssMiB();
  t = performance.now();
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "sse-c", ...sseC }));
  expect(got.SSECustomerKeyMD5).toBe(sseC.SSECustomerKeyMD5);
  // Decrypted reads above 8 MiB stream without Content-Length (Bun cannot send one with a stream body).
  // The last bytes are kept as they pass, to compare a ranged read with.
  const TAIL = MiB + 3;
  let tail = new Uint8Array(0);
  const back = await hashStream((async function* () {
    for await (const chunk of got.Body as AsyncIterable<Uint8Array>) {
      tail = chunk.length >= TAIL ? chunk.slice(-TAIL) : Buffer.concat([tail, chunk]).subarray(-TAIL);
      yield chunk;
    }
  })());
  const get = performance.now() - t;
  expect(back).toEqual({ sha256: body.sha256(), size: SIZE });
  // From an offset that is not on a 16-byte block: the counter is seeked, not run from the start.
  const ranged = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "sse-c", Range: `bytes=${SIZE - TAIL}-`, ...sseC }));
  expect(ranged.ContentLength).toBe(TAIL);
  expect(Buffer.from(await ranged.Body!.transformToByteArray()).equals(Buffer.from(tail))).toBe(true);
  console.log(`SSE-C single PUT ${seconds(put)} s (${rate(put)}), GET ${seconds(get)} s (${rate(get)}), server peak RSS ${peakAfterPut.toFixed(0)} MiB after the PUT, ${server.peakRssMiB().toFixed(0)} MiB after the GETs`);
  expect(server.peakRssMiB()).toBeLessThan(PEAK_RSS_LIMIT_MIB);
}, LONG);
