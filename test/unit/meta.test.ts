import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATIONS, Metadata, SCHEMA_VERSION } from "../../src/core/store/meta.ts";

test("a database of schema 1 opens, migrates, and keeps its objects", () => {
  const path = join(mkdtempSync(join(tmpdir(), "s3lite-meta-")), "meta.sqlite");
  const old = new Database(path);
  old.exec(MIGRATIONS[0]!);
  old.exec("PRAGMA user_version = 1");
  old.exec("INSERT INTO buckets VALUES ('b', 'us-east-1', 0)");
  old.exec(`INSERT INTO objects VALUES ('b', 'k', '${"a".repeat(64)}', 3, '"e"', 0, 'text/plain', '{}', '{"m":"v"}', NULL, NULL)`);
  old.close();

  const meta = new Metadata(path);
  expect(meta.db.query<{ user_version: number }, []>("PRAGMA user_version").get()!.user_version).toBe(SCHEMA_VERSION);
  const object = meta.getObject("b", "k")!;
  expect(object.size).toBe(3);
  expect(object.metadata).toEqual({ m: "v" });
  expect(object.partsCount).toBe(0);
  meta.close();
});

test("a database from a newer s3lite is refused rather than misread", () => {
  const path = join(mkdtempSync(join(tmpdir(), "s3lite-meta-")), "meta.sqlite");
  const newer = new Database(path);
  newer.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  newer.close();
  expect(() => new Metadata(path)).toThrow(/newer s3lite/);
});

test("completing an upload replaces the previous object and its parts in one step", () => {
  const meta = new Metadata(":memory:");
  meta.createBucket("b", "us-east-1", 0);
  const part = (n: number) => ({ partNumber: n, sha256: String(n).repeat(64), size: 10, etag: `"${n}"`, lastModified: 0, checksumValue: null });
  const row = { bucket: "b", key: "k", sha256: "", size: 20, etag: '"x-2"', lastModified: 0, contentType: "t", headers: {}, metadata: {}, checksumAlgorithm: null, checksumValue: null, partsCount: 2 };
  meta.createUpload({ uploadId: "u1", bucket: "b", key: "k", createdAt: 0, contentType: "t", headers: {}, metadata: {}, checksumAlgorithm: null });
  meta.completeUpload("u1", row, [part(1), part(2)]);
  expect(meta.getObjectParts("b", "k").map((p) => p.partNumber)).toEqual([1, 2]);
  expect(meta.getUpload("u1")).toBeUndefined();
  meta.putObject({ ...row, sha256: "f".repeat(64), partsCount: 0 });
  expect(meta.getObjectParts("b", "k")).toEqual([]);
  meta.close();
});
