// SSE-KMS with local keys against a real server: the AWS managed alias/aws/s3 key and configured keys named
// by ID, ARN, alias and alias ARN; KMS.NotFoundException for others; bucket default encryption with aws:kms;
// multipart, copies between keys and modes, form uploads; bytes at rest are ciphertext under a data key of
// each object's own; a bucket policy on the key ID; after a restart; boto3 and the AWS CLI.
import { newBucket as createBucket } from "../helpers/suite.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeletePublicAccessBlockCommand, GetBucketEncryptionCommand, GetObjectCommand,
  HeadObjectCommand, PutBucketEncryptionCommand, PutBucketPolicyCommand, PutObjectCommand, UploadPartCommand, UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { S3Client } from "@aws-sdk/client-s3";
import { startServer } from "../../src/index.ts";
import { accountIdFor } from "../../src/core/access/identities.ts";
import { resolveConfig } from "../../src/core/config.ts";
import { errorOf, filesUnder, random } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { hasAwsCli, hasBoto3, run, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS, TEST_CREDENTIALS } from "../setup.ts";

const APP_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_KEY_ID = "0f9b04ee-ab13-4f35-a2b2-d0902bfe6a1e";
const KMS_KEYS = [{ id: APP_KEY_ID, aliases: ["alias/app"] }, { id: OTHER_KEY_ID, aliases: ["alias/other"], material: Buffer.alloc(32, 9).toString("base64") }];
const ACCOUNT = accountIdFor(TEST_CREDENTIALS.accessKeyId);
const arnOf = (id: string) => `arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}`;

let s: TestServer;
beforeAll(async () => { s = await startTestServer({ kmsKeys: KMS_KEYS }); });
afterAll(() => s.stop());

const newBucket = (label: string) => createBucket(s.client, label);
const bytesOf = async (got: { Body?: { transformToByteArray(): Promise<Uint8Array> } }) => Buffer.from(await got.Body!.transformToByteArray());
const md5Hex = (bytes: Uint8Array) => new Bun.CryptoHasher("md5").update(bytes).digest("hex");
const contextHeader = (context: Record<string, string>) => Buffer.from(JSON.stringify(context)).toString("base64");

describe("SSE-KMS: PutObject, GetObject, HeadObject", () => {
  test("aws:kms without a key ID uses the AWS managed key (alias/aws/s3); reads need no key and report it", async () => {
    const Bucket = await newBucket("kms-managed");
    const body = random(70_001);
    const put = await s.client.send(new PutObjectCommand({ Bucket, Key: "k", Body: body, ServerSideEncryption: "aws:kms" }));
    expect(put.ServerSideEncryption).toBe("aws:kms");
    expect(put.SSEKMSKeyId).toMatch(new RegExp(`^arn:aws:kms:us-east-1:${ACCOUNT}:key/[0-9a-f-]{36}$`));
    expect(put.BucketKeyEnabled).toBeUndefined();
    // As on AWS, an SSE-KMS ETag is not the plaintext's MD5.
    expect(put.ETag).not.toBe(`"${md5Hex(body)}"`);
    const got = await s.client.send(new GetObjectCommand({ Bucket, Key: "k" }));
    expect(got.ServerSideEncryption).toBe("aws:kms");
    expect(got.SSEKMSKeyId).toBe(put.SSEKMSKeyId);
    expect(got.ETag).toBe(put.ETag);
    expect((await bytesOf(got)).equals(Buffer.from(body))).toBe(true);
    for (const [start, end] of [[0, 0], [15, 16], [4095, 70_000]] as const) {
      const ranged = await s.client.send(new GetObjectCommand({ Bucket, Key: "k", Range: `bytes=${start}-${end}` }));
      expect((await bytesOf(ranged)).equals(Buffer.from(body.subarray(start, end + 1)))).toBe(true);
    }
    const head = await s.client.send(new HeadObjectCommand({ Bucket, Key: "k" }));
    expect([head.ServerSideEncryption, head.SSEKMSKeyId, head.ContentLength]).toEqual(["aws:kms", put.SSEKMSKeyId, body.length]);
    // The managed key is one key: a second object names the same ARN.
    const again = await s.client.send(new PutObjectCommand({ Bucket, Key: "k2", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/aws/s3" }));
    expect(again.SSEKMSKeyId).toBe(put.SSEKMSKeyId);
  });

  test("a configured key by ID, ARN, alias and alias ARN is one key; the bucket key flag comes back", async () => {
    const Bucket = await newBucket("kms-named");
    for (const name of [APP_KEY_ID, arnOf(APP_KEY_ID), "alias/app", `arn:aws:kms:us-east-1:${ACCOUNT}:alias/app`]) {
      const put = await s.client.send(new PutObjectCommand({ Bucket, Key: name, Body: `under ${name}`, ServerSideEncryption: "aws:kms", SSEKMSKeyId: name }));
      expect(put.SSEKMSKeyId).toBe(arnOf(APP_KEY_ID));
      expect(await (await s.client.send(new GetObjectCommand({ Bucket, Key: name }))).Body!.transformToString()).toBe(`under ${name}`);
    }
    const flagged = await s.client.send(new PutObjectCommand({ Bucket, Key: "bk", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/other", BucketKeyEnabled: true }));
    expect([flagged.SSEKMSKeyId, flagged.BucketKeyEnabled]).toEqual([arnOf(OTHER_KEY_ID), true]);
    const head = await s.client.send(new HeadObjectCommand({ Bucket, Key: "bk" }));
    expect([head.SSEKMSKeyId, head.BucketKeyEnabled]).toEqual([arnOf(OTHER_KEY_ID), true]);
  });

  test("an unknown key is 400 KMS.NotFoundException, worded as KMS words it, and nothing is stored", async () => {
    const Bucket = await newBucket("kms-unknown");
    const cases: [string, string][] = [
      ["02de8641-eea1-4115-8aa2-daf8b1e9b52f", `Key '${arnOf("02de8641-eea1-4115-8aa2-daf8b1e9b52f")}' does not exist`],
      [arnOf("02de8641-eea1-4115-8aa2-daf8b1e9b52f"), `Key '${arnOf("02de8641-eea1-4115-8aa2-daf8b1e9b52f")}' does not exist`],
      ["alias/missing", `Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/missing is not found.`],
      ["aws/s3", "Invalid keyId aws/s3"],
    ];
    for (const [name, message] of cases) {
      const error = await errorOf(s.client.send(new PutObjectCommand({ Bucket, Key: "k", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: name })));
      expect([error.$metadata.httpStatusCode, error.name, error.message]).toEqual([400, "KMS.NotFoundException", message]);
    }
    expect((await errorOf(s.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "m", ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/missing" })))).name).toBe("KMS.NotFoundException");
    expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket, Key: "k" })))).$metadata.httpStatusCode).toBe(404);
  });

  test("AWS's refusals: a key ID or context without aws:kms, a malformed context, an unknown algorithm, SSE-C headers on reads", async () => {
    const Bucket = await newBucket("kms-refusals");
    const put = (headers: Record<string, string>) => fetchSigned(`${s.url}/${Bucket}/k`, { method: "PUT", body: "x", headers });
    const codeOf = async (response: Response) => [response.status, /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1]];
    expect(await codeOf(await put({ "x-amz-server-side-encryption-aws-kms-key-id": "alias/app" }))).toEqual([400, "InvalidArgument"]);
    expect(await codeOf(await put({ "x-amz-server-side-encryption": "AES256", "x-amz-server-side-encryption-aws-kms-key-id": "alias/app" }))).toEqual([400, "InvalidArgument"]);
    expect(await codeOf(await put({ "x-amz-server-side-encryption-context": contextHeader({ a: "b" }) }))).toEqual([400, "InvalidArgument"]);
    expect(await codeOf(await put({ "x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-context": "not base64 json" }))).toEqual([400, "InvalidArgument"]);
    expect(await codeOf(await put({ "x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-context": Buffer.from('{"n":1}').toString("base64") }))).toEqual([400, "InvalidArgument"]);
    // Buffer's lenient base64 would read "e30!!!" as "{}": KMS reads it as what it is, not base64.
    expect(await codeOf(await put({ "x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-context": "e30!!!" }))).toEqual([400, "InvalidArgument"]);
    // A customer key with KMS headers is two encryptions at once.
    const customer = Buffer.alloc(32, 2);
    const customerHeaders = {
      "x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": customer.toString("base64"),
      "x-amz-server-side-encryption-customer-key-md5": new Bun.CryptoHasher("md5").update(customer).digest("base64"),
    };
    expect(await codeOf(await put({ ...customerHeaders, "x-amz-server-side-encryption-aws-kms-key-id": "alias/app" }))).toEqual([400, "InvalidArgument"]);
    expect(await codeOf(await put({ ...customerHeaders, "x-amz-server-side-encryption-context": contextHeader({ a: "b" }) }))).toEqual([400, "InvalidArgument"]);
    expect(await codeOf(await put({ "x-amz-server-side-encryption": "rot13" }))).toEqual([400, "InvalidArgument"]);
    expect(await codeOf(await put({ "x-amz-server-side-encryption": "aws:kms:dsse" }))).toEqual([501, "NotImplemented"]);
    expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket, Key: "k" })))).$metadata.httpStatusCode).toBe(404);

    // An encryption context is bound to the data key and returned by the write that gave it.
    const context = contextHeader({ project: "s3lite", stage: "test" });
    const withContext = await put({ "x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-context": context });
    expect(withContext.status).toBe(200);
    expect(withContext.headers.get("x-amz-server-side-encryption-context")).toBe(context);
    expect(await (await s.client.send(new GetObjectCommand({ Bucket, Key: "k" }))).Body!.transformToString()).toBe("x");
    // Reads do not name an encryption: AWS answers 400 to one that does, whatever the object.
    for (const method of ["GET", "HEAD"]) {
      for (const value of ["aws:kms", "AES256"]) {
        const read = await fetchSigned(`${s.url}/${Bucket}/k`, { method, headers: { "x-amz-server-side-encryption": value } });
        expect(read.status).toBe(400);
      }
    }
    // SSE-C parameters do not apply to an SSE-KMS object.
    const key = Buffer.alloc(32, 1);
    const error = await errorOf(s.client.send(new GetObjectCommand({ Bucket, Key: "k", SSECustomerAlgorithm: "AES256", SSECustomerKey: key.toString("base64") })));
    expect([error.$metadata.httpStatusCode, error.name]).toEqual([400, "InvalidRequest"]);
  });

  test("the same plaintext twice is two ciphertexts under two data keys; no plaintext in the data folder", async () => {
    if (s.store !== "disk") return;
    const Bucket = await newBucket("kms-rest");
    const plaintext = Buffer.from(`kms plaintext that must not be found ${crypto.randomUUID()} `.repeat(60));
    const one = await s.client.send(new PutObjectCommand({ Bucket, Key: "one", Body: plaintext, ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/app" }));
    const two = await s.client.send(new PutObjectCommand({ Bucket, Key: "two", Body: plaintext, ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/app" }));
    expect(one.ETag).not.toBe(two.ETag);
    // A multipart SSE-KMS object too (its parts are never merged into plaintext).
    const upload = await s.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "mp", ServerSideEncryption: "aws:kms" }));
    const part = await s.client.send(new UploadPartCommand({ Bucket, Key: "mp", UploadId: upload.UploadId, PartNumber: 1, Body: plaintext }));
    await s.client.send(new CompleteMultipartUploadCommand({ Bucket, Key: "mp", UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    const files = filesUnder(s.dataDir);
    expect(files.filter((f) => f.bytes.includes(plaintext.subarray(0, 40))).map((f) => f.path)).toEqual([]);
    // The other key's material, given in the configuration, is not written to the folder.
    expect(files.filter((f) => f.bytes.includes(Buffer.from(KMS_KEYS[1]!.material!))).map((f) => f.path)).toEqual([]);
    expect(Buffer.concat(await Promise.all(["one", "two", "mp"].map(async (Key) => bytesOf(await s.client.send(new GetObjectCommand({ Bucket, Key }))))))
      .equals(Buffer.concat([plaintext, plaintext, plaintext]))).toBe(true);
  });
});

describe("SSE-KMS as a bucket default", () => {
  test("writes that name no encryption get the default's key; AES256 on the request overrides it; Get answers it", async () => {
    const Bucket = await newBucket("kms-default");
    await s.client.send(new PutBucketEncryptionCommand({
      Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "alias/app" }, BucketKeyEnabled: true }] },
    }));
    const rule = (await s.client.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration!.Rules![0]!;
    expect(rule).toEqual({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "alias/app" }, BucketKeyEnabled: true });

    const put = await s.client.send(new PutObjectCommand({ Bucket, Key: "by-default", Body: "default bytes" }));
    expect([put.ServerSideEncryption, put.SSEKMSKeyId, put.BucketKeyEnabled]).toEqual(["aws:kms", arnOf(APP_KEY_ID), true]);
    const plain = await s.client.send(new PutObjectCommand({ Bucket, Key: "sse-s3", Body: "plain bytes", ServerSideEncryption: "AES256" }));
    expect([plain.ServerSideEncryption, plain.SSEKMSKeyId]).toEqual(["AES256", undefined]);
    // aws:kms without a key ID on the request is the AWS managed key, not the default's.
    const managed = await s.client.send(new PutObjectCommand({ Bucket, Key: "managed", Body: "x", ServerSideEncryption: "aws:kms" }));
    expect(managed.SSEKMSKeyId).not.toBe(arnOf(APP_KEY_ID));

    const upload = await s.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "mp" }));
    expect([upload.ServerSideEncryption, upload.SSEKMSKeyId]).toEqual(["aws:kms", arnOf(APP_KEY_ID)]);
    const copy = await s.client.send(new CopyObjectCommand({ Bucket, Key: "copy", CopySource: `${Bucket}/sse-s3` }));
    expect([copy.ServerSideEncryption, copy.SSEKMSKeyId]).toEqual(["aws:kms", arnOf(APP_KEY_ID)]);
    expect(await (await s.client.send(new GetObjectCommand({ Bucket, Key: "copy" }))).Body!.transformToString()).toBe("plain bytes");

    // A form upload (PostObject) is encrypted by the default too.
    const post = await createPresignedPost(s.client, { Bucket, Key: "posted", Expires: 300 });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append("file", new Blob(["posted bytes"]), "posted.txt");
    const posted = await fetch(post.url, { method: "POST", body: form });
    expect(posted.status).toBe(204);
    expect(posted.headers.get("x-amz-server-side-encryption")).toBe("aws:kms");
    const head = await s.client.send(new HeadObjectCommand({ Bucket, Key: "posted" }));
    expect([head.ServerSideEncryption, head.SSEKMSKeyId]).toEqual(["aws:kms", arnOf(APP_KEY_ID)]);
    expect(await (await s.client.send(new GetObjectCommand({ Bucket, Key: "posted" }))).Body!.transformToString()).toBe("posted bytes");
  });

  test("a key ID or context alone is refused even where the default is aws:kms; the request's bucket key flag wins over the default's", async () => {
    const Bucket = await newBucket("kms-default-headers");
    await s.client.send(new PutBucketEncryptionCommand({
      Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: APP_KEY_ID }, BucketKeyEnabled: true }] },
    }));
    const bare: Record<string, string>[] = [{ "x-amz-server-side-encryption-aws-kms-key-id": "alias/other" }, { "x-amz-server-side-encryption-context": contextHeader({ a: "b" }) }];
    for (const headers of bare) {
      const response = await fetchSigned(`${s.url}/${Bucket}/bare`, { method: "PUT", body: "x", headers });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("requires HTTP header x-amz-server-side-encryption : aws:kms");
    }
    const unflagged = await s.client.send(new PutObjectCommand({ Bucket, Key: "no-bucket-key", Body: "x", BucketKeyEnabled: false }));
    expect([unflagged.SSEKMSKeyId, unflagged.BucketKeyEnabled]).toEqual([arnOf(APP_KEY_ID), undefined]);
  });

  test("a default naming a key this server lacks is stored, as on AWS, and writes under it are KMS.NotFoundException", async () => {
    const Bucket = await newBucket("kms-default-missing");
    await s.client.send(new PutBucketEncryptionCommand({
      Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "alias/not-here" } }] },
    }));
    expect((await errorOf(s.client.send(new PutObjectCommand({ Bucket, Key: "k", Body: "x" })))).name).toBe("KMS.NotFoundException");
    expect((await s.client.send(new PutObjectCommand({ Bucket, Key: "k", Body: "x", ServerSideEncryption: "AES256" }))).ServerSideEncryption).toBe("AES256");
  });
});

describe("SSE-KMS: multipart uploads and copies", () => {
  test("every part is encrypted under the upload's data key; reads across parts and by part; UploadPartCopy out of it", async () => {
    const Bucket = await newBucket("kms-mp");
    const parts = [random(5 * 1024 * 1024), random(1_234_567)];
    const upload = await s.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "mp", ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/other", BucketKeyEnabled: true }));
    expect([upload.ServerSideEncryption, upload.SSEKMSKeyId, upload.BucketKeyEnabled]).toEqual(["aws:kms", arnOf(OTHER_KEY_ID), true]);
    const etags: string[] = [];
    for (const [i, Body] of parts.entries()) {
      const part = await s.client.send(new UploadPartCommand({ Bucket, Key: "mp", UploadId: upload.UploadId, PartNumber: i + 1, Body }));
      expect([part.ServerSideEncryption, part.SSEKMSKeyId]).toEqual(["aws:kms", arnOf(OTHER_KEY_ID)]);
      etags.push(part.ETag!);
    }
    const done = await s.client.send(new CompleteMultipartUploadCommand({ Bucket, Key: "mp", UploadId: upload.UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })) } }));
    expect([done.ServerSideEncryption, done.SSEKMSKeyId, done.BucketKeyEnabled]).toEqual(["aws:kms", arnOf(OTHER_KEY_ID), true]);
    const whole = Buffer.concat(parts);
    expect((await bytesOf(await s.client.send(new GetObjectCommand({ Bucket, Key: "mp" })))).equals(whole)).toBe(true);
    const across = await s.client.send(new GetObjectCommand({ Bucket, Key: "mp", Range: "bytes=5242870-5242899" }));
    expect((await bytesOf(across)).equals(whole.subarray(5242870, 5242900))).toBe(true);
    const second = await s.client.send(new GetObjectCommand({ Bucket, Key: "mp", PartNumber: 2 }));
    expect((await bytesOf(second)).equals(Buffer.from(parts[1]!))).toBe(true);

    // Out of the SSE-KMS object into a plain (SSE-S3) upload: decrypted on the way.
    const plain = await s.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "plain", ServerSideEncryption: "AES256" }));
    const copied = await s.client.send(new UploadPartCopyCommand({ Bucket, Key: "plain", UploadId: plain.UploadId, PartNumber: 1, CopySource: `${Bucket}/mp`, CopySourceRange: "bytes=100-5242979" }));
    await s.client.send(new CompleteMultipartUploadCommand({ Bucket, Key: "plain", UploadId: plain.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: copied.CopyPartResult!.ETag }] } }));
    const got = await s.client.send(new GetObjectCommand({ Bucket, Key: "plain" }));
    expect(got.ServerSideEncryption).toBe("AES256");
    expect((await bytesOf(got)).equals(whole.subarray(100, 5242980))).toBe(true);
  }, SLOW_TEST_MS);

  test("CopyObject changes an object's key, or its mode, either way; an in-place copy re-encrypts", async () => {
    const Bucket = await newBucket("kms-copy");
    const body = random(300_000);
    await s.client.send(new PutObjectCommand({ Bucket, Key: "src", Body: body, ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/app" }));
    const read = async (Key: string) => {
      const got = await s.client.send(new GetObjectCommand({ Bucket, Key }));
      return [got.ServerSideEncryption, got.SSEKMSKeyId, (await bytesOf(got)).equals(Buffer.from(body))];
    };
    const rekeyed = await s.client.send(new CopyObjectCommand({ Bucket, Key: "other", CopySource: `${Bucket}/src`, ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/other" }));
    expect(rekeyed.SSEKMSKeyId).toBe(arnOf(OTHER_KEY_ID));
    expect(await read("other")).toEqual(["aws:kms", arnOf(OTHER_KEY_ID), true]);
    // Without encryption headers the copy is the destination's default (SSE-S3 here), never the source's.
    await s.client.send(new CopyObjectCommand({ Bucket, Key: "plain", CopySource: `${Bucket}/src` }));
    expect(await read("plain")).toEqual(["AES256", undefined, true]);
    await s.client.send(new CopyObjectCommand({ Bucket, Key: "back", CopySource: `${Bucket}/plain`, ServerSideEncryption: "aws:kms" }));
    expect((await read("back"))[0]).toBe("aws:kms");
    // SSE-C into SSE-KMS.
    const key = Buffer.alloc(32, 4), keyMd5 = new Bun.CryptoHasher("md5").update(key).digest("base64");
    await s.client.send(new PutObjectCommand({ Bucket, Key: "ssec", Body: body, SSECustomerAlgorithm: "AES256", SSECustomerKey: key.toString("base64"), SSECustomerKeyMD5: keyMd5 }));
    await s.client.send(new CopyObjectCommand({
      Bucket, Key: "from-ssec", CopySource: `${Bucket}/ssec`, ServerSideEncryption: "aws:kms", SSEKMSKeyId: APP_KEY_ID,
      CopySourceSSECustomerAlgorithm: "AES256", CopySourceSSECustomerKey: key.toString("base64"), CopySourceSSECustomerKeyMD5: keyMd5,
    }));
    expect(await read("from-ssec")).toEqual(["aws:kms", arnOf(APP_KEY_ID), true]);
    // In place: naming an encryption counts as a change (how objects are re-encrypted on AWS).
    const inPlace = await s.client.send(new CopyObjectCommand({ Bucket, Key: "src", CopySource: `${Bucket}/src`, ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/other" }));
    expect(inPlace.SSEKMSKeyId).toBe(arnOf(OTHER_KEY_ID));
    expect(await read("src")).toEqual(["aws:kms", arnOf(OTHER_KEY_ID), true]);
  });
});

test("a form upload naming aws:kms and a key in its fields; an encryption context through a multipart upload", async () => {
  const Bucket = await newBucket("kms-form");
  const post = await createPresignedPost(s.client, {
    Bucket, Key: "form", Expires: 300,
    Fields: { "x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": "alias/other" },
  });
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
  form.append("file", new Blob(["form bytes"]), "form.txt");
  expect((await fetch(post.url, { method: "POST", body: form })).status).toBe(204);
  const head = await s.client.send(new HeadObjectCommand({ Bucket, Key: "form" }));
  expect([head.ServerSideEncryption, head.SSEKMSKeyId]).toEqual(["aws:kms", arnOf(OTHER_KEY_ID)]);
  expect(await (await s.client.send(new GetObjectCommand({ Bucket, Key: "form" }))).Body!.transformToString()).toBe("form bytes");

  const context = contextHeader({ team: "storage" });
  const upload = await s.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "mp", ServerSideEncryption: "aws:kms", SSEKMSEncryptionContext: context }));
  expect(upload.SSEKMSEncryptionContext).toBe(context);
  const part = await s.client.send(new UploadPartCommand({ Bucket, Key: "mp", UploadId: upload.UploadId, PartNumber: 1, Body: "context bytes" }));
  await s.client.send(new CompleteMultipartUploadCommand({ Bucket, Key: "mp", UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
  expect(await (await s.client.send(new GetObjectCommand({ Bucket, Key: "mp" }))).Body!.transformToString()).toBe("context bytes");
  // A copy gets the request's context (none here), never the source's.
  const copy = await s.client.send(new CopyObjectCommand({ Bucket, Key: "mp-copy", CopySource: `${Bucket}/mp`, ServerSideEncryption: "aws:kms" }));
  expect(copy.SSEKMSEncryptionContext).toBeUndefined();
  expect(await (await s.client.send(new GetObjectCommand({ Bucket, Key: "mp-copy" }))).Body!.transformToString()).toBe("context bytes");
});

test("SSE-KMS objects are served to SigV4 requests only: an anonymous read a policy allows is 400, as on AWS", async () => {
  const Bucket = await newBucket("kms-anonymous");
  await s.client.send(new PutObjectCommand({ Bucket, Key: "sealed", Body: "kms", ServerSideEncryption: "aws:kms" }));
  await s.client.send(new PutObjectCommand({ Bucket, Key: "plain", Body: "plain" }));
  await s.client.send(new DeletePublicAccessBlockCommand({ Bucket }));
  await s.client.send(new PutBucketPolicyCommand({
    Bucket, Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${Bucket}/*` }] }),
  }));
  expect(await (await fetch(`${s.url}/${Bucket}/plain`)).text()).toBe("plain");
  const refused = await fetch(`${s.url}/${Bucket}/sealed`);
  expect(refused.status).toBe(400);
  expect(await refused.text()).toContain("require AWS Signature Version 4");
  expect((await fetch(`${s.url}/${Bucket}/sealed`, { method: "HEAD" })).status).toBe(400);
});

test("a bucket policy can require a KMS key by s3:x-amz-server-side-encryption-aws-kms-key-id", async () => {
  const Bucket = await newBucket("kms-policy");
  await s.client.send(new PutBucketPolicyCommand({
    Bucket,
    Policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: `arn:aws:s3:::${Bucket}/*`, Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": arnOf(APP_KEY_ID) } } }],
    }),
  }));
  expect((await errorOf(s.client.send(new PutObjectCommand({ Bucket, Key: "other", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: arnOf(OTHER_KEY_ID) })))).name).toBe("AccessDenied");
  expect((await errorOf(s.client.send(new PutObjectCommand({ Bucket, Key: "plain", Body: "x" })))).name).toBe("AccessDenied");
  const allowed = await s.client.send(new PutObjectCommand({ Bucket, Key: "app", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: arnOf(APP_KEY_ID) }));
  expect(allowed.SSEKMSKeyId).toBe(arnOf(APP_KEY_ID));
});

test("after a restart SSE-KMS objects read back; with their key gone from the table, KMS.NotFoundException", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "s3lite-kms-restart-"));
  try {
    const first = await startTestServer({ dataDir, kmsKeys: [{ aliases: ["alias/generated"] }] });
    const Bucket = uniqueBucket("kms-restart");
    await first.client.send(new CreateBucketCommand({ Bucket }));
    await first.client.send(new PutObjectCommand({ Bucket, Key: "named", Body: "generated material", ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/generated" }));
    await first.client.send(new PutObjectCommand({ Bucket, Key: "managed", Body: "managed key", ServerSideEncryption: "aws:kms" }));
    await first.stop();
    const second = await startTestServer({ dataDir, kmsKeys: [{ aliases: ["alias/generated"] }] });
    try {
      expect(await (await second.client.send(new GetObjectCommand({ Bucket, Key: "named" }))).Body!.transformToString()).toBe("generated material");
      expect(await (await second.client.send(new GetObjectCommand({ Bucket, Key: "managed" }))).Body!.transformToString()).toBe("managed key");
    } finally {
      await second.stop();
    }
    const third = await startTestServer({ dataDir });
    try {
      const error = await errorOf(third.client.send(new GetObjectCommand({ Bucket, Key: "named" })));
      expect([error.$metadata.httpStatusCode, error.name]).toEqual([400, "KMS.NotFoundException"]);
      // HEAD sends no bytes and needs no data key, as on AWS: it still answers.
      expect((await third.client.send(new HeadObjectCommand({ Bucket, Key: "named" }))).ServerSideEncryption).toBe("aws:kms");
      expect(await (await third.client.send(new GetObjectCommand({ Bucket, Key: "managed" }))).Body!.transformToString()).toBe("managed key");
    } finally {
      await third.stop();
    }
    // Objects find their key by its ID: another --region (so other key ARNs) leaves them readable.
    const moved = await startServer({ dataDir, region: "eu-west-1", credentials: TEST_CREDENTIALS, kmsKeys: [{ aliases: ["alias/generated"] }], logLevel: "silent" });
    const client = new S3Client({ endpoint: moved.url, region: "eu-west-1", forcePathStyle: true, credentials: TEST_CREDENTIALS });
    try {
      const got = await client.send(new GetObjectCommand({ Bucket, Key: "named" }));
      expect(await got.Body!.transformToString()).toBe("generated material");
      expect(await (await client.send(new GetObjectCommand({ Bucket, Key: "managed" }))).Body!.transformToString()).toBe("managed key");
    } finally {
      client.destroy();
      await moved.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, SLOW_TEST_MS);

test("the keys file: IDs, aliases and material checked at start, with errors that name the file and the key", () => {
  const read = (text: string) => () => resolveConfig({ "kms-keys": "keys.json" }, {}, { readText: () => text });
  const config = read(JSON.stringify({ keys: [APP_KEY_ID, "alias/only-alias", { id: OTHER_KEY_ID, aliases: ["alias/x"], material: Buffer.alloc(32).toString("base64") }] }))();
  expect(config.kmsKeys.map((k) => [k.id, k.aliases])).toEqual([[APP_KEY_ID, []], [expect.stringMatching(/^[0-9a-f-]{36}$/), ["alias/only-alias"]], [OTHER_KEY_ID, ["alias/x"]]]);
  expect(resolveConfig({}, { S3LITE_KMS_KEYS: "env.json" }, { readText: () => "[]" }).kmsKeys).toEqual([]);
  expect(read("not json")).toThrow("KMS keys file keys.json is not JSON");
  expect(read(JSON.stringify([{ aliases: ["alias/aws/mine"] }]))).toThrow("reserved");
  expect(read(JSON.stringify([{ id: APP_KEY_ID, material: "c2hvcnQ=" }]))).toThrow("KMS keys file keys.json, key 1: \"material\" must be the base64 of 32 bytes");
  expect(read(JSON.stringify([APP_KEY_ID, { id: APP_KEY_ID }]))).toThrow(`${APP_KEY_ID} is named twice`);
  expect(read(JSON.stringify([{ aliases: ["no-prefix"] }]))).toThrow("an alias is \"alias/\"");
  // KMS makes key IDs; a test names its keys with aliases (AWS would answer "Invalid keyId app").
  expect(read(JSON.stringify([{ id: "app" }]))).toThrow("\"id\" must be a key ID as KMS makes them");
  expect(read(JSON.stringify([{ id: APP_KEY_ID, materal: "typo" }]))).toThrow("unknown field \"materal\"");
});

test.skipIf(skipWithout(hasBoto3))("boto3: put_object with aws:kms and an alias, get_object and head_object report the key", async () => {
  const Bucket = await newBucket("kms-boto");
  const script = `
import json, os, sys
import boto3
from botocore.config import Config
bucket = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(s3={"addressing_style": "path"}))
put = s3.put_object(Bucket=bucket, Key="boto", Body=b"boto kms bytes", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/app")
got = s3.get_object(Bucket=bucket, Key="boto", Range="bytes=5-")
head = s3.head_object(Bucket=bucket, Key="boto")
try:
    s3.put_object(Bucket=bucket, Key="missing", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/nope")
    refused = None
except Exception as e:
    refused = e.response["Error"]["Code"]
print(json.dumps([put["ServerSideEncryption"], put["SSEKMSKeyId"], got["Body"].read().decode(), head["SSEKMSKeyId"], refused]))
`;
  const res = await run(["python3", "-", Bucket], s.env, script);
  expect(res.stderr).toBe("");
  expect(JSON.parse(res.stdout)).toEqual(["aws:kms", arnOf(APP_KEY_ID), "kms bytes", arnOf(APP_KEY_ID), "KMS.NotFoundException"]);
}, SLOW_TEST_MS);

test.skipIf(skipWithout(hasAwsCli))("the AWS CLI: cp --sse aws:kms --sse-kms-key-id, and head-object", async () => {
  const Bucket = await newBucket("kms-cli");
  const dir = mkdtempSync(join(tmpdir(), "s3lite-kms-cli-"));
  try {
    await Bun.write(join(dir, "file.txt"), "cli kms bytes");
    const cp = await run(["aws", "--endpoint-url", s.url, "s3", "cp", join(dir, "file.txt"), `s3://${Bucket}/file.txt`, "--sse", "aws:kms", "--sse-kms-key-id", "alias/app"], s.env);
    expect(cp.exitCode).toBe(0);
    const head = await run(["aws", "--endpoint-url", s.url, "s3api", "head-object", "--bucket", Bucket, "--key", "file.txt"], s.env);
    expect(JSON.parse(head.stdout)).toMatchObject({ ServerSideEncryption: "aws:kms", SSEKMSKeyId: arnOf(APP_KEY_ID) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, SLOW_TEST_MS);
