// Headers for features s3lite does not have yet: a value that restates the default is accepted, any
// other is 501 NotImplemented naming the header, and nothing is stored. Storage classes that read back at
// once are stored and reported; content headers come back as they were sent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand,
  ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand,
} from "@aws-sdk/client-s3";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { errorOf } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { fetchSigned, presign } from "../helpers/signed-fetch.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => {
  s = await startTestServer();
  bucket = uniqueBucket("hdrs");
  // A bare CreateBucket: with x-amz-acl private AWS would make the bucket BucketOwnerPreferred (ACLs enabled).
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => s.stop());

const exists = (key: string) => s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);

describe("headers that restate the default are accepted", () => {
  test.each([
    ["x-amz-acl", "private"], ["x-amz-acl", "bucket-owner-full-control"], ["x-amz-server-side-encryption", "AES256"],
    ["x-amz-storage-class", "STANDARD"], ["x-amz-tagging", ""],
  ])("%s: %s", async (name, value) => {
    const key = `default-${name}-${value}`;
    const response = await fetchSigned(`${s.url}/${bucket}/${key}`, { method: "PUT", body: "x", headers: { [name]: value } });
    expect(response.status).toBe(200);
    expect(await exists(key)).toBe(true);
  });
});

describe("anything else is 501 NotImplemented naming the header, and stores nothing", () => {
  test.each([
    ["x-amz-server-side-encryption", "aws:kms:dsse"], ["x-amz-copy-source-server-side-encryption-customer-algorithm", "AES256"],
    ["x-amz-website-redirect-location", "/other"],
  ])("PutObject with %s: %s", async (name, value) => {
    const key = `refused-${name}`;
    const response = await fetchSigned(`${s.url}/${bucket}/${key}`, { method: "PUT", body: "x", headers: { [name]: value } });
    expect(response.status).toBe(501);
    const body = await response.text();
    expect(body).toContain("<Code>NotImplemented</Code>");
    expect(body).toContain(`<Header>${name}</Header>`);
    expect(await exists(key)).toBe(false);
  });

  test("through the SDK: CreateMultipartUpload with DSSE-KMS; ACLs a bucket with ACLs disabled refuses as AWS does", async () => {
    expect((await errorOf(s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "sdk-kms", ServerSideEncryption: "aws:kms:dsse" })))).name).toBe("NotImplemented");
    expect((await s.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: "sdk-kms" }))).Uploads).toBeUndefined();
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "sdk-src", Body: "x" }));
    expect((await errorOf(s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "sdk-copy", CopySource: `${bucket}/sdk-src`, ACL: "public-read" })))).name).toBe("AccessControlListNotSupported");
    expect(await exists("sdk-copy")).toBe(false);
    const other = uniqueBucket("pub");
    expect((await errorOf(s.client.send(new CreateBucketCommand({ Bucket: other, ACL: "public-read" })))).name).toBe("InvalidBucketAclWithObjectOwnership");
    expect((await errorOf(s.client.send(new HeadBucketCommand({ Bucket: other })))).$metadata.httpStatusCode).toBe(404);
  });
});

describe("ACL headers on a bucket with ACLs disabled (the default) are 400 AccessControlListNotSupported, and store nothing", () => {
  test.each([
    ["x-amz-acl", "public-read"], ["x-amz-grant-read", 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'],
  ])("PutObject with %s: %s", async (name, value) => {
    const key = `refused-${name}`;
    const response = await fetchSigned(`${s.url}/${bucket}/${key}`, { method: "PUT", body: "x", headers: { [name]: value } });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("<Code>AccessControlListNotSupported</Code>");
    expect(await exists(key)).toBe(false);
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

describe("refused before the body is read", () => {
  test("a refused storage class leaves nothing staged: no temp file, no bytes held", async () => {
    const held = async () => (s.store === "memory" ? (await s.heldBytes())! : readdirSync(join(s.dataDir, "tmp")).length);
    const before = await held();
    for (const storageClass of ["OUTPOSTS", "SUPER_FAST"]) {
      const response = await fetchSigned(`${s.url}/${bucket}/staged-${storageClass}`, { method: "PUT", body: new Uint8Array(256 * 1024), headers: { "x-amz-storage-class": storageClass } });
      expect(response.status).toBeGreaterThanOrEqual(400);
    }
    expect(await held()).toBe(before);
  });
});

describe("presigned URLs carry headers in their query, and those count too", () => {
  test("metadata and a storage class hoisted into a presigned PUT are stored; a public ACL is refused as a header would be, and stores nothing", async () => {
    const url = await getSignedUrl(s.client, new PutObjectCommand({ Bucket: bucket, Key: "presigned/meta", Metadata: { team: "data" }, StorageClass: "STANDARD_IA" }), { expiresIn: 300 });
    expect(new URL(url).searchParams.get("x-amz-meta-team")).toBe("data");
    expect((await fetch(url, { method: "PUT", body: "x" })).status).toBe(200);
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "presigned/meta" }));
    expect(head.Metadata).toEqual({ team: "data" });
    expect(head.StorageClass).toBe("STANDARD_IA");
    const acl = await getSignedUrl(s.client, new PutObjectCommand({ Bucket: bucket, Key: "presigned/acl", ACL: "public-read" }), { expiresIn: 300 });
    expect(new URL(acl).searchParams.get("x-amz-acl")).toBe("public-read");
    const refused = await fetch(acl, { method: "PUT", body: "x" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("<Code>AccessControlListNotSupported</Code>");
    expect(await exists("presigned/acl")).toBe(false);
  });

  test("hoisted parameters in any case, or with escapes in their names, are read as headers, as S3 reads them", async () => {
    // Signers other than the JS SDK's write the names as they like; the signature covers them as written.
    const url = await presign(`${s.url}/${bucket}/presigned/spelled?X-Amz-Meta-Team=data&x-amz-meta-cost%2Dcenter=42`, { method: "PUT" });
    expect((await fetch(url, { method: "PUT", body: "x" })).status).toBe(200);
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "presigned/spelled" }));
    expect(head.Metadata).toEqual({ team: "data", "cost-center": "42" });
    // The prefix itself escaped, and nothing else in the query to hoist.
    // The helper writes names plainly; the escaped spelling signs the same (the canonical query decodes it).
    const escaped = (await presign(`${s.url}/${bucket}/presigned/escaped?x-amz-meta-site=eu`, { method: "PUT" })).replace("x-amz-meta-site=", "%78-amz-meta-site=");
    expect(escaped).toContain("%78-amz-meta-site=eu");
    expect((await fetch(escaped, { method: "PUT", body: "x" })).status).toBe(200);
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "presigned/escaped" }))).Metadata).toEqual({ site: "eu" });
  });
});

describe("version ids on an unversioned bucket", () => {
  test("versionId=null names the object; any other is InvalidArgument, and nothing is read or deleted", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "versioned?", Body: "kept" }));
    for (const method of ["GET", "HEAD", "DELETE"]) {
      const response = await fetchSigned(`${s.url}/${bucket}/${encodeURIComponent("versioned?")}?versionId=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY`, { method });
      expect([method, response.status]).toEqual([method, 400]);
    }
    expect(await exists("versioned?")).toBe(true);
    expect(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "versioned?", VersionId: "null" }))).Body!.transformToString()).toBe("kept");
  });
});
