import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, renameSync, utimesSync } from "node:fs";
import { join } from "node:path";
import type { FsBlobStore } from "../../src/core/store/fs-blobs.ts";
import { collectGarbage } from "../../src/core/store/gc.ts";
import { collect, openTestStore, putBlob, STORE_KINDS, type TestStore } from "../helpers/stores.ts";

let store: TestStore;
const blob = async (text: string) => (await putBlob(store.blobs, text)).sha256;
const referTo = (key: string, sha256: string) => store.meta.putObject({
  bucket: "b", key, sha256, size: 1, etag: '"e"', lastModified: 0, contentType: "t", headers: {}, metadata: {},
  checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 0, owner: "", acl: null,
});
// An hour ahead, so that every blob these tests write is past the grace period however long the file runs.
const options = { dryRun: false, graceMs: 0, uploadMaxAgeMs: 86_400_000, now: Date.now() + 3_600_000 };
const text = async (sha256: string) => store.blobs.file(sha256).text();

describe.each(STORE_KINDS)("gc on a %s store", (kind) => {
  beforeEach(() => {
    store = openTestStore(kind);
    store.meta.createBucket("b", "us-east-1", 0);
  });
  afterEach(() => store.remove());

  test("removes blobs no row uses, keeps those one does, and reports both", async () => {
    const used = await blob("used"), unused = await blob("unused");
    referTo("k", used);
    const dry = await collectGarbage(store.meta, store.blobs, { ...options, dryRun: true });
    expect([dry.blobsScanned, dry.blobsRemoved]).toEqual([2, 1]);
    expect(await store.blobs.stat(unused)).toBeDefined();
    const report = await collectGarbage(store.meta, store.blobs, options);
    expect([report.blobsRemoved, report.blobBytesFreed]).toEqual([1, 6]);
    expect(await store.blobs.stat(unused)).toBeUndefined();
    expect(await text(used)).toBe("used");
  });

  // Inline blobs are never left aside: gc decides about each in one transaction.
  test.skipIf(kind === "disk")("blobs an interrupted gc had moved aside are put back when used and removed when not", async () => {
    const used = await blob("still used"), unused = await blob("not used");
    referTo("k", used);
    // As a gc stopped between moving blobs aside and deciding about them leaves them:
    for (const sha256 of [used, unused]) await store.blobs.moveAside(sha256);
    const report = await collectGarbage(store.meta, store.blobs, options);
    expect(report.blobsRestored).toBe(1);
    expect(await text(used)).toBe("still used");
    expect(await store.blobs.stat(unused)).toBeUndefined();
    expect(await collect(store.blobs.listAside())).toEqual([]);
  });

  test("a blob whose content is written again just before removal is kept (publish refreshes it)", async () => {
    const sha256 = await blob("same content");
    // The same bytes arrive again: publishing refreshes the existing blob before its row exists.
    await blob("same content");
    const report = await collectGarbage(store.meta, store.blobs, { ...options, graceMs: 60_000, now: Date.now() });
    expect(report.blobsKeptYoung).toBe(1);
    expect(await store.blobs.stat(sha256)).toBeDefined();
  });

  test("a writer that publishes the same content while gc holds the blob aside keeps it: gc puts it back", async () => {
    const sha256 = await blob("raced");
    const report = await collectGarbage(store.meta, store.blobs, {
      ...options,
      // The blob is unreferenced and old when gc moves it aside; then a PUT of the same bytes commits.
      afterAside: async () => { await blob("raced"); referTo("k", sha256); },
    });
    expect(report.blobsRemoved).toBe(0);
    expect(await text(sha256)).toBe("raced");
    expect(await collect(store.blobs.listAside())).toEqual([]);
  });

  test("abandoned uploads are aborted first, so the parts only they used go in the same run", async () => {
    const part = await blob("part of an abandoned upload");
    store.meta.createUpload({ uploadId: "u1", bucket: "b", key: "k", createdAt: 0, contentType: "t", headers: {}, metadata: {}, checksumAlgorithm: null, checksumType: null, owner: "", initiator: "", acl: null });
    store.meta.putUploadPart("u1", { partNumber: 1, sha256: part, size: 27, etag: '"p"', lastModified: 0, checksumValue: null });
    const report = await collectGarbage(store.meta, store.blobs, options);
    expect(report.uploadsAborted.map((u) => u.uploadId)).toEqual(["u1"]);
    expect(report.blobsRemoved).toBe(1);
    expect(store.meta.getUpload("u1")).toBeUndefined();
  });
});

describe("gc on a data folder", () => {
  let fs: FsBlobStore;
  let tmp: string;
  beforeEach(() => {
    store = openTestStore("files");
    store.meta.createBucket("b", "us-east-1", 0);
    fs = store.blobs as FsBlobStore;
    tmp = join(store.dataDir!, "tmp");
  });
  afterEach(() => store.remove());

  test("settles the tmp/gc-<sha256> files an older or interrupted gc left in the folder", async () => {
    const used = await blob("still used"), unused = await blob("not used");
    referTo("k", used);
    for (const sha256 of [used, unused]) renameSync(fs.path(sha256), join(tmp, `gc-${sha256}`));
    expect((await collectGarbage(store.meta, store.blobs, options)).blobsRestored).toBe(1);
    expect(existsSync(fs.path(used))).toBe(true);
    expect(existsSync(join(tmp, `gc-${unused}`))).toBe(false);
  });

  test("a writer that only refreshes the blob while gc holds it aside (row not yet written) keeps it too", async () => {
    const sha256 = await blob("refreshed");
    const aside = join(tmp, `gc-${sha256}`);
    const report = await collectGarbage(store.meta, store.blobs, {
      ...options, graceMs: 60_000, now: Date.now() + 120_000,
      // As if publish() had refreshed the mtime just before gc's rename: the file aside is young again.
      afterAside: async () => { const now = new Date(Date.now() + 120_000); utimesSync(aside, now, now); },
    });
    expect(report.blobsRemoved).toBe(0);
    expect(await text(sha256)).toBe("refreshed");
  });

  test("temp files of interrupted writes go once they are older than the grace period", async () => {
    await Bun.write(join(tmp, "interrupted-write"), "half a body");
    const young = await collectGarbage(store.meta, store.blobs, { ...options, graceMs: 60_000, now: Date.now() });
    expect(young.tmpFilesRemoved).toBe(0);
    const old = await collectGarbage(store.meta, store.blobs, options);
    expect([old.tmpFilesRemoved, old.tmpBytesFreed]).toEqual([1, 11]);
    expect(await collect(store.blobs.listTemp())).toEqual([]);
  });
});
