import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutObjectCommand,
  paginateListObjectsV2,
} from "@aws-sdk/client-s3";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { errorOf } from "../helpers/data.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";

let s: TestServer;
let bucket: string;
// In UTF-8 byte order U+FF61 sorts before U+1F600; in UTF-16 code-unit order it is the other way round.
const KEYS = ["a/1", "a/2", "a/b/3", "b", "c/x", "c/y", "d", "e/", "\u00e9", "z", "\uff61", "\u{1f600}"];
beforeAll(async () => {
  s = await startTestServer();
  bucket = uniqueBucket("list");
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  await Promise.all(KEYS.map((Key) => s.client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }))));
});
afterAll(() => s.stop());

const utf8Order = [...KEYS].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

describe("ListObjectsV2", () => {
  test("keys come in UTF-8 byte order", async () => {
    const out = await s.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(out.Contents!.map((o) => o.Key)).toEqual(utf8Order);
    expect(out.KeyCount).toBe(KEYS.length);
    expect(out.MaxKeys).toBe(1000);
    expect(out.IsTruncated).toBe(false);
  });

  test("common prefixes count toward max-keys, and each page's token advances", async () => {
    const seen: string[] = [];
    const tokens = new Set<string>();
    let token: string | undefined;
    do {
      const page = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", MaxKeys: 2, ContinuationToken: token }));
      const entries = [...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((o) => o.Key!)];
      expect(entries.length).toBeLessThanOrEqual(2);
      expect(page.KeyCount).toBe(entries.length);
      seen.push(...entries);
      token = page.NextContinuationToken;
      if (token) { expect(tokens.has(token)).toBe(false); tokens.add(token); }
    } while (token);
    expect(seen.sort()).toEqual(["a/", "b", "c/", "d", "e/", "z", "\u00e9", "\uff61", "\u{1f600}"].sort());
  });

  test("prefix with delimiter, start-after, max-keys 0, and a max-keys above 1000", async () => {
    const a = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "a/", Delimiter: "/" }));
    expect(a.Contents!.map((o) => o.Key)).toEqual(["a/1", "a/2"]);
    expect(a.CommonPrefixes).toEqual([{ Prefix: "a/b/" }]);
    const after = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: "c/x" }));
    expect(after.Contents!.map((o) => o.Key)).toEqual(utf8Order.slice(utf8Order.indexOf("c/x") + 1));
    expect(after.StartAfter).toBe("c/x");
    const none = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 0 }));
    expect([none.KeyCount, none.IsTruncated, none.Contents]).toEqual([0, false, undefined]);
    const big = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 5000 }));
    expect(big.MaxKeys).toBe(1000);
    const bad = await fetchSigned(`${s.url}/${bucket}?list-type=2&max-keys=-1`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("<Code>InvalidArgument</Code>");
  });

  test("encoding-type=url encodes every key and prefix field; fetch-owner adds owners", async () => {
    const res = await fetchSigned(`${s.url}/${bucket}?list-type=2&encoding-type=url&prefix=%C3%A9&start-after=%C3%A0&delimiter=%2F&fetch-owner=true`);
    const xml = await res.text();
    expect(xml).toContain("<Prefix>%C3%A9</Prefix>");
    expect(xml).toContain("<StartAfter>%C3%A0</StartAfter>");
    expect(xml).toContain("<Delimiter>/</Delimiter>"); // "/" stays as it is, as in keys
    expect(xml).toContain("<Key>%C3%A9</Key>");
    expect(xml).toContain("<Owner><ID>");
    const sdk = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "\u00e9", EncodingType: "url" }));
    expect(sdk.Contents!.map((o) => o.Key)).toEqual(["%C3%A9"]); // the SDK leaves decoding to the caller, as with AWS
    expect((await s.client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }))).Contents![0]!.Owner).toBeUndefined();
  });

  test("the SDK paginator walks the bucket", async () => {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s.client, pageSize: 5 }, { Bucket: bucket })) keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    expect(keys).toEqual(utf8Order);
  });
});

describe("ListObjects (v1)", () => {
  test("NextMarker comes with a delimiter; without one, clients continue from the last key", async () => {
    const page = await s.client.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: "/", MaxKeys: 1 }));
    expect(page.IsTruncated).toBe(true);
    expect(page.CommonPrefixes).toEqual([{ Prefix: "a/" }]);
    expect(page.NextMarker).toBe("a/");
    const next = await s.client.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: "/", MaxKeys: 1, Marker: page.NextMarker }));
    expect(next.Contents!.map((o) => o.Key)).toEqual(["b"]);
    const plain = await s.client.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 3 }));
    expect(plain.NextMarker).toBeUndefined();
    expect(plain.Contents!.map((o) => o.Key)).toEqual(utf8Order.slice(0, 3));
    expect(plain.Contents![0]!.Owner?.ID).toBeString();
  });
});

describe("ListObjectVersions on an unversioned bucket", () => {
  test("every object once, as version null, paginated by key marker", async () => {
    const seen: string[] = [];
    let keyMarker: string | undefined, versionIdMarker: string | undefined;
    for (;;) {
      const page = await s.client.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 5, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
      for (const v of page.Versions ?? []) {
        expect([v.VersionId, v.IsLatest, v.StorageClass]).toEqual(["null", true, "STANDARD"]);
        expect(v.Size).toBe(Buffer.byteLength(v.Key!));
        seen.push(v.Key!);
      }
      expect(page.DeleteMarkers).toBeUndefined();
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
      expect(versionIdMarker).toBe("null");
    }
    expect(seen).toEqual(utf8Order);
  });

  test("prefix and delimiter, and bad markers", async () => {
    const out = await s.client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: "c", Delimiter: "/" }));
    expect(out.CommonPrefixes).toEqual([{ Prefix: "c/" }]);
    expect(out.Versions).toBeUndefined();
    expect((await errorOf(s.client.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: "a", VersionIdMarker: "v123" })))).name).toBe("InvalidArgument");
  });
});
