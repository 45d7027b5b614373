import { expect, test } from "bun:test";
import { createMd5, isMd5WorkerRunning } from "../../src/core/store/md5.ts";
import { MiB, md5Hex, random, seededRandom, testSeed } from "../helpers/data.ts";


/** Feeds `body` in random-sized chunks (some larger than a batch), waiting whenever the hash says it is behind. */
async function hashInChunks(body: Uint8Array, expectedSize: number | undefined, rand: () => number): Promise<string> {
  const md5 = createMd5(expectedSize);
  for (let offset = 0; offset < body.length;) {
    const n = Math.min(body.length - offset, 1 + Math.floor(rand() * (rand() < 0.1 ? 3 * MiB : 100_000)));
    // A copy the hash may not keep: a caller may reuse its buffer once update() is done with it.
    const chunk = body.slice(offset, offset + n);
    const behind = md5.update(chunk);
    if (behind) await behind;
    chunk.fill(0);
    offset += n;
  }
  return md5.digest();
}

test("MD5 on the worker thread equals the inline MD5, for bodies hashed one after another and side by side", async () => {
  const seed = testSeed();
  const rand = seededRandom(seed);
  const bodies = [0, 1, MiB - 1, MiB, MiB + 1, 9 * MiB + 12345, 20 * MiB].map((size) => random(size));
  for (const body of bodies) {
    expect(await hashInChunks(body, 64 * MiB, rand), `seed ${seed}, ${body.length} bytes`).toBe(md5Hex(body));
    expect(await hashInChunks(body, body.length, rand)).toBe(md5Hex(body));
  }
  const together = await Promise.all(bodies.map((body) => hashInChunks(body, 64 * MiB, rand)));
  expect(together).toEqual(bodies.map(md5Hex));
});

test("a cancelled MD5 leaves the worker hashing the others correctly", async () => {
  const body = random(10 * MiB);
  const cancelled = createMd5(64 * MiB);
  await cancelled.update(body.subarray(0, 5 * MiB));
  cancelled.cancel();
  expect(await hashInChunks(body, 64 * MiB, seededRandom(1))).toBe(md5Hex(body));
});

test("a worker stopped after idling is started again for the next large body", async () => {
  const body = random(9 * MiB);
  expect(await hashInChunks(body, body.length, seededRandom(2))).toBe(md5Hex(body));
  expect(isMd5WorkerRunning()).toBe(true);
  // md5.ts stops a worker after 2 s without a body; a second more is slack for a busy machine.
  const deadline = performance.now() + 3000;
  while (isMd5WorkerRunning() && performance.now() < deadline) await Bun.sleep(50);
  expect(isMd5WorkerRunning()).toBe(false);
  expect(await hashInChunks(body, body.length, seededRandom(3))).toBe(md5Hex(body));
  expect(isMd5WorkerRunning()).toBe(true);
});
