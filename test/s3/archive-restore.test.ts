// GLACIER and DEEP_ARCHIVE objects and RestoreObject, through the SDK, the AWS CLI and boto3: an
// archived object answers HEAD but not GET or a copy until restored; a restore is in progress for
// --restore-delay, then readable until its expiry (next midnight UTC after Days), then archived again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand,
  GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, ListObjectVersionsCommand, ListPartsCommand,
  PutObjectCommand, RestoreObjectCommand, S3Client, UploadPartCommand, UploadPartCopyCommand, type StorageClass,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { resolveConfig } from "../../src/core/config.ts";
import { startServer, type RunningServer } from "../../src/core/server.ts";
import { errorOf } from "../helpers/data.ts";
import { startTestServer, TEST_STORE, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { hasAwsCli, hasBoto3, run, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS, TEST_CREDENTIALS } from "../setup.ts";

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
/** AWS's rule: `days` after `from`, rounded up to the next midnight UTC. */
const expiryAfter = (from: number, days: number) => (Math.floor(from / DAY) + days + 1) * DAY;
const restoredUntil = (expiry: number) => `ongoing-request="false", expiry-date="${new Date(expiry).toUTCString()}"`;

let s: TestServer;
let bucket: string;
beforeAll(async () => {
  s = await startTestServer();
  bucket = uniqueBucket("arch");
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => s.stop());

const put = (key: string, storageClass?: StorageClass, body = `body of ${key}`) =>
  s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, StorageClass: storageClass }));
const head = (key: string, client = s.client, b = bucket) => client.send(new HeadObjectCommand({ Bucket: b, Key: key }));
const text = async (key: string, client = s.client, b = bucket) => (await client.send(new GetObjectCommand({ Bucket: b, Key: key }))).Body!.transformToString();
const restore = (key: string, days?: number, tier?: "Standard" | "Bulk" | "Expedited", client = s.client, b = bucket) =>
  client.send(new RestoreObjectCommand({ Bucket: b, Key: key, RestoreRequest: { Days: days, ...(tier ? { GlacierJobParameters: { Tier: tier } } : {}) } }));
const restoreBody = (key: string, xml: string) => fetchSigned(`${s.url}/${bucket}/${key}?restore`, { method: "POST", body: xml, headers: { "content-type": "application/xml" } });
const codeOf = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];

describe("archive storage classes", () => {
  test("PutObject in GLACIER: HEAD answers 200 with the class and no restore; GET is 403 InvalidObjectState naming the class", async () => {
    await put("frozen/one", "GLACIER");
    const meta = await head("frozen/one");
    expect(meta.$metadata.httpStatusCode).toBe(200);
    expect(meta.StorageClass).toBe("GLACIER");
    expect(meta.Restore).toBeUndefined();
    const e = await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "frozen/one" })));
    expect(e.name).toBe("InvalidObjectState");
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect((e as unknown as { StorageClass?: string }).StorageClass).toBe("GLACIER");
    // As AWS sends it: the class, and no AccessTier (that is for Intelligent-Tiering's archive tiers).
    const raw = await fetchSigned(`${s.url}/${bucket}/frozen/one`);
    expect(raw.status).toBe(403);
    const xml = await raw.text();
    expect(e.message).toBe("The operation is not valid for the object's storage class");
    expect(xml).toContain("<StorageClass>GLACIER</StorageClass>");
    expect(xml).not.toContain("AccessTier");
  });

  test("a Range or partNumber GET is refused the same way; DEEP_ARCHIVE too", async () => {
    await put("frozen/deep", "DEEP_ARCHIVE");
    for (const input of [{ Key: "frozen/one", Range: "bytes=0-1" }, { Key: "frozen/one", PartNumber: 1 }, { Key: "frozen/deep" }]) {
      const e = await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, ...input })));
      expect([e.name, (e as unknown as { StorageClass?: string }).StorageClass]).toEqual(["InvalidObjectState", input.Key === "frozen/deep" ? "DEEP_ARCHIVE" : "GLACIER"]);
    }
    expect((await head("frozen/deep")).StorageClass).toBe("DEEP_ARCHIVE");
  });

  test("listings and GetObjectAttributes report the class", async () => {
    const listed = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "frozen/" }));
    expect(listed.Contents!.map((o) => [o.Key, o.StorageClass])).toEqual([["frozen/deep", "DEEP_ARCHIVE"], ["frozen/one", "GLACIER"]]);
    const attributes = await s.client.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: "frozen/one", ObjectAttributes: ["StorageClass", "ObjectSize"] }));
    expect([attributes.StorageClass, attributes.ObjectSize]).toEqual(["GLACIER", "body of frozen/one".length]);
  });

  test("CreateMultipartUpload in GLACIER: ListMultipartUploads and ListParts say so, and the object is archived", async () => {
    const key = "frozen/multipart";
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, StorageClass: "GLACIER" }));
    const { ETag } = await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: "only part" }));
    const uploads = await s.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
    expect(uploads.Uploads!.map((u) => u.StorageClass)).toEqual(["GLACIER"]);
    expect((await s.client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId }))).StorageClass).toBe("GLACIER");
    await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }));
    expect((await head(key)).StorageClass).toBe("GLACIER");
    expect((await errorOf(text(key))).name).toBe("InvalidObjectState");
    await restore(key, 1);
    expect(await text(key)).toBe("only part");
  });

  test("PostObject with an x-amz-storage-class field stores the class", async () => {
    const { url, fields } = await createPresignedPost(s.client, { Bucket: bucket, Key: "frozen/posted", Expires: 300, Fields: { "x-amz-storage-class": "DEEP_ARCHIVE" } });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("file", new Blob(["posted"]), "posted.txt");
    expect((await fetch(url, { method: "POST", body: form })).status).toBe(204);
    expect((await head("frozen/posted")).StorageClass).toBe("DEEP_ARCHIVE");
    expect((await errorOf(text("frozen/posted"))).name).toBe("InvalidObjectState");
  });
});

describe("copies of an archived object", () => {
  test("CopyObject and UploadPartCopy from an unrestored source are 403 InvalidObjectState, and write nothing", async () => {
    await put("copy/src", "GLACIER", "archived bytes");
    const copy = await errorOf(s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy/dest", CopySource: `${bucket}/copy/src` })));
    expect([copy.name, copy.message, copy.$metadata.httpStatusCode]).toEqual(["InvalidObjectState", "Operation is not valid for the source object's storage class", 403]);
    expect((await errorOf(head("copy/dest"))).$metadata.httpStatusCode).toBe(404);
    // Changing only the class in place is a copy of the source too.
    expect((await errorOf(s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy/src", CopySource: `${bucket}/copy/src`, StorageClass: "STANDARD" })))).name).toBe("InvalidObjectState");
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "copy/parts" }));
    const part = await errorOf(s.client.send(new UploadPartCopyCommand({ Bucket: bucket, Key: "copy/parts", UploadId, PartNumber: 1, CopySource: `${bucket}/copy/src` })));
    expect([part.name, (part as unknown as { StorageClass?: string }).StorageClass]).toEqual(["InvalidObjectState", "GLACIER"]);
    expect((await s.client.send(new ListPartsCommand({ Bucket: bucket, Key: "copy/parts", UploadId }))).Parts).toBeUndefined();
  });

  test("once restored the source copies; a copy is never restored itself, and into GLACIER it is archived", async () => {
    await restore("copy/src", 2);
    await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy/standard", CopySource: `${bucket}/copy/src` }));
    const copied = await head("copy/standard");
    expect([copied.StorageClass, copied.Restore]).toEqual([undefined, undefined]);
    expect(await text("copy/standard")).toBe("archived bytes");
    await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy/glacier", CopySource: `${bucket}/copy/src`, StorageClass: "GLACIER" }));
    const archived = await head("copy/glacier");
    expect([archived.StorageClass, archived.Restore]).toEqual(["GLACIER", undefined]);
    expect((await errorOf(text("copy/glacier"))).name).toBe("InvalidObjectState");
    // Copying a restored object onto itself in STANDARD makes it permanent, as AWS suggests.
    await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy/src", CopySource: `${bucket}/copy/src`, StorageClass: "STANDARD" }));
    expect((await head("copy/src")).Restore).toBeUndefined();
    expect(await text("copy/src")).toBe("archived bytes");
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "copy/parts2" }));
    await put("copy/src2", "GLACIER", "second");
    await restore("copy/src2", 1);
    const part = await s.client.send(new UploadPartCopyCommand({ Bucket: bucket, Key: "copy/parts2", UploadId, PartNumber: 1, CopySource: `${bucket}/copy/src2` }));
    expect(part.CopyPartResult?.ETag).toBeDefined();
  });
});

describe("RestoreObject, completing at once (the default --restore-delay 0)", () => {
  test("202 Accepted, then HEAD and GET carry x-amz-restore with the expiry, and GET reads the bytes", async () => {
    await put("restore/now", "GLACIER", "thawed");
    const before = Date.now();
    const answer = await restore("restore/now", 3);
    const after = Date.now();
    expect(answer.$metadata.httpStatusCode).toBe(202);
    const meta = await head("restore/now");
    expect(meta.StorageClass).toBe("GLACIER");
    expect([restoredUntil(expiryAfter(before, 3)), restoredUntil(expiryAfter(after, 3))]).toContain(meta.Restore!);
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "restore/now" }));
    expect(await got.Body!.transformToString()).toBe("thawed");
    expect(got.Restore).toBe(meta.Restore);
    expect(got.StorageClass).toBe("GLACIER");
  });

  test("again on a restored object: 200 OK, with the expiry counted from now", async () => {
    const before = Date.now();
    const again = await restore("restore/now", 10);
    const after = Date.now();
    expect(again.$metadata.httpStatusCode).toBe(200);
    expect([restoredUntil(expiryAfter(before, 10)), restoredUntil(expiryAfter(after, 10))]).toContain((await head("restore/now")).Restore!);
  });

  test("the Tier: Bulk and Standard for both classes; Expedited for GLACIER only", async () => {
    await put("restore/deep-bulk", "DEEP_ARCHIVE");
    await put("restore/deep-fast", "DEEP_ARCHIVE");
    await put("restore/glacier-fast", "GLACIER");
    expect((await restore("restore/deep-bulk", 1, "Bulk")).$metadata.httpStatusCode).toBe(202);
    expect((await restore("restore/glacier-fast", 1, "Expedited")).$metadata.httpStatusCode).toBe(202);
    const refused = await errorOf(restore("restore/deep-fast", 1, "Expedited"));
    expect([refused.name, refused.$metadata.httpStatusCode]).toEqual(["InvalidArgument", 400]);
    expect((await head("restore/deep-fast")).Restore).toBeUndefined();
    expect((await restore("restore/deep-fast", 1, "Standard")).$metadata.httpStatusCode).toBe(202);
  });

  test("an object in a class that reads at once is 403 InvalidObjectState; a missing key NoSuchKey", async () => {
    for (const storageClass of [undefined, "GLACIER_IR", "STANDARD_IA"] as const) {
      const key = `restore/active-${storageClass ?? "STANDARD"}`;
      await put(key, storageClass);
      const e = await errorOf(restore(key, 1));
      expect([e.name, e.message, e.$metadata.httpStatusCode]).toEqual(["InvalidObjectState", "Restore is not allowed for the object's current storage class", 403]);
      expect((await head(key)).Restore).toBeUndefined();
    }
    expect((await errorOf(restore("restore/missing", 1))).name).toBe("NoSuchKey");
  });

  test.each([
    ["no Days (AWS: MalformedXML)", "<RestoreRequest><GlacierJobParameters><Tier>Standard</Tier></GlacierJobParameters></RestoreRequest>"],
    ["Days 0", "<RestoreRequest><Days>0</Days></RestoreRequest>"],
    ["Days that is no number", "<RestoreRequest><Days>two</Days></RestoreRequest>"],
    ["Days that is negative", "<RestoreRequest><Days>-1</Days></RestoreRequest>"],
    ["an unknown Tier", "<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>Fast</Tier></GlacierJobParameters></RestoreRequest>"],
    ["GlacierJobParameters without its Tier", "<RestoreRequest><Days>1</Days><GlacierJobParameters/></RestoreRequest>"],
    ["another root element", "<Restore><Days>1</Days></Restore>"],
    ["an empty body", ""],
    ["a body that is not XML", "Days=1"],
  ])("%s is 400 MalformedXML, and nothing changes", async (_name, xml) => {
    await put("restore/bodies", "GLACIER");
    const res = await restoreBody("restore/bodies", xml);
    expect(res.status).toBe(400);
    expect(codeOf(await res.text())).toBe("MalformedXML");
    expect((await head("restore/bodies")).Restore).toBeUndefined();
  });

  test("a select restore request (Type SELECT) is 501 NotImplemented; a version other than null is InvalidArgument", async () => {
    await put("restore/select", "GLACIER");
    const select = await restoreBody("restore/select", "<RestoreRequest><Type>SELECT</Type><Tier>Standard</Tier></RestoreRequest>");
    expect([select.status, codeOf(await select.text())]).toEqual([501, "NotImplemented"]);
    const version = await fetchSigned(`${s.url}/${bucket}/restore/select?restore&versionId=abc`, { method: "POST", body: "<RestoreRequest><Days>1</Days></RestoreRequest>" });
    expect([version.status, codeOf(await version.text())]).toEqual([400, "InvalidArgument"]);
    const plain = await fetchSigned(`${s.url}/${bucket}/restore/select?restore&versionId=null`, { method: "POST", body: "<RestoreRequest><Days>1</Days></RestoreRequest>" });
    expect(plain.status).toBe(202);
  });

  test("an overwrite is archived again: the restore belonged to the version that was replaced", async () => {
    await put("restore/overwritten", "GLACIER", "first");
    await restore("restore/overwritten", 1);
    expect(await text("restore/overwritten")).toBe("first");
    await put("restore/overwritten", "GLACIER", "second");
    expect((await head("restore/overwritten")).Restore).toBeUndefined();
    expect((await errorOf(text("restore/overwritten"))).name).toBe("InvalidObjectState");
  });

  test("ListObjectsV2 and ListObjectVersions with OptionalObjectAttributes RestoreStatus", async () => {
    await put("status/archived", "GLACIER");
    await put("status/restored", "GLACIER");
    await put("status/standard");
    await restore("status/restored", 1);
    const expiry = (await head("status/restored")).Restore!.match(/expiry-date="([^"]+)"/)![1]!;
    const listed = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "status/", OptionalObjectAttributes: ["RestoreStatus"] }));
    expect(listed.Contents!.map((o) => [o.Key, o.RestoreStatus])).toEqual([
      ["status/archived", undefined],
      ["status/restored", { IsRestoreInProgress: false, RestoreExpiryDate: new Date(expiry) }],
      ["status/standard", undefined],
    ]);
    const versions = await s.client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: "status/restored", OptionalObjectAttributes: ["RestoreStatus"] }));
    expect(versions.Versions!.map((v) => v.RestoreStatus)).toEqual([{ IsRestoreInProgress: false, RestoreExpiryDate: new Date(expiry) }]);
    // Without the header there is no RestoreStatus.
    const plain = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "status/restored" }));
    expect(plain.Contents![0]!.RestoreStatus).toBeUndefined();
  });

  test.skipIf(skipWithout(hasAwsCli))("the AWS CLI: restore-object, then head-object shows Restore, and get-object reads it", async () => {
    const aws = (...args: string[]) => run(["aws", "--endpoint-url", s.url, "s3api", ...args], s.env);
    const work = mkdtempSync(join(tmpdir(), "s3lite-cli-"));
    const file = join(work, "frozen.txt");
    writeFileSync(file, "cold");
    expect((await aws("put-object", "--bucket", bucket, "--key", "cli/frozen", "--storage-class", "GLACIER", "--body", file)).exitCode).toBe(0);
    const denied = await aws("get-object", "--bucket", bucket, "--key", "cli/frozen", join(work, "out"));
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toContain("InvalidObjectState");
    const restored = await aws("restore-object", "--bucket", bucket, "--key", "cli/frozen", "--restore-request", "Days=2,GlacierJobParameters={Tier=Bulk}");
    expect(restored.exitCode).toBe(0);
    const meta = JSON.parse((await aws("head-object", "--bucket", bucket, "--key", "cli/frozen")).stdout);
    expect(meta.StorageClass).toBe("GLACIER");
    expect(meta.Restore).toMatch(/^ongoing-request="false", expiry-date="\w{3}, \d{2} \w{3} \d{4} 00:00:00 GMT"$/);
    expect((await aws("get-object", "--bucket", bucket, "--key", "cli/frozen", join(work, "out"))).exitCode).toBe(0);
    expect(readFileSync(join(work, "out"), "utf8")).toBe("cold");
    expect((await aws("put-object", "--bucket", bucket, "--key", "cli/standard", "--body", file)).exitCode).toBe(0);
    const active = await aws("restore-object", "--bucket", bucket, "--key", "cli/standard", "--restore-request", "Days=1");
    expect(active.exitCode).not.toBe(0);
    expect(active.stderr).toContain("InvalidObjectState");
    expect(active.stderr).toContain("Restore is not allowed for the object's current storage class");
    rmSync(work, { recursive: true, force: true });
  }, SLOW_TEST_MS);

  test.skipIf(skipWithout(hasBoto3))("boto3: restore_object answers 202, then head_object has Restore and get_object reads it", async () => {
    const script = `
import json, os, sys
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
bucket = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(s3={"addressing_style": "path"}))
s3.put_object(Bucket=bucket, Key="boto/frozen", Body=b"boto bytes", StorageClass="DEEP_ARCHIVE")
out = {}
try:
    s3.get_object(Bucket=bucket, Key="boto/frozen")
except ClientError as e:
    out["get"] = [e.response["Error"]["Code"], e.response["Error"].get("StorageClass")]
out["restore"] = s3.restore_object(Bucket=bucket, Key="boto/frozen", RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Standard"}})["ResponseMetadata"]["HTTPStatusCode"]
head = s3.head_object(Bucket=bucket, Key="boto/frozen")
out["head"] = [head["StorageClass"], head["Restore"].startswith('ongoing-request="false", expiry-date=')]
out["body"] = s3.get_object(Bucket=bucket, Key="boto/frozen")["Body"].read().decode()
out["again"] = s3.restore_object(Bucket=bucket, Key="boto/frozen", RestoreRequest={"Days": 2})["ResponseMetadata"]["HTTPStatusCode"]
print(json.dumps(out))
`;
    const res = await run(["python3", "-", bucket], s.env, script);
    expect(res.stderr).toBe("");
    expect(JSON.parse(res.stdout)).toEqual({ get: ["InvalidObjectState", "DEEP_ARCHIVE"], restore: 202, head: ["DEEP_ARCHIVE", true], body: "boto bytes", again: 200 });
  }, SLOW_TEST_MS);
});

describe("RestoreObject that takes time (--restore-delay 1h), on a clock the test moves", () => {
  let server: RunningServer;
  let client: S3Client;
  let b: string;
  /** How far the server's clock (and the client's, which signs by it) is ahead of real time. */
  let offset = 0;
  const now = () => Date.now() + offset;

  beforeAll(async () => {
    const config = resolveConfig({
      port: 0, memory: TEST_STORE === "memory", ephemeral: TEST_STORE !== "memory",
      credentials: `${TEST_CREDENTIALS.accessKeyId}:${TEST_CREDENTIALS.secretAccessKey}`, "restore-delay": "1h",
    }, {});
    server = startServer(config, { now });
    client = new S3Client({ endpoint: server.url, region: "us-east-1", forcePathStyle: true, credentials: TEST_CREDENTIALS });
    // The SDK sets its clock from each answer's Date (real time here); sign by the moved clock instead.
    client.middlewareStack.add((next) => (args) => { client.config.systemClockOffset = offset; return next(args); }, { step: "build", name: "movedClock" });
    b = uniqueBucket("delay");
    await client.send(new CreateBucketCommand({ Bucket: b }));
  });
  afterAll(async () => {
    client.destroy();
    await server.stop(true);
  });

  test("in progress: HEAD shows ongoing-request=\"true\", GET and copies are refused, a second restore is 409", async () => {
    await client.send(new PutObjectCommand({ Bucket: b, Key: "slow", Body: "slow bytes", StorageClass: "GLACIER" }));
    const requestedAt = now();
    expect((await restore("slow", 2, undefined, client, b)).$metadata.httpStatusCode).toBe(202);
    expect((await head("slow", client, b)).Restore).toBe('ongoing-request="true"');
    expect((await errorOf(text("slow", client, b))).name).toBe("InvalidObjectState");
    expect((await errorOf(client.send(new CopyObjectCommand({ Bucket: b, Key: "slow-copy", CopySource: `${b}/slow` })))).name).toBe("InvalidObjectState");
    const again = await errorOf(restore("slow", 2, undefined, client, b));
    expect([again.name, again.message, again.$metadata.httpStatusCode]).toEqual(["RestoreAlreadyInProgress", "Object restore is already in progress", 409]);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: b, OptionalObjectAttributes: ["RestoreStatus"] }));
    expect(listed.Contents!.map((o) => o.RestoreStatus)).toEqual([{ IsRestoreInProgress: true }]);

    // An hour later the restore is done: readable until the midnight after Days.
    offset += HOUR;
    const expiry = expiryAfter(requestedAt + HOUR, 2);
    expect((await head("slow", client, b)).Restore).toBe(restoredUntil(expiry));
    expect(await text("slow", client, b)).toBe("slow bytes");
    const listedDone = await client.send(new ListObjectsV2Command({ Bucket: b, OptionalObjectAttributes: ["RestoreStatus"] }));
    expect(listedDone.Contents!.map((o) => o.RestoreStatus)).toEqual([{ IsRestoreInProgress: false, RestoreExpiryDate: new Date(expiry) }]);

    // Restored again with more days: 200 and a later expiry, at once (nothing is retrieved again).
    expect((await restore("slow", 5, undefined, client, b)).$metadata.httpStatusCode).toBe(200);
    const extended = expiryAfter(now(), 5);
    expect((await head("slow", client, b)).Restore).toBe(restoredUntil(extended));

    // Past the expiry date the object is archived again, and a restore starts over.
    offset += extended - now() + 1000;
    const archived = await head("slow", client, b);
    expect([archived.StorageClass, archived.Restore]).toEqual(["GLACIER", undefined]);
    expect((await errorOf(text("slow", client, b))).name).toBe("InvalidObjectState");
    expect((await restore("slow", 1, undefined, client, b)).$metadata.httpStatusCode).toBe(202);
    expect((await head("slow", client, b)).Restore).toBe('ongoing-request="true"');
  });
});
