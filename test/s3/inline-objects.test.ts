// Small objects kept inline in the metadata database (store/meta-inline.ts): they read back whole and
// by Range, are shared by identical bodies, are reclaimed by gc, checked and repaired by fsck, and serve
// as sources of copies, on a data folder (where no blob file is made for them) and in memory.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, HeadObjectCommand, PutObjectCommand, UploadPartCommand, UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { INLINE_MAX } from "../../src/core/store/fs-blobs.ts";
import { blobFiles, errorOf, inlineBlobs, MiB, random, sameBytes, sha256Hex, tamperBlob, withDatabase } from "../helpers/data.ts";
import { presign } from "../helpers/signed-fetch.ts";
import { startTestServer, TEST_STORE, uniqueBucket, type StoreKind, type TestServer } from "../helpers/server.ts";
import { s3lite } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";

/** Sizes at and around the threshold: every one up to INLINE_MAX is kept inline, the next is a file. */
const SIZES = [1, 100, INLINE_MAX - 1, INLINE_MAX, INLINE_MAX + 1, 3 * INLINE_MAX];

const bytesOf = async (s: TestServer, bucket: string, key: string, range?: string) => {
  const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
  return { bytes: await got.Body!.transformToByteArray(), got };
};

// On the store the suites run on (S3LITE_TEST_STORE), and on a data folder whatever it is.
describe.each([...new Set<StoreKind>([TEST_STORE, "disk"])])("on a %s store", (kind) => {
  let s: TestServer;
  let bucket: string;
  beforeAll(async () => {
    s = await startTestServer({ store: kind });
    bucket = uniqueBucket("inline");
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(() => s.stop());

  test("small objects read back whole, by Range and by partNumber; HEAD tells their size", async () => {
    for (const size of SIZES) {
      const body = random(size);
      const key = `sized/${size}`;
      await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      expect(sameBytes((await bytesOf(s, bucket, key)).bytes, body)).toBe(true);
      expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength).toBe(size);
      const ranges: [string, number, number][] = [["bytes=0-0", 0, 0], [`bytes=${size - 1}-`, size - 1, size - 1], ["bytes=-7", Math.max(0, size - 7), size - 1]];
      if (size > 10) ranges.push([`bytes=3-${size - 5}`, 3, size - 5], [`bytes=5-${size + 100}`, 5, size - 1]);
      for (const [range, start, end] of ranges) {
        const { bytes, got } = await bytesOf(s, bucket, key, range);
        expect([range, got.ContentRange, got.ContentLength]).toEqual([range, `bytes ${start}-${end}/${size}`, end - start + 1]);
        expect(sameBytes(bytes, body.subarray(start, end + 1))).toBe(true);
      }
      const part = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, PartNumber: 1 }));
      expect(sameBytes(await part.Body!.transformToByteArray(), body)).toBe(true);
      expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${size}-` })))).name).toBe("InvalidRange");
    }
  });

  test("a body streamed without a length is kept inline up to the threshold and as a file beyond it", async () => {
    for (const size of [10, INLINE_MAX, INLINE_MAX + 1, 3 * INLINE_MAX]) {
      const body = random(size);
      const url = await presign(`${s.url}/${bucket}/streamed/${size}`, { method: "PUT" });
      // In 1,000-byte pieces, with no Content-Length: the store learns the size only as the body ends.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < size; at += 1000) controller.enqueue(body.slice(at, at + 1000));
          controller.close();
        },
      });
      const res = await fetch(url, { method: "PUT", body: stream });
      expect(res.status).toBe(200);
      expect(res.headers.get("etag")).toBe(`"${new Bun.CryptoHasher("md5").update(body).digest("hex")}"`);
      expect(sameBytes((await bytesOf(s, bucket, `streamed/${size}`)).bytes, body)).toBe(true);
      if (kind === "disk") {
        const sha256 = sha256Hex(body);
        expect([size, inlineBlobs(s.dataDir).includes(sha256), blobFiles(s.dataDir).includes(sha256)]).toEqual([size, size <= INLINE_MAX, size > INLINE_MAX]);
      }
    }
  });

  test("CopyObject of a small object, and UploadPartCopy from one (whole and a range), read back exactly", async () => {
    const small = random(3000);
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "copy/src", Body: small }));
    await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy/dst", CopySource: `${bucket}/copy/src` }));
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "copy/src" }));
    expect(sameBytes((await bytesOf(s, bucket, "copy/dst")).bytes, small)).toBe(true);
    expect(sameBytes((await bytesOf(s, bucket, "copy/dst", "bytes=100-199")).bytes, small.subarray(100, 200))).toBe(true);

    // Only the last part may be small: a 5 MiB part, then a range of the small object.
    const first = random(5 * MiB);
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "copy/parts" }));
    const p1 = await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "copy/parts", UploadId, PartNumber: 1, Body: first }));
    const p2 = await s.client.send(new UploadPartCopyCommand({ Bucket: bucket, Key: "copy/parts", UploadId, PartNumber: 2, CopySource: `${bucket}/copy/dst`, CopySourceRange: "bytes=10-1009" }));
    await s.client.send(new CompleteMultipartUploadCommand({
      Bucket: bucket, Key: "copy/parts", UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.CopyPartResult!.ETag }] },
    }));
    const whole = new Uint8Array(Buffer.concat([first, small.subarray(10, 1010)]));
    // Part 2 alone, read from its (inline) part blob; the whole, merged from a file and an inline blob.
    const part2 = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "copy/parts", PartNumber: 2 }));
    expect(sameBytes(await part2.Body!.transformToByteArray(), small.subarray(10, 1010))).toBe(true);
    expect(sameBytes((await bytesOf(s, bucket, "copy/parts")).bytes, whole)).toBe(true);
    await s.server.settled();
    expect(sameBytes((await bytesOf(s, bucket, "copy/parts", `bytes=${5 * MiB - 5}-${5 * MiB + 20}`)).bytes, whole.subarray(5 * MiB - 5, 5 * MiB + 21))).toBe(true);

    // One part, the whole small object copied: a small multipart object, read before and after its merge.
    const single = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "copy/one-part" }));
    const only = await s.client.send(new UploadPartCopyCommand({ Bucket: bucket, Key: "copy/one-part", UploadId: single.UploadId, PartNumber: 1, CopySource: `${bucket}/copy/dst` }));
    await s.client.send(new CompleteMultipartUploadCommand({
      Bucket: bucket, Key: "copy/one-part", UploadId: single.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: only.CopyPartResult!.ETag }] },
    }));
    expect(sameBytes((await bytesOf(s, bucket, "copy/one-part", "bytes=0-99")).bytes, small.subarray(0, 100))).toBe(true);
    await s.server.settled();
    expect(sameBytes((await bytesOf(s, bucket, "copy/one-part")).bytes, small)).toBe(true);
  }, SLOW_TEST_MS);
});

describe("on a data folder", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ store: "disk" }); });
  afterAll(() => s.stop());

  const newBucket = async (label: string) => {
    const bucket = uniqueBucket(label);
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
    return bucket;
  };
  const put = (bucket: string, key: string, body: Uint8Array | string) => s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const inlineCount = (sha256: string) => withDatabase(s.dataDir, (db) => db.query<{ n: number }, [string]>("SELECT count(*) AS n FROM inline_blobs WHERE sha256 = ?").get(sha256)!.n);

  test("a small object read again and again, then overwritten, reads as written each time, with its own request id", async () => {
    const bucket = await newBucket("inlineserved");
    const url = () => presign(`${s.url}/${bucket}/k`);
    const [first, second] = [random(3000), random(3000)];
    await put(bucket, "k", first);
    const ids = new Set<string>();
    for (const body of [first, first, second, second]) {
      if (body === second && ids.size === 2) await put(bucket, "k", second);
      const got = await fetch(await url());
      expect(got.status).toBe(200);
      expect(sameBytes(new Uint8Array(await got.arrayBuffer()), body)).toBe(true);
      const id = got.headers.get("x-amz-request-id")!;
      expect([id, got.headers.get("x-amz-id-2"), got.headers.get("server")]).toEqual([expect.stringMatching(/^[0-9A-F]{16}$/), id, "s3lite"]);
      ids.add(id);
    }
    expect(ids.size).toBe(4);
    const ranged = await fetch(await url(), { headers: { range: "bytes=10-19" } });
    expect([ranged.status, ranged.headers.get("content-range")]).toEqual([206, "bytes 10-19/3000"]);
    expect(sameBytes(new Uint8Array(await ranged.arrayBuffer()), second.subarray(10, 20))).toBe(true);
  });

  test("identical small bodies share one inline blob, and no blob file is made for any of them", async () => {
    const bucket = await newBucket("inlinededup");
    const files = blobFiles(s.dataDir);
    const body = random(2048);
    for (const key of ["a", "b", "c/d"]) await put(bucket, key, body);
    await put(bucket, "other", random(INLINE_MAX));
    expect(inlineCount(sha256Hex(body))).toBe(1);
    expect(blobFiles(s.dataDir)).toEqual(files);
    expect(readdirSync(join(s.dataDir, "tmp"))).toEqual([]);
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "a" }));
    expect(sameBytes(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "c/d" }))).Body!.transformToByteArray(), body)).toBe(true);
  });

  test("overwrites and deletes leave inline bytes to gc, which reclaims exactly those no row uses", async () => {
    // What earlier tests left unused goes first, so the run below answers for this test's blobs alone.
    await s3lite(["gc", "--data", s.dataDir, "--grace", "0s"]);
    const bucket = await newBucket("inlinegc");
    const [first, second, gone, kept] = [random(1000), random(1100), random(1200), random(1300)];
    await put(bucket, "k", first);
    await put(bucket, "k", second);
    await put(bucket, "gone", gone);
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "gone" }));
    await put(bucket, "kept", kept);
    const young = JSON.parse((await s3lite(["gc", "--data", s.dataDir, "--json"])).stdout);
    expect([young.blobsRemoved, young.blobsKeptYoung]).toEqual([0, 2]);
    const report = JSON.parse((await s3lite(["gc", "--data", s.dataDir, "--grace", "0s", "--json"])).stdout);
    expect([report.blobsRemoved, report.blobBytesFreed]).toEqual([2, 1000 + 1200]);
    expect([first, second, gone, kept].map((b) => inlineCount(sha256Hex(b)))).toEqual([0, 1, 0, 1]);
    expect(sameBytes(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "k" }))).Body!.transformToByteArray(), second)).toBe(true);
    const fsck = JSON.parse((await s3lite(["fsck", "--data", s.dataDir, "--grace", "0s", "--json"])).stdout);
    expect([fsck.ok, fsck.leftovers.orphanBlobs]).toEqual([true, 0]);
  }, SLOW_TEST_MS);

  test("fsck finds a flipped, truncated or missing inline blob, names what it affects, and --repair quarantines it", async () => {
    const bucket = await newBucket("inlinefsck");
    const bodies = { good: random(900), flipped: random(800), truncated: random(700), missing: random(600) };
    for (const [key, body] of Object.entries(bodies)) await put(bucket, key, body);
    await put(bucket, "same-as-flipped", bodies.flipped);
    expect(JSON.parse((await s3lite(["fsck", "--data", s.dataDir, "--json"])).stdout).problems).toEqual([]);

    const flipped = new Uint8Array(bodies.flipped);
    flipped[123]! ^= 0x01;
    tamperBlob(s.dataDir, sha256Hex(bodies.flipped), flipped);
    tamperBlob(s.dataDir, sha256Hex(bodies.truncated), bodies.truncated.subarray(0, 100));
    withDatabase(s.dataDir, (db) => db.run("DELETE FROM inline_blobs WHERE sha256 = ?", [sha256Hex(bodies.missing)]));

    const found = await s3lite(["fsck", "--data", s.dataDir, "--json"]);
    expect(found.exitCode).toBe(1);
    type Problem = { kind: string; affected: string[]; repaired?: string };
    const mine = (problems: Problem[]) => problems.filter((p) => p.affected.some((a) => a.startsWith(`${bucket}/`)));
    expect(mine(JSON.parse(found.stdout).problems).map((p) => `${p.kind}:${p.affected.join(",")}`).sort()).toEqual([
      `hash-mismatch:${bucket}/flipped,${bucket}/same-as-flipped`,
      `missing-blob:${bucket}/missing`,
      `size-mismatch:${bucket}/truncated`,
    ]);

    const repaired = await s3lite(["fsck", "--data", s.dataDir, "--repair", "--json"]);
    expect(repaired.exitCode).toBe(1);
    expect(mine(JSON.parse(repaired.stdout).problems).every((p) => typeof p.repaired === "string")).toBe(true);
    // The bad bytes are kept for inspection, as a file blob's are, and are out of the database.
    const quarantined = join(s.dataDir, "quarantine", sha256Hex(bodies.flipped));
    expect(sameBytes(readFileSync(quarantined), flipped)).toBe(true);
    expect(existsSync(join(s.dataDir, "quarantine", sha256Hex(bodies.truncated)))).toBe(true);
    expect(inlineCount(sha256Hex(bodies.flipped))).toBe(0);
    for (const key of ["flipped", "same-as-flipped", "truncated", "missing"]) {
      expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key })))).name).toBe("NoSuchKey");
    }
    expect(sameBytes(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "good" }))).Body!.transformToByteArray(), bodies.good)).toBe(true);
    const after = await s3lite(["fsck", "--data", s.dataDir, "--json"]);
    expect([after.exitCode, JSON.parse(after.stdout).ok]).toEqual([0, true]);
  }, SLOW_TEST_MS);

  test("a PUT refused by its condition leaves no inline blob behind", async () => {
    const bucket = await newBucket("inlinecond");
    await put(bucket, "k", "first");
    const refused = random(500);
    const e = await errorOf(s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: refused, IfNoneMatch: "*" })));
    expect(e.$metadata.httpStatusCode).toBe(412);
    expect(inlineCount(sha256Hex(refused))).toBe(0);
  });
});
