import { beforeEach, describe, expect, test } from "bun:test";
import { listObjectPage as listPage } from "../../src/core/ops/_listing.ts";
import { openMetadata, prefixUpperBound, type Metadata } from "../../src/core/store/meta.ts";

let meta: Metadata;
const put = (key: string) => meta.putObject({
  bucket: "b", key, sha256: "0".repeat(64), size: 1, etag: '"x"', lastModified: 0, contentType: "x",
  headers: {}, metadata: {}, checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 0, owner: "", acl: null,
});
const keysOf = (page: ReturnType<typeof listPage>) => [...page.contents.map((o) => o.key), ...page.commonPrefixes];

beforeEach(() => {
  meta = openMetadata(":memory:");
  meta.createBucket("b", "us-east-1", 0);
});

describe("listing", () => {
  test("orders keys by UTF-8 bytes, as S3 does, not by UTF-16 units", () => {
    for (const k of ["\u{1F600}", "\uFF5E", "a", "Z"]) put(k);
    expect(keysOf(listPage(meta, "b", { prefix: "", delimiter: "", after: "", maxKeys: 1000 }))).toEqual(["Z", "a", "\uFF5E", "\u{1F600}"]);
  });

  test("a cursor excludes exactly its own key, even beside keys that extend it with NUL or sort between by UTF-16", () => {
    for (const k of ["x", "x\0", "x\0a", "x!", "x\uFF5E", "x\u{1F600}", "y"]) put(k);
    const after = (cursor: string) => listPage(meta, "b", { prefix: "", delimiter: "", after: cursor, maxKeys: 1000 }).contents.map((o) => o.key);
    expect(after("x")).toEqual(["x\0", "x\0a", "x!", "x\uFF5E", "x\u{1F600}", "y"]);
    expect(after("x\0")).toEqual(["x\0a", "x!", "x\uFF5E", "x\u{1F600}", "y"]);
    expect(after("x\uFF5E")).toEqual(["x\u{1F600}", "y"]);
    expect(listPage(meta, "b", { prefix: "x", delimiter: "", after: "w", maxKeys: 2 }).contents.map((o) => o.key)).toEqual(["x", "x\0"]);
  });

  test("groups by delimiter and pages through prefixes and keys alike", () => {
    for (const k of ["a/1", "a/2", "b", "c/x/1", "c/y", "d"]) put(k);
    const first = listPage(meta, "b", { prefix: "", delimiter: "/", after: "", maxKeys: 2 });
    expect(first.commonPrefixes).toEqual(["a/"]);
    expect(first.contents.map((o) => o.key)).toEqual(["b"]);
    expect(first.isTruncated).toBe(true);
    const second = listPage(meta, "b", { prefix: "", delimiter: "/", after: first.last!, maxKeys: 2 });
    expect(keysOf(second)).toEqual(["d", "c/"]);
    expect(second.isTruncated).toBe(false);
  });

  test("a marker inside a common prefix does not return that prefix again", () => {
    for (const k of ["a/1", "a/2", "b"]) put(k);
    expect(keysOf(listPage(meta, "b", { prefix: "", delimiter: "/", after: "a/", maxKeys: 10 }))).toEqual(["b"]);
  });

  test("prefix and delimiter together", () => {
    for (const k of ["p/a", "p/b/c", "p/b/d", "q"]) put(k);
    const page = listPage(meta, "b", { prefix: "p/", delimiter: "/", after: "", maxKeys: 10 });
    expect(page.contents.map((o) => o.key)).toEqual(["p/a"]);
    expect(page.commonPrefixes).toEqual(["p/b/"]);
  });

  test("max-keys 0 returns nothing and is not truncated", () => {
    put("a");
    expect(listPage(meta, "b", { prefix: "", delimiter: "", after: "", maxKeys: 0 })).toEqual({ contents: [], commonPrefixes: [], isTruncated: false });
  });

  test("a key that equals the last page boundary is not truncated", () => {
    put("a"); put("b");
    const page = listPage(meta, "b", { prefix: "", delimiter: "", after: "", maxKeys: 2 });
    expect(page.isTruncated).toBe(false);
  });
});

test("prefix upper bound is the next code point", () => {
  expect(prefixUpperBound("a/")).toBe("a0");
  expect(prefixUpperBound("")).toBeUndefined();
  expect(prefixUpperBound("x\u{10FFFF}")).toBe("y");
  expect(prefixUpperBound("\uD7FF")).toBe("\uE000");
});
