// Headers for features s3lite does not have yet: a value that restates the default is accepted, any
// other is 501 NotImplemented naming the header, and nothing is stored. Storage classes that read back at
// once are stored and reported; content headers come back as they were sent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand,
  ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand,
} from "@aws-sdk/client-s3";
import { errorOf } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => {
  s = await startTestServer();
  bucket = uniqueBucket("hdrs");
  await s.client.send(new CreateBucketCommand({ Bucket: bucket, ACL: "private" }));
});
afterAll(() => s.stop());

const exists = (key: string) => s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);

describe("headers that restate the default are accepted", () => {
  test.each([
    ["x-amz-acl", "private"], ["x-amz-acl", "bucket-owner-full-control"], ["x-amz-server-side-encryption", "AES256"],
    ["x-amz-storage-class", "STANDARD"], ["x-amz-object-lock-legal-hold", "OFF"], ["x-amz-tagging", ""],
  ])("%s: %s", async (name, value) => {
    const key = `default-${name}-${value}`;
    const response = await fetchSigned(`${s.url}/${bucket}/${key}`, { method: "PUT", body: "x", headers: { [name]: value } });
    expect(response.status).toBe(200);
    expect(await exists(key)).toBe(true);
  });
});

describe("anything else is 501 NotImplemented naming the header, and stores nothing", () => {
  test.each([
    ["x-amz-acl", "public-read"], ["x-amz-grant-read", 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'],
    ["x-amz-server-side-encryption", "aws:kms"], ["x-amz-server-side-encryption-customer-algorithm", "AES256"],
    ["x-amz-object-lock-mode", "GOVERNANCE"], ["x-amz-object-lock-legal-hold", "ON"], ["x-amz-tagging", "team=data"],
    ["x-amz-website-redirect-location", "/other"], ["x-amz-storage-class", "GLACIER"],
  ])("PutObject with %s: %s", async (name, value) => {
    const key = `refused-${name}`;
    const response = await fetchSigned(`${s.url}/${bucket}/${key}`, { method: "PUT", body: "x", headers: { [name]: value } });
    expect(response.status).toBe(501);
    const body = await response.text();
    expect(body).toContain("<Code>NotImplemented</Code>");
    expect(body).toContain(`<Header>${name}</Header>`);
    expect(await exists(key)).toBe(false);
  });

  test("through the SDK: PutObject with Tagging, CreateMultipartUpload with SSE-KMS, CopyObject with an ACL, CreateBucket public-read", async () => {
    expect((await errorOf(s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "sdk-tag", Body: "x", Tagging: "a=b" })))).name).toBe("NotImplemented");
    expect(await exists("sdk-tag")).toBe(false);
    expect((await errorOf(s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "sdk-kms", ServerSideEncryption: "aws:kms" })))).name).toBe("NotImplemented");
    expect((await s.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: "sdk-kms" }))).Uploads).toBeUndefined();
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "sdk-src", Body: "x" }));
    expect((await errorOf(s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "sdk-copy", CopySource: `${bucket}/sdk-src`, ACL: "public-read" })))).name).toBe("NotImplemented");
    expect(await exists("sdk-copy")).toBe(false);
    const other = uniqueBucket("pub");
    expect((await errorOf(s.client.send(new CreateBucketCommand({ Bucket: other, ACL: "public-read" })))).name).toBe("NotImplemented");
    expect((await errorOf(s.client.send(new HeadBucketCommand({ Bucket: other })))).$metadata.httpStatusCode).toBe(404);
  });
});

describe("storage classes", () => {
  test("a class that reads back at once is stored, returned by HEAD and GET, and listed", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "class/ia", Body: "x", StorageClass: "STANDARD_IA" }));
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "class/ia" }))).StorageClass).toBe("STANDARD_IA");
    expect((await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "class/ia" }))).StorageClass).toBe("STANDARD_IA");
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "class/std", Body: "x" }));
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "class/std" }))).StorageClass).toBeUndefined();
    const listed = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "class/" }));
    expect(listed.Contents!.map((o) => [o.Key, o.StorageClass])).toEqual([["class/ia", "STANDARD_IA"], ["class/std", "STANDARD"]]);
  });

  test("a copy takes the class the request names (STANDARD when none), and may change only the class of an object in place", async () => {
    await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "class/copy", CopySource: `${bucket}/class/ia` }));
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "class/copy" }))).StorageClass).toBeUndefined();
    await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "class/copy", CopySource: `${bucket}/class/copy`, StorageClass: "ONEZONE_IA" }));
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "class/copy" }))).StorageClass).toBe("ONEZONE_IA");
  });

  test("a class that does not exist is 400 InvalidStorageClass", async () => {
    const response = await fetchSigned(`${s.url}/${bucket}/class/bogus`, { method: "PUT", body: "x", headers: { "x-amz-storage-class": "SUPER_FAST" } });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("<Code>InvalidStorageClass</Code>");
  });
});

describe("content headers come back as sent", () => {
  test.each([
    ["deflate, gzip", "deflate, gzip"], ["gzip", "gzip"], ["aws-chunked, gzip", "gzip"], ["gzip,aws-chunked", "gzip"],
  ])("Content-Encoding %j is stored as %j", async (sent, stored) => {
    const key = `enc-${sent}`;
    expect((await fetchSigned(`${s.url}/${bucket}/${encodeURIComponent(key)}`, { method: "PUT", body: "x", headers: { "content-encoding": sent } })).status).toBe(200);
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentEncoding).toBe(stored);
  });
});
