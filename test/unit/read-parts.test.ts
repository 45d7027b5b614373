import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readPartsStream } from "../../src/core/store/read-parts.ts";
import { random, seededRandom, testSeed } from "../helpers/data.ts";
import { openTestStore, putBlob, STORE_KINDS, type TestStore } from "../helpers/stores.ts";

describe.each(STORE_KINDS)("reading parts of a %s store", (kind) => {
  let store: TestStore;
  beforeAll(() => { store = openTestStore(kind); });
  afterAll(() => store.remove());
  const put = (body: Uint8Array) => putBlob(store.blobs, body);

  test("any byte range across parts reads back exactly, whatever the chunk and part boundaries", async () => {
    const seed = testSeed();
    const rand = seededRandom(seed);
    // Parts of many reads (256 KiB each), of exactly four, of less than one, and of a single byte.
    const bodies = [random(2_500_000), random(1), random(1_048_576), random(100_000), random(1_048_577)];
    const parts = await Promise.all(bodies.map(put));
    const whole = Buffer.concat(bodies);
    for (let i = 0; i < 40; i++) {
      const start = Math.floor(rand() * whole.length);
      const end = start + Math.floor(rand() * (whole.length - start));
      const read = new Uint8Array(await new Response(readPartsStream(store.blobs, parts, start, end)).arrayBuffer());
      expect(Buffer.from(read).equals(whole.subarray(start, end + 1)), `seed ${seed}, bytes ${start}-${end}`).toBe(true);
    }
  });

  test("a part whose blob is shorter than recorded fails the read instead of ending it early", async () => {
    const first = await put(random(1_200_000));
    // Its row says 300,000 bytes more than the blob holds, as after a blob was cut short on disk.
    const parts = [{ ...first, size: 1_500_000 }, await put(random(300_000))];
    await expect(new Response(readPartsStream(store.blobs, parts, 0, 1_799_999)).arrayBuffer()).rejects.toThrow(/shorter than its part/);
  });
});
