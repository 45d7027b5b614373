import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand,
  HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, UploadPartCommand, UploadPartCopyCommand, type CompletedPart,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { MiB, errorOf, random, sameBytes } from "../helpers/data.ts";
import { uniqueBucket, type TestServer } from "../helpers/server.ts";
import { startWithBucket } from "../helpers/suite.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => ({ s, bucket } = await startWithBucket("mpops")));
afterAll(() => s.stop());

const bytesOf = async (key: string, extra: { PartNumber?: number; Range?: string } = {}) => {
  const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
  return { got, body: await got.Body!.transformToByteArray() };
};

describe("reading a multipart object", () => {
  const data = random(12 * MiB + 3);
  beforeAll(async () => {
    await new Upload({ client: s.client, params: { Bucket: bucket, Key: "three-parts", Body: data }, partSize: 5 * MiB }).done();
  });

  test("partNumber returns that part's bytes with its Content-Range and the part count", async () => {
    const { got, body } = await bytesOf("three-parts", { PartNumber: 2 });
    expect(got.$metadata.httpStatusCode).toBe(206);
    expect(got.PartsCount).toBe(3);
    expect(got.ContentRange).toBe(`bytes ${5 * MiB}-${10 * MiB - 1}/${data.length}`);
    expect(got.ContentLength).toBe(5 * MiB);
    expect(sameBytes(body, data.subarray(5 * MiB, 10 * MiB))).toBe(true);
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "three-parts", PartNumber: 3 }));
    expect(head.ContentLength).toBe(2 * MiB + 3);
    expect(head.PartsCount).toBe(3);
  });

  test("a part number past the last is 400 InvalidPart, for GET and HEAD; with a Range it is InvalidRequest", async () => {
    const past = await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "three-parts", PartNumber: 4 })));
    expect(past.name).toBe("InvalidPart");
    expect(past.$metadata.httpStatusCode).toBe(400);
    const head = await errorOf(s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "three-parts", PartNumber: 4 })));
    expect(head.$metadata.httpStatusCode).toBe(400);
    const both = await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "three-parts", PartNumber: 1, Range: "bytes=0-1" })));
    expect(both.name).toBe("InvalidRequest");
  });

  test("an object written in one piece has one part: the whole object", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "single", Body: "whole object" }));
    const { got, body } = await bytesOf("single", { PartNumber: 1 });
    expect(got.$metadata.httpStatusCode).toBe(206);
    expect(got.ContentRange).toBe("bytes 0-11/12");
    expect(got.PartsCount).toBeUndefined();
    expect(new TextDecoder().decode(body)).toBe("whole object");
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "single", PartNumber: 2 })))).name).toBe("InvalidPart");
  });

  test("once its parts are merged in the background, a full GET carries Content-Length and the bytes are unchanged", async () => {
    await s.server.settled();
    const { got, body } = await bytesOf("three-parts");
    expect(got.ContentLength).toBe(data.length);
    expect(sameBytes(body, data)).toBe(true);
    const { body: middle } = await bytesOf("three-parts", { PartNumber: 2 });
    expect(sameBytes(middle, data.subarray(5 * MiB, 10 * MiB))).toBe(true);
    const sha256 = new Bun.CryptoHasher("sha256").update(data).digest("hex");
    // On disk the merged blob is a file of its own; a memory store has no files to look at.
    if (s.store === "disk") expect(await Bun.file(`${s.dataDir}/blobs/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`).exists()).toBe(true);
  });
});

describe("UploadPartCopy", () => {
  test("copies byte ranges of a stored object and of a multipart one into parts", async () => {
    const first = random(6 * MiB), second = random(3 * MiB);
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "copy/source-a", Body: first }));
    await new Upload({ client: s.client, params: { Bucket: bucket, Key: "copy/source-b", Body: second }, partSize: 5 * MiB }).done();
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "copy/target" }));
    const a = await s.client.send(new UploadPartCopyCommand({ Bucket: bucket, Key: "copy/target", UploadId, PartNumber: 1, CopySource: `${bucket}/copy/source-a`, CopySourceRange: `bytes=0-${5 * MiB}` }));
    const b = await s.client.send(new UploadPartCopyCommand({ Bucket: bucket, Key: "copy/target", UploadId, PartNumber: 2, CopySource: encodeURIComponent(`${bucket}/copy/source-b`) }));
    expect(a.CopyPartResult!.ETag).toBe(`"${new Bun.CryptoHasher("md5").update(first.subarray(0, 5 * MiB + 1)).digest("hex")}"`);
    await s.client.send(new CompleteMultipartUploadCommand({
      Bucket: bucket, Key: "copy/target", UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: a.CopyPartResult!.ETag }, { PartNumber: 2, ETag: b.CopyPartResult!.ETag }] },
    }));
    const { body } = await bytesOf("copy/target");
    expect(sameBytes(body, Buffer.concat([first.subarray(0, 5 * MiB + 1), second]))).toBe(true);
  });

  test("refuses a range past the source, a missing source and a failed copy-source condition", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "copy/small", Body: "0123456789" }));
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "copy/refused" }));
    const copy = (extra: Partial<ConstructorParameters<typeof UploadPartCopyCommand>[0]>) =>
      errorOf(s.client.send(new UploadPartCopyCommand({ Bucket: bucket, Key: "copy/refused", UploadId, PartNumber: 1, CopySource: `${bucket}/copy/small`, ...extra })));
    expect((await copy({ CopySourceRange: "bytes=5-10" })).name).toBe("InvalidRange");
    expect((await copy({ CopySourceRange: "bytes=5-" })).name).toBe("InvalidArgument");
    expect((await copy({ CopySource: `${bucket}/copy/none` })).name).toBe("NoSuchKey");
    const failed = await copy({ CopySourceIfMatch: '"00000000000000000000000000000000"' });
    expect(failed.name).toBe("PreconditionFailed");
    expect(failed.$metadata.httpStatusCode).toBe(412);
  });
});

describe("ListMultipartUploads", () => {
  test("lists uploads by key, then by initiation, with prefix, delimiter and both markers", async () => {
    const listBucket = uniqueBucket("uploads");
    await s.client.send(new CreateBucketCommand({ Bucket: listBucket }));
    const create = async (Key: string) => (await s.client.send(new CreateMultipartUploadCommand({ Bucket: listBucket, Key }))).UploadId!;
    const b1 = await create("b"), a1 = await create("a"), b2 = await create("b");
    await create("dir/x");
    await create("dir/y");
    const list = (extra: Partial<ConstructorParameters<typeof ListMultipartUploadsCommand>[0]> = {}) =>
      s.client.send(new ListMultipartUploadsCommand({ Bucket: listBucket, ...extra }));
    const all = await list();
    expect(all.Uploads!.map((u) => [u.Key, u.UploadId])).toEqual([["a", a1], ["b", b1], ["b", b2], ["dir/x", expect.any(String)], ["dir/y", expect.any(String)]]);
    expect(all.Uploads![0]!.Initiated).toBeInstanceOf(Date);

    const rolled = await list({ Delimiter: "/" });
    expect(rolled.Uploads!.map((u) => u.Key)).toEqual(["a", "b", "b"]);
    expect(rolled.CommonPrefixes!.map((p) => p.Prefix)).toEqual(["dir/"]);
    expect((await list({ Prefix: "dir/" })).Uploads!.map((u) => u.Key)).toEqual(["dir/x", "dir/y"]);

    const first = await list({ MaxUploads: 2 });
    expect(first.IsTruncated).toBe(true);
    expect([first.NextKeyMarker, first.NextUploadIdMarker]).toEqual(["b", b1]);
    const second = await list({ MaxUploads: 2, KeyMarker: first.NextKeyMarker, UploadIdMarker: first.NextUploadIdMarker });
    expect(second.Uploads!.map((u) => [u.Key, u.UploadId])).toEqual([["b", b2], ["dir/x", expect.any(String)]]);
    // key-marker alone skips every upload of that key.
    expect((await list({ KeyMarker: "b" })).Uploads!.map((u) => u.Key)).toEqual(["dir/x", "dir/y"]);

    await s.client.send(new AbortMultipartUploadCommand({ Bucket: listBucket, Key: "a", UploadId: a1 }));
    expect((await list({ MaxUploads: 1 })).Uploads!.map((u) => u.UploadId)).toEqual([b1]);
  });
});

describe("CompleteMultipartUpload", () => {
  async function oneUpload(key: string) {
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const part = await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: "the only part" }));
    return { UploadId: UploadId!, Parts: [{ PartNumber: 1, ETag: part.ETag }] as CompletedPart[] };
  }

  test("If-None-Match: * refuses to replace an object, atomically, and the upload can still complete", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "guarded", Body: "existing" }));
    const { UploadId, Parts } = await oneUpload("guarded");
    const e = await errorOf(s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "guarded", UploadId, MultipartUpload: { Parts }, IfNoneMatch: "*" })));
    expect(e.$metadata.httpStatusCode).toBe(412);
    expect(new TextDecoder().decode((await bytesOf("guarded")).body)).toBe("existing");
    await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "guarded", UploadId, MultipartUpload: { Parts } }));
    expect(new TextDecoder().decode((await bytesOf("guarded")).body)).toBe("the only part");
  });

  test("If-Match must name the current ETag", async () => {
    const current = await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "matched", Body: "v1" }));
    const { UploadId, Parts } = await oneUpload("matched");
    const complete = (IfMatch: string) => s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "matched", UploadId, MultipartUpload: { Parts }, IfMatch }));
    expect((await errorOf(complete('"00000000000000000000000000000000"'))).$metadata.httpStatusCode).toBe(412);
    await complete(current.ETag!);
  });

  test("x-amz-mp-object-size must match the parts' total", async () => {
    const { UploadId, Parts } = await oneUpload("sized");
    const complete = (MpuObjectSize: number) => s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "sized", UploadId, MultipartUpload: { Parts }, MpuObjectSize }));
    expect((await errorOf(complete(99))).name).toBe("InvalidRequest");
    await complete(13);
  });
});
