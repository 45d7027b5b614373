// Object Lock against a real server with the SDK, the AWS CLI and boto3: lock-enabled buckets and their
// default retention, retention and legal holds per version, the headers of writes and reads, deletes by
// version id refused while a version is protected (GOVERNANCE yielding to a permitted bypass,
// COMPLIANCE and legal holds to no one), expiry on a moved clock, the integrity header locked writes
// need, and fsck --repair keeping protected versions.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, DeleteObjectsCommand,
  GetBucketVersioningCommand, GetObjectCommand, GetObjectLegalHoldCommand, GetObjectLockConfigurationCommand, GetObjectRetentionCommand,
  HeadObjectCommand, PutBucketPolicyCommand, PutBucketVersioningCommand, PutObjectCommand, PutObjectLegalHoldCommand, PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand, UploadPartCommand, type ObjectLockConfiguration, type S3Client,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { accountIdFor } from "../../src/core/access/identities.ts";
import { errorOf, sha256Hex, tamperBlob } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { hasAwsCli, hasBoto3, run, s3lite, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";

const BOB = { accessKeyId: "AKIABOBLOCK00001", secretAccessKey: "bob-lock-secret", user: "bob" };
const DAY = 86_400_000;

/** The server's clock runs `offset` ms ahead of the real one; clients that sign for it are made with the same offset. */
let offset = 0;
let s: TestServer;
let bob: S3Client;
beforeAll(async () => {
  s = await startTestServer({ now: () => Date.now() + offset, extraCredentials: [BOB] });
  bob = s.makeClient({ credentials: BOB });
});
afterAll(async () => {
  bob.destroy();
  await s.stop();
});

async function lockBucket(label: string, rule?: ObjectLockConfiguration["Rule"]): Promise<string> {
  const bucket = uniqueBucket(label);
  await s.client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  if (rule) await s.client.send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: rule } }));
  return bucket;
}

async function plainBucket(label: string, versioning?: "Enabled"): Promise<string> {
  const bucket = uniqueBucket(label);
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  if (versioning) await s.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: versioning } }));
  return bucket;
}

const inDays = (days: number) => new Date(Date.now() + offset + days * DAY);
/** The SDK's error: code, status and message. */
const failure = async (p: Promise<unknown>) => {
  const e = await errorOf(p);
  return [e.name, e.$metadata.httpStatusCode, e.message];
};
const PROTECTED = ["AccessDenied", 403, "Access Denied because object protected by object lock."];

async function putLocked(bucket: string, key: string, mode: "GOVERNANCE" | "COMPLIANCE", until: Date): Promise<string> {
  const put = await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${mode} body`, ObjectLockMode: mode, ObjectLockRetainUntilDate: until }));
  return put.VersionId!;
}

describe("the bucket", () => {
  test("CreateBucket with Object Lock turns versioning on and answers the configuration; without, GetObjectLockConfiguration is ObjectLockConfigurationNotFoundError", async () => {
    const plain = await plainBucket("nolock");
    const none = await errorOf(s.client.send(new GetObjectLockConfigurationCommand({ Bucket: plain })));
    expect([none.name, none.$metadata.httpStatusCode]).toEqual(["ObjectLockConfigurationNotFoundError", 404]);
    const bucket = await lockBucket("lock");
    expect((await s.client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Enabled");
    expect((await s.client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration).toEqual({ ObjectLockEnabled: "Enabled" });
  });

  test("versioning cannot be suspended on a lock-enabled bucket (409 InvalidBucketState); Enabled again is accepted", async () => {
    const bucket = await lockBucket("suspend");
    expect(await failure(s.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } }))))
      .toEqual(["InvalidBucketState", 409, "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."]);
    await s.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    expect((await s.client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Enabled");
  });

  test("PutObjectLockConfiguration needs versioning Enabled, enables Object Lock on an existing versioned bucket, and sets or removes the default", async () => {
    const unversioned = await plainBucket("unversioned");
    const config = { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 2 } } } as const;
    expect(await failure(s.client.send(new PutObjectLockConfigurationCommand({ Bucket: unversioned, ObjectLockConfiguration: config }))))
      .toEqual(["InvalidBucketState", 409, "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"]);
    const bucket = await plainBucket("existing", "Enabled");
    await s.client.send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: config }));
    expect((await s.client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration).toEqual(config);
    await s.client.send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: 1 } } } }));
    expect((await s.client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration?.Rule?.DefaultRetention).toEqual({ Mode: "COMPLIANCE", Years: 1 });
    await s.client.send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled" } }));
    expect((await s.client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration).toEqual({ ObjectLockEnabled: "Enabled" });
    // Now a lock-enabled bucket: it stays versioned.
    expect((await errorOf(s.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } })))).name).toBe("InvalidBucketState");
  });

  test("PutObjectLockConfiguration is validated as AWS validates it", async () => {
    const bucket = await lockBucket("validate");
    const put = (ObjectLockConfiguration: object) => failure(s.client.send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: ObjectLockConfiguration as ObjectLockConfiguration })));
    const malformed = ["MalformedXML", 400, expect.any(String)];
    expect(await put({ ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1, Years: 1 } } })).toEqual(malformed);
    expect(await put({ ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE" } } })).toEqual(malformed);
    expect(await put({ ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "governance", Days: 1 } } })).toEqual(malformed);
    expect(await put({ ObjectLockEnabled: "Disabled" })).toEqual(malformed);
    expect(await put({ ObjectLockEnabled: "Enabled", Rule: {} })).toEqual(malformed);
    expect(await put({ ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 0 } } }))
      .toEqual(["InvalidArgument", 400, "Default retention period must be a positive integer value."]);
    expect(await put({ ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: -1 } } }))
      .toEqual(["InvalidArgument", 400, "Default retention period must be a positive integer value."]);
    expect(await put({ ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 999_999_999 } } }))
      .toEqual(["InvalidArgument", 400, "Default retention period too large."]);
    expect((await s.client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration).toEqual({ ObjectLockEnabled: "Enabled" });
  });
});

describe("writes and reads", () => {
  test("the bucket's default retention goes to versions that name none; a request's own wins; GET and HEAD report both", async () => {
    const bucket = await lockBucket("default", { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } });
    const put = await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "default" }));
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "k" }));
    expect(head.ObjectLockMode).toBe("GOVERNANCE");
    expect(Math.abs(head.ObjectLockRetainUntilDate!.getTime() - (Date.now() + DAY))).toBeLessThan(120_000);
    expect(head.ObjectLockLegalHoldStatus).toBeUndefined();
    const retention = await s.client.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: "k", VersionId: put.VersionId }));
    expect(retention.Retention).toEqual({ Mode: "GOVERNANCE", RetainUntilDate: head.ObjectLockRetainUntilDate });
    expect(await failure(s.client.send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: "k" }))))
      .toEqual(["NoSuchObjectLockConfiguration", 404, "The specified object does not have a ObjectLock configuration"]);

    const until = inDays(3);
    until.setMilliseconds(0);
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "own", Body: "own", ObjectLockMode: "COMPLIANCE", ObjectLockRetainUntilDate: until, ObjectLockLegalHoldStatus: "ON" }));
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "own" }));
    expect([got.ObjectLockMode, got.ObjectLockRetainUntilDate, got.ObjectLockLegalHoldStatus]).toEqual(["COMPLIANCE", until, "ON"]);
    expect(await got.Body!.transformToString()).toBe("own");
  });

  test("a copy takes the request's Object Lock or the destination's default, never its source's", async () => {
    const bucket = await lockBucket("copy");
    await putLocked(bucket, "src", "COMPLIANCE", inDays(1));
    await s.client.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: "src", LegalHold: { Status: "ON" } }));
    await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "plain-copy", CopySource: `${bucket}/src` }));
    const plain = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "plain-copy" }));
    expect([plain.ObjectLockMode, plain.ObjectLockLegalHoldStatus]).toEqual([undefined, undefined]);
    const until = inDays(2);
    until.setMilliseconds(0);
    await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "locked-copy", CopySource: `${bucket}/src`, ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: until }));
    const locked = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "locked-copy" }));
    expect([locked.ObjectLockMode, locked.ObjectLockRetainUntilDate]).toEqual(["GOVERNANCE", until]);
    const defaulted = await lockBucket("copydest", { DefaultRetention: { Mode: "COMPLIANCE", Days: 5 } });
    await s.client.send(new CopyObjectCommand({ Bucket: defaulted, Key: "k", CopySource: `${bucket}/src` }));
    expect((await s.client.send(new HeadObjectCommand({ Bucket: defaulted, Key: "k" }))).ObjectLockMode).toBe("COMPLIANCE");
  });

  test("a multipart upload takes its headers' lock, or the default at completion; its parts need an integrity header", async () => {
    const bucket = await lockBucket("mpu", { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } });
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "big", ObjectLockLegalHoldStatus: "ON" }));
    expect(await failure(s.whenRequiredClient.send(new UploadPartCommand({ Bucket: bucket, Key: "big", UploadId, PartNumber: 1, Body: "part one" }))))
      .toEqual(["InvalidRequest", 400, "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Part requests with Object Lock parameters"]);
    const part = await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "big", UploadId, PartNumber: 1, Body: "part one" }));
    await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "big", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 }] } }));
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "big" }));
    expect([head.ObjectLockMode, head.ObjectLockLegalHoldStatus]).toEqual(["GOVERNANCE", "ON"]);
    expect(head.ObjectLockRetainUntilDate!.getTime()).toBeGreaterThan(Date.now() + DAY - 120_000);
  });

  test("a form upload takes Object Lock fields, and needs a checksum or Content-MD5 field for them; a wrong Content-MD5 is BadDigest", async () => {
    const bucket = await lockBucket("form", { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } });
    const data = "from a form";
    const post = async (Key: string, Fields: Record<string, string>) => {
      const { url, fields } = await createPresignedPost(s.client, { Bucket: bucket, Key, Expires: 300, Fields });
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append("file", new Blob([data]), "f.txt");
      const res = await fetch(url, { method: "POST", body: form });
      return [res.status, /<Message>([^<]+)<\/Message>/.exec(await res.text())?.[1] ?? ""];
    };
    const md5 = Buffer.from(new Bun.CryptoHasher("md5").update(data).digest()).toString("base64");
    expect(await post("bare", {})).toEqual([400, "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters"]);
    expect(await post("wrong", { "Content-MD5": Buffer.from(new Bun.CryptoHasher("md5").update("other").digest()).toString("base64") }))
      .toEqual([400, "The Content-MD5 you specified did not match what we received."]);
    const until = inDays(2);
    until.setMilliseconds(0);
    expect(await post("held", { "Content-MD5": md5, "x-amz-object-lock-legal-hold": "ON", "x-amz-object-lock-mode": "COMPLIANCE", "x-amz-object-lock-retain-until-date": until.toISOString() }))
      .toEqual([204, ""]);
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "held" }));
    expect([head.ObjectLockMode, head.ObjectLockRetainUntilDate, head.ObjectLockLegalHoldStatus]).toEqual(["COMPLIANCE", until, "ON"]);
    const crc = await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "probe", Body: data, ChecksumAlgorithm: "CRC32" }));
    expect(await post("defaulted", { "x-amz-checksum-crc32": crc.ChecksumCRC32! })).toEqual([204, ""]);
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "defaulted" }))).ObjectLockMode).toBe("GOVERNANCE");
  });

  test("a write with Object Lock parameters, its own or the bucket's default, needs Content-MD5 or a checksum", async () => {
    const message = "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters";
    const bucket = await lockBucket("integrity");
    // No parameters: none needed.
    await s.whenRequiredClient.send(new PutObjectCommand({ Bucket: bucket, Key: "free", Body: "x" }));
    expect(await failure(s.whenRequiredClient.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x", ObjectLockLegalHoldStatus: "ON" }))))
      .toEqual(["InvalidRequest", 400, message]);
    expect(await failure(s.whenRequiredClient.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x", ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: inDays(1) }))))
      .toEqual(["InvalidRequest", 400, message]);
    await s.whenRequiredClient.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x", ContentMD5: Buffer.from(new Bun.CryptoHasher("md5").update("x").digest()).toString("base64"), ObjectLockLegalHoldStatus: "ON" }));
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x", ObjectLockLegalHoldStatus: "ON" })); // the SDK's CRC32
    const defaulted = await lockBucket("integritydefault", { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } });
    expect(await failure(s.whenRequiredClient.send(new PutObjectCommand({ Bucket: defaulted, Key: "k", Body: "x" })))).toEqual(["InvalidRequest", 400, message]);
    await s.client.send(new PutObjectCommand({ Bucket: defaulted, Key: "k", Body: "x" }));
  });

  test("Object Lock headers on a bucket without Object Lock are InvalidRequest, and bad ones InvalidArgument; nothing is written", async () => {
    const bucket = await plainBucket("nolockheaders", "Enabled");
    const put = (extra: object) => failure(s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x", ...extra })));
    const missing = ["InvalidRequest", 400, "Bucket is missing ObjectLockConfiguration"];
    expect(await put({ ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: inDays(1) })).toEqual(missing);
    expect(await put({ ObjectLockLegalHoldStatus: "OFF" })).toEqual(missing);
    expect(await failure(s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "k", ObjectLockLegalHoldStatus: "ON" })))).toEqual(missing);
    expect(await put({ ObjectLockMode: "GOVERNANCE" })).toEqual(["InvalidArgument", 400, "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"]);
    expect(await put({ ObjectLockMode: "FOREVER", ObjectLockRetainUntilDate: inDays(1) })).toEqual(["InvalidArgument", 400, "Unknown wormMode directive."]);
    expect(await put({ ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: inDays(-1) })).toEqual(["InvalidArgument", 400, "The retain until date must be in the future!"]);
    expect(await put({ ObjectLockLegalHoldStatus: "on" })).toEqual(["InvalidArgument", 400, "Legal Hold must be either of 'ON' or 'OFF'"]);
    expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "k" })))).name).toBe("NotFound");
    // The object operations of Object Lock, there.
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
    const noConfig = ["InvalidRequest", 400, "Bucket is missing Object Lock Configuration"];
    expect(await failure(s.client.send(new PutObjectRetentionCommand({ Bucket: bucket, Key: "k", Retention: { Mode: "GOVERNANCE", RetainUntilDate: inDays(1) } })))).toEqual(noConfig);
    expect(await failure(s.client.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: "k" })))).toEqual(noConfig);
    expect(await failure(s.client.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: "k", LegalHold: { Status: "ON" } })))).toEqual(noConfig);
    expect(await failure(s.client.send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: "k" })))).toEqual(noConfig);
    expect(await failure(s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", BypassGovernanceRetention: true }))))
      .toEqual(["InvalidArgument", 400, "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets."]);
  });
});

describe("protection", () => {
  test("a COMPLIANCE version cannot be deleted by id, with or without bypass; a delete without id adds a marker", async () => {
    const bucket = await lockBucket("compliance");
    const v1 = await putLocked(bucket, "k", "COMPLIANCE", inDays(1));
    expect(await failure(s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId: v1 })))).toEqual(PROTECTED);
    expect(await failure(s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId: v1, BypassGovernanceRetention: true })))).toEqual(PROTECTED);
    const marker = await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k" }));
    expect(marker.DeleteMarker).toBe(true);
    const deleted = await s.client.send(new DeleteObjectsCommand({
      Bucket: bucket, BypassGovernanceRetention: true,
      Delete: { Objects: [{ Key: "k", VersionId: v1 }, { Key: "k", VersionId: marker.VersionId }] },
    }));
    expect(deleted.Errors).toEqual([{ Key: "k", VersionId: v1, Code: "AccessDenied", Message: "Access Denied because object protected by object lock." }]);
    expect(deleted.Deleted).toEqual([{ Key: "k", VersionId: marker.VersionId, DeleteMarker: true, DeleteMarkerVersionId: marker.VersionId }]);
    expect(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "k" }))).Body!.transformToString()).toBe("COMPLIANCE body");
  });

  test("COMPLIANCE retention can be extended but not shortened, removed or turned to GOVERNANCE, bypass or not", async () => {
    const bucket = await lockBucket("extend");
    const until = inDays(2);
    const v1 = await putLocked(bucket, "k", "COMPLIANCE", until);
    const retain = (Mode: "GOVERNANCE" | "COMPLIANCE", RetainUntilDate: Date, BypassGovernanceRetention?: boolean) =>
      s.client.send(new PutObjectRetentionCommand({ Bucket: bucket, Key: "k", VersionId: v1, Retention: { Mode, RetainUntilDate }, BypassGovernanceRetention }));
    expect(await failure(retain("COMPLIANCE", inDays(1)))).toEqual(PROTECTED);
    expect(await failure(retain("COMPLIANCE", inDays(1), true))).toEqual(PROTECTED);
    expect(await failure(retain("GOVERNANCE", inDays(5), true))).toEqual(PROTECTED);
    const removal = await fetchSigned(`${s.url}/${bucket}/k?retention&versionId=${v1}`, {
      method: "PUT", body: "<Retention/>", headers: { "x-amz-bypass-governance-retention": "true", "content-md5": Buffer.from(new Bun.CryptoHasher("md5").update("<Retention/>").digest()).toString("base64") },
    });
    expect([removal.status, await removal.text()]).toEqual([403, expect.stringContaining("<Code>AccessDenied</Code>")]);
    const later = inDays(10);
    later.setMilliseconds(0);
    await retain("COMPLIANCE", later);
    expect((await s.client.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: "k", VersionId: v1 }))).Retention).toEqual({ Mode: "COMPLIANCE", RetainUntilDate: later });
    expect(await failure(retain("COMPLIANCE", inDays(-1)))).toEqual(["InvalidArgument", 400, "The retain until date must be in the future!"]);
  });

  test("GOVERNANCE yields to x-amz-bypass-governance-retention from whoever may bypass it, and not without", async () => {
    const bucket = await lockBucket("governance");
    const v1 = await putLocked(bucket, "k", "GOVERNANCE", inDays(3));
    const v2 = await putLocked(bucket, "k", "GOVERNANCE", inDays(3));
    expect(await failure(s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId: v1 })))).toEqual(PROTECTED);
    // Shortening needs the bypass; extending does not.
    expect(await failure(s.client.send(new PutObjectRetentionCommand({ Bucket: bucket, Key: "k", VersionId: v1, Retention: { Mode: "GOVERNANCE", RetainUntilDate: inDays(1) } })))).toEqual(PROTECTED);
    await s.client.send(new PutObjectRetentionCommand({ Bucket: bucket, Key: "k", VersionId: v1, Retention: { Mode: "GOVERNANCE", RetainUntilDate: inDays(1) }, BypassGovernanceRetention: true }));
    await s.client.send(new PutObjectRetentionCommand({ Bucket: bucket, Key: "k", VersionId: v1, Retention: { Mode: "GOVERNANCE", RetainUntilDate: inDays(4) } }));
    expect(await failure(s.client.send(new PutObjectRetentionCommand({ Bucket: bucket, Key: "k", VersionId: v1, Retention: { Mode: "COMPLIANCE", RetainUntilDate: inDays(4) } })))).toEqual(PROTECTED);

    // Another account allowed to delete versions, but not to bypass: refused even with the header.
    const policy = (actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountIdFor("bob")}:user/bob` }, Action: actions, Resource: `arn:aws:s3:::${bucket}/*` }] });
    await s.client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy(["s3:DeleteObjectVersion"]) }));
    expect(await failure(bob.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId: v1, BypassGovernanceRetention: true })))).toEqual(PROTECTED);
    await s.client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy(["s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"]) }));
    expect(await failure(bob.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId: v1 })))).toEqual(PROTECTED);
    await bob.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId: v1, BypassGovernanceRetention: true }));
    expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "k", VersionId: v1 })))).$metadata.httpStatusCode).toBe(404);

    // The owner may bypass; an empty Retention with the bypass removes it.
    const removal = await fetchSigned(`${s.url}/${bucket}/k?retention&versionId=${v2}`, {
      method: "PUT", body: "<Retention/>", headers: { "x-amz-bypass-governance-retention": "true", "content-md5": Buffer.from(new Bun.CryptoHasher("md5").update("<Retention/>").digest()).toString("base64") },
    });
    expect(removal.status).toBe(200);
    expect((await errorOf(s.client.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: "k", VersionId: v2 })))).name).toBe("NoSuchObjectLockConfiguration");
    const gone = await s.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "k", VersionId: v2 }] } }));
    expect([gone.Deleted, gone.Errors]).toEqual([[{ Key: "k", VersionId: v2 }], undefined]);
  });

  test("a legal hold keeps a version whatever its retention and any bypass, until it is turned OFF", async () => {
    const bucket = await lockBucket("hold");
    const { VersionId } = await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "held" }));
    await s.client.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: "k", VersionId, LegalHold: { Status: "ON" } }));
    expect((await s.client.send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: "k", VersionId }))).LegalHold).toEqual({ Status: "ON" });
    expect(await failure(s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId, BypassGovernanceRetention: true })))).toEqual(PROTECTED);
    const bad = await errorOf(s.client.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: "k", LegalHold: { Status: "YES" as "ON" } })));
    expect(bad.name).toBe("MalformedXML");
    await s.client.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: "k", VersionId, LegalHold: { Status: "OFF" } }));
    expect((await s.client.send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: "k", VersionId }))).LegalHold).toEqual({ Status: "OFF" });
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "k" }))).ObjectLockLegalHoldStatus).toBe("OFF");
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId }));
    expect((await errorOf(s.client.send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: "k", VersionId })))).name).toBe("NoSuchVersion");
  });

  test("retention and legal holds apply to the version named, noncurrent ones included; a delete marker has none", async () => {
    const bucket = await lockBucket("noncurrent");
    const { VersionId: old } = await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "old" }));
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "new" }));
    await s.client.send(new PutObjectRetentionCommand({ Bucket: bucket, Key: "k", VersionId: old, Retention: { Mode: "COMPLIANCE", RetainUntilDate: inDays(1) } }));
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "k", VersionId: old }))).ObjectLockMode).toBe("COMPLIANCE");
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "k" }))).ObjectLockMode).toBeUndefined();
    expect(await failure(s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId: old })))).toEqual(PROTECTED);
    const marker = await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k" }));
    const onMarker = await errorOf(s.client.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: "k", VersionId: marker.VersionId, LegalHold: { Status: "ON" } })));
    expect([onMarker.name, onMarker.$metadata.httpStatusCode]).toEqual(["MethodNotAllowed", 405]);
  });

  test("once retention runs out (the server's clock moved on), the version can be deleted", async () => {
    const bucket = await lockBucket("expiry");
    const { VersionId } = await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x", ObjectLockMode: "COMPLIANCE", ObjectLockRetainUntilDate: inDays(1) }));
    expect(await failure(s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId })))).toEqual(PROTECTED);
    // A client signing for the moved clock (the SDK resets its offset from the first answer's Date, so one request).
    offset = 2 * DAY;
    const later = s.makeClient({ systemClockOffset: offset });
    try {
      await later.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId }));
    } finally {
      offset = 0;
      later.destroy();
    }
    expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "k", VersionId })))).$metadata.httpStatusCode).toBe(404);
  });
});

test("fsck --repair keeps a protected version whose blob is bad, and says so", async () => {
  const disk = await startTestServer({ store: "disk" });
  try {
    const bucket = uniqueBucket("fscklock");
    await disk.client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
    const body = "bytes that a locked version and a free one share";
    await disk.client.send(new PutObjectCommand({ Bucket: bucket, Key: "locked", Body: body, ObjectLockMode: "COMPLIANCE", ObjectLockRetainUntilDate: inDays(1) }));
    await disk.client.send(new PutObjectCommand({ Bucket: bucket, Key: "free", Body: body }));
    tamperBlob(disk.dataDir, sha256Hex(body), body.toUpperCase());
    const repaired = await s3lite(["fsck", "--data", disk.dataDir, "--repair", "--json"]);
    expect(repaired.exitCode).toBe(1);
    const [problem] = JSON.parse(repaired.stdout).problems;
    expect(problem).toMatchObject({ kind: "hash-mismatch", locked: 1, repaired: expect.stringContaining("kept 1 object version(s) under Object Lock") });
    expect((await errorOf(disk.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "free" })))).name).toBe("NotFound");
    expect((await disk.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "locked" }))).ObjectLockMode).toBe("COMPLIANCE");
  } finally {
    await disk.stop();
  }
}, SLOW_TEST_MS);

describe.skipIf(skipWithout(hasAwsCli))("the AWS CLI", () => {
  test("put-object-retention, get-object-legal-hold, delete-object --version-id … --bypass-governance-retention", async () => {
    const bucket = uniqueBucket("cli-lock");
    const aws = async (...args: string[]) => {
      const res = await run(["aws", "s3api", ...args, "--output", "json"], s.env);
      return { ...res, json: res.exitCode === 0 && res.stdout.trim() ? JSON.parse(res.stdout) : undefined };
    };
    expect((await aws("create-bucket", "--bucket", bucket, "--object-lock-enabled-for-bucket")).exitCode).toBe(0);
    const file = join(s.env.HOME!, `${bucket}.txt`);
    writeFileSync(file, "from the cli");
    const put = await aws("put-object", "--bucket", bucket, "--key", "doc", "--body", file);
    expect(put.stderr).toBe("");
    const versionId = put.json.VersionId as string;
    const until = new Date(Date.now() + DAY).toISOString().replace(/\.\d{3}Z$/, "Z");
    const retained = await aws("put-object-retention", "--bucket", bucket, "--key", "doc", "--version-id", versionId, "--retention", JSON.stringify({ Mode: "GOVERNANCE", RetainUntilDate: until }));
    expect([retained.exitCode, retained.stderr]).toEqual([0, ""]);
    expect((await aws("get-object-retention", "--bucket", bucket, "--key", "doc")).json.Retention.Mode).toBe("GOVERNANCE");
    const noHold = await aws("get-object-legal-hold", "--bucket", bucket, "--key", "doc");
    expect(noHold.stderr).toContain("NoSuchObjectLockConfiguration");
    expect((await aws("put-object-legal-hold", "--bucket", bucket, "--key", "doc", "--legal-hold", "Status=OFF")).exitCode).toBe(0);
    expect((await aws("get-object-legal-hold", "--bucket", bucket, "--key", "doc")).json).toEqual({ LegalHold: { Status: "OFF" } });
    const refused = await aws("delete-object", "--bucket", bucket, "--key", "doc", "--version-id", versionId);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("Access Denied because object protected by object lock.");
    const bypassed = await aws("delete-object", "--bucket", bucket, "--key", "doc", "--version-id", versionId, "--bypass-governance-retention");
    expect([bypassed.exitCode, bypassed.stderr]).toEqual([0, ""]);
    expect((await aws("list-object-versions", "--bucket", bucket)).json.Versions).toBeUndefined();
  }, SLOW_TEST_MS);
});

test.skipIf(skipWithout(hasBoto3))("boto3: put_object with Object Lock, then head_object and get_object_retention", async () => {
  const bucket = uniqueBucket("boto-lock");
  const script = `
import boto3, datetime, json, sys
from botocore.config import Config
s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))
bucket = sys.argv[1]
s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
until = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(days=1)
s3.put_object(Bucket=bucket, Key="k", Body=b"boto", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until, ObjectLockLegalHoldStatus="ON")
head = s3.head_object(Bucket=bucket, Key="k")
retention = s3.get_object_retention(Bucket=bucket, Key="k")["Retention"]
print(json.dumps({"mode": head["ObjectLockMode"], "hold": head["ObjectLockLegalHoldStatus"], "same": head["ObjectLockRetainUntilDate"] == until == retention["RetainUntilDate"], "retention": retention["Mode"]}))
`;
  const res = await run(["python3", "-c", script, bucket], s.env);
  expect(res.stderr).toBe("");
  expect(JSON.parse(res.stdout)).toEqual({ mode: "GOVERNANCE", hold: "ON", same: true, retention: "GOVERNANCE" });
}, SLOW_TEST_MS);
