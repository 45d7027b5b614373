import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { MIGRATIONS, SCHEMA_VERSION, openMetadata } from "../../src/core/store/meta.ts";

test("a database of schema 1 opens, migrates, and keeps its objects", () => {
  const path = join(mkdtempSync(join(tmpdir(), "s3lite-meta-")), "meta.sqlite");
  const old = new Database(path);
  old.exec(MIGRATIONS[0]!);
  old.exec("PRAGMA user_version = 1");
  old.exec("INSERT INTO buckets VALUES ('b', 'us-east-1', 0)");
  old.exec(`INSERT INTO objects VALUES ('b', 'k', '${"a".repeat(64)}', 3, '"e"', 0, 'text/plain', '{}', '{"m":"v"}', NULL, NULL)`);
  old.close();

  const meta = openMetadata(path);
  expect(meta.db.query<{ user_version: number }, []>("PRAGMA user_version").get()!.user_version).toBe(SCHEMA_VERSION);
  const object = meta.getObject("b", "k")!;
  expect(object.size).toBe(3);
  expect(object.metadata).toEqual({ m: "v" });
  expect(object.partsCount).toBe(0);
  meta.close();
  rmSync(dirname(path), { recursive: true, force: true });
});

test("a database from a newer s3lite is refused rather than misread", () => {
  const path = join(mkdtempSync(join(tmpdir(), "s3lite-meta-")), "meta.sqlite");
  const newer = new Database(path);
  newer.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  newer.close();
  expect(() => openMetadata(path)).toThrow(/newer s3lite/);
  rmSync(dirname(path), { recursive: true, force: true });
});

test("completing an upload replaces the previous object and its parts in one step", () => {
  const meta = openMetadata(":memory:");
  meta.createBucket("b", "us-east-1", 0);
  const part = (n: number) => ({ partNumber: n, sha256: String(n).repeat(64), size: 10, etag: `"${n}"`, lastModified: 0, checksumValue: null });
  const row = { bucket: "b", key: "k", sha256: "", size: 20, etag: '"x-2"', lastModified: 0, contentType: "t", headers: {}, metadata: {}, checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 2, owner: "", acl: null };
  meta.createUpload({ uploadId: "u1", bucket: "b", key: "k", createdAt: 0, contentType: "t", headers: {}, metadata: {}, checksumAlgorithm: null, checksumType: null, owner: "", initiator: "", acl: null });
  meta.completeUpload("u1", row, [part(1), part(2)]);
  expect(meta.getObjectParts("b", "k").map((p) => p.partNumber)).toEqual([1, 2]);
  expect(meta.getUpload("u1")).toBeUndefined();
  meta.putObject({ ...row, sha256: "f".repeat(64), partsCount: 0 });
  expect(meta.getObjectParts("b", "k")).toEqual([]);
  meta.close();
});

test("merging a multipart object into one blob applies only to the version it was merged from", () => {
  const meta = openMetadata(":memory:");
  meta.createBucket("b", "us-east-1", 0);
  const part = (n: number) => ({ partNumber: n, sha256: String(n).repeat(64), size: 10, etag: `"${n}"`, lastModified: 0, checksumValue: null });
  const row = { bucket: "b", key: "k", sha256: "", size: 20, etag: '"x-2"', lastModified: 5, contentType: "t", headers: {}, metadata: {}, checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 2, owner: "", acl: null };
  meta.putObject(row, [part(1), part(2)]);
  expect(meta.unmergedObjects()).toEqual([{ bucket: "b", key: "k" }]);
  // Overwritten meanwhile by another upload: the merge result for the old version is not applied.
  meta.putObject({ ...row, etag: '"y-2"' }, [part(3), part(4)]);
  expect(meta.mergeObject(row, "m".repeat(64))).toBe(false);
  expect(meta.getObject("b", "k")!.sha256).toBe("");
  expect(meta.mergeObject({ ...row, etag: '"y-2"' }, "m".repeat(64))).toBe(true);
  expect(meta.getObject("b", "k")!.sha256).toBe("m".repeat(64));
  // Part boundaries stay for partNumber reads; their blobs are no longer referenced.
  expect(meta.getObjectParts("b", "k").map((p) => [p.partNumber, p.size, p.sha256])).toEqual([[3, 10, ""], [4, 10, ""]]);
  expect(meta.unmergedObjects()).toEqual([]);
  meta.close();
});

test("findObject tells a missing bucket from a missing key, and reads the row whole", () => {
  const meta = openMetadata(":memory:");
  meta.createBucket("b", "us-east-1", 0);
  const row = { bucket: "b", key: "k", sha256: "a".repeat(64), size: 3, etag: '"e"', lastModified: 5, contentType: "text/plain", headers: { "cache-control": "no-cache" }, metadata: { m: "v" }, checksumAlgorithm: "CRC32" as const, checksumValue: "AAAAAA==", checksumType: "FULL_OBJECT" as const, partsCount: 0, owner: "", acl: null };
  meta.putObject(row);
  expect(meta.findObject("nope", "k")).toEqual({ bucketExists: false, object: undefined });
  expect(meta.findObject("b", "other")).toEqual({ bucketExists: true, object: undefined });
  expect(meta.findObject("b", "k")).toEqual({ bucketExists: true, object: { ...row, versionId: "null" } });
  expect(meta.findObject("b", "k").object).toEqual(meta.getObject("b", "k")!);
  meta.close();
});
