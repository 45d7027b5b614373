// SSE-C against a real server: PutObject, GetObject (whole and ranged), HeadObject and GetObjectAttributes
// with the customer's key; AWS's errors without it, with another one, with a bad MD5 or length, and with a
// key for an object stored without one; bytes at rest are ciphertext and the key is stored nowhere; boto3.
import { newBucket as createBucket } from "../helpers/suite.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand, GetObjectCommand,
  HeadObjectCommand, PutObjectCommand, UploadPartCommand, UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { errorOf, filesUnder, random } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { ENTRY, hasBoto3, run, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS, TEST_CREDENTIALS } from "../setup.ts";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

const newBucket = (label: string) => createBucket(s.client, label);

const KEY = Buffer.alloc(32, 0x5a);
const OTHER_KEY = Buffer.alloc(32, 0x33);
const md5Of = (bytes: Uint8Array) => new Bun.CryptoHasher("md5").update(bytes).digest("base64");
/** The SDK's SSE-C parameters: it sends the key base64'd and computes its MD5. */
const sseC = (key: Buffer) => ({ SSECustomerAlgorithm: "AES256", SSECustomerKey: key.toString("base64"), SSECustomerKeyMD5: md5Of(key) });
const customerHeaders = (key: Buffer, md5 = md5Of(key)): Record<string, string> => ({
  "x-amz-server-side-encryption-customer-algorithm": "AES256",
  "x-amz-server-side-encryption-customer-key": key.toString("base64"),
  "x-amz-server-side-encryption-customer-key-md5": md5,
});

describe("SSE-C: PutObject, GetObject, HeadObject", () => {
  test("an object written with a key reads back with it, whole and by ranges, and reports the key's MD5", async () => {
    const Bucket = await newBucket("ssec-rw");
    const body = random(100_003);
    const put = await s.client.send(new PutObjectCommand({ Bucket, Key: "secret", Body: body, ...sseC(KEY) }));
    expect(put.SSECustomerAlgorithm).toBe("AES256");
    expect(put.SSECustomerKeyMD5).toBe(md5Of(KEY));
    expect(put.ServerSideEncryption).toBeUndefined();
    // The ETag is the MD5 of the stored ciphertext, not of the plaintext (AWS's is not either).
    expect(put.ETag).not.toBe(`"${new Bun.CryptoHasher("md5").update(body).digest("hex")}"`);

    const got = await s.client.send(new GetObjectCommand({ Bucket, Key: "secret", ...sseC(KEY) }));
    expect(got.SSECustomerAlgorithm).toBe("AES256");
    expect(got.SSECustomerKeyMD5).toBe(md5Of(KEY));
    expect(got.ETag).toBe(put.ETag);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.from(body))).toBe(true);

    for (const [start, end] of [[0, 0], [1, 16], [15, 17], [16, 31], [4095, 70_000], [100_000, 100_002]] as const) {
      const ranged = await s.client.send(new GetObjectCommand({ Bucket, Key: "secret", Range: `bytes=${start}-${end}`, ...sseC(KEY) }));
      expect(ranged.ContentRange).toBe(`bytes ${start}-${end}/${body.length}`);
      expect(Buffer.from(await ranged.Body!.transformToByteArray()).equals(Buffer.from(body.subarray(start, end + 1)))).toBe(true);
    }
    const suffix = await s.client.send(new GetObjectCommand({ Bucket, Key: "secret", Range: "bytes=-5", ...sseC(KEY) }));
    expect(Buffer.from(await suffix.Body!.transformToByteArray()).equals(Buffer.from(body.subarray(-5)))).toBe(true);

    const head = await s.client.send(new HeadObjectCommand({ Bucket, Key: "secret", ...sseC(KEY) }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.SSECustomerKeyMD5).toBe(md5Of(KEY));
    expect(head.ServerSideEncryption).toBeUndefined();
  });

  test("a large object streams through decryption, whole and from an offset", async () => {
    const Bucket = await newBucket("ssec-large");
    const body = random(9 * 1024 * 1024 + 7);
    await s.client.send(new PutObjectCommand({ Bucket, Key: "large", Body: body, ...sseC(KEY) }));
    const got = await s.client.send(new GetObjectCommand({ Bucket, Key: "large", ...sseC(KEY) }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.from(body))).toBe(true);
    const ranged = await s.client.send(new GetObjectCommand({ Bucket, Key: "large", Range: "bytes=33-", ...sseC(KEY) }));
    expect(Buffer.from(await ranged.Body!.transformToByteArray()).equals(Buffer.from(body.subarray(33)))).toBe(true);
  }, SLOW_TEST_MS);

  test("without the key: 400 InvalidRequest; with another key: 403 AccessDenied; a key for a plain object: 400", async () => {
    const Bucket = await newBucket("ssec-deny");
    await s.client.send(new PutObjectCommand({ Bucket, Key: "secret", Body: "top secret", ...sseC(KEY) }));
    await s.client.send(new PutObjectCommand({ Bucket, Key: "plain", Body: "open" }));

    const missing = await fetchSigned(`${s.url}/${Bucket}/secret`);
    expect(missing.status).toBe(400);
    const text = await missing.text();
    expect(text).toContain("<Code>InvalidRequest</Code>");
    expect(text).toContain("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.");
    expect(text).not.toContain("top secret");
    expect((await fetchSigned(`${s.url}/${Bucket}/secret`, { method: "HEAD" })).status).toBe(400);
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket, Key: "secret" })))).name).toBe("InvalidRequest");

    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket, Key: "secret", ...sseC(OTHER_KEY) })))).name).toBe("AccessDenied");
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket, Key: "secret", Range: "bytes=0-3", ...sseC(OTHER_KEY) })))).name).toBe("AccessDenied");
    const wrongHead = await fetchSigned(`${s.url}/${Bucket}/secret`, { method: "HEAD", headers: customerHeaders(OTHER_KEY) });
    expect(wrongHead.status).toBe(403);

    const onPlain = await fetchSigned(`${s.url}/${Bucket}/plain`, { headers: customerHeaders(KEY) });
    expect(onPlain.status).toBe(400);
    const plainText = await onPlain.text();
    expect(plainText).toContain("<Code>InvalidRequest</Code>");
    expect(plainText).toContain("The encryption parameters are not applicable to this object.");

    // GetObjectAttributes asks for the key too.
    const attributes = { Bucket, Key: "secret", ObjectAttributes: ["ObjectSize" as const] };
    expect((await errorOf(s.client.send(new GetObjectAttributesCommand(attributes)))).name).toBe("InvalidRequest");
    expect((await errorOf(s.client.send(new GetObjectAttributesCommand({ ...attributes, ...sseC(OTHER_KEY) })))).name).toBe("AccessDenied");
    expect((await s.client.send(new GetObjectAttributesCommand({ ...attributes, ...sseC(KEY) }))).ObjectSize).toBe(10);
  });

  test.each([
    ["a key MD5 that does not match", customerHeaders(KEY, md5Of(OTHER_KEY)), 400, "InvalidArgument", "The calculated MD5 hash of the key did not match the hash that was provided."],
    ["a key of 16 bytes", customerHeaders(Buffer.alloc(16, 1)), 400, "InvalidArgument", "The secret key was invalid for the specified algorithm."],
    ["no key MD5", { "x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": KEY.toString("base64") }, 400, "InvalidArgument",
      "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key."],
    ["no key", { "x-amz-server-side-encryption-customer-algorithm": "AES256" }, 400, "InvalidArgument",
      "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key."],
    ["no algorithm", { ...customerHeaders(KEY), "x-amz-server-side-encryption-customer-algorithm": "" }, 400, "InvalidEncryptionAlgorithmError", "Supported value: AES256."],
    ["the algorithm AES128", { ...customerHeaders(KEY), "x-amz-server-side-encryption-customer-algorithm": "AES128" }, 400, "InvalidEncryptionAlgorithmError", "Supported value: AES256."],
    ["x-amz-server-side-encryption beside it", { ...customerHeaders(KEY), "x-amz-server-side-encryption": "AES256" }, 400, "InvalidArgument",
      "Server Side Encryption with Customer provided key is incompatible with the encryption method specified"],
  ])("PutObject with %s is refused and stores nothing", async (_, headers, status, code, message) => {
    const Bucket = await newBucket("ssec-bad");
    const response = await fetchSigned(`${s.url}/${Bucket}/refused`, { method: "PUT", body: "x", headers });
    expect(response.status).toBe(status);
    const text = await response.text();
    expect(text).toContain(`<Code>${code}</Code>`);
    expect(text).toContain(message);
    expect(text).not.toContain(KEY.toString("base64"));
    expect((await fetchSigned(`${s.url}/${Bucket}/refused`, { method: "HEAD" })).status).toBe(404);
  });

  test("checksums and Content-MD5 are of the plaintext, as the client computed them", async () => {
    const Bucket = await newBucket("ssec-sum");
    const put = await s.client.send(new PutObjectCommand({ Bucket, Key: "summed", Body: "hello", ChecksumAlgorithm: "CRC32", ...sseC(KEY) }));
    expect(put.ChecksumCRC32).toBe("NhCmhg==");
    const md5 = new Bun.CryptoHasher("md5").update("hello").digest("base64");
    const ok = await fetchSigned(`${s.url}/${Bucket}/md5`, { method: "PUT", body: "hello", headers: { ...customerHeaders(KEY), "content-md5": md5 } });
    expect(ok.status).toBe(200);
    const bad = await fetchSigned(`${s.url}/${Bucket}/md5-bad`, { method: "PUT", body: "hellO", headers: { ...customerHeaders(KEY), "content-md5": md5 } });
    expect(bad.status).toBe(400);
    const got = await s.client.send(new GetObjectCommand({ Bucket, Key: "summed", ChecksumMode: "ENABLED", ...sseC(KEY) }));
    expect(got.ChecksumCRC32).toBe("NhCmhg==");
    expect(await got.Body!.transformToString()).toBe("hello");
    const empty = await s.client.send(new PutObjectCommand({ Bucket, Key: "empty", Body: "", ...sseC(KEY) }));
    expect(empty.SSECustomerKeyMD5).toBe(md5Of(KEY));
    expect(await (await s.client.send(new GetObjectCommand({ Bucket, Key: "empty", ...sseC(KEY) }))).Body!.transformToString()).toBe("");
  });

  test("the same plaintext under two keys is two blobs, neither holding the plaintext; the key is in no file", async () => {
    if (s.store !== "disk") return;
    const Bucket = await newBucket("ssec-rest");
    const plaintext = Buffer.from(`a plaintext that must not be found on disk ${crypto.randomUUID()} `.repeat(50));
    const one = await s.client.send(new PutObjectCommand({ Bucket, Key: "one", Body: plaintext, ...sseC(KEY) }));
    const two = await s.client.send(new PutObjectCommand({ Bucket, Key: "two", Body: plaintext, ...sseC(OTHER_KEY) }));
    expect(one.ETag).not.toBe(two.ETag);
    const needle = plaintext.subarray(0, 40);
    const files = filesUnder(s.dataDir);
    expect(files.filter((f) => f.bytes.includes(needle)).map((f) => f.path)).toEqual([]);
    for (const key of [KEY, OTHER_KEY]) {
      for (const form of [key, Buffer.from(key.toString("base64")), Buffer.from(key.toString("hex"))]) {
        expect(files.filter((f) => f.bytes.includes(form)).map((f) => f.path)).toEqual([]);
      }
    }
  });
});

test("the key appears in no log line (--verbose) and in no file of the data folder", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "s3lite-ssec-"));
  const credentials = `${TEST_CREDENTIALS.accessKeyId}:${TEST_CREDENTIALS.secretAccessKey}`;
  const proc = Bun.spawn([process.execPath, ENTRY, "serve", "--port", "0", "--data", dataDir, "--credentials", credentials, "--verbose"], { stdout: "pipe", stderr: "pipe" });
  const stderr = new Response(proc.stderr).text();
  const reader = proc.stdout.getReader();
  let out = "";
  try {
    while (!/listening on (\S+)/.test(out)) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`the server exited: ${out}`);
      out += new TextDecoder().decode(value);
    }
    const client = s.makeClient({ endpoint: /listening on (\S+)/.exec(out)![1]! });
    const Bucket = uniqueBucket("ssec-log");
    await client.send(new CreateBucketCommand({ Bucket }));
    await client.send(new PutObjectCommand({ Bucket, Key: "logged", Body: "quiet bytes", ...sseC(KEY) }));
    expect(await (await client.send(new GetObjectCommand({ Bucket, Key: "logged", Range: "bytes=1-3", ...sseC(KEY) }))).Body!.transformToString()).toBe("uie");
    await errorOf(client.send(new GetObjectCommand({ Bucket, Key: "logged", ...sseC(OTHER_KEY) })));
    await errorOf(client.send(new GetObjectCommand({ Bucket, Key: "logged" })));
    client.destroy();
  } finally {
    proc.kill("SIGTERM");
    void (async () => { for (;;) { const { done, value } = await reader.read(); if (done) break; out += new TextDecoder().decode(value); } })();
    await proc.exited;
  }
  const logs = out + await stderr;
  expect(logs).toContain("PutObject");
  for (const key of [KEY, OTHER_KEY]) {
    expect(logs).not.toContain(key.toString("base64"));
    expect(logs).not.toContain(key.toString("hex"));
    for (const file of filesUnder(dataDir)) {
      expect(file.bytes.includes(key)).toBe(false);
      expect(file.bytes.includes(Buffer.from(key.toString("base64")))).toBe(false);
    }
  }
  expect(filesUnder(dataDir).some((f) => f.bytes.includes(Buffer.from("quiet bytes")))).toBe(false);
  rmSync(dataDir, { recursive: true, force: true });
}, SLOW_TEST_MS);

test("an SSE-C object stays readable with its key after a restart on the same data folder", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "s3lite-ssec-restart-"));
  try {
    const first = await startTestServer({ dataDir });
    const Bucket = uniqueBucket("ssec-restart");
    await first.client.send(new CreateBucketCommand({ Bucket }));
    await first.client.send(new PutObjectCommand({ Bucket, Key: "kept", Body: "still here", ...sseC(KEY) }));
    await first.stop();
    const second = await startTestServer({ dataDir });
    try {
      expect(await (await second.client.send(new GetObjectCommand({ Bucket, Key: "kept", ...sseC(KEY) }))).Body!.transformToString()).toBe("still here");
      expect((await errorOf(second.client.send(new GetObjectCommand({ Bucket, Key: "kept", ...sseC(OTHER_KEY) })))).name).toBe("AccessDenied");
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const copySourceKey = (key: Buffer) => ({ CopySourceSSECustomerAlgorithm: "AES256", CopySourceSSECustomerKey: key.toString("base64"), CopySourceSSECustomerKeyMD5: md5Of(key) });
const bytesOf = async (got: { Body?: { transformToByteArray(): Promise<Uint8Array> } }) => Buffer.from(await got.Body!.transformToByteArray());

describe("SSE-C: multipart uploads", () => {
  test("each part is encrypted under the upload's key; the object reads back whole, by ranges across parts, and by part", async () => {
    const Bucket = await newBucket("ssec-mp");
    const one = random(5 * 1024 * 1024 + 3), two = random(1_000_001);
    const created = await s.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "mp", ...sseC(KEY) }));
    expect(created.SSECustomerKeyMD5).toBe(md5Of(KEY));
    const UploadId = created.UploadId!;
    // A part without the key, or with another one, is refused.
    expect((await errorOf(s.client.send(new UploadPartCommand({ Bucket, Key: "mp", UploadId, PartNumber: 1, Body: one })))).name).toBe("InvalidRequest");
    expect((await errorOf(s.client.send(new UploadPartCommand({ Bucket, Key: "mp", UploadId, PartNumber: 1, Body: one, ...sseC(OTHER_KEY) })))).name).toBe("InvalidArgument");
    const p1 = await s.client.send(new UploadPartCommand({ Bucket, Key: "mp", UploadId, PartNumber: 1, Body: one, ...sseC(KEY) }));
    expect(p1.SSECustomerKeyMD5).toBe(md5Of(KEY));
    const p2 = await s.client.send(new UploadPartCommand({ Bucket, Key: "mp", UploadId, PartNumber: 2, Body: two, ...sseC(KEY) }));
    const done = await s.client.send(new CompleteMultipartUploadCommand({
      Bucket, Key: "mp", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] },
    }));
    // The SDK models no SSE-C output here; the object does not claim SSE-S3.
    expect(done.ServerSideEncryption).toBeUndefined();
    await s.server.settled();
    const whole = Buffer.concat([one, two]);
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket, Key: "mp" })))).name).toBe("InvalidRequest");
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket, Key: "mp", ...sseC(OTHER_KEY) })))).name).toBe("AccessDenied");
    expect((await bytesOf(await s.client.send(new GetObjectCommand({ Bucket, Key: "mp", ...sseC(KEY) })))).equals(whole)).toBe(true);
    const across = `bytes=${one.length - 5}-${one.length + 20}`;
    expect((await bytesOf(await s.client.send(new GetObjectCommand({ Bucket, Key: "mp", Range: across, ...sseC(KEY) })))).equals(whole.subarray(one.length - 5, one.length + 21))).toBe(true);
    expect((await bytesOf(await s.client.send(new GetObjectCommand({ Bucket, Key: "mp", PartNumber: 2, ...sseC(KEY) })))).equals(two)).toBe(true);
    const head = await s.client.send(new HeadObjectCommand({ Bucket, Key: "mp", ...sseC(KEY) }));
    expect(head.ContentLength).toBe(whole.length);
    if (s.store === "disk") {
      const needle = Buffer.from(two.subarray(1000, 1064));
      expect(filesUnder(s.dataDir).filter((f) => f.bytes.includes(needle)).map((f) => f.path)).toEqual([]);
    }
    expect(head.SSECustomerAlgorithm).toBe("AES256");
  }, SLOW_TEST_MS);

  test("a one-part SSE-C upload and UploadPartCopy between keys", async () => {
    const Bucket = await newBucket("ssec-mpc");
    const body = random(300_000);
    await s.client.send(new PutObjectCommand({ Bucket, Key: "src", Body: body, ...sseC(KEY) }));
    const UploadId = (await s.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "dst", ...sseC(OTHER_KEY) }))).UploadId!;
    const copyPart = { Bucket, Key: "dst", UploadId, PartNumber: 1, CopySource: `${Bucket}/src`, CopySourceRange: "bytes=17-200016" };
    // The source's key is needed to read it, and the upload's to write the part.
    expect((await errorOf(s.client.send(new UploadPartCopyCommand({ ...copyPart, ...sseC(OTHER_KEY) })))).name).toBe("InvalidRequest");
    expect((await errorOf(s.client.send(new UploadPartCopyCommand({ ...copyPart, ...sseC(OTHER_KEY), ...copySourceKey(OTHER_KEY) })))).name).toBe("AccessDenied");
    expect((await errorOf(s.client.send(new UploadPartCopyCommand({ ...copyPart, ...copySourceKey(KEY) })))).name).toBe("InvalidRequest");
    const part = await s.client.send(new UploadPartCopyCommand({ ...copyPart, ...sseC(OTHER_KEY), ...copySourceKey(KEY) }));
    await s.client.send(new CompleteMultipartUploadCommand({ Bucket, Key: "dst", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.CopyPartResult!.ETag }] } }));
    expect((await bytesOf(await s.client.send(new GetObjectCommand({ Bucket, Key: "dst", ...sseC(OTHER_KEY) })))).equals(Buffer.from(body.subarray(17, 200017)))).toBe(true);
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket, Key: "dst", ...sseC(KEY) })))).name).toBe("AccessDenied");
    // A key for an upload created without one is refused.
    const plain = (await s.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "plain" }))).UploadId!;
    expect((await errorOf(s.client.send(new UploadPartCommand({ Bucket, Key: "plain", UploadId: plain, PartNumber: 1, Body: "x", ...sseC(KEY) })))).name).toBe("InvalidRequest");
  });
});

describe("SSE-C: CopyObject", () => {
  test("a copy needs the source's key, and may change the key, drop it, or add one", async () => {
    const Bucket = await newBucket("ssec-copy");
    const body = random(70_001);
    await s.client.send(new PutObjectCommand({ Bucket, Key: "secret", Body: body, ChecksumAlgorithm: "CRC32", ...sseC(KEY) }));
    await s.client.send(new PutObjectCommand({ Bucket, Key: "open", Body: body }));
    const copy = (Key: string, extra: object) => s.client.send(new CopyObjectCommand({ Bucket, Key, CopySource: `${Bucket}/secret`, ...extra }));
    expect((await errorOf(copy("copy", {}))).name).toBe("InvalidRequest");
    expect((await errorOf(copy("copy", { MetadataDirective: "REPLACE" }))).name).toBe("InvalidRequest");
    expect((await errorOf(copy("copy", sseC(KEY)))).name).toBe("InvalidRequest");
    expect((await errorOf(copy("copy", copySourceKey(OTHER_KEY)))).name).toBe("AccessDenied");
    expect((await fetchSigned(`${s.url}/${Bucket}/copy`, { method: "HEAD" })).status).toBe(404);

    // To another key: readable with the new key only.
    const rekeyed = await copy("rekeyed", { ...copySourceKey(KEY), ...sseC(OTHER_KEY) });
    expect(rekeyed.SSECustomerKeyMD5).toBe(md5Of(OTHER_KEY));
    expect((await bytesOf(await s.client.send(new GetObjectCommand({ Bucket, Key: "rekeyed", ...sseC(OTHER_KEY) })))).equals(Buffer.from(body))).toBe(true);
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket, Key: "rekeyed", ...sseC(KEY) })))).name).toBe("AccessDenied");
    // The checksum stays the plaintext's.
    const summed = await s.client.send(new GetObjectCommand({ Bucket, Key: "rekeyed", ChecksumMode: "ENABLED", ...sseC(OTHER_KEY) }));
    const original = await s.client.send(new HeadObjectCommand({ Bucket, Key: "secret", ChecksumMode: "ENABLED", ...sseC(KEY) }));
    expect(summed.ChecksumCRC32).toBe(original.ChecksumCRC32!);
    await summed.Body!.transformToByteArray();

    // Decrypted: a plain object again, with the plaintext's MD5 as its ETag.
    const decrypted = await copy("decrypted", copySourceKey(KEY));
    expect(decrypted.CopyObjectResult!.ETag).toBe(`"${new Bun.CryptoHasher("md5").update(body).digest("hex")}"`);
    expect((await bytesOf(await s.client.send(new GetObjectCommand({ Bucket, Key: "decrypted" })))).equals(Buffer.from(body))).toBe(true);

    // A plain object encrypted by a copy, and an in-place copy that changes the key.
    await s.client.send(new CopyObjectCommand({ Bucket, Key: "encrypted", CopySource: `${Bucket}/open`, ...sseC(KEY) }));
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket, Key: "encrypted" })))).name).toBe("InvalidRequest");
    expect((await errorOf(s.client.send(new CopyObjectCommand({ Bucket, Key: "x", CopySource: `${Bucket}/open`, ...copySourceKey(KEY) })))).name).toBe("InvalidRequest");
    await s.client.send(new CopyObjectCommand({ Bucket, Key: "encrypted", CopySource: `${Bucket}/encrypted`, ...copySourceKey(KEY), ...sseC(OTHER_KEY) }));
    expect((await bytesOf(await s.client.send(new GetObjectCommand({ Bucket, Key: "encrypted", Range: "bytes=100-199", ...sseC(OTHER_KEY) })))).equals(Buffer.from(body.subarray(100, 200)))).toBe(true);
  });
});

test.skipIf(skipWithout(hasBoto3))("boto3: put_object, get_object and head_object with SSECustomerKey", async () => {
  const Bucket = await newBucket("ssec-boto");
  const script = `
import json, os, sys
import boto3
from botocore.config import Config
bucket = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(s3={"addressing_style": "path"}))
key = bytes([7]) * 32
put = s3.put_object(Bucket=bucket, Key="boto", Body=b"boto bytes", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
got = s3.get_object(Bucket=bucket, Key="boto", SSECustomerAlgorithm="AES256", SSECustomerKey=key, Range="bytes=5-")
head = s3.head_object(Bucket=bucket, Key="boto", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
try:
    s3.get_object(Bucket=bucket, Key="boto")
    refused = None
except Exception as e:
    refused = e.response["Error"]["Code"]
print(json.dumps([put["SSECustomerAlgorithm"], got["Body"].read().decode(), head["ContentLength"], head["SSECustomerKeyMD5"], refused]))
`;
  const res = await run(["python3", "-", Bucket], s.env, script);
  expect(res.stderr).toBe("");
  expect(JSON.parse(res.stdout)).toEqual(["AES256", "bytes", 10, md5Of(Buffer.alloc(32, 7)), "InvalidRequest"]);
}, SLOW_TEST_MS);
