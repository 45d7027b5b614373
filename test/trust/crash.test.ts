// kill -9 of the server (and of gc) at random points of writes: after a restart every acknowledged
// write is there byte-exact, nothing partial is visible, an interrupted upload can be completed,
// and fsck finds nothing but leftovers, which gc removes. Seeded: the seed is printed; set
// S3LITE_TEST_SEED to replay a run.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand,
  HeadObjectCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { INLINE_MAX } from "../../src/core/store/fs-blobs.ts";
import { MiB, ageBlobs, blobPath, random, seededRandom, sha256Hex, testSeed } from "../helpers/data.ts";
import { spawnServer, type ServerProcess } from "../helpers/server-process.ts";
import { presign } from "../helpers/signed-fetch.ts";
import { ENTRY, s3lite } from "../helpers/spawn.ts";
import { SLOW_TEST_MS, TEST_CREDENTIALS } from "../setup.ts";

const seed = testSeed();
console.log(`crash tests: seed ${seed} (S3LITE_TEST_SEED=${seed} replays these kill points)`);
const rand = seededRandom(seed);

let data: string;
beforeAll(() => { data = mkdtempSync(join(tmpdir(), "s3lite-crash-")); });
let server: ServerProcess | undefined;
let client: S3Client;
/** A test that failed between start() and kill() leaves its server running, holding the runner's output open. */
async function killSurvivor(): Promise<void> {
  if (!server || server.proc.exitCode !== null || server.proc.signalCode !== null) return;
  server.proc.kill("SIGKILL");
  await server.proc.exited;
}
afterAll(async () => {
  await killSurvivor();
  rmSync(data, { recursive: true, force: true });
});

async function start(): Promise<void> {
  await killSurvivor();
  server = await spawnServer(data, `${TEST_CREDENTIALS.accessKeyId}:${TEST_CREDENTIALS.secretAccessKey}`);
  client = new S3Client({ endpoint: server.url, region: "us-east-1", forcePathStyle: true, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
}
async function kill(): Promise<void> {
  server!.proc.kill("SIGKILL");
  await server!.proc.exited;
  client.destroy();
}


async function hashOf(bucket: string, key: string): Promise<string | undefined> {
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return sha256Hex(await got.Body!.transformToByteArray());
  } catch (error) {
    if ((error as Error).name === "NoSuchKey") return undefined;
    throw error;
  }
}

/** Whether the object exists, by HeadObject: unlike a full GET, it never merges a multipart object's parts. */
async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as Error).name === "NotFound") return false;
    throw error;
  }
}

/** fsck's report on the data folder, with or without the server running. */
async function fsckJson(): Promise<{ unmergedObjects: number }> {
  return JSON.parse((await s3lite(["fsck", "--data", data, "--grace", "0s", "--json"])).stdout);
}

/** Waits until the server has no merge queued or running. */
async function mergesSettled(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await server!.pendingMerges()) > 0) {
    if (Date.now() > deadline) throw new Error("merges still pending after 10 s");
    await Bun.sleep(20);
  }
}

/** Every key reads back with its expected SHA-256, 16 requests at a time. */
async function expectAll(bucket: string, expected: Map<string, string>): Promise<void> {
  const entries = [...expected];
  for (let i = 0; i < entries.length; i += 16) {
    const batch = entries.slice(i, i + 16);
    const found = await Promise.all(batch.map(async ([key]) => [key, await hashOf(bucket, key)]));
    expect(found).toEqual(batch);
  }
}

/** fsck finds no problem, at most leftovers; gc removes them; fsck then finds none. Returns the leftovers seen. */
async function fsckThenGc(): Promise<{ orphanBlobs: number; tempFiles: number }> {
  const first = await s3lite(["fsck", "--data", data, "--grace", "0s", "--json"]);
  const report = JSON.parse(first.stdout);
  expect(report.problems).toEqual([]);
  expect(first.exitCode).toBe(0);
  expect((await s3lite(["gc", "--data", data, "--grace", "0s"])).exitCode).toBe(0);
  const after = JSON.parse((await s3lite(["fsck", "--data", data, "--grace", "0s", "--json"])).stdout);
  expect(after.problems).toEqual([]);
  expect(after.leftovers).toMatchObject({ orphanBlobs: 0, tempFiles: 0 });
  return report.leftovers;
}

/** A body sent in 256 KiB pieces with a pause before each: a slow client. */
function slowly(body: Uint8Array, pauseMs: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    async pull(controller) {
      await Bun.sleep(pauseMs);
      if (at >= body.length) return controller.close();
      controller.enqueue(body.subarray(at, at + 256 * 1024));
      at += 256 * 1024;
    },
  });
}

test("kill -9 during overwriting PUTs from a slow client: the old version stays whole until the new one is acknowledged", async () => {
  const KILLS = 8;
  await start();
  await client.send(new CreateBucketCommand({ Bucket: "crash" }));
  let current = random(4 * MiB);
  await client.send(new PutObjectCommand({ Bucket: "crash", Key: "overwritten", Body: current }));
  let currentHash = sha256Hex(current), leftovers = 0, acknowledgedCount = 0;
  for (let i = 0; i < KILLS; i++) {
    const next = random(8 * MiB);
    const url = await presign(`${server!.url}/crash/overwritten`, { method: "PUT" });
    let acknowledged = false;
    const put = fetch(url, { method: "PUT", body: slowly(next, 10) }).then((r) => { acknowledged = r.status === 200; }, () => {});
    // 32 pieces, 10 ms apart: about half a second on the wire. Kill points fall anywhere in it, and
    // past it; every fourth kill waits for the answer, so the run always checks an acknowledged write.
    if (i % 4 === 3) await put;
    else await Bun.sleep(rand() * 600);
    await kill();
    await put;
    await start();
    const found = await hashOf("crash", "overwritten");
    const nextHash = sha256Hex(next);
    // Never partial: the old version or, once it was committed, the new one; acknowledged means new.
    expect([currentHash, nextHash]).toContain(found!);
    if (acknowledged) expect(found).toBe(nextHash);
    if (found === nextHash) { current = next; currentHash = nextHash; }
    acknowledgedCount += acknowledged ? 1 : 0;
    leftovers += (await fsckThenGc()).tempFiles;
  }
  await kill();
  console.log(`overwriting PUT: ${KILLS} kills, ${acknowledgedCount} after the answer, ${leftovers} temp files left by the rest (gc removed them)`);
  // The kills that waited for it got an answer: a PUT that is never acknowledged would pass the checks above vacuously.
  expect(acknowledgedCount).toBeGreaterThanOrEqual(KILLS / 4);
}, SLOW_TEST_MS * 2);

test("every write acknowledged before a kill -9 survives it, byte-exact", async () => {
  const ROUNDS = 4, WRITERS = 8;
  const acknowledged = new Map<string, string>();
  await start();
  await client.send(new CreateBucketCommand({ Bucket: "acked" })).catch(() => {});
  for (let round = 0; round < ROUNDS; round++) {
    let stop = false;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let n = 0; !stop; n++) {
        const key = `r${round}/w${w}/${n}`;
        const body = random(1024 + Math.floor(rand() * 256 * 1024));
        try {
          await client.send(new PutObjectCommand({ Bucket: "acked", Key: key, Body: body }));
          acknowledged.set(key, sha256Hex(body));
        } catch {
          return; // the server is gone
        }
      }
    });
    await Bun.sleep(200 + rand() * 600);
    stop = true;
    await kill();
    await Promise.all(writers);
    await start();
    await expectAll("acked", acknowledged);
  }
  await fsckThenGc();
  await kill();
  console.log(`acknowledged writes: ${ROUNDS} kills, ${acknowledged.size} acknowledged PUTs checked after each`);
  expect(acknowledged.size).toBeGreaterThan(ROUNDS * WRITERS);
}, SLOW_TEST_MS * 2);

test("kill -9 amid small PUTs, overwrites and deletes kept in the database, and of gc reclaiming them: acknowledged writes stay, nothing partial or dangling", async () => {
  const ROUNDS = 4, WRITERS = 8, KEYS = 6;
  await start();
  await client.send(new CreateBucketCommand({ Bucket: "inline" })).catch(() => {});
  // Bodies small enough to be kept inline; some shared, so that objects share inline blobs.
  const shared = Array.from({ length: 10 }, () => random(1 + Math.floor(rand() * INLINE_MAX)));
  const acknowledged = new Map<string, string | undefined>();
  /** Each writer's write in flight when the server was killed: what the key holds if it was committed. */
  const inFlight = new Map<string, string | undefined>();
  let writes = 0, killsOfGc = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let stop = false;
    inFlight.clear();
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      while (!stop) {
        const key = `w${w}/${Math.floor(rand() * KEYS)}`;
        const remove = rand() < 0.25;
        const body = rand() < 0.5 ? shared[Math.floor(rand() * shared.length)]! : random(1 + Math.floor(rand() * INLINE_MAX));
        inFlight.set(key, remove ? undefined : sha256Hex(body));
        try {
          if (remove) await client.send(new DeleteObjectCommand({ Bucket: "inline", Key: key }));
          else await client.send(new PutObjectCommand({ Bucket: "inline", Key: key, Body: body }));
        } catch {
          return; // the server is gone: this write may or may not have been committed
        }
        acknowledged.set(key, inFlight.get(key));
        inFlight.delete(key);
        writes++;
      }
    });
    await Bun.sleep(100 + rand() * 500);
    stop = true;
    await kill();
    await Promise.all(writers);
    await start();
    for (const key of new Set([...acknowledged.keys(), ...inFlight.keys()])) {
      const found = await hashOf("inline", key);
      // Whole or not there: what was acknowledged last, or the write in flight if it was committed.
      const allowed = inFlight.has(key) ? [acknowledged.get(key), inFlight.get(key)] : [acknowledged.get(key)];
      expect(allowed).toContain(found);
      acknowledged.set(key, found);
    }
    // gc, with every blob past its grace period, killed at a random point of its run.
    ageBlobs(data);
    const gc = Bun.spawn([process.execPath, ENTRY, "gc", "--data", data], { stdout: "ignore", stderr: "ignore" });
    await Bun.sleep(rand() * 300);
    if (gc.exitCode === null) killsOfGc++;
    gc.kill("SIGKILL");
    await gc.exited;
    await expectAll("inline", new Map([...acknowledged].filter((e): e is [string, string] => e[1] !== undefined)));
  }
  await fsckThenGc();
  await kill();
  console.log(`small writes: ${ROUNDS} kills of the server and ${killsOfGc} of gc while it ran, over ${writes} acknowledged writes`);
  expect(writes).toBeGreaterThan(ROUNDS * WRITERS);
}, SLOW_TEST_MS * 2);

test("kill -9 during CompleteMultipartUpload (and the merge after it): the object is whole or absent, and then completes", async () => {
  const KILLS = 8;
  let acknowledgedCount = 0, completedBeforeKill = 0, mergesResumed = 0;
  await start();
  await client.send(new CreateBucketCommand({ Bucket: "complete" }));
  for (let i = 0; i < KILLS; i++) {
    const key = `object-${i}`;
    const parts = [random(5 * MiB), random(5 * MiB), random(MiB + 7)];
    const whole = sha256Hex(new Uint8Array(Buffer.concat(parts)));
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "complete", Key: key }));
    const etags: string[] = [];
    for (const [n, body] of parts.entries()) etags.push((await client.send(new UploadPartCommand({ Bucket: "complete", Key: key, UploadId, PartNumber: n + 1, Body: body }))).ETag!);
    const complete = () => client.send(new CompleteMultipartUploadCommand({
      Bucket: "complete", Key: key, UploadId, MultipartUpload: { Parts: etags.map((ETag, n) => ({ PartNumber: n + 1, ETag })) },
    }));
    let acknowledged = false;
    const pending = complete().then(() => { acknowledged = true; }, () => {});
    // Completion takes a few ms; merging the 11 MiB of parts into one blob follows for tens of ms.
    // Every other kill comes as soon as the completion is answered: the merge is under way then.
    if (i % 2 === 1) await pending;
    else await Bun.sleep(rand() * 60);
    await kill();
    await pending;
    // The data folder as the kill left it: an object completed but not yet one blob is a merge interrupted.
    const interrupted = (await fsckJson()).unmergedObjects > 0;
    await start();
    if (acknowledged || interrupted) expect(await exists("complete", key)).toBe(true);
    if (interrupted) {
      // Nothing reads the object before the check: a GET would merge it itself. The restarted server
      // has to resume the merge unasked, and it ends with the whole content as one blob.
      mergesResumed++;
      await mergesSettled();
      expect(existsSync(blobPath(data, whole))).toBe(true);
      expect((await fsckJson()).unmergedObjects).toBe(0);
    }
    const found = await hashOf("complete", key);
    if (acknowledged) expect(found).toBe(whole);
    if (found === undefined) {
      await complete(); // the upload is still there: the client's retry succeeds
    } else {
      expect(found).toBe(whole);
      completedBeforeKill++;
    }
    acknowledgedCount += acknowledged ? 1 : 0;
    expect(await hashOf("complete", key)).toBe(whole);
    // Merged, whether resumed, asked for by the GET or scheduled by the retry, and not a byte changed.
    await mergesSettled();
    expect(existsSync(blobPath(data, whole))).toBe(true);
    expect(await hashOf("complete", key)).toBe(whole);
  }
  await fsckThenGc();
  await kill();
  console.log(`CompleteMultipartUpload: ${KILLS} kills, ${acknowledgedCount} after the answer, ${completedBeforeKill} found complete, ${KILLS - completedBeforeKill} completed on retry, ${mergesResumed} merges resumed after restart`);
  // Each acknowledged completion was found complete above; the kills that waited for the answer guarantee some.
  expect(acknowledgedCount).toBeGreaterThanOrEqual(KILLS / 2);
  // A kill right after the answer lands in the merge (11 MiB take tens of ms); without one, resuming went unchecked.
  expect(mergesResumed).toBeGreaterThan(0);
}, SLOW_TEST_MS * 2);

test("kill -9 of gc at random points never removes a blob an object uses; the next gc finishes the job", async () => {
  const KILLS = 5, OBJECTS = 1200, DISTINCT = 400;
  await start();
  await client.send(new CreateBucketCommand({ Bucket: "collected" }));
  // Shared blobs: 1,200 objects over 400 distinct bodies (the smaller kept in the database, the others files).
  const bodies = Array.from({ length: DISTINCT }, () => random(512 + Math.floor(rand() * 8192)));
  const expected = new Map<string, string>();
  const keys = Array.from({ length: OBJECTS }, (_, i) => `k/${i}`);
  for (let i = 0; i < OBJECTS; i += 32) {
    await Promise.all(keys.slice(i, i + 32).map(async (key, j) => {
      const body = bodies[(i + j) % DISTINCT]!;
      await client.send(new PutObjectCommand({ Bucket: "collected", Key: key, Body: body }));
      expected.set(key, sha256Hex(body));
    }));
  }
  let killedMidway = 0;
  for (let round = 0; round < KILLS; round++) {
    // Delete a random fifth of what is left: some bodies lose their last user, others keep one.
    for (const key of [...expected.keys()]) {
      if (rand() < 0.2) { await client.send(new DeleteObjectCommand({ Bucket: "collected", Key: key })); expected.delete(key); }
    }
    // New unused blobs too: uploaded, then deleted.
    await Promise.all(Array.from({ length: 300 }, (_, n) => client.send(new PutObjectCommand({ Bucket: "collected", Key: `gone/${n}`, Body: random(700) }))));
    await Promise.all(Array.from({ length: 300 }, (_, n) => client.send(new DeleteObjectCommand({ Bucket: "collected", Key: `gone/${n}` }))));
    ageBlobs(data); // every blob an hour old, so gc's grace period protects none of them
    // gc beside the running server, killed once it has started moving blobs aside (plus a random delay).
    const gc = Bun.spawn([process.execPath, ENTRY, "gc", "--data", data], { stdout: "ignore", stderr: "ignore" });
    const tmp = join(data, "tmp");
    const deadline = Date.now() + 5000;
    while (!readdirSync(tmp).some((n) => n.startsWith("gc-")) && gc.exitCode === null && Date.now() < deadline) await Bun.sleep(1);
    await Bun.sleep(rand() * 15);
    if (gc.exitCode === null) killedMidway++;
    gc.kill("SIGKILL");
    await gc.exited;
    await expectAll("collected", expected);
  }
  // The next gc puts back or removes what the killed one left aside.
  await fsckThenGc();
  await expectAll("collected", expected);
  await kill();
  console.log(`gc: ${KILLS} kills (${killedMidway} while it was still running), ${expected.size} objects over shared blobs intact`);
  expect(killedMidway).toBeGreaterThan(0);
}, SLOW_TEST_MS * 3);
