// Right after CompleteMultipartUpload: a full GET carries Content-Length (it waits for the parts to be
// merged into one blob when it comes first), and a completion retried after it succeeded answers the same.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { MiB, errorOf, random, sameBytes } from "../helpers/data.ts";
import type { TestServer } from "../helpers/server.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { startWithBucket } from "../helpers/suite.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => ({ s, bucket } = await startWithBucket("complete")));
afterAll(() => s.stop());

async function uploadParts(key: string, parts: Uint8Array[]) {
  const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const done = [];
  for (const [i, body] of parts.entries()) {
    const { ETag } = await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body }));
    done.push({ PartNumber: i + 1, ETag });
  }
  return { UploadId: UploadId!, Parts: done };
}

describe("a full GET straight after completion", () => {
  test("has ContentLength and the exact bytes, for several objects completed and read at once", async () => {
    const objects = Array.from({ length: 4 }, (_, i) => ({ key: `now/${i}`, parts: [random(5 * MiB), random(5 * MiB), random(123_457)] }));
    const uploads = await Promise.all(objects.map((o) => uploadParts(o.key, o.parts)));
    await Promise.all(objects.map(async (o, i) => {
      await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: o.key, UploadId: uploads[i]!.UploadId, MultipartUpload: { Parts: uploads[i]!.Parts } }));
      const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
      const expected = Buffer.concat(o.parts);
      expect(got.ContentLength).toBe(expected.length);
      expect(sameBytes(await got.Body!.transformToByteArray(), expected)).toBe(true);
    }));
  });

  test("a Range across parts carries its Content-Length too", async () => {
    const parts = [random(5 * MiB), random(5 * MiB)];
    const { UploadId, Parts } = await uploadParts("now/range", parts);
    await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "now/range", UploadId, MultipartUpload: { Parts } }));
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "now/range", Range: `bytes=${5 * MiB - 10}-${5 * MiB + 9}` }));
    expect(got.ContentLength).toBe(20);
    expect(sameBytes(await got.Body!.transformToByteArray(), Buffer.concat(parts).subarray(5 * MiB - 10, 5 * MiB + 10))).toBe(true);
  });
});

describe("a completion retried after it succeeded", () => {
  test("answers 200 with the same ETag and Location, and the object is unchanged", async () => {
    const parts = [random(5 * MiB), random(10)];
    const { UploadId, Parts } = await uploadParts("retry", parts);
    const first = await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "retry", UploadId, MultipartUpload: { Parts } }));
    const again = await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "retry", UploadId, MultipartUpload: { Parts } }));
    expect(again.ETag).toBe(first.ETag);
    expect(again.Location).toBe(first.Location);
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "retry" }));
    expect(got.ETag).toBe(first.ETag);
    expect(sameBytes(await got.Body!.transformToByteArray(), Buffer.concat(parts))).toBe(true);
  });

  test("under another key, or after an abort, the upload is NoSuchUpload", async () => {
    const { UploadId, Parts } = await uploadParts("retry-other", [random(10)]);
    await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "retry-other", UploadId, MultipartUpload: { Parts } }));
    expect((await errorOf(s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "elsewhere", UploadId, MultipartUpload: { Parts } })))).name).toBe("NoSuchUpload");
    const aborted = await uploadParts("aborted", [random(10)]);
    await s.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "aborted", UploadId: aborted.UploadId }));
    expect((await errorOf(s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "aborted", UploadId: aborted.UploadId, MultipartUpload: { Parts: aborted.Parts } })))).name).toBe("NoSuchUpload");
  });
});

describe("a completion racing another request", () => {
  test("an abort while the completion's body is still coming in makes it NoSuchUpload, and no object appears", async () => {
    const { UploadId, Parts } = await uploadParts("raced", [random(10)]);
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const xml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${Parts[0]!.ETag}</ETag></Part></CompleteMultipartUpload>`;
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode(xml.slice(0, 20)));
        await held;
        controller.enqueue(new TextEncoder().encode(xml.slice(20)));
        controller.close();
      },
    });
    const completing = fetchSigned(`${s.url}/${bucket}/raced?uploadId=${UploadId}`, { method: "POST", body });
    await Bun.sleep(100);
    await s.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "raced", UploadId }));
    release();
    const response = await completing;
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("<Code>NoSuchUpload</Code>");
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "raced" })))).name).toBe("NoSuchKey");
  });

  test("after reset() a completed upload is forgotten: a retry is NoSuchUpload", async () => {
    const { UploadId, Parts } = await uploadParts("reset", [random(10)]);
    await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "reset", UploadId, MultipartUpload: { Parts } }));
    await s.server.reset();
    expect((await errorOf(s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "reset", UploadId, MultipartUpload: { Parts } })))).name).toBe("NoSuchUpload");
  });
});
