import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FsBlobStore } from "../../src/core/store/blobs.ts";
import { PartMerger } from "../../src/core/store/merge-parts.ts";
import { Metadata, type ObjectRow, type PartRow } from "../../src/core/store/meta.ts";

let dir: string, meta: Metadata, blobs: FsBlobStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "s3lite-merge-"));
  meta = new Metadata(join(dir, "meta.sqlite"));
  blobs = new FsBlobStore(dir);
  meta.createBucket("b", "us-east-1", 0);
});
afterEach(() => {
  meta.close();
  rmSync(dir, { recursive: true, force: true });
});

async function storeParts(bodies: string[]): Promise<PartRow[]> {
  const parts: PartRow[] = [];
  for (const [i, body] of bodies.entries()) {
    const staged = await blobs.stage(new Blob([body]).stream(), { maxSize: 1 << 20 });
    await staged.commit();
    parts.push({ partNumber: i + 1, sha256: staged.sha256, size: staged.size, etag: `"${staged.md5}"`, lastModified: 0, checksumValue: null });
  }
  return parts;
}

const objectOf = (size: number): ObjectRow => ({
  bucket: "b", key: "k", sha256: "", size, etag: '"e-3"', lastModified: 1, contentType: "t", headers: {}, metadata: {},
  checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 3,
});

test("objects left unmerged (as after a restart) are merged on resume into the blob of their whole content", async () => {
  const parts = await storeParts(["first ", "second ", "third"]);
  meta.putObject(objectOf(18), parts);
  const merger = new PartMerger(meta, blobs);
  merger.resume();
  await merger.idle();
  const whole = new Bun.CryptoHasher("sha256").update("first second third").digest("hex");
  expect(meta.getObject("b", "k")!.sha256).toBe(whole);
  expect(await blobs.file(whole).text()).toBe("first second third");
  expect(readdirSync(join(dir, "tmp"))).toEqual([]);
});

test("a part whose blob is missing leaves the object readable from its parts, not pointed at a partial blob", async () => {
  const parts = await storeParts(["first ", "second ", "third"]);
  await blobs.remove(parts[1]!.sha256);
  meta.putObject(objectOf(18), parts);
  const merger = new PartMerger(meta, blobs);
  merger.resume();
  await merger.idle();
  expect(meta.getObject("b", "k")!.sha256).toBe("");
  expect(readdirSync(join(dir, "tmp"))).toEqual([]);
});
