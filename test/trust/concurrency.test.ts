// Many clients at once on the same keys and the same bytes: every outcome is one some serial order
// of the requests would give, every body read is one version whole, and no object loses its data
// while identical bodies are uploaded, deleted and collected at the same time.
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand,
  PutObjectCommand, UploadPartCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { checkStore } from "../../src/core/store/fsck.ts";
import { collectGarbage } from "../../src/core/store/gc.ts";
import { openStore, type Store } from "../../src/core/store/open.ts";
import { MiB, ageBlobs, md5Hex, random, seededRandom, sha256Hex, testSeed } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { SLOW_TEST_MS } from "../setup.ts";

const seed = testSeed();
console.log(`concurrency tests: seed ${seed}`);
const rand = seededRandom(seed);

let s: TestServer;
let client: S3Client;
let bucket: string;
beforeAll(async () => {
  s = await startTestServer();
  client = s.makeClient({ maxAttempts: 1 });
  bucket = uniqueBucket("race");
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => s.stop());


/** The object's bytes and ETag in one GET, or undefined when there is none. */
async function read(key: string): Promise<{ bytes: Uint8Array; etag: string } | undefined> {
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { bytes: await got.Body!.transformToByteArray(), etag: got.ETag! };
  } catch (error) {
    if ((error as Error).name === "NoSuchKey") return undefined;
    throw error;
  }
}

test("16 clients PUT one key at once: the result is exactly one of the bodies, whole, with its own ETag", async () => {
  const ROUNDS = 5;
  for (let round = 0; round < ROUNDS; round++) {
    const bodies = Array.from({ length: 16 }, () => random(MiB + Math.floor(rand() * MiB)));
    const results = await Promise.all(bodies.map((Body) => client.send(new PutObjectCommand({ Bucket: bucket, Key: "contended", Body }))));
    results.forEach((r, i) => expect(r.ETag).toBe(`"${md5Hex(bodies[i]!)}"`));
    const got = (await read("contended"))!;
    const winner = bodies.findIndex((b) => b.length === got.bytes.length && sha256Hex(b) === sha256Hex(got.bytes));
    expect(winner).toBeGreaterThanOrEqual(0);
    expect(got.etag).toBe(`"${md5Hex(bodies[winner]!)}"`);
  }
}, SLOW_TEST_MS);

test("PUT and DELETE of one key at once: the key ends as one of the two serial orders leaves it, never as before", async () => {
  const ROUNDS = 60;
  const outcomes = { deletedThenPut: 0, putThenDeleted: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const key = `put-delete/${round % 4}`;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "before" }));
    const after = random(1024 + Math.floor(rand() * 64 * 1024));
    // A random head start for either, so both orders occur.
    const delay = (ms: number) => Bun.sleep(ms);
    const lead = rand() * 4 - 2;
    await Promise.all([
      delay(Math.max(0, lead)).then(() => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: after }))),
      delay(Math.max(0, -lead)).then(() => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))),
    ]);
    const got = await read(key);
    if (got === undefined) outcomes.putThenDeleted++;
    else {
      expect(sha256Hex(got.bytes)).toBe(sha256Hex(after));
      outcomes.deletedThenPut++;
    }
  }
  console.log(`PUT vs DELETE: ${ROUNDS} rounds, ${outcomes.deletedThenPut} ended with the new body, ${outcomes.putThenDeleted} with no object`);
}, SLOW_TEST_MS);

test("GETs during repeated overwrites (single-part and multipart) each return one complete version with its ETag", async () => {
  const versions = new Map<string, string>(); // sha256 → ETag
  const put = async (body: Uint8Array) => {
    versions.set(sha256Hex(body), `"${md5Hex(body)}"`);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "overwritten", Body: body }));
  };
  const putMultipart = async (parts: Uint8Array[]) => {
    const whole = new Uint8Array(Buffer.concat(parts));
    const etag = `"${new Bun.CryptoHasher("md5").update(Buffer.concat(parts.map((p) => new Bun.CryptoHasher("md5").update(p).digest()))).digest("hex")}-${parts.length}"`;
    versions.set(sha256Hex(whole), etag);
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "overwritten" }));
    const etags = [];
    for (const [i, Body] of parts.entries()) etags.push((await client.send(new UploadPartCommand({ Bucket: bucket, Key: "overwritten", UploadId, PartNumber: i + 1, Body }))).ETag);
    await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "overwritten", UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })) } }));
  };
  await put(random(256 * 1024));
  let writing = true, reads = 0, multipartReads = 0;
  const writer = (async () => {
    for (let i = 0; i < 30; i++) {
      if (i % 5 === 4) await putMultipart([random(5 * MiB), random(64 * 1024)]);
      else await put(random(128 * 1024 + Math.floor(rand() * 512 * 1024)));
    }
    writing = false;
  })();
  const readers = Array.from({ length: 4 }, async () => {
    while (writing) {
      const got = (await read("overwritten"))!;
      const hash = sha256Hex(got.bytes);
      expect(versions.has(hash)).toBe(true); // a version written whole, never a mix
      expect(got.etag).toBe(versions.get(hash)!); // with its own ETag
      reads++;
      if (got.etag.includes("-")) multipartReads++;
    }
  });
  await Promise.all([writer, ...readers]);
  console.log(`GET during overwrites: ${reads} reads (${multipartReads} of multipart versions) over ${versions.size} versions`);
  expect(reads).toBeGreaterThan(30);
}, SLOW_TEST_MS);

test("identical bodies uploaded, deleted and collected at once: no object ever loses its data", async () => {
  const ROUNDS = 12, WRITERS = 6, BODIES = 30, KEYS = 3;
  const bodies = Array.from({ length: BODIES }, () => random(2048 + Math.floor(rand() * 64 * 1024)));
  const hashes = bodies.map(sha256Hex);
  // gc as `s3lite gc` runs it beside a server: another connection to the same data folder.
  const store: Store = openStore(s.dataDir);
  // Each writer owns its keys, so it knows what each should hold.
  const expected = Array.from({ length: WRITERS }, () => new Map<string, number>());
  let collected = 0, gcRuns = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Every blob looks an hour old: gc's grace period protects none, only its re-checks do.
      ageBlobs(s.dataDir);
      let running = true;
      const gc = (async () => {
        while (running) {
          const report = await collectGarbage(store.meta, store.blobs, { dryRun: false, graceMs: 15 * 60_000, uploadMaxAgeMs: 7 * 86_400_000, now: Date.now() });
          collected += report.blobsRemoved;
          gcRuns++;
          await Bun.sleep(0);
        }
      })();
      await Promise.all(expected.map(async (mine, w) => {
        for (let n = 0; n < 40; n++) {
          const key = `shared/w${w}/${Math.floor(rand() * KEYS)}`;
          if (rand() < 0.4) {
            await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
            mine.delete(key);
          } else {
            const which = Math.floor(rand() * BODIES);
            await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bodies[which] }));
            mine.set(key, which);
          }
        }
      }));
      running = false;
      await gc;
      for (const mine of expected) {
        for (const [key, which] of mine) {
          const got = await read(key);
          expect([key, got && sha256Hex(got.bytes)]).toEqual([key, hashes[which]!]);
        }
      }
      // And every key a writer deleted last is gone.
      for (const [w, mine] of expected.entries()) {
        for (let k = 0; k < KEYS; k++) if (!mine.has(`shared/w${w}/${k}`)) expect(await read(`shared/w${w}/${k}`)).toBeUndefined();
      }
    }
    const report = await checkStore(store.meta, store.blobs, { repair: false, graceMs: 0, uploadMaxAgeMs: 7 * 86_400_000, now: Date.now() });
    expect(report.problems).toEqual([]);
  } finally {
    store.close();
  }
  console.log(`shared blobs: ${ROUNDS} rounds of ${WRITERS} writers over ${BODIES} bodies beside ${gcRuns} gc runs, which removed ${collected} blobs`);
  expect(collected).toBeGreaterThan(0);
}, SLOW_TEST_MS);
