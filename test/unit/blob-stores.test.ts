// The BlobStore contract, run on every store: the data folder's (small blobs inline in its database, or
// every blob a file) and the memory one.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { BodyTooLarge } from "../../src/core/store/errors.ts";
import { INLINE_MAX } from "../../src/core/store/fs-blobs.ts";
import { openStore } from "../../src/core/store/open.ts";
import { random } from "../helpers/data.ts";
import { collect, openTestStore, putBlob, STORE_KINDS, type TestStore } from "../helpers/stores.ts";

const sha256Of = (body: string | Uint8Array) => new Bun.CryptoHasher("sha256").update(body).digest("hex");

/** A body that sends `first`, then fails as a client hanging up does. */
const failingBody = (first: Uint8Array) => new ReadableStream<Uint8Array>({
  start(controller) {
    controller.enqueue(first);
    controller.error(new Error("client went away"));
  },
});

describe.each(STORE_KINDS)("%s blob store", (kind) => {
  let store: TestStore;
  beforeEach(() => { store = openTestStore(kind); });
  afterEach(() => store.remove());

  /** Nothing published, aside or half-written. */
  async function expectEmpty(): Promise<void> {
    expect(await collect(store.blobs.list())).toEqual([]);
    expect(await collect(store.blobs.listAside())).toEqual([]);
    expect(await collect(store.blobs.listTemp())).toEqual([]);
  }

  test("a staged body is invisible until committed, then reads back under its SHA-256", async () => {
    const staged = await store.blobs.stage(new Blob(["hello blobs"]).stream(), { maxSize: 100, checksums: ["CRC32"] });
    expect(staged.sha256).toBe(sha256Of("hello blobs"));
    expect(staged.md5).toBe(new Bun.CryptoHasher("md5").update("hello blobs").digest("hex"));
    expect(staged.checksums.CRC32).toBeString();
    expect(await store.blobs.stat(staged.sha256)).toBeUndefined();
    await staged.commit();
    expect(await store.blobs.file(staged.sha256).text()).toBe("hello blobs");
    expect(await store.blobs.file(staged.sha256).slice(6, 11).text()).toBe("blobs");
    expect((await store.blobs.stat(staged.sha256))!.size).toBe(11);
    expect((await collect(store.blobs.list())).map((b) => b.sha256)).toEqual([staged.sha256]);
  });

  test("a discarded body, one past maxSize and one whose stream fails leave nothing behind", async () => {
    await (await store.blobs.stage(new Blob(["never mind"]).stream(), { maxSize: 100 })).discard();
    const tooLarge = store.blobs.stage(new Blob([random(2000)]).stream(), { maxSize: 1000 });
    await expect(tooLarge).rejects.toBeInstanceOf(BodyTooLarge);
    expect(await tooLarge.catch((error: BodyTooLarge) => error.maxSize)).toBe(1000);
    await expect(store.blobs.stage(failingBody(random(100)), { maxSize: 1000 })).rejects.toThrow("client went away");
    await expectEmpty();
  });

  test("the same content committed twice is one blob, marked fresh by the second commit", async () => {
    const { sha256 } = await putBlob(store.blobs, "twice");
    const first = (await store.blobs.stat(sha256))!.mtimeMs;
    await Bun.sleep(20);
    await putBlob(store.blobs, "twice");
    expect(await collect(store.blobs.list())).toHaveLength(1);
    expect((await store.blobs.stat(sha256))!.mtimeMs).toBeGreaterThan(first);
  });

  test("concatenate stages the parts in order as one blob; stopped, it leaves nothing", async () => {
    const parts = [await putBlob(store.blobs, random(1_500_000)), await putBlob(store.blobs, "tail")];
    const whole = Buffer.concat([await store.blobs.file(parts[0]!.sha256).bytes(), Buffer.from("tail")]);
    const merged = await store.blobs.concatenate(parts);
    expect([merged.sha256, merged.size, merged.md5]).toEqual([sha256Of(whole), whole.length, ""]);
    await merged.commit();
    expect(Buffer.from(await store.blobs.file(merged.sha256).bytes()).equals(whole)).toBe(true);

    await expect(store.blobs.concatenate(parts, { stop: () => true })).rejects.toThrow("stopped");
    expect(await collect(store.blobs.listTemp())).toEqual([]);
    expect(await collect(store.blobs.list())).toHaveLength(3);
  });

  test("a reader reads at any position, and fewer bytes only at the end", async () => {
    const body = random(300_000);
    const { sha256 } = await putBlob(store.blobs, body);
    const reader = await store.blobs.open(sha256);
    expect(Buffer.from(await reader.read(1000, 5000)).equals(body.subarray(1000, 6000))).toBe(true);
    expect((await reader.read(299_000, 5000)).length).toBe(1000);
    expect((await reader.read(300_000, 10)).length).toBe(0);
    await reader.close();
  });

  // An inline blob is never moved aside: settleAside() decides about it in place, in one transaction (below).
  test.skipIf(kind === "disk")("a blob moved aside leaves its address until settled: kept goes back, not kept is gone", async () => {
    const kept = await putBlob(store.blobs, "kept"), dropped = await putBlob(store.blobs, "dropped");
    for (const { sha256 } of [kept, dropped]) expect(await store.blobs.moveAside(sha256)).toBe(true);
    expect(await store.blobs.moveAside(kept.sha256)).toBe(false);
    expect(await collect(store.blobs.list())).toEqual([]);
    expect((await collect(store.blobs.listAside())).map((b) => b.sha256).sort()).toEqual([kept.sha256, dropped.sha256].sort());
    expect(await store.blobs.settleAside(kept.sha256, (aside) => aside.size === 4)).toBe(true);
    expect(await store.blobs.settleAside(dropped.sha256, () => false)).toBe(false);
    expect(await store.blobs.file(kept.sha256).text()).toBe("kept");
    expect((await collect(store.blobs.list())).map((b) => b.sha256)).toEqual([kept.sha256]);
    expect(await collect(store.blobs.listAside())).toEqual([]);
  });

  test("content published again while its blob is aside stays published, whatever the settling decides", async () => {
    const { sha256 } = await putBlob(store.blobs, "again");
    await store.blobs.moveAside(sha256);
    await putBlob(store.blobs, "again");
    expect(await store.blobs.settleAside(sha256, () => true)).toBe(true);
    expect(await store.blobs.file(sha256).text()).toBe("again");
    expect(await collect(store.blobs.list())).toHaveLength(1);
    expect(await collect(store.blobs.listAside())).toEqual([]);
  });

  test.if(kind === "disk")("an inline blob moved aside stays readable until settled: kept stays, not kept is gone", async () => {
    const kept = await putBlob(store.blobs, "kept"), dropped = await putBlob(store.blobs, "dropped");
    for (const { sha256 } of [kept, dropped]) expect(await store.blobs.moveAside(sha256)).toBe(true);
    expect(await store.blobs.file(kept.sha256).text()).toBe("kept");
    expect(await collect(store.blobs.listAside())).toEqual([]);
    expect(await store.blobs.settleAside(kept.sha256, (aside) => aside.size === 4)).toBe(true);
    expect(await store.blobs.settleAside(dropped.sha256, () => false)).toBe(false);
    expect(await store.blobs.file(kept.sha256).text()).toBe("kept");
    expect((await collect(store.blobs.list())).map((b) => b.sha256)).toEqual([kept.sha256]);
    expect(await store.blobs.moveAside(dropped.sha256)).toBe(false);
  });

  test("a quarantined blob is out of service", async () => {
    const { sha256 } = await putBlob(store.blobs, "bad bytes");
    const where = await store.blobs.quarantine(sha256);
    expect(where === undefined).toBe(kind === "memory");
    expect(await store.blobs.stat(sha256)).toBeUndefined();
    expect(await collect(store.blobs.list())).toEqual([]);
  });
});

describe("inline blobs in a data folder", () => {
  let store: TestStore;
  beforeEach(() => { store = openTestStore("disk"); });
  afterEach(() => store.remove());
  const count = () => store.meta.db.query<{ n: number }, []>("SELECT count(*) AS n FROM inline_blobs").get()!.n;

  test("commitWith commits the blob in the row's transaction: a row that throws leaves no blob", async () => {
    const staged = await store.blobs.stage(new Blob(["rolled back"]).stream(), { maxSize: 100 });
    await expect(staged.commitWith(() => { throw new Error("refused"); })).rejects.toThrow("refused");
    expect(await store.blobs.stat(staged.sha256)).toBeUndefined();
    const again = await store.blobs.stage(new Blob(["rolled back"]).stream(), { maxSize: 100 });
    expect(await again.commitWith(() => 42)).toBe(42);
    expect(await store.blobs.file(again.sha256).text()).toBe("rolled back");
    expect(count()).toBe(1);
  });

  test("a body declared larger than the threshold, or passing it, is a file; bytes given whole are staged too", async () => {
    const big = random(INLINE_MAX + 1);
    await (await store.blobs.stage(new Blob([big]).stream(), { maxSize: 1 << 20, expectedSize: big.length })).commit();
    await (await store.blobs.stage(new Blob([big.subarray(1)]).stream(), { maxSize: 1 << 20, expectedSize: INLINE_MAX + 5 })).commit();
    const whole = await store.blobs.stage(big.subarray(0, 10), { maxSize: 100 });
    await whole.commit();
    expect(count()).toBe(1);
    expect(await collect(store.blobs.list())).toHaveLength(3);
    expect(Buffer.from(await store.blobs.file(whole.sha256).bytes()).equals(big.subarray(0, 10))).toBe(true);
  });

  test("a data folder written before keeps its small blob files readable, beside inline ones", async () => {
    const dir = store.dataDir!;
    store.close();
    const before = openStore(dir, { inlineMax: -1 });
    const { sha256 } = await putBlob(before.blobs, "an old small file");
    before.close();
    const reopened = openStore(dir), removeFolder = store.remove;
    store = { ...reopened, remove: () => { reopened.close(); removeFolder(); } };
    expect(await store.blobs.file(sha256).text()).toBe("an old small file");
    expect(await store.blobs.served(sha256, 17).text()).toBe("an old small file");
    expect((await store.blobs.stat(sha256))!.size).toBe(17);
    const reader = await store.blobs.open(sha256);
    expect(new TextDecoder().decode(await reader.read(3, 3))).toBe("old");
    await reader.close();
    await putBlob(store.blobs, "a new small body");
    expect(count()).toBe(1);
    expect(await collect(store.blobs.list())).toHaveLength(2);
  });

  test("served() answers inline bodies from memory once read or written with a row, files as files, and forgets a quarantined body", async () => {
    const written = await store.blobs.stage(new TextEncoder().encode("written with its row"), { maxSize: 100 });
    await written.commitWith(() => undefined);
    // Out of the database, the body is still served: it was kept when written, not read back.
    store.meta.db.run("DELETE FROM inline_blobs WHERE sha256 = ?", [written.sha256]);
    const kept = store.blobs.served(written.sha256, written.size);
    expect(await kept.text()).toBe("written with its row");
    expect(store.blobs.served(written.sha256, written.size)).toBe(kept);
    const small = await putBlob(store.blobs, "a small body, served twice");
    const big = random(INLINE_MAX + 1);
    const large = await store.blobs.stage(big, { maxSize: 1 << 20, expectedSize: big.length });
    await large.commit();
    const first = store.blobs.served(small.sha256, small.size);
    expect(await first.text()).toBe("a small body, served twice");
    // The same Blob: no lookup, no copy.
    expect(store.blobs.served(small.sha256, small.size)).toBe(first);
    expect(Buffer.from(await store.blobs.served(large.sha256, big.length).bytes()).equals(big)).toBe(true);
    await store.blobs.quarantine(small.sha256);
    expect(store.blobs.served(small.sha256, small.size)).not.toBe(first);
    expect(await store.blobs.stat(small.sha256)).toBeUndefined();
  });

  test("a body damaged in the database is served as stored but never kept; written again, the good bytes are served", async () => {
    const good = new TextEncoder().encode("the bytes as they were written");
    const sha256 = sha256Of(good);
    const reopened = () => {
      // A server started since: nothing kept in memory yet.
      const dir = store.dataDir!;
      store.close();
      const next = openStore(dir), removeFolder = store.remove;
      store = { ...next, remove: () => { next.close(); removeFolder(); } };
    };
    await (await store.blobs.stage(good, { maxSize: 100 })).commitWith(() => undefined);
    reopened();
    const damaged = new Uint8Array(good);
    damaged[3]! ^= 0x20;
    store.meta.db.run("UPDATE inline_blobs SET body = ? WHERE sha256 = ?", [damaged, sha256]);
    const first = store.blobs.served(sha256, good.length);
    expect(Buffer.from(await first.bytes()).equals(Buffer.from(damaged))).toBe(true);
    expect(store.blobs.served(sha256, good.length)).not.toBe(first);
    // Repaired (the row removed) and written again: the new, good bytes are what a GET gets.
    store.meta.db.run("DELETE FROM inline_blobs WHERE sha256 = ?", [sha256]);
    await (await store.blobs.stage(good, { maxSize: 100 })).commitWith(() => undefined);
    expect(await store.blobs.served(sha256, good.length).text()).toBe("the bytes as they were written");
  });
});
