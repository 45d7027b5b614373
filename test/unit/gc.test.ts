import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, renameSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectGarbage } from "../../src/core/store/gc.ts";
import { openStore, type Store } from "../../src/core/store/open.ts";

let store: Store;
beforeEach(() => {
  store = openStore(mkdtempSync(join(tmpdir(), "s3lite-gc-")));
  store.meta.createBucket("b", "us-east-1", 0);
});
afterEach(() => {
  store.close();
  rmSync(store.dataDir, { recursive: true, force: true });
});

async function blob(text: string): Promise<string> {
  const staged = await store.blobs.stage(new Blob([text]).stream(), { maxSize: 1 << 20 });
  await staged.commit();
  return staged.sha256;
}

const referTo = (key: string, sha256: string) => store.meta.putObject({
  bucket: "b", key, sha256, size: 1, etag: '"e"', lastModified: 0, contentType: "t", headers: {}, metadata: {},
  checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 0,
});
const options = { dryRun: false, graceMs: 0, uploadMaxAgeMs: 86_400_000, now: Date.now() + 1000 };

test("blobs an interrupted gc had moved aside are put back when used and removed when not", async () => {
  const used = await blob("still used"), unused = await blob("not used");
  referTo("k", used);
  // As a gc killed between moving a blob aside and deciding about it leaves them:
  for (const sha256 of [used, unused]) renameSync(store.blobs.path(sha256), join(store.blobs.tmpDir, `gc-${sha256}`));
  const report = await collectGarbage(store.meta, store.blobs, options);
  expect(report.blobsRestored).toBe(1);
  expect(await store.blobs.file(used).text()).toBe("still used");
  expect(existsSync(store.blobs.path(unused))).toBe(false);
  expect(existsSync(join(store.blobs.tmpDir, `gc-${unused}`))).toBe(false);
});

test("a blob whose content is written again just before removal is kept (publish refreshes it)", async () => {
  const sha256 = await blob("same content");
  // The same bytes arrive again: publishing refreshes the existing blob's mtime before its row exists.
  await blob("same content");
  const report = await collectGarbage(store.meta, store.blobs, { ...options, graceMs: 60_000, now: Date.now() });
  expect(report.blobsKeptYoung).toBe(1);
  expect(existsSync(store.blobs.path(sha256))).toBe(true);
});

test("a writer that publishes the same content while gc holds the blob aside keeps it: gc puts it back", async () => {
  const sha256 = await blob("raced");
  const report = await collectGarbage(store.meta, store.blobs, {
    ...options,
    // The blob is unreferenced and old when gc moves it aside; then a PUT of the same bytes commits.
    afterAside: async () => { await blob("raced"); referTo("k", sha256); },
  });
  expect(report.blobsRemoved).toBe(0);
  expect(await store.blobs.file(sha256).text()).toBe("raced");
  expect(existsSync(join(store.blobs.tmpDir, `gc-${sha256}`))).toBe(false);
});

test("a writer that only refreshes the blob while gc holds it aside (row not yet written) keeps it too", async () => {
  const sha256 = await blob("refreshed");
  const aside = join(store.blobs.tmpDir, `gc-${sha256}`);
  const report = await collectGarbage(store.meta, store.blobs, {
    ...options, graceMs: 60_000, now: Date.now() + 120_000,
    // As if publish() had refreshed the mtime just before gc's rename: the file aside is young again.
    afterAside: async () => { const now = new Date(Date.now() + 120_000); utimesSync(aside, now, now); },
  });
  expect(report.blobsRemoved).toBe(0);
  expect(await store.blobs.file(sha256).text()).toBe("refreshed");
});
