// The memory store's limit: what it counts, when it refuses, and how gc makes room under pressure.
import { afterEach, beforeEach, expect, setSystemTime, test } from "bun:test";
import { BodyTooLarge, StoreFull } from "../../src/core/store/errors.ts";
import type { MemoryBlobStore } from "../../src/core/store/memory-blobs.ts";
import { openMemoryStore, type Store } from "../../src/core/store/open.ts";
import { random } from "../helpers/data.ts";
import { collect } from "../helpers/stores.ts";

const KiB = 1024;
const LIMIT = 1024 * KiB;
let store: Store<MemoryBlobStore>;
beforeEach(() => {
  store = openMemoryStore(LIMIT);
  store.meta.createBucket("b", "us-east-1", 0);
});
afterEach(() => {
  setSystemTime();
  store.close();
});

/** A body sent chunk by chunk as the test says, and whether the store asked for any of it. */
function controlledBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let pulled = false;
  const stream = new ReadableStream<Uint8Array>({ start(c) { controller = c; }, pull() { pulled = true; } }, { highWaterMark: 0 });
  return { stream, send: (bytes: number) => controller.enqueue(random(bytes)), end: () => controller.close(), pulled: () => pulled };
}

const put = async (bytes: number | Uint8Array) => {
  const staged = await store.blobs.stage(new Blob([typeof bytes === "number" ? random(bytes) : bytes]).stream(), { maxSize: LIMIT });
  await staged.commit();
  return staged.sha256;
};

const referTo = (sha256: string) => store.meta.putObject({
  bucket: "b", key: sha256, sha256, size: 1, etag: '"e"', lastModified: 0, contentType: "t", headers: {}, metadata: {},
  checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 0, owner: "", acl: null,
});

test("a body counts as it streams in and is released when discarded", async () => {
  const body = controlledBody();
  const staging = store.blobs.stage(body.stream, { maxSize: LIMIT });
  body.send(300 * KiB);
  await Bun.sleep(5);
  expect(store.blobs.usedBytes).toBe(300 * KiB);
  body.send(100 * KiB);
  body.end();
  const staged = await staging;
  expect(store.blobs.usedBytes).toBe(400 * KiB);
  await staged.discard();
  await staged.discard();
  expect(store.blobs.usedBytes).toBe(0);
});

test("identical content is held once", async () => {
  const body = random(200 * KiB);
  await put(body);
  await put(body);
  expect(store.blobs.usedBytes).toBe(200 * KiB);
});

test("a body that would pass the limit fails with StoreFull and leaves nothing; what was held stays", async () => {
  const held = await put(700 * KiB);
  referTo(held);
  await expect(put(400 * KiB)).rejects.toBeInstanceOf(StoreFull);
  expect(store.blobs.usedBytes).toBe(700 * KiB);
  expect((await collect(store.blobs.list())).map((b) => b.sha256)).toEqual([held]);
  // A merge without room fails the same way and holds nothing either.
  await expect(store.blobs.concatenate([{ sha256: held }, { sha256: held }])).rejects.toBeInstanceOf(StoreFull);
  expect(store.blobs.usedBytes).toBe(700 * KiB);
});

test("a declared size fails before a byte is read: past the whole limit BodyTooLarge, past the room left StoreFull", async () => {
  const tooLarge = controlledBody();
  const refused = await store.blobs.stage(tooLarge.stream, { maxSize: 5 * LIMIT, expectedSize: 2 * LIMIT }).catch((error) => error);
  expect(refused).toBeInstanceOf(BodyTooLarge);
  expect((refused as BodyTooLarge).maxSize).toBe(LIMIT);
  referTo(await put(700 * KiB));
  const noRoom = controlledBody();
  await expect(store.blobs.stage(noRoom.stream, { maxSize: LIMIT, expectedSize: 400 * KiB })).rejects.toBeInstanceOf(StoreFull);
  expect([tooLarge.pulled(), noRoom.pulled()]).toEqual([false, false]);
  expect(store.blobs.usedBytes).toBe(700 * KiB);
});

test("at the limit, gc makes room from blobs no row uses that are older than a second", async () => {
  const used = await put(300 * KiB), unused = await put(500 * KiB);
  referTo(used);
  // Just published, the unused blob may be about to get its row: too young to reclaim.
  await expect(put(400 * KiB)).rejects.toBeInstanceOf(StoreFull);
  setSystemTime(Date.now() + 2000);
  await put(400 * KiB);
  expect(await store.blobs.stat(unused)).toBeUndefined();
  expect(await store.blobs.stat(used)).toBeDefined();
  expect(store.blobs.usedBytes).toBe(700 * KiB);
});
