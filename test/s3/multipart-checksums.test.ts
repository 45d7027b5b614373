import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand,
  GetObjectCommand, HeadObjectCommand, ListPartsCommand, UploadPartCommand, type ChecksumAlgorithm, type CompletedPart,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { MiB, errorOf, random, sameBytes } from "../helpers/data.ts";
import type { TestServer } from "../helpers/server.ts";
import { startWithBucket } from "../helpers/suite.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => ({ s, bucket } = await startWithBucket("mpsum")));
afterAll(() => s.stop());

// Expected values computed here from the bytes with Bun's CRC32, independently of the server's code.
const crc32Bytes = (data: Uint8Array) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(Bun.hash.crc32(data) >>> 0);
  return out;
};
const crc32 = (data: Uint8Array) => crc32Bytes(data).toString("base64");
const split = (data: Uint8Array, size: number) => Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));

async function uploadParts(key: string, parts: Uint8Array[], create: { ChecksumAlgorithm?: ChecksumAlgorithm; ChecksumType?: "COMPOSITE" | "FULL_OBJECT" }) {
  const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...create }));
  const completed: CompletedPart[] = [];
  for (const [i, Body] of parts.entries()) {
    const r = await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm: create.ChecksumAlgorithm }));
    completed.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32, ChecksumSHA256: r.ChecksumSHA256 });
  }
  return { UploadId: UploadId!, completed };
}

describe("multipart checksums", () => {
  test("lib-storage's default CRC32 upload gets a COMPOSITE checksum: CRC32 of the part CRC32s, then -N", async () => {
    const data = random(11 * MiB + 5);
    await new Upload({ client: s.client, params: { Bucket: bucket, Key: "composite.bin", Body: data }, partSize: 5 * MiB }).done();
    const parts = split(data, 5 * MiB);
    const expected = `${crc32(Buffer.concat(parts.map(crc32Bytes)))}-${parts.length}`;
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "composite.bin", ChecksumMode: "ENABLED" }));
    expect(got.ChecksumCRC32).toBe(expected);
    expect(got.ChecksumType).toBe("COMPOSITE");
    expect(sameBytes(await got.Body!.transformToByteArray(), data)).toBe(true);
    const listed = await s.client.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: "composite.bin", ObjectAttributes: ["ETag", "Checksum", "ObjectParts", "ObjectSize", "StorageClass"] }));
    expect(listed.Checksum).toEqual({ ChecksumCRC32: expected, ChecksumType: "COMPOSITE" });
    expect(listed.ObjectSize).toBe(data.length);
    expect(listed.StorageClass).toBe("STANDARD");
    expect(listed.ETag).toMatch(/^[0-9a-f]{32}-3$/);
    expect(listed.ObjectParts!.TotalPartsCount).toBe(3);
    expect(listed.ObjectParts!.Parts!.map((p) => [p.PartNumber, p.Size, p.ChecksumCRC32])).toEqual(parts.map((p, i) => [i + 1, p.length, crc32(p)]));
  });

  test("FULL_OBJECT CRC32: the combined value is the CRC32 of the whole object, and the SDK validates the GET with it", async () => {
    const data = random(10 * MiB + 777);
    const parts = split(data, 5 * MiB);
    const { UploadId, completed } = await uploadParts("full.bin", parts, { ChecksumAlgorithm: "CRC32", ChecksumType: "FULL_OBJECT" });
    const done = await s.client.send(new CompleteMultipartUploadCommand({
      Bucket: bucket, Key: "full.bin", UploadId, MultipartUpload: { Parts: completed }, ChecksumCRC32: crc32(data), ChecksumType: "FULL_OBJECT",
    }));
    expect(done.ChecksumCRC32).toBe(crc32(data));
    expect(done.ChecksumType).toBe("FULL_OBJECT");
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "full.bin", ChecksumMode: "ENABLED" }));
    expect(head.ChecksumCRC32).toBe(crc32(data));
    expect(head.ChecksumType).toBe("FULL_OBJECT");
    // The SDK recomputes CRC32 over the body and throws on a mismatch.
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "full.bin", ChecksumMode: "ENABLED" }));
    expect(sameBytes(await got.Body!.transformToByteArray(), data)).toBe(true);
  });

  test("FULL_OBJECT: a wrong full-object checksum on Complete is BadDigest and the upload stays", async () => {
    const parts = [random(5 * MiB), random(100)];
    const { UploadId, completed } = await uploadParts("bad-full.bin", parts, { ChecksumAlgorithm: "CRC32", ChecksumType: "FULL_OBJECT" });
    const complete = (ChecksumCRC32: string) => s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "bad-full.bin", UploadId, MultipartUpload: { Parts: completed }, ChecksumCRC32, ChecksumType: "FULL_OBJECT" }));
    expect((await errorOf(complete("AAAAAA=="))).name).toBe("BadDigest");
    await complete(crc32(Buffer.concat(parts)));
  });

  test("COMPOSITE: a missing part checksum on Complete is InvalidRequest, a wrong one InvalidPart", async () => {
    const { UploadId, completed } = await uploadParts("parts.bin", [random(5 * MiB), random(10)], { ChecksumAlgorithm: "SHA256" });
    const complete = (Parts: CompletedPart[]) => s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "parts.bin", UploadId, MultipartUpload: { Parts } }));
    const missing = await errorOf(complete(completed.map((p) => ({ ...p, ChecksumSHA256: undefined }))));
    expect(missing.name).toBe("InvalidRequest");
    expect(missing.message).toContain("must include the checksum for each part");
    const wrong = await errorOf(complete([completed[0]!, { ...completed[1]!, ChecksumSHA256: completed[0]!.ChecksumSHA256 }]));
    expect(wrong.name).toBe("InvalidPart");
    const done = await complete(completed);
    expect(done.ChecksumSHA256).toMatch(/=-2$/);
    const listed = await s.client.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: "parts.bin", ObjectAttributes: ["Checksum"] }));
    expect(listed.Checksum).toEqual({ ChecksumSHA256: done.ChecksumSHA256, ChecksumType: "COMPOSITE" });
  });

  test("a part with another algorithm than the upload's is refused", async () => {
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "mismatch", ChecksumAlgorithm: "SHA256" }));
    const e = await errorOf(s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "mismatch", UploadId, PartNumber: 1, Body: "x", ChecksumAlgorithm: "CRC32" })));
    expect(e.name).toBe("InvalidRequest");
    expect(e.message).toBe("Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32");
  });

  test("algorithm and type pairs S3 does not allow are InvalidRequest", async () => {
    for (const [ChecksumAlgorithm, ChecksumType] of [["SHA256", "FULL_OBJECT"], ["CRC64NVME", "COMPOSITE"]] as const) {
      const e = await errorOf(s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "pair", ChecksumAlgorithm, ChecksumType })));
      expect(e.name).toBe("InvalidRequest");
    }
    const created = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "pair", ChecksumAlgorithm: "CRC64NVME" }));
    expect(created.ChecksumAlgorithm).toBe("CRC64NVME");
    expect(created.ChecksumType).toBe("FULL_OBJECT");
  });

  test("ListParts reports each part's checksum and the upload's algorithm and type", async () => {
    const parts = [random(1000), random(2000)];
    const { UploadId } = await uploadParts("listed", parts, { ChecksumAlgorithm: "CRC32" });
    const listed = await s.client.send(new ListPartsCommand({ Bucket: bucket, Key: "listed", UploadId }));
    expect(listed.ChecksumAlgorithm).toBe("CRC32");
    expect(listed.ChecksumType).toBe("COMPOSITE");
    expect(listed.Parts!.map((p) => p.ChecksumCRC32)).toEqual(parts.map(crc32));
  });
});
