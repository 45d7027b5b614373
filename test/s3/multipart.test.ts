import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand,
  GetObjectCommand, HeadObjectCommand, ListPartsCommand, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { TestServer } from "../helpers/server.ts";
import { startWithBucket } from "../helpers/suite.ts";
import { MiB, errorOf, random } from "../helpers/data.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => ({ s, bucket } = await startWithBucket("mp")));
afterAll(() => s.stop());

const md5 = (data: Uint8Array) => new Bun.CryptoHasher("md5").update(data).digest();

describe("multipart upload", () => {
  test("@aws-sdk/lib-storage Upload with parallel parts and default checksums round-trips byte-exact", async () => {
    const data = random(17 * MiB + 123);
    const upload = new Upload({ client: s.client, params: { Bucket: bucket, Key: "lib storage/big.bin", Body: data, ContentType: "application/x-test", Metadata: { kind: "multipart" } }, partSize: 5 * MiB, queueSize: 4 });
    const result = await upload.done();
    const partMd5s = [0, 1, 2, 3].map((i) => md5(data.subarray(i * 5 * MiB, Math.min(data.length, (i + 1) * 5 * MiB))));
    const expectedETag = `"${new Bun.CryptoHasher("md5").update(Buffer.concat(partMd5s)).digest("hex")}-4"`;
    expect(result.ETag).toBe(expectedETag);
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "lib storage/big.bin" }));
    expect(got.ETag).toBe(expectedETag);
    expect(got.ContentType).toBe("application/x-test");
    expect(got.Metadata).toEqual({ kind: "multipart" });
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.from(data))).toBe(true);
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "lib storage/big.bin" }));
    expect(head.ContentLength).toBe(data.length);
    expect(head.ETag).toBe(expectedETag);
  });

  test("a Range across part boundaries, and one inside a part", async () => {
    const data = random(11 * MiB);
    await new Upload({ client: s.whenRequiredClient, params: { Bucket: bucket, Key: "ranged.bin", Body: data }, partSize: 5 * MiB }).done();
    const start = 5 * MiB - 10, end = 10 * MiB + 9;
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "ranged.bin", Range: `bytes=${start}-${end}` }));
    expect(got.ContentRange).toBe(`bytes ${start}-${end}/${data.length}`);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.from(data.subarray(start, end + 1)))).toBe(true);
    // Within one part, the slice goes out as a file, with its Content-Length.
    const inside = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "ranged.bin", Range: `bytes=${6 * MiB}-${6 * MiB + 99}` }));
    expect(inside.ContentLength).toBe(100);
    expect(Buffer.from(await inside.Body!.transformToByteArray()).equals(Buffer.from(data.subarray(6 * MiB, 6 * MiB + 100)))).toBe(true);
  });

  test("ListParts, re-uploading a part replaces it, AbortMultipartUpload ends the upload", async () => {
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "aborted" }));
    await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "aborted", UploadId, PartNumber: 2, Body: "first" }));
    await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "aborted", UploadId, PartNumber: 2, Body: "second!" }));
    await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "aborted", UploadId, PartNumber: 1, Body: "one" }));
    const parts = await s.client.send(new ListPartsCommand({ Bucket: bucket, Key: "aborted", UploadId }));
    expect(parts.Parts!.map((p) => [p.PartNumber, p.Size])).toEqual([[1, 3], [2, 7]]);
    const aborted = await s.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "aborted", UploadId }));
    expect(aborted.$metadata.httpStatusCode).toBe(204);
    const e = await errorOf(s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "aborted", UploadId, PartNumber: 1, Body: "x" })));
    expect(e.name).toBe("NoSuchUpload");
    expect(e.$metadata.httpStatusCode).toBe(404);
    expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "aborted" })))).$metadata.httpStatusCode).toBe(404);
  });

  describe("CompleteMultipartUpload refuses", () => {
    async function uploadParts(key: string, bodies: (string | Uint8Array)[]) {
      const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      const etags: string[] = [];
      for (const [i, Body] of bodies.entries()) {
        etags.push((await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body }))).ETag!);
      }
      return { UploadId: UploadId!, etags };
    }
    const complete = (key: string, UploadId: string, Parts: { PartNumber: number; ETag: string }[]) =>
      errorOf(s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts } })));

    test("parts out of order: InvalidPartOrder", async () => {
      const { UploadId, etags } = await uploadParts("order", [random(5 * MiB), "tail"]);
      const e = await complete("order", UploadId, [{ PartNumber: 2, ETag: etags[1]! }, { PartNumber: 1, ETag: etags[0]! }]);
      expect(e.name).toBe("InvalidPartOrder");
    });

    test("a wrong ETag: InvalidPart", async () => {
      const { UploadId } = await uploadParts("etag", ["only"]);
      const e = await complete("etag", UploadId, [{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }]);
      expect(e.name).toBe("InvalidPart");
    });

    test("a part below 5 MiB before the last: EntityTooSmall", async () => {
      const { UploadId, etags } = await uploadParts("small", ["tiny", "tail"]);
      const e = await complete("small", UploadId, [{ PartNumber: 1, ETag: etags[0]! }, { PartNumber: 2, ETag: etags[1]! }]);
      expect(e.name).toBe("EntityTooSmall");
      expect(e.$metadata.httpStatusCode).toBe(400);
    });

    test("an unknown upload: NoSuchUpload", async () => {
      const e = await complete("none", "no-such-upload", [{ PartNumber: 1, ETag: '"x"' }]);
      expect(e.name).toBe("NoSuchUpload");
    });

    test("a part number outside 1..10000: InvalidArgument", async () => {
      const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "numbers" }));
      const e = await errorOf(s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "numbers", UploadId, PartNumber: 10001, Body: "x" })));
      expect(e.name).toBe("InvalidArgument");
    });
  });
});
