import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FsBlobStore } from "../../src/core/store/blobs.ts";
import { readPartsStream } from "../../src/core/store/read-parts.ts";
import { random, seededRandom, testSeed } from "../helpers/data.ts";

let dir: string, blobs: FsBlobStore;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "s3lite-read-parts-"));
  blobs = new FsBlobStore(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function store(body: Uint8Array) {
  const staged = await blobs.stage(new Blob([body]).stream(), { maxSize: 1 << 30 });
  await staged.commit();
  return { sha256: staged.sha256, size: staged.size };
}

test("any byte range across parts reads back exactly, whatever the chunk and part boundaries", async () => {
  const seed = testSeed();
  const rand = seededRandom(seed);
  // Parts of many reads (256 KiB each), of exactly four, of less than one, and of a single byte.
  const bodies = [random(2_500_000), random(1), random(1_048_576), random(100_000), random(1_048_577)];
  const parts = await Promise.all(bodies.map(store));
  const whole = Buffer.concat(bodies);
  for (let i = 0; i < 40; i++) {
    const start = Math.floor(rand() * whole.length);
    const end = start + Math.floor(rand() * (whole.length - start));
    const read = new Uint8Array(await new Response(readPartsStream(blobs, parts, start, end)).arrayBuffer());
    expect(Buffer.from(read).equals(whole.subarray(start, end + 1)), `seed ${seed}, bytes ${start}-${end}`).toBe(true);
  }
});

test("a part whose blob is shorter than recorded fails the read instead of ending it early", async () => {
  const parts = [await store(random(1_500_000)), await store(random(300_000))];
  truncateSync(blobs.path(parts[0]!.sha256), 1_200_000);
  await expect(new Response(readPartsStream(blobs, parts, 0, 1_799_999)).arrayBuffer()).rejects.toThrow(/shorter than its part/);
});
