// Lifecycle on a real server: Put/Get/DeleteBucketLifecycleConfiguration through the SDK, the AWS CLI and
// boto3 with AWS's validation errors, and the sweeper applying rules on a clock the test moves (once on a
// real 300 ms interval): expirations, noncurrent versions, delete markers, uploads, transitions, x-amz-expiration.
import { newBucket as createBucket } from "../helpers/suite.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketLifecycleCommand, DeleteObjectCommand, GetBucketLifecycleConfigurationCommand,
  GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutBucketLifecycleConfigurationCommand,
  PutObjectCommand, S3Client, UploadPartCommand, type LifecycleRule,
} from "@aws-sdk/client-s3";
import { ConfigError, resolveConfig } from "../../src/core/config.ts";
import { sweepLifecycle } from "../../src/core/lifecycle.ts";
import { openMetadata } from "../../src/core/store/meta.ts";
import { startServer } from "../../src/index.ts";
import { errorOf } from "../helpers/data.ts";
import { startTestServer, TEST_STORE, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { hasAwsCli, hasBoto3, run, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS, TEST_CREDENTIALS } from "../setup.ts";

const DAY = 24 * 60 * 60 * 1000;
/** AWS's rule: `days` after `from`, rounded up to the next midnight UTC. */
const dueAfter = (from: number, days: number) => (Math.floor(from / DAY) + days + 1) * DAY;

let offset = 0;
let s: TestServer;
beforeAll(async () => { s = await startTestServer({ now: () => Date.now() + offset }); });
afterAll(() => s.stop());

/** One sweep with the server's clock `days` ahead; requests after it are signed at the real time again. */
async function sweepAt(days: number) {
  offset = days * DAY;
  try {
    return await s.server.runLifecycle();
  } finally {
    offset = 0;
  }
}

const newBucket = (label: string, versioning?: "Enabled" | "Suspended") => createBucket(s.client, label, versioning);

const putRules = (Bucket: string, Rules: LifecycleRule[]) => s.client.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } }));
const put = (Bucket: string, Key: string, Body: string | Uint8Array = `body of ${Key}`) => s.client.send(new PutObjectCommand({ Bucket, Key, Body }));
const keys = async (Bucket: string) => ((await s.client.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((o) => o.Key);
const versions = async (Bucket: string) => {
  const listed = await s.client.send(new ListObjectVersionsCommand({ Bucket }));
  return {
    versions: (listed.Versions ?? []).map((v) => [v.Key, v.VersionId, v.IsLatest]),
    markers: (listed.DeleteMarkers ?? []).map((m) => [m.Key, m.IsLatest]),
  };
};

/** A lifecycle document sent as written, with the Content-MD5 AWS requires. */
const putRaw = (bucket: string, xml: string, headers: Record<string, string> = {}) => fetchSigned(`${s.url}/${bucket}?lifecycle`, {
  method: "PUT", body: xml, headers: { "content-md5": createHash("md5").update(xml).digest("base64"), ...headers },
});
const doc = (rules: string) => `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules}</LifecycleConfiguration>`;
const codeOf = async (res: Response) => [res.status, /<Code>(.*?)<\/Code>/.exec(await res.text())?.[1]];

describe("Put, Get and DeleteBucketLifecycleConfiguration", () => {
  test("round trip: every element back as written, an ID given to a rule without one, the minimum-size header; delete is 204 and leaves NoSuchLifecycleConfiguration", async () => {
    const bucket = await newBucket("lc-rt");
    const rules: LifecycleRule[] = [
      {
        ID: "logs", Status: "Enabled",
        Filter: { And: { Prefix: "logs/", Tags: [{ Key: "kind", Value: "debug" }], ObjectSizeGreaterThan: 10, ObjectSizeLessThan: 1_000_000 } },
        Transitions: [{ Days: 30, StorageClass: "STANDARD_IA" }, { Days: 90, StorageClass: "GLACIER" }],
        Expiration: { Days: 365 },
        NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: "GLACIER_IR", NewerNoncurrentVersions: 3 }],
        NoncurrentVersionExpiration: { NoncurrentDays: 60, NewerNoncurrentVersions: 5 },
      },
      { Status: "Disabled", Filter: { Prefix: "tmp/" }, Expiration: { Date: new Date("2030-01-01T00:00:00Z") }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
      { ID: "markers", Status: "Enabled", Filter: {}, Expiration: { ExpiredObjectDeleteMarker: true } },
    ];
    const put = await putRules(bucket, rules);
    expect(put.TransitionDefaultMinimumObjectSize).toBe("all_storage_classes_128K");
    const got = await s.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    expect(got.TransitionDefaultMinimumObjectSize).toBe("all_storage_classes_128K");
    const generated = got.Rules![1]!.ID!;
    expect(generated).toMatch(/^[A-Za-z0-9+/]{48}$/);
    expect(got.Rules).toEqual([rules[0]!, { ...rules[1]!, ID: generated }, rules[2]!]);

    const varies = await s.client.send(new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket, TransitionDefaultMinimumObjectSize: "varies_by_storage_class", LifecycleConfiguration: { Rules: [rules[2]!] },
    }));
    expect(varies.TransitionDefaultMinimumObjectSize).toBe("varies_by_storage_class");
    const replaced = await s.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    expect([replaced.Rules, replaced.TransitionDefaultMinimumObjectSize]).toEqual([[rules[2]!], "varies_by_storage_class"]);

    expect((await s.client.send(new DeleteBucketLifecycleCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(204);
    expect((await errorOf(s.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })))).name).toBe("NoSuchLifecycleConfiguration");
    expect((await s.client.send(new DeleteBucketLifecycleCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(204);
    expect((await errorOf(s.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "no-such-bucket-lc" })))).name).toBe("NoSuchBucket");
  });

  test("the old top-level Prefix (Lifecycle V1) round-trips too", async () => {
    const bucket = await newBucket("lc-v1");
    const rules: LifecycleRule[] = [
      { ID: "a", Prefix: "a/", Status: "Enabled", Expiration: { Days: 1 } },
      { ID: "b", Prefix: "b/", Status: "Enabled", NoncurrentVersionExpiration: { NoncurrentDays: 3 } },
    ];
    await putRules(bucket, rules);
    expect((await s.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules).toEqual(rules);
  });

  const rule = (r: Partial<LifecycleRule>): LifecycleRule => ({ Status: "Enabled", Filter: {}, Expiration: { Days: 1 }, ...r } as LifecycleRule);
  const tagged = { Tag: { Key: "k", Value: "v" } };
  const MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema.";
  const cases: [string, LifecycleRule[], string, string][] = [
    ["two rules with one ID", [rule({ ID: "same" }), rule({ ID: "same", Filter: { Prefix: "x/" } })], "InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule"],
    ["an ID of 256 characters", [rule({ ID: "i".repeat(256) })], "InvalidArgument", "ID length should not exceed allowed limit of 255"],
    ["1,001 rules", Array.from({ length: 1001 }, (_, i) => rule({ ID: `r${i}` })), "InvalidRequest", "The number of lifecycle rules must not exceed the allowed limit of 1000 rules."],
    ["a rule without an action", [rule({ Expiration: undefined })], "InvalidRequest", "At least one action needs to be specified in a rule"],
    ["Status in lower case", [rule({ Status: "enabled" as "Enabled" })], "MalformedXML", MALFORMED],
    ["neither Filter nor Prefix", [rule({ Filter: undefined })], "MalformedXML", MALFORMED],
    ["a Filter with a Prefix and a Tag", [rule({ Filter: { Prefix: "a/", ...tagged } })], "MalformedXML", MALFORMED],
    ["a Filter and a Prefix after a Prefix rule", [rule({ Filter: undefined, Prefix: "a/" }), rule({ Filter: { Prefix: "b/" } })], "InvalidRequest", "Filter element can only be used in Lifecycle V2."],
    ["a Prefix after a Filter rule", [rule({}), rule({ Filter: undefined, Prefix: "b/" })], "InvalidRequest", "Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter."],
    ["overlapping prefixes in Lifecycle V1", [rule({ Filter: undefined, Prefix: "di" }), rule({ Filter: undefined, Prefix: "dir/" })], "InvalidRequest", "Found overlapping prefixes 'dir/' and 'di' for same action type 'Expiration'"],
    ["Expiration Days 0", [rule({ Expiration: { Days: 0 } })], "InvalidArgument", "'Days' for Expiration action must be a positive integer"],
    ["an Expiration Date that is not midnight UTC", [rule({ Expiration: { Date: new Date("2030-01-01T12:00:00Z") } })], "InvalidArgument", "'Date' must be at midnight GMT"],
    ["ExpiredObjectDeleteMarker with Days", [rule({ Expiration: { Days: 3, ExpiredObjectDeleteMarker: true } })], "MalformedXML", MALFORMED],
    ["ExpiredObjectDeleteMarker with a Tag filter", [rule({ Filter: tagged, Expiration: { ExpiredObjectDeleteMarker: true } })], "InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with Tags."],
    ["AbortIncompleteMultipartUpload with a Tag filter", [rule({ Filter: tagged, Expiration: undefined, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })], "InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags."],
    ["AbortIncompleteMultipartUpload after 0 days", [rule({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 0 } })], "InvalidArgument", "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer"],
    ["NoncurrentDays 0", [rule({ NoncurrentVersionExpiration: { NoncurrentDays: 0 } })], "InvalidArgument", "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"],
    ["NewerNoncurrentVersions without NoncurrentDays", [rule({ NoncurrentVersionExpiration: { NewerNoncurrentVersions: 2 } })], "MalformedXML", MALFORMED],
    ["NewerNoncurrentVersions in Lifecycle V1", [rule({ Filter: undefined, Prefix: "", NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 2 } })], "InvalidRequest", "NewerNoncurrentVersions element can only be used in Lifecycle V2."],
    ["STANDARD_IA before 30 days", [rule({ Transitions: [{ Days: 10, StorageClass: "STANDARD_IA" }] })], "InvalidArgument", "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"],
    ["two transitions to one class", [rule({ Expiration: { Days: 400 }, Transitions: [{ Days: 30, StorageClass: "GLACIER" }, { Days: 60, StorageClass: "GLACIER" }] })], "InvalidRequest", "'StorageClass' must be different for 'Transition' actions in same 'Rule'"],
    ["Date and Days mixed", [rule({ Expiration: { Days: 400 }, Transitions: [{ Date: new Date("2030-01-01T00:00:00Z"), StorageClass: "GLACIER" }] })], "InvalidRequest", "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule"],
    ["ObjectSizeGreaterThan not below ObjectSizeLessThan", [rule({ Filter: { And: { ObjectSizeGreaterThan: 100, ObjectSizeLessThan: 100 } } })], "InvalidRequest", "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'."],
    ["one tag key twice", [rule({ Filter: { And: { Tags: [{ Key: "k", Value: "1" }, { Key: "k", Value: "2" }] } } })], "InvalidRequest", "Duplicate Tag Keys are not allowed."],
  ];
  test.each(cases)("%s", async (_, rules, code, message) => {
    const bucket = await newBucket("lc-bad");
    await putRules(bucket, [rule({ ID: "before" })]);
    const error = await errorOf(putRules(bucket, rules));
    expect([error.name, error.$metadata.httpStatusCode]).toEqual([code, 400]);
    expect(error.message).toBe(message);
    // A refused configuration changes nothing.
    expect((await s.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules!.map((r) => r.ID)).toEqual(["before"]);
  });

  test("raw documents: no integrity header, no rules, unknown elements, an And of one, a bad date, a bad minimum-size header", async () => {
    const bucket = await newBucket("lc-raw");
    const good = doc("<Rule><Filter></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>");
    const unsigned = await fetchSigned(`${s.url}/${bucket}?lifecycle`, { method: "PUT", body: good });
    expect(await codeOf(unsigned)).toEqual([400, "InvalidRequest"]);
    expect(await codeOf(await putRaw(bucket, doc("")))).toEqual([400, "MalformedXML"]);
    expect(await codeOf(await putRaw(bucket, doc("<Rule><Filter></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration><Extra/></Rule>")))).toEqual([400, "MalformedXML"]);
    expect(await codeOf(await putRaw(bucket, doc("<Rule><Filter><And><Prefix>a/</Prefix></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>")))).toEqual([400, "MalformedXML"]);
    expect(await codeOf(await putRaw(bucket, doc("<Rule><Filter></Filter><Status>Enabled</Status><Expiration><Date>01/01/2030</Date></Expiration></Rule>")))).toEqual([400, "MalformedXML"]);
    expect(await codeOf(await putRaw(bucket, good, { "x-amz-transition-default-minimum-object-size": "1K" }))).toEqual([400, "InvalidRequest"]);
    const accepted = await putRaw(bucket, doc("<Rule><ID>d</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><Expiration><Date>2030-01-01</Date></Expiration></Rule>"));
    expect(accepted.status).toBe(200);
    const got = await fetchSigned(`${s.url}/${bucket}?lifecycle`);
    expect(await got.text()).toContain("<Rule><ID>d</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><Expiration><Date>2030-01-01</Date></Expiration></Rule>");
  });
});

describe("the sweeper", () => {
  test("a real 300 ms interval: a past Date on tmp/ removes exactly the objects under tmp/", async () => {
    const server = await startServer({ credentials: TEST_CREDENTIALS, memory: TEST_STORE === "memory", lifecycleInterval: 300, logLevel: "silent" });
    const client = new S3Client({ endpoint: server.url, region: "us-east-1", forcePathStyle: true, credentials: TEST_CREDENTIALS });
    try {
      const bucket = uniqueBucket("lc-tick");
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      for (const key of ["tmp/a", "tmp/b/c", "tmp/ü 1", "tmpfile", "keep/tmp/x", "keep"]) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
      await client.send(new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket, LifecycleConfiguration: { Rules: [{ ID: "tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Date: new Date("2020-01-01T00:00:00Z") } }] },
      }));
      const list = async () => ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key);
      const deadline = Date.now() + 5000;
      while ((await list()).some((k) => k!.startsWith("tmp/")) && Date.now() < deadline) await Bun.sleep(100);
      expect(await list()).toEqual(["keep", "keep/tmp/x", "tmpfile"]);
    } finally {
      client.destroy();
      await server.stop(true);
    }
  }, SLOW_TEST_MS);

  test("Days on an unversioned bucket: due at the midnight UTC after, then the objects are gone; x-amz-expiration on PUT, HEAD and GET", async () => {
    const bucket = await newBucket("lc-days");
    await putRules(bucket, [{ ID: "three days", Status: "Enabled", Filter: { Prefix: "logs/" }, Expiration: { Days: 3 } }]);
    const written = await put(bucket, "logs/a");
    await put(bucket, "logs/b/c");
    await put(bucket, "other");
    const headed = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "logs/a" }));
    const expected = `expiry-date="${new Date(dueAfter(headed.LastModified!.getTime(), 3)).toUTCString()}", rule-id="three days"`;
    expect(headed.Expiration).toBe(expected);
    expect(written.Expiration).toBe(expected);
    expect((await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "logs/a" }))).Expiration).toBe(expected);
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "other" }))).Expiration).toBeUndefined();
    // CopyObject and CompleteMultipartUpload answer it too, as the model has them.
    const copied = await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "logs/copy", CopySource: `${bucket}/other` }));
    expect(copied.Expiration).toMatch(/^expiry-date="[^"]+", rule-id="three days"$/);
    const upload = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "logs/mp" }));
    const part = await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "logs/mp", UploadId: upload.UploadId, PartNumber: 1, Body: "x" }));
    const completed = await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "logs/mp", UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    expect(completed.Expiration).toMatch(/^expiry-date="[^"]+", rule-id="three days"$/);
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "logs/copy" }));
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "logs/mp" }));

    expect((await sweepAt(3)).expired).toBe(0);
    expect(await keys(bucket)).toEqual(["logs/a", "logs/b/c", "other"]);
    const report = await sweepAt(4);
    expect(report.expired).toBe(2);
    expect(await keys(bucket)).toEqual(["other"]);
  });

  test("Days on a versioned bucket: each current version gets one delete marker, the versions stay noncurrent", async () => {
    const bucket = await newBucket("lc-vdays", "Enabled");
    await putRules(bucket, [{ ID: "day", Status: "Enabled", Filter: {}, Expiration: { Days: 1 } }]);
    const v1 = (await put(bucket, "a")).VersionId;
    const v2 = (await put(bucket, "b")).VersionId;
    expect((await sweepAt(2)).deleteMarkersAdded).toBe(2);
    expect(await keys(bucket)).toEqual([]);
    expect(await versions(bucket)).toEqual({ versions: [["a", v1, false], ["b", v2, false]], markers: [["a", true], ["b", true]] });
    // A key whose latest version is a marker already gets no second one.
    expect((await sweepAt(2)).deleteMarkersAdded).toBe(0);
    expect((await versions(bucket)).markers.length).toBe(2);
  });

  test("a disabled rule and a rule on another tag do nothing; a rule on a tag expires only the tagged object", async () => {
    const bucket = await newBucket("lc-tags");
    await putRules(bucket, [
      { ID: "off", Status: "Disabled", Filter: {}, Expiration: { Days: 1 } },
      { ID: "debug", Status: "Enabled", Filter: { Tag: { Key: "kind", Value: "debug" } }, Expiration: { Days: 1 } },
    ]);
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "tagged", Body: "x", Tagging: "kind=debug" }));
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "other-tag", Body: "x", Tagging: "kind=info" }));
    await put(bucket, "untagged");
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "tagged" }))).Expiration).toContain('rule-id="debug"');
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "untagged" }))).Expiration).toBeUndefined();
    expect((await sweepAt(5)).expired).toBe(1);
    expect(await keys(bucket)).toEqual(["other-tag", "untagged"]);
  });

  test("NoncurrentVersionExpiration keeps the NewerNoncurrentVersions newest noncurrent versions and removes older ones once noncurrent for NoncurrentDays", async () => {
    const bucket = await newBucket("lc-nc", "Enabled");
    await putRules(bucket, [{ ID: "nc", Status: "Enabled", Filter: { Prefix: "k" }, NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 2 } }]);
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push((await put(bucket, "k", `v${i}`)).VersionId!);
    const other = (await put(bucket, "other", "o1")).VersionId!;
    await put(bucket, "other", "o2");
    expect((await sweepAt(0)).noncurrentExpired).toBe(0);
    expect((await sweepAt(2)).noncurrentExpired).toBe(2);
    const listed = await versions(bucket);
    expect(listed.versions.filter(([k]) => k === "k").map(([, id]) => id)).toEqual([ids[4], ids[3], ids[2]]);
    // "other" is outside the rule's prefix.
    expect(listed.versions.filter(([k]) => k === "other").map(([, id]) => id)).toContain(other);
    expect(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "k" }))).Body!.transformToString()).toBe("v5");
  });

  test("ExpiredObjectDeleteMarker removes a delete marker only where it is the only version left", async () => {
    const bucket = await newBucket("lc-eodm", "Enabled");
    await putRules(bucket, [{ ID: "markers", Status: "Enabled", Filter: {}, Expiration: { ExpiredObjectDeleteMarker: true } }]);
    const gone = (await put(bucket, "gone")).VersionId!;
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "gone" }));
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "gone", VersionId: gone }));
    const kept = (await put(bucket, "kept")).VersionId!;
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "kept" }));
    await put(bucket, "live");
    expect((await versions(bucket)).markers).toEqual([["gone", true], ["kept", true]]);
    const report = await sweepAt(0);
    expect([report.deleteMarkersRemoved, report.deleteMarkersAdded, report.noncurrentExpired]).toEqual([1, 0, 0]);
    const after = await versions(bucket);
    expect(after.markers).toEqual([["kept", true]]);
    expect(after.versions.map(([k, id]) => [k, id])).toContainEqual(["kept", kept]);
    expect(await keys(bucket)).toEqual(["live"]);
  });

  test("AbortIncompleteMultipartUpload aborts uploads under its prefix started DaysAfterInitiation ago", async () => {
    const bucket = await newBucket("lc-mpu");
    await putRules(bucket, [{ ID: "abort", Status: "Enabled", Filter: { Prefix: "up/" }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }]);
    for (const Key of ["up/a", "up/b", "other/c"]) await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
    const uploads = async () => ((await s.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).map((u) => u.Key);
    expect((await sweepAt(1)).uploadsAborted).toBe(0);
    expect((await sweepAt(2)).uploadsAborted).toBe(2);
    expect(await uploads()).toEqual(["other/c"]);
  });

  test("Transitions change the storage class down the waterfall, leaving objects under 128 KB alone by default", async () => {
    const bucket = await newBucket("lc-tr");
    await putRules(bucket, [{
      ID: "cold", Status: "Enabled", Filter: { Prefix: "cold/" },
      Transitions: [{ Days: 30, StorageClass: "STANDARD_IA" }, { Days: 60, StorageClass: "GLACIER" }],
    }]);
    await put(bucket, "cold/big", new Uint8Array(200 * 1024));
    await put(bucket, "cold/small", "tiny");
    await put(bucket, "warm/big", new Uint8Array(200 * 1024));
    const classOf = async (Key: string) => (await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key }))).StorageClass ?? "STANDARD";
    expect((await sweepAt(29)).transitioned).toBe(0);
    expect((await sweepAt(31)).transitioned).toBe(1);
    expect([await classOf("cold/big"), await classOf("cold/small"), await classOf("warm/big")]).toEqual(["STANDARD_IA", "STANDARD", "STANDARD"]);
    expect((await sweepAt(61)).transitioned).toBe(1);
    expect(await classOf("cold/big")).toBe("GLACIER");
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "cold/big" })))).name).toBe("InvalidObjectState");
    const listed = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "cold/" }));
    expect(listed.Contents!.map((o) => [o.Key, o.StorageClass])).toEqual([["cold/big", "GLACIER"], ["cold/small", "STANDARD"]]);
    // Never back up the waterfall.
    expect((await sweepAt(61)).transitioned).toBe(0);
  });
});

test("--lifecycle-interval: the flag over S3LITE_LIFECYCLE_INTERVAL over 1h", () => {
  expect(resolveConfig({}, {}).lifecycleIntervalMs).toBe(60 * 60 * 1000);
  expect(resolveConfig({}, { S3LITE_LIFECYCLE_INTERVAL: "10m" }).lifecycleIntervalMs).toBe(10 * 60 * 1000);
  expect(resolveConfig({ "lifecycle-interval": "0" }, { S3LITE_LIFECYCLE_INTERVAL: "10m" }).lifecycleIntervalMs).toBe(0);
  expect(() => resolveConfig({ "lifecycle-interval": "soon" }, {})).toThrow(ConfigError);
});

test("NoncurrentVersionTransition changes the class of noncurrent versions only, counted from when they became noncurrent", async () => {
  const bucket = await newBucket("lc-nct", "Enabled");
  await putRules(bucket, [{ ID: "nct", Status: "Enabled", Filter: { ObjectSizeGreaterThan: 0 }, NoncurrentVersionTransitions: [{ NoncurrentDays: 1, StorageClass: "GLACIER" }] }]);
  const old = (await put(bucket, "k", "old")).VersionId;
  const current = (await put(bucket, "k", "new")).VersionId;
  expect((await sweepAt(0)).transitioned).toBe(0);
  expect((await sweepAt(2)).transitioned).toBe(1);
  const listed = await s.client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  expect(listed.Versions!.map((v) => [v.VersionId, v.StorageClass])).toEqual([[current, "STANDARD"], [old, "GLACIER"]]);
});

describe("the sweeper's batches", () => {
  test("cursors carry a key's state across batch boundaries (batches of 2)", async () => {
    const meta = openMetadata(":memory:");
    try {
      meta.createBucket("b", "us-east-1", Date.now(), "owner");
      meta.setBucketConfig("b", "versioning", { Status: "Enabled" });
      const row = (key: string, body: string) => ({
        bucket: "b", key, sha256: body, size: 1, etag: `"${body}"`, lastModified: Date.now(), contentType: "text/plain", headers: {}, metadata: {},
        checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 0, owner: "owner", acl: null,
      });
      const ids: Record<string, string[]> = {};
      for (const key of ["a", "b", "c"]) for (let i = 0; i < 5; i++) (ids[key] ??= []).push(meta.putObject(row(key, `${key}${i}`)));
      for (let i = 0; i < 7; i++) meta.putObject(row(`x${i}`, "x"));
      meta.setBucketConfig("b", "lifecycle", {
        rules: [{ id: "r", enabled: true, filter: { prefix: "", tags: [] }, transitions: [], noncurrentTransitions: [], noncurrentExpiration: { days: 1, newerVersions: 1 } }],
        xml: "", minimumTransitionSize: "all_storage_classes_128K",
      });
      const report = await sweepLifecycle(meta, Date.now() + 3 * DAY, { batchSize: 2 });
      expect(report.noncurrentExpired).toBe(9);
      for (const key of ["a", "b", "c"]) {
        const left = [...meta.listVersions("b", key, { key: "", seq: null }, 100)].filter((v) => v.key === key).map((v) => v.versionId);
        expect(left).toEqual(ids[key]!.slice(3).reverse());
      }
      expect([...meta.listObjects("b", "x", "", 100)].length).toBe(7);
    } finally {
      meta.close();
    }
  });
});

describe.skipIf(skipWithout(hasAwsCli))("AWS CLI", () => {
  test("put-bucket-lifecycle-configuration and get-bucket-lifecycle-configuration", async () => {
    const bucket = await newBucket("lc-cli");
    const configuration = { Rules: [{ ID: "cli", Status: "Enabled", Filter: { Prefix: "logs/" }, Expiration: { Days: 7 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } }] };
    const aws = (...args: string[]) => run(["aws", "--endpoint-url", s.url, "s3api", ...args], s.env);
    const put = await aws("put-bucket-lifecycle-configuration", "--bucket", bucket, "--lifecycle-configuration", JSON.stringify(configuration));
    expect([put.exitCode, put.stderr]).toEqual([0, ""]);
    const got = await aws("get-bucket-lifecycle-configuration", "--bucket", bucket);
    expect(got.exitCode).toBe(0);
    expect(JSON.parse(got.stdout)).toEqual({ ...configuration, TransitionDefaultMinimumObjectSize: "all_storage_classes_128K" });
    const bad = await aws("put-bucket-lifecycle-configuration", "--bucket", bucket, "--lifecycle-configuration", JSON.stringify({ Rules: [{ ID: "x", Status: "Enabled", Filter: {} }] }));
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain("InvalidRequest");
  }, SLOW_TEST_MS);
});

describe.skipIf(skipWithout(hasBoto3))("boto3", () => {
  test("put_bucket_lifecycle_configuration, then get_bucket_lifecycle_configuration", async () => {
    const bucket = await newBucket("lc-boto");
    const script = `
import boto3, json, sys
from botocore.config import Config
s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))
rules = [{"ID": "boto", "Status": "Enabled", "Filter": {"Prefix": "p/"}, "NoncurrentVersionExpiration": {"NoncurrentDays": 3, "NewerNoncurrentVersions": 2}}]
s3.put_bucket_lifecycle_configuration(Bucket=sys.argv[1], LifecycleConfiguration={"Rules": rules})
print(json.dumps(s3.get_bucket_lifecycle_configuration(Bucket=sys.argv[1])["Rules"]))
`;
    const res = await run(["python3", "-c", script, bucket], s.env);
    expect([res.exitCode, res.stderr]).toEqual([0, ""]);
    expect(JSON.parse(res.stdout)).toEqual([{ ID: "boto", Status: "Enabled", Filter: { Prefix: "p/" }, NoncurrentVersionExpiration: { NoncurrentDays: 3, NewerNoncurrentVersions: 2 } }]);
  }, SLOW_TEST_MS);
});
