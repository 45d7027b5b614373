import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { PartMerger } from "../../src/core/store/merge-parts.ts";
import type { ObjectRow, PartRow } from "../../src/core/store/meta.ts";
import { collect, openTestStore, putBlob, STORE_KINDS, type TestStore } from "../helpers/stores.ts";

const objectOf = (size: number): ObjectRow => ({
  bucket: "b", key: "k", sha256: "", size, etag: '"e-3"', lastModified: 1, contentType: "t", headers: {}, metadata: {},
  checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 3, owner: "", acl: null, versionId: "null",
});

describe.each(STORE_KINDS)("merging parts on a %s store", (kind) => {
  let store: TestStore;
  beforeEach(() => {
    store = openTestStore(kind);
    store.meta.createBucket("b", "us-east-1", 0);
  });
  afterEach(() => store.remove());

  async function storeParts(bodies: string[]): Promise<PartRow[]> {
    const parts: PartRow[] = [];
    for (const [i, body] of bodies.entries()) {
      const { sha256, size } = await putBlob(store.blobs, body);
      parts.push({ partNumber: i + 1, sha256, size, etag: `"${i}"`, lastModified: 0, checksumValue: null });
    }
    return parts;
  }

  test("objects left unmerged (as after a restart) are merged on resume into the blob of their whole content", async () => {
    const parts = await storeParts(["first ", "second ", "third"]);
    store.meta.putObject(objectOf(18), parts);
    const merger = new PartMerger(store.meta, store.blobs);
    merger.resume();
    await merger.idle();
    const whole = new Bun.CryptoHasher("sha256").update("first second third").digest("hex");
    expect(store.meta.getObject("b", "k")!.sha256).toBe(whole);
    expect(await store.blobs.file(whole).text()).toBe("first second third");
    expect(await collect(store.blobs.listTemp())).toEqual([]);
  });

  test("a part whose blob is missing leaves the object readable from its parts, not pointed at a partial blob", async () => {
    const parts = await storeParts(["first ", "second ", "third"]);
    await store.blobs.moveAside(parts[1]!.sha256);
    await store.blobs.settleAside(parts[1]!.sha256, () => false);
    store.meta.putObject(objectOf(18), parts);
    const merger = new PartMerger(store.meta, store.blobs);
    merger.resume();
    await merger.idle();
    expect(store.meta.getObject("b", "k")!.sha256).toBe("");
    expect(await collect(store.blobs.listTemp())).toEqual([]);
    expect(await collect(store.blobs.list())).toHaveLength(2);
  });
});
