// Disk faults injected through the store's seam (store/faults.ts) at each step of a write: the
// client gets a clean S3 error (503 for a full disk, 500 otherwise), what was stored before is
// intact, no temp file is left, and the next request succeeds.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, PutObjectCommand, UploadPartCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { ioError, type IoStep } from "../../src/index.ts";
import { MiB, errorOf, random, sameBytes } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";

type Code = "ENOSPC" | "EIO";
/** The armed fault: fails the `skip + 1`-th time `step` is reached, once. */
let armed: { step: IoStep; code: Code; skip: number } | undefined;
const seen: IoStep[] = [];

let s: TestServer;
let client: S3Client;
let bucket: string;
beforeAll(async () => {
  s = await startTestServer({
    fsync: true, // so that the fsync steps exist
    faults: (step) => {
      seen.push(step);
      if (armed?.step !== step) return;
      if (armed.skip-- > 0) return;
      const { code } = armed;
      armed = undefined;
      throw ioError(code, step);
    },
  });
  // No retries: each fault is one-shot, and a retry would hide it.
  client = s.makeClient({ maxAttempts: 1 });
  bucket = uniqueBucket("faults");
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => s.stop());

const body = async (key: string) => new Uint8Array(await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
const tmpFiles = () => readdirSync(join(s.dataDir, "tmp"));
const STATUS: Record<Code, [number, string]> = { ENOSPC: [503, "ServiceUnavailable"], EIO: [500, "InternalError"] };

/** Runs `write` with the fault armed and checks the error the client got. */
async function expectFault(step: IoStep, code: Code, write: () => Promise<unknown>, skip = 0) {
  armed = { step, code, skip };
  const e = await errorOf(write());
  expect(armed).toBeUndefined(); // the fault did fire
  expect([e.$metadata.httpStatusCode, e.name]).toEqual(STATUS[code]);
  expect(e.message).not.toMatch(/ at |\/tmp\/|ENOSPC|EIO|\.ts:/); // no stack, path or errno reaches the client
}

test("a PUT with --fsync reaches every step: writes, fsync of the file, rename, fsync of its folder, commit", async () => {
  seen.length = 0;
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: "steps", Body: random(3 * MiB) }));
  const order = seen.filter((step, i) => step !== seen[i - 1]);
  expect(order).toEqual(["write", "fsync", "rename", "fsync", "commit"]);
});

describe.each([["ENOSPC"], ["EIO"]] as const)("%s", (code) => {
  test.each([["write", 0], ["write", 2], ["fsync", 0], ["rename", 0], ["fsync", 1], ["commit", 0]] as const)(
    "at %s (after %i passes) an overwriting PUT fails cleanly and the old version stays", async (step, skip) => {
      const key = `put-${step}-${skip}`;
      const before = random(2 * MiB);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: before }));
      await expectFault(step, code, () => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: random(3 * MiB) })), skip);
      expect(sameBytes(await body(key), before)).toBe(true);
      expect(tmpFiles()).toEqual([]);
      // The server keeps serving: the same write now succeeds.
      const after = random(MiB);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: after }));
      expect(sameBytes(await body(key), after)).toBe(true);
    });

  test.each([["write"], ["fsync"], ["rename"], ["commit"]] as const)("at %s an UploadPart fails cleanly and can be sent again", async (step) => {
    const key = `mp-${step}`;
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const part = random(5 * MiB);
    await expectFault(step, code, () => client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: part })));
    expect(tmpFiles()).toEqual([]);
    const { ETag } = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: part }));
    // A failed commit of the completion leaves the upload as it was: it completes on the next try.
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "old" }));
    const complete = () => client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }));
    await expectFault("commit", code, complete);
    expect(new TextDecoder().decode(await body(key))).toBe("old");
    await complete();
    expect(sameBytes(await body(key), part)).toBe(true);
  });

  test("at commit a CopyObject and a DeleteObject fail cleanly and change nothing", async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "copy-src", Body: "source" }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "copy-dst", Body: "destination" }));
    await expectFault("commit", code, () => client.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy-dst", CopySource: `${bucket}/copy-src` })));
    expect(new TextDecoder().decode(await body("copy-dst"))).toBe("destination");
    await expectFault("commit", code, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "copy-dst" })));
    expect(new TextDecoder().decode(await body("copy-dst"))).toBe("destination");
  });
});

test("a fault while merging a completed upload's parts leaves the object readable from its parts", async () => {
  const key = "merge-fault";
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const parts = [random(5 * MiB), random(2 * MiB)];
  const etags = [];
  for (const [i, part] of parts.entries()) etags.push((await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: part }))).ETag);
  armed = { step: "write", code: "EIO", skip: 1 }; // the merge's second chunk
  await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })) } }));
  await s.server.settled();
  expect(armed).toBeUndefined();
  expect(sameBytes(await body(key), new Uint8Array(Buffer.concat(parts)))).toBe(true);
  expect(tmpFiles()).toEqual([]);
});
