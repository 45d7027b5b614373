// SSE-S3 against a real server: `x-amz-server-side-encryption: AES256` on every response the model gives it
// (PutObject, GetObject, HeadObject, CopyObject, the multipart writes, PostObject), aws:kms:dsse refused with 501
// and nothing stored; Put/Get/DeleteBucketEncryption with AWS's validation and default; a policy denying
// PutObject without AES256; boto3.
import { newBucket as createBucket } from "../helpers/suite.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteBucketEncryptionCommand, GetBucketEncryptionCommand,
  GetObjectCommand, HeadObjectCommand, PutBucketEncryptionCommand, PutBucketPolicyCommand, PutObjectCommand, UploadPartCommand, UploadPartCopyCommand,
  type ServerSideEncryption,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { errorOf } from "../helpers/data.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { hasBoto3, run, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

const newBucket = (label: string) => createBucket(s.client, label);

const encryptionXml = (algorithm: string, extra = "") =>
  `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${algorithm}</SSEAlgorithm>${extra}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;
const md5Base64 = (text: string) => new Bun.CryptoHasher("md5").update(text).digest("base64");
/** PutBucketEncryption with a hand-written body (the SDK refuses to send some of these). */
const putEncryption = (bucket: string, body: string, headers: Record<string, string> = { "content-md5": md5Base64(body) }) =>
  fetchSigned(`${s.url}/${bucket}?encryption`, { method: "PUT", body, headers });
const algorithmOf = async (Bucket: string) => {
  const rule = (await s.client.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration!.Rules![0]!;
  return [rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, rule.BucketKeyEnabled];
};

describe("x-amz-server-side-encryption: AES256 on object responses", () => {
  test("PutObject, HeadObject and GetObject report AES256, with or without the header on the write", async () => {
    const Bucket = await newBucket("sse-put");
    expect((await s.client.send(new PutObjectCommand({ Bucket, Key: "plain", Body: "x" }))).ServerSideEncryption).toBe("AES256");
    expect((await s.client.send(new PutObjectCommand({ Bucket, Key: "asked", Body: "y", ServerSideEncryption: "AES256" }))).ServerSideEncryption).toBe("AES256");
    for (const Key of ["plain", "asked"]) {
      expect((await s.client.send(new HeadObjectCommand({ Bucket, Key }))).ServerSideEncryption).toBe("AES256");
      const got = await s.client.send(new GetObjectCommand({ Bucket, Key }));
      expect(got.ServerSideEncryption).toBe("AES256");
      await got.Body!.transformToString();
    }
    // A ranged GET is the same object.
    const ranged = await s.client.send(new GetObjectCommand({ Bucket, Key: "plain", Range: "bytes=0-0" }));
    expect(ranged.ServerSideEncryption).toBe("AES256");
    await ranged.Body!.transformToString();
  });

  test("CopyObject reports AES256, and so does its copy", async () => {
    const Bucket = await newBucket("sse-copy");
    await s.client.send(new PutObjectCommand({ Bucket, Key: "src", Body: "copy me" }));
    const copied = await s.client.send(new CopyObjectCommand({ Bucket, Key: "dst", CopySource: `${Bucket}/src`, ServerSideEncryption: "AES256" }));
    expect(copied.ServerSideEncryption).toBe("AES256");
    expect((await s.client.send(new HeadObjectCommand({ Bucket, Key: "dst" }))).ServerSideEncryption).toBe("AES256");
    // In place: naming the encryption is a change, as on AWS; without it, the copy is still illegal.
    expect((await s.client.send(new CopyObjectCommand({ Bucket, Key: "src", CopySource: `${Bucket}/src`, ServerSideEncryption: "AES256" }))).ServerSideEncryption).toBe("AES256");
    expect((await errorOf(s.client.send(new CopyObjectCommand({ Bucket, Key: "src", CopySource: `${Bucket}/src` })))).name).toBe("InvalidRequest");
  });

  test("CreateMultipartUpload, UploadPart, UploadPartCopy and CompleteMultipartUpload report AES256", async () => {
    const Bucket = await newBucket("sse-mpu");
    await s.client.send(new PutObjectCommand({ Bucket, Key: "src", Body: "tail" }));
    const created = await s.client.send(new CreateMultipartUploadCommand({ Bucket, Key: "big", ServerSideEncryption: "AES256" }));
    expect(created.ServerSideEncryption).toBe("AES256");
    const UploadId = created.UploadId!;
    const part1 = await s.client.send(new UploadPartCommand({ Bucket, Key: "big", UploadId, PartNumber: 1, Body: new Uint8Array(5 * 1024 * 1024) }));
    expect(part1.ServerSideEncryption).toBe("AES256");
    const part2 = await s.client.send(new UploadPartCopyCommand({ Bucket, Key: "big", UploadId, PartNumber: 2, CopySource: `${Bucket}/src` }));
    expect(part2.ServerSideEncryption).toBe("AES256");
    const done = await s.client.send(new CompleteMultipartUploadCommand({
      Bucket, Key: "big", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part1.ETag }, { PartNumber: 2, ETag: part2.CopyPartResult!.ETag }] },
    }));
    expect(done.ServerSideEncryption).toBe("AES256");
    // A retried completion answers the same.
    const again = await s.client.send(new CompleteMultipartUploadCommand({
      Bucket, Key: "big", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part1.ETag }, { PartNumber: 2, ETag: part2.CopyPartResult!.ETag }] },
    }));
    expect(again.ServerSideEncryption).toBe("AES256");
    expect((await s.client.send(new HeadObjectCommand({ Bucket, Key: "big" }))).ServerSideEncryption).toBe("AES256");
  });

  test("PostObject reports AES256", async () => {
    const Bucket = await newBucket("sse-post");
    const { url, fields } = await createPresignedPost(s.client, { Bucket, Key: "form", Expires: 300 });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("file", new Blob(["posted"]), "form.txt");
    const res = await fetch(url, { method: "POST", body: form });
    expect(res.status).toBe(204);
    expect(res.headers.get("x-amz-server-side-encryption")).toBe("AES256");
    expect((await s.client.send(new HeadObjectCommand({ Bucket, Key: "form" }))).ServerSideEncryption).toBe("AES256");
  });

  // SSE-KMS is implemented (sse-kms.test.ts); DSSE-KMS is not.
  test.each(["aws:kms:dsse"])("PutObject with %s is 501 naming the header, and stores nothing", async (algorithm) => {
    const Bucket = await newBucket("sse-kms");
    const error = await errorOf(s.client.send(new PutObjectCommand({ Bucket, Key: "k", Body: "x", ServerSideEncryption: algorithm as ServerSideEncryption })));
    expect(error.$metadata.httpStatusCode).toBe(501);
    expect(error.name).toBe("NotImplemented");
    expect((error as unknown as { Header?: string }).Header).toBe("x-amz-server-side-encryption");
    expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket, Key: "k" })))).$metadata.httpStatusCode).toBe(404);
  });
});

describe("PutBucketEncryption, GetBucketEncryption, DeleteBucketEncryption", () => {
  test("a bucket with none set answers SSE-S3; Put AES256 with BucketKeyEnabled round-trips; Delete answers the default again", async () => {
    const Bucket = await newBucket("sse-cfg");
    expect(await algorithmOf(Bucket)).toEqual(["AES256", false]);
    const put = await s.client.send(new PutBucketEncryptionCommand({
      Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: true }] },
    }));
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect(await algorithmOf(Bucket)).toEqual(["AES256", true]);
    // Objects written under it still report AES256.
    expect((await s.client.send(new PutObjectCommand({ Bucket, Key: "k", Body: "x" }))).ServerSideEncryption).toBe("AES256");
    const deleted = await s.client.send(new DeleteBucketEncryptionCommand({ Bucket }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(await algorithmOf(Bucket)).toEqual(["AES256", false]);
  });

  test.each(["aws:kms:dsse"])("a default of %s is 501 and changes nothing", async (algorithm) => {
    const Bucket = await newBucket("sse-cfg-kms");
    await s.client.send(new PutBucketEncryptionCommand({
      Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: true }] },
    }));
    const error = await errorOf(s.client.send(new PutBucketEncryptionCommand({
      Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: algorithm as ServerSideEncryption, KMSMasterKeyID: "alias/mine" } }] },
    })));
    expect(error.$metadata.httpStatusCode).toBe(501);
    expect(error.name).toBe("NotImplemented");
    expect(await algorithmOf(Bucket)).toEqual(["AES256", true]);
  });

  test("blocking SSE-C is 501; NONE blocks nothing and is accepted", async () => {
    const Bucket = await newBucket("sse-cfg-block");
    const blocked = (type: string) => `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BlockedEncryptionTypes><EncryptionType>${type}</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`;
    expect((await putEncryption(Bucket, blocked("SSE-C"))).status).toBe(501);
    expect(await algorithmOf(Bucket)).toEqual(["AES256", false]);
    expect((await putEncryption(Bucket, blocked("NONE"))).status).toBe(200);
    const read = await fetchSigned(`${s.url}/${Bucket}?encryption`);
    expect(await read.text()).toContain("<BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes>");
  });

  test("AWS's validation: MalformedXML, InvalidArgument for a KMS key with AES256, Content-MD5 required; none stores anything", async () => {
    const Bucket = await newBucket("sse-cfg-bad");
    const codeOf = async (res: Response) => [res.status, /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1]];
    expect(await codeOf(await putEncryption(Bucket, encryptionXml("AES512")))).toEqual([400, "MalformedXML"]);
    expect(await codeOf(await putEncryption(Bucket, "<ServerSideEncryptionConfiguration></ServerSideEncryptionConfiguration>"))).toEqual([400, "MalformedXML"]);
    expect(await codeOf(await putEncryption(Bucket, "<ServerSideEncryptionConfiguration><Rule><BucketKeyEnabled>maybe</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>"))).toEqual([400, "MalformedXML"]);
    expect(await codeOf(await putEncryption(Bucket, "<NotEncryption/>"))).toEqual([400, "MalformedXML"]);
    const twoRules = `<ServerSideEncryptionConfiguration>${"<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>".repeat(2)}</ServerSideEncryptionConfiguration>`;
    expect(await codeOf(await putEncryption(Bucket, twoRules))).toEqual([400, "MalformedXML"]);
    expect(await codeOf(await putEncryption(Bucket, encryptionXml("AES256", "<KMSMasterKeyID>alias/mine</KMSMasterKeyID>")))).toEqual([400, "InvalidArgument"]);
    const good = encryptionXml("AES256");
    expect((await codeOf(await putEncryption(Bucket, good, {})))[0]).toBe(400);
    expect(await algorithmOf(Bucket)).toEqual(["AES256", false]);
    // The SDK's own request, on a client that adds checksums only where required, carries one: accepted.
    await s.whenRequiredClient.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] } }));
    expect((await putEncryption(Bucket, good)).status).toBe(200);
  });
});

test("a bucket policy denying PutObject without x-amz-server-side-encryption: AES256 refuses plain writes", async () => {
  const Bucket = await newBucket("sse-policy");
  await s.client.send(new PutBucketPolicyCommand({
    Bucket,
    Policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "RequireSSE", Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: `arn:aws:s3:::${Bucket}/*`, Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "AES256" } } }],
    }),
  }));
  const denied = await errorOf(s.client.send(new PutObjectCommand({ Bucket, Key: "plain", Body: "x" })));
  expect(denied.$metadata.httpStatusCode).toBe(403);
  expect(denied.name).toBe("AccessDenied");
  expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket, Key: "plain" })))).$metadata.httpStatusCode).toBe(404);
  const allowed = await s.client.send(new PutObjectCommand({ Bucket, Key: "sealed", Body: "x", ServerSideEncryption: "AES256" }));
  expect(allowed.ServerSideEncryption).toBe("AES256");
});

test.skipIf(skipWithout(hasBoto3))("boto3: put_bucket_encryption, get_bucket_encryption, and ServerSideEncryption on put and head", async () => {
  const Bucket = await newBucket("sse-boto");
  const script = `
import json, os, sys
import boto3
from botocore.config import Config
bucket = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(s3={"addressing_style": "path"}))
s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]})
rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
put = s3.put_object(Bucket=bucket, Key="boto", Body=b"bytes")
head = s3.head_object(Bucket=bucket, Key="boto")
print(json.dumps([rule, put["ServerSideEncryption"], head["ServerSideEncryption"]]))
`;
  const res = await run(["python3", "-", Bucket], s.env, script);
  expect(res.stderr).toBe("");
  expect(JSON.parse(res.stdout)).toEqual([{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: true }, "AES256", "AES256"]);
}, SLOW_TEST_MS);
