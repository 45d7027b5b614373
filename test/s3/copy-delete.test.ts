import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectsCommand,
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { uniqueBucket, type TestServer } from "../helpers/server.ts";
import { startWithBucket } from "../helpers/suite.ts";
import { errorOf, MiB, random, sameBytes } from "../helpers/data.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => ({ s, bucket } = await startWithBucket("copy")));
afterAll(() => s.stop());

/** Every blob file in the store (or, in memory, every byte held): a copy must add none. */
async function blobCount(): Promise<number> {
  if (s.store === "memory") return (await s.heldBytes())!;
  const root = join(s.dataDir, "blobs");
  let n = 0;
  for (const a of readdirSync(root)) for (const b of readdirSync(join(root, a))) n += readdirSync(join(root, a, b)).length;
  return n;
}

const text = async (key: string, b = bucket) => (await s.client.send(new GetObjectCommand({ Bucket: b, Key: key }))).Body!.transformToString();

describe("CopyObject", () => {
  test("COPY keeps the source's metadata and content headers, and writes no bytes", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "src.txt", Body: "copy me", ContentType: "text/plain", CacheControl: "no-cache", Metadata: { a: "1" } }));
    const before = await blobCount();
    const other = uniqueBucket("dest");
    await s.client.send(new CreateBucketCommand({ Bucket: other }));
    const out = await s.client.send(new CopyObjectCommand({ Bucket: other, Key: "dst.txt", CopySource: `${bucket}/src.txt` }));
    expect(out.CopyObjectResult!.ETag).toBe((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "src.txt" }))).ETag!);
    expect(out.CopyObjectResult!.LastModified).toBeInstanceOf(Date);
    const head = await s.client.send(new HeadObjectCommand({ Bucket: other, Key: "dst.txt" }));
    expect(head.ContentType).toBe("text/plain");
    expect(head.CacheControl).toBe("no-cache");
    expect(head.Metadata).toEqual({ a: "1" });
    expect(await text("dst.txt", other)).toBe("copy me");
    expect(await blobCount()).toBe(before);
  });

  test("REPLACE takes the request's metadata; onto itself it updates the metadata in place", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "self.txt", Body: "same bytes", Metadata: { v: "1" } }));
    await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "self.txt", CopySource: `${bucket}/self.txt`, MetadataDirective: "REPLACE", Metadata: { v: "2" }, ContentType: "text/x-new" }));
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "self.txt" }));
    expect(head.Metadata).toEqual({ v: "2" });
    expect(head.ContentType).toBe("text/x-new");
    expect(await text("self.txt")).toBe("same bytes");
    const error = await errorOf(s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "self.txt", CopySource: `${bucket}/self.txt` })));
    expect(error.name).toBe("InvalidRequest");
    expect(error.message).toContain("copy an object to itself");
  });

  test("a source key with spaces, unicode and reserved characters, URL-encoded or not", async () => {
    const key = "dir/ünï code + space & more?.txt";
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "odd key" }));
    // The SDK sends CopySource as given; callers URL-encode it as S3's docs ask.
    await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "from-encoded", CopySource: encodeURIComponent(`${bucket}/${key}`) }));
    expect(await text("from-encoded")).toBe("odd key");
    const raw = await fetchSigned(`${s.url}/${bucket}/from-raw`, { method: "PUT", headers: { "x-amz-copy-source": `/${bucket}/dir/plain name.txt` } });
    expect(raw.status).toBe(404); // the raw form parses; that key just does not exist
    expect(await raw.text()).toContain("<Code>NoSuchKey</Code>");
  });

  test("x-amz-copy-source-if-* conditions and missing sources", async () => {
    const put = await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "cond.txt", Body: "c" }));
    const copy = (extra: object) => s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "cond-copy", CopySource: `${bucket}/cond.txt`, ...extra }));
    await copy({ CopySourceIfMatch: put.ETag });
    expect((await errorOf(copy({ CopySourceIfMatch: '"0000"' }))).$metadata.httpStatusCode).toBe(412);
    expect((await errorOf(copy({ CopySourceIfNoneMatch: put.ETag }))).name).toBe("PreconditionFailed");
    expect((await errorOf(copy({ CopySourceIfModifiedSince: new Date(Date.now() + 60_000) }))).name).toBe("PreconditionFailed");
    expect((await errorOf(copy({ CopySourceIfUnmodifiedSince: new Date(Date.now() - 3_600_000) }))).name).toBe("PreconditionFailed");
    expect((await errorOf(s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "x", CopySource: `${bucket}/nope` })))).name).toBe("NoSuchKey");
    expect((await errorOf(s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "x", CopySource: "no-such-bucket-here/k" })))).name).toBe("NoSuchBucket");
    expect((await errorOf(s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "x", CopySource: `${bucket}/cond.txt`, MetadataDirective: "MERGE" as "COPY" })))).name).toBe("InvalidArgument");
  });

  test("copies a multipart object, its checksum and its parts", async () => {
    const data = random(6 * MiB);
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "mp", ChecksumAlgorithm: "CRC32" }));
    const p1 = await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "mp", UploadId, PartNumber: 1, Body: data.subarray(0, 5 * MiB), ChecksumAlgorithm: "CRC32" }));
    const p2 = await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "mp", UploadId, PartNumber: 2, Body: data.subarray(5 * MiB), ChecksumAlgorithm: "CRC32" }));
    await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "mp", UploadId, MultipartUpload: { Parts: [
      { PartNumber: 1, ETag: p1.ETag, ChecksumCRC32: p1.ChecksumCRC32 }, { PartNumber: 2, ETag: p2.ETag, ChecksumCRC32: p2.ChecksumCRC32 },
    ] } }));
    const out = await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "mp-copy", CopySource: `${bucket}/mp` }));
    expect(out.CopyObjectResult!.ETag).toEndWith('-2"');
    expect(out.CopyObjectResult!.ChecksumCRC32).toBeString();
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "mp-copy" }));
    expect(sameBytes(await got.Body!.transformToByteArray(), data)).toBe(true);
    const part2 = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "mp-copy", PartNumber: 2 }));
    expect(part2.ContentLength).toBe(1 * MiB);
    expect(sameBytes(await part2.Body!.transformToByteArray(), data.subarray(5 * MiB))).toBe(true);
    await s.server.settled();
    expect(sameBytes(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "mp-copy" }))).Body!.transformToByteArray(), data)).toBe(true);
  });
});

describe("DeleteObjects", () => {
  test("deletes many keys, missing ones included, with a result per key; Quiet reports errors only", async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `batch/${i}`);
    await Promise.all(keys.map((Key) => s.client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }))));
    const out = await s.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [...keys, "batch/missing"].map((Key) => ({ Key })) } }));
    expect(out.Deleted!.map((d) => d.Key).sort()).toEqual([...keys, "batch/missing"].sort());
    expect(out.Errors).toBeUndefined();
    expect((await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "batch/" }))).KeyCount).toBe(0);

    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "quiet", Body: "q" }));
    const quiet = await s.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Quiet: true, Objects: [{ Key: "quiet" }, { Key: "v", VersionId: "not-a-version" }] } }));
    expect(quiet.Deleted).toBeUndefined();
    expect(quiet.Errors).toEqual([{ Key: "v", VersionId: "not-a-version", Code: "NoSuchVersion", Message: "The specified version does not exist." }]);
    expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "quiet" })))).name).toBe("NotFound");
  });

  test("the WHEN_REQUIRED client and keys that need XML escaping", async () => {
    const key = "a&b <c> \"d\" 'e' ü.txt";
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "x" }));
    const out = await s.whenRequiredClient.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: key }] } }));
    expect(out.Deleted).toEqual([{ Key: key }]);
    expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })))).name).toBe("NotFound");
  });

  const deleteXml = (n: number) => `<Delete>${Array.from({ length: n }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join("")}</Delete>`;
  const md5 = (body: string) => new Bun.CryptoHasher("md5").update(body).digest("base64");
  const crc32 = (body: string) => Buffer.from(new Uint8Array(new Uint32Array([Bun.hash.crc32(body)]).buffer).reverse()).toString("base64");
  const post = (body: string, headers: Record<string, string>) => fetchSigned(`${s.url}/${bucket}?delete`, { method: "POST", body, headers });

  test("more than 1000 keys, no keys and malformed XML are MalformedXML; a checksum is required and checked", async () => {
    for (const body of [deleteXml(1001), "<Delete></Delete>", "<Delete><Object><Key>a</Key>", "not xml"]) {
      const res = await post(body, { "content-md5": md5(body) });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("<Code>MalformedXML</Code>");
    }
    const thousand = deleteXml(1000);
    for (const headers of [{ "content-md5": md5(thousand) }, { "x-amz-checksum-crc32": crc32(thousand) }] as Record<string, string>[]) {
      const res = await post(thousand, headers);
      expect(res.status).toBe(200);
      expect((await res.text()).match(/<Deleted>/g)).toHaveLength(1000);
    }
    const none = await post(thousand, {});
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("<Code>InvalidRequest</Code>");
    const wrong = await post(thousand, { "x-amz-checksum-crc32": crc32("other") });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("<Code>BadDigest</Code>");
  });
});
