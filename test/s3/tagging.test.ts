// Tagging against a real server: object tag sets through PutObjectTagging, x-amz-tagging on PutObject,
// CreateMultipartUpload and CopyObject (COPY / REPLACE), a form's tagging field, versions by id;
// x-amz-tagging-count; bucket tag sets; AWS's limits and errors, none of which stores anything; policies
// conditioned on s3:ExistingObjectTag, s3:RequestObjectTag and s3:RequestObjectTagKeys; the AWS CLI and boto3.
import { newBucket as createBucket } from "../helpers/suite.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketTaggingCommand, DeleteObjectCommand,
  DeleteObjectTaggingCommand, GetBucketTaggingCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListMultipartUploadsCommand,
  PutBucketPolicyCommand, PutBucketTaggingCommand, PutBucketVersioningCommand, PutObjectCommand, PutObjectTaggingCommand, UploadPartCommand,
  type S3Client, type Tag,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { accountIdFor } from "../../src/core/access/identities.ts";
import { errorOf } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { hasAwsCli, hasBoto3, run, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";

const BOB = { accessKeyId: "AKIABOBTAGGING01", secretAccessKey: "bob-tagging-secret", user: "bob" };
const BOB_ARN = `arn:aws:iam::${accountIdFor("bob")}:user/bob`;

let s: TestServer;
let bob: S3Client;
let bucket: string;
beforeAll(async () => {
  s = await startTestServer({ extraCredentials: [BOB] });
  bob = s.makeClient({ credentials: BOB });
  bucket = await newBucket("tags");
});
afterAll(async () => {
  bob.destroy();
  await s.stop();
});

const newBucket = (label: string) => createBucket(s.client, label);

const tagSet = (pairs: [string, string][]): Tag[] => pairs.map(([Key, Value]) => ({ Key, Value }));
const put = (Key: string, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}, Bucket = bucket) =>
  s.client.send(new PutObjectCommand({ Bucket, Key, Body: `body of ${Key}`, ...extra }));
const tagsOf = async (Key: string, VersionId?: string, Bucket = bucket) =>
  (await s.client.send(new GetObjectTaggingCommand({ Bucket, Key, VersionId }))).TagSet;
const setTags = (Key: string, pairs: [string, string][], VersionId?: string, Bucket = bucket) =>
  s.client.send(new PutObjectTaggingCommand({ Bucket, Key, VersionId, Tagging: { TagSet: tagSet(pairs) } }));
const exists = (Key: string, Bucket = bucket) => s.client.send(new HeadObjectCommand({ Bucket, Key })).then(() => true, () => false);

/** HEAD's raw headers, to see x-amz-tagging-count (and its absence) as sent. */
async function headers(Bucket: string, Key: string, VersionId?: string): Promise<Record<string, string>> {
  const query = VersionId ? `?versionId=${VersionId}` : "";
  const res = await fetchSigned(`${s.url}/${Bucket}/${encodeURIComponent(Key)}${query}`, { method: "HEAD" });
  expect(res.status).toBe(200);
  return Object.fromEntries(res.headers);
}

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const taggingXml = (pairs: [string, string][]) =>
  `<Tagging><TagSet>${pairs.map(([k, v]) => `<Tag><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></Tag>`).join("")}</TagSet></Tagging>`;
const md5Base64 = (body: string) => createHash("md5").update(body).digest("base64");

/** An error as the wire has it: status, Code, Message and the extra elements tests look at. */
async function wireError(res: Response): Promise<Record<string, string | number>> {
  const text = await res.text();
  const out: Record<string, string | number> = { status: res.status };
  for (const name of ["Code", "Message", "TagKey", "TagValue", "ArgumentName"]) {
    const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(text);
    if (m) out[name] = m[1]!.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
  }
  return out;
}

const putTaggingRaw = (key: string, body: string, Bucket = bucket) =>
  fetchSigned(`${s.url}/${Bucket}/${encodeURIComponent(key)}?tagging`, { method: "PUT", body });
const putBucketTaggingRaw = (Bucket: string, body: string, md5 = true) =>
  fetchSigned(`${s.url}/${Bucket}?tagging`, { method: "PUT", body, headers: md5 ? { "content-md5": md5Base64(body) } : {} });

describe("object tag sets", () => {
  test("PutObjectTagging, GetObjectTagging (in the order written), x-amz-tagging-count on HEAD and GET, DeleteObjectTagging; no version id on an unversioned bucket", async () => {
    const key = "round trip/a b+c";
    await put(key);
    expect(await tagsOf(key)).toEqual([]);
    expect((await headers(bucket, key))["x-amz-tagging-count"]).toBeUndefined();
    const written = await setTags(key, [["zeta", "last"], ["alpha", ""], ["ü 文", "+-=._:/@ x"]]);
    expect(written.VersionId).toBeUndefined();
    expect(await tagsOf(key)).toEqual(tagSet([["zeta", "last"], ["alpha", ""], ["ü 文", "+-=._:/@ x"]]));
    expect((await headers(bucket, key))["x-amz-tagging-count"]).toBe("3");
    expect((await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).TagCount).toBe(3);
    // A new set replaces the old one whole.
    await setTags(key, [["only", "one"]]);
    expect(await tagsOf(key)).toEqual(tagSet([["only", "one"]]));
    const deleted = await s.client.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: key }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(await tagsOf(key)).toEqual([]);
    expect((await headers(bucket, key))["x-amz-tagging-count"]).toBeUndefined();
    // An empty tag set removes the tags too; the bytes are untouched throughout.
    await setTags(key, [["a", "1"]]);
    await setTags(key, []);
    expect(await tagsOf(key)).toEqual([]);
    expect(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString()).toBe(`body of ${key}`);
  });

  test("PutObject's x-amz-tagging: URL-query encoded, a key without = has the empty value, read back in key order; an empty header is no tags", async () => {
    await put("header", { Tagging: "b=2&a=1&bare&sp+ace=x%2By%3Dz&%C3%BC=%E6%96%87" });
    expect(await tagsOf("header")).toEqual(tagSet([["a", "1"], ["b", "2"], ["bare", ""], ["sp ace", "x+y=z"], ["ü", "文"]]));
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "header" }))).$metadata.httpStatusCode).toBe(200);
    expect((await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "header" }))).TagCount).toBe(5);
    const res = await fetchSigned(`${s.url}/${bucket}/header-empty`, { method: "PUT", body: "x", headers: { "x-amz-tagging": "" } });
    expect(res.status).toBe(200);
    expect(await tagsOf("header-empty")).toEqual([]);
    // An overwrite without tags has none: tags belong to the version written.
    await put("header");
    expect(await tagsOf("header")).toEqual([]);
  });

  test("a presigned PutObject carries x-amz-tagging in its query and the tags are applied", async () => {
    const { getSignedUrl } = await import("@aws-sdk/s3-request-presigner");
    const url = await getSignedUrl(s.client, new PutObjectCommand({ Bucket: bucket, Key: "presigned", Tagging: "team=data&tier=1" }), { expiresIn: 300 });
    expect(url).toContain("x-amz-tagging=");
    const res = await fetch(url, { method: "PUT", body: "presigned body" });
    expect(res.status).toBe(200);
    expect(await tagsOf("presigned")).toEqual(tagSet([["team", "data"], ["tier", "1"]]));
  });

  test("CreateMultipartUpload's x-amz-tagging stays on the upload and is the object's at completion", async () => {
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "multi", Tagging: "project=alpha&stage=raw" }));
    expect(await exists("multi")).toBe(false);
    const part = await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "multi", UploadId, PartNumber: 1, Body: "the only part" }));
    await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "multi", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    expect((await headers(bucket, "multi"))["x-amz-tagging-count"]).toBe("2");
    expect(await tagsOf("multi")).toEqual(tagSet([["project", "alpha"], ["stage", "raw"]]));
  });

  test("CopyObject: COPY (the default) keeps the source's tags and ignores x-amz-tagging; REPLACE takes x-amz-tagging, or none; other directives are InvalidArgument", async () => {
    await put("copy-src", { Tagging: "origin=source&n=1" });
    const copy = (Key: string, extra: Partial<ConstructorParameters<typeof CopyObjectCommand>[0]> = {}) =>
      s.client.send(new CopyObjectCommand({ Bucket: bucket, Key, CopySource: `${bucket}/copy-src`, ...extra }));
    await copy("copy-default");
    expect(await tagsOf("copy-default")).toEqual(tagSet([["n", "1"], ["origin", "source"]]));
    await copy("copy-explicit", { TaggingDirective: "COPY", Tagging: "ignored=yes" });
    expect(await tagsOf("copy-explicit")).toEqual(tagSet([["n", "1"], ["origin", "source"]]));
    await copy("copy-replace", { TaggingDirective: "REPLACE", Tagging: "fresh=tag" });
    expect(await tagsOf("copy-replace")).toEqual(tagSet([["fresh", "tag"]]));
    await copy("copy-cleared", { TaggingDirective: "REPLACE" });
    expect(await tagsOf("copy-cleared")).toEqual([]);
    expect((await headers(bucket, "copy-cleared"))["x-amz-tagging-count"]).toBeUndefined();
    const res = await fetchSigned(`${s.url}/${bucket}/copy-merge`, { method: "PUT", headers: { "x-amz-copy-source": `${bucket}/copy-src`, "x-amz-tagging-directive": "MERGE" } });
    expect(await wireError(res)).toEqual({ status: 400, Code: "InvalidArgument", Message: "Unknown tagging directive.", ArgumentName: "x-amz-tagging-directive" });
    expect(await exists("copy-merge")).toBe(false);
    // A REPLACE with a tag set S3 refuses copies nothing.
    const refused = await errorOf(copy("copy-bad", { TaggingDirective: "REPLACE", Tagging: "aws:x=1" }));
    expect([refused.name, refused.message]).toEqual(["InvalidTag", "Your TagKey cannot be prefixed with aws:"]);
    expect(await exists("copy-bad")).toBe(false);
  });
});

describe("versions", () => {
  test("tags on a noncurrent version by versionId, the current one untouched; x-amz-version-id in every answer; a delete marker has no tags to set", async () => {
    const versioned = await newBucket("tagversions");
    await s.client.send(new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: "Enabled" } }));
    const old = (await put("doc", { Tagging: "gen=1" }, versioned)).VersionId!;
    const current = (await put("doc", {}, versioned)).VersionId!;
    expect(await tagsOf("doc", undefined, versioned)).toEqual([]);
    expect(await tagsOf("doc", old, versioned)).toEqual(tagSet([["gen", "1"]]));
    const written = await setTags("doc", [["archived", "yes"]], old, versioned);
    expect(written.VersionId).toBe(old);
    expect(await tagsOf("doc", old, versioned)).toEqual(tagSet([["archived", "yes"]]));
    expect((await s.client.send(new GetObjectTaggingCommand({ Bucket: versioned, Key: "doc" }))).VersionId).toBe(current);
    expect(await tagsOf("doc", undefined, versioned)).toEqual([]);
    expect((await headers(versioned, "doc", old))["x-amz-tagging-count"]).toBe("1");
    expect((await headers(versioned, "doc"))["x-amz-tagging-count"]).toBeUndefined();
    // The current version, tagged without a versionId, answers with its id.
    expect((await setTags("doc", [["live", "1"]], undefined, versioned)).VersionId).toBe(current);
    expect(await tagsOf("doc", old, versioned)).toEqual(tagSet([["archived", "yes"]]));
    // A copy of the old version by id takes that version's tags.
    await s.client.send(new CopyObjectCommand({ Bucket: versioned, Key: "from-old", CopySource: `${versioned}/doc?versionId=${old}` }));
    expect(await tagsOf("from-old", undefined, versioned)).toEqual(tagSet([["archived", "yes"]]));
    const removed = await s.client.send(new DeleteObjectTaggingCommand({ Bucket: versioned, Key: "doc", VersionId: old }));
    expect(removed.VersionId).toBe(old);
    expect(await tagsOf("doc", old, versioned)).toEqual([]);
    expect(await tagsOf("doc", undefined, versioned)).toEqual(tagSet([["live", "1"]]));
    // Behind a delete marker: NoSuchKey; the marker by id: 405.
    const marker = (await s.client.send(new DeleteObjectCommand({ Bucket: versioned, Key: "doc" }))).VersionId!;
    expect((await errorOf(tagsOf("doc", undefined, versioned))).name).toBe("NoSuchKey");
    expect((await errorOf(setTags("doc", [["a", "b"]], marker, versioned))).$metadata.httpStatusCode).toBe(405);
    expect((await errorOf(tagsOf("doc", "0123456789abcdefghijABCDEFGHIJ01", versioned))).name).toBe("NoSuchVersion");
    // The versions behind the marker keep their own tags.
    expect(await tagsOf("doc", current, versioned)).toEqual(tagSet([["live", "1"]]));
  });
});

describe("limits and errors, each storing nothing", () => {
  const text = (n: number, c = "a") => c.repeat(n);
  beforeAll(async () => {
    await put("limits");
    await setTags("limits", [["keep", "me"]]);
  });

  test("ten tags of 128-character keys and 256-character values are accepted", async () => {
    await put("max");
    const pairs = Array.from({ length: 10 }, (_, i): [string, string] => [`${i}`.padEnd(128, "k"), text(256, "v")]);
    await setTags("max", pairs);
    expect(await tagsOf("max")).toEqual(tagSet(pairs));
    await setTags("max", [["𝒜".repeat(64), "𝒜".repeat(128)]]);
  });

  const invalidKey = (TagKey: string) => ({ status: 400, Code: "InvalidTag", Message: "The TagKey you have provided is invalid", TagKey });
  const invalidValue = (TagValue: string) => ({ status: 400, Code: "InvalidTag", Message: "The TagValue you have provided is invalid", TagKey: "k", TagValue });
  const eleven = Array.from({ length: 11 }, (_, i): [string, string] => [`key-${i}`, ""]);
  test.each<[string, string, Record<string, string | number>]>([
    ["11 tags", taggingXml(eleven), { status: 400, Code: "BadRequest", Message: "Object tags cannot be greater than 10" }],
    ["a repeated key", taggingXml([["a", "1"], ["a", "2"]]), { status: 400, Code: "InvalidTag", Message: "Cannot provide multiple Tags with the same key", TagKey: "a" }],
    ["a 129-character key", taggingXml([[text(129), ""]]), invalidKey(text(129))],
    ["an empty key", taggingXml([["", "v"]]), invalidKey("")],
    ["a 257-character value", taggingXml([["k", text(257)]]), invalidValue(text(257))],
    ["a 65-character key of two-unit letters (130 UTF-16 units)", taggingXml([["𝒜".repeat(65), ""]]), invalidKey("𝒜".repeat(65))],
    ...["a,b", "a;b", "a?b", "a*b", "a#b", "a%b", "a(b)", "a\tb", "😀"].flatMap((bad): [string, string, Record<string, string | number>][] => [
      [`the key ${JSON.stringify(bad)}`, taggingXml([[bad, "v"]]), invalidKey(bad)],
      [`the value ${JSON.stringify(bad)}`, taggingXml([["k", bad]]), invalidValue(bad)],
    ]),
    ["the key aws:cost", taggingXml([["aws:cost", "1"]]), { status: 400, Code: "InvalidTag", Message: "Your TagKey cannot be prefixed with aws:", TagKey: "aws:cost" }],
    ["the key AWS:cost", taggingXml([["AWS:cost", "1"]]), { status: 400, Code: "InvalidTag", Message: "Your TagKey cannot be prefixed with aws:", TagKey: "AWS:cost" }],
    ["a document that does not end", "<Tagging><TagSet>", { status: 400, Code: "MalformedXML" }],
    ["a document without a tag set", "<Tagging></Tagging>", { status: 400, Code: "MalformedXML" }],
    ["a tag without a value", "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>", { status: 400, Code: "MalformedXML" }],
    ["a tag with another element", "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value><Colour>red</Colour></Tag></TagSet></Tagging>", { status: 400, Code: "MalformedXML" }],
    ["another root", "<Tags><TagSet></TagSet></Tags>", { status: 400, Code: "MalformedXML" }],
    ["no document at all", "", { status: 400, Code: "MissingRequestBodyError" }],
  ])("PutObjectTagging with %s", async (_, body, expected) => {
    const res = await putTaggingRaw("limits", body);
    const error = await wireError(res);
    expect(Object.fromEntries(Object.entries(error).filter(([name]) => name in expected))).toEqual(expected);
    expect(await tagsOf("limits")).toEqual(tagSet([["keep", "me"]]));
  });

  test("the SDK sees the same refusals; a missing key is NoSuchKey and a missing bucket NoSuchBucket", async () => {
    const tooMany = await errorOf(setTags("limits", eleven));
    expect([tooMany.name, tooMany.message, tooMany.$metadata.httpStatusCode]).toEqual(["BadRequest", "Object tags cannot be greater than 10", 400]);
    expect((await errorOf(setTags("limits", [["aws:x", "1"]]))).name).toBe("InvalidTag");
    expect((await errorOf(setTags("no-such-key", [["a", "1"]]))).name).toBe("NoSuchKey");
    expect((await errorOf(tagsOf("no-such-key"))).name).toBe("NoSuchKey");
    expect((await errorOf(s.client.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: "no-such-key" })))).name).toBe("NoSuchKey");
    expect((await errorOf(tagsOf("k", undefined, uniqueBucket("missing")))).name).toBe("NoSuchBucket");
    expect(await tagsOf("limits")).toEqual(tagSet([["keep", "me"]]));
  });

  const headerError = { status: 400, Code: "InvalidArgument", Message: "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", ArgumentName: "x-amz-tagging" };
  test.each<[string, string, Record<string, string | number>]>([
    ["a repeated key", "a=1&a=2", headerError],
    ["an empty key", "=1", headerError],
    ["bytes that are not UTF-8", "a=%FF", headerError],
    ["a bad escape", "a=%zz", headerError],
    ["two = in one pair", "TagSet=[{Key=string,Value=string}]", headerError],
    ["11 tags", eleven.map(([k]) => `${k}=`).join("&"), { status: 400, Code: "BadRequest", Message: "Object tags cannot be greater than 10" }],
    ["a key S3 refuses", "a%2Cb=1", invalidKey("a,b")],
    ["an encoded key with brackets", "TagSet%3D%5B%7BKey%3Dstring%7D%5D", invalidKey("TagSet=[{Key=string}]")],
    ["the key aws:cost", "aws:cost=1", { status: 400, Code: "InvalidTag", Message: "Your TagKey cannot be prefixed with aws:" }],
  ])("PutObject and CreateMultipartUpload with x-amz-tagging holding %s", async (label, value, expected) => {
    const key = `refused-${label}`;
    const res = await fetchSigned(`${s.url}/${bucket}/${encodeURIComponent(key)}`, { method: "PUT", body: "x", headers: { "x-amz-tagging": value } });
    const error = await wireError(res);
    expect(Object.fromEntries(Object.entries(error).filter(([name]) => name in expected))).toEqual(expected);
    expect(await exists(key)).toBe(false);
    const upload = await fetchSigned(`${s.url}/${bucket}/${encodeURIComponent(key)}?uploads`, { method: "POST", headers: { "x-amz-tagging": value } });
    expect(upload.status).toBe(400);
    expect((await s.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }))).Uploads).toBeUndefined();
  });
});

describe("bucket tag sets", () => {
  test("PutBucketTagging, GetBucketTagging, DeleteBucketTagging; NoSuchTagSet before and after; a new set replaces the old; fifty tags are accepted", async () => {
    const tagged = await newBucket("btags");
    expect((await errorOf(s.client.send(new GetBucketTaggingCommand({ Bucket: tagged })))).name).toBe("NoSuchTagSet");
    const written = await s.client.send(new PutBucketTaggingCommand({ Bucket: tagged, Tagging: { TagSet: tagSet([["team", "storage"], ["cost-centre", "42"]]) } }));
    expect(written.$metadata.httpStatusCode).toBe(204);
    expect((await s.client.send(new GetBucketTaggingCommand({ Bucket: tagged }))).TagSet).toEqual(tagSet([["team", "storage"], ["cost-centre", "42"]]));
    const fifty = Array.from({ length: 50 }, (_, i): [string, string] => [`k${i}`, `v${i}`]);
    await s.client.send(new PutBucketTaggingCommand({ Bucket: tagged, Tagging: { TagSet: tagSet(fifty) } }));
    expect((await s.client.send(new GetBucketTaggingCommand({ Bucket: tagged }))).TagSet).toEqual(tagSet(fifty));
    expect((await s.client.send(new DeleteBucketTaggingCommand({ Bucket: tagged }))).$metadata.httpStatusCode).toBe(204);
    expect((await errorOf(s.client.send(new GetBucketTaggingCommand({ Bucket: tagged })))).name).toBe("NoSuchTagSet");
    // An empty tag set leaves none.
    await s.client.send(new PutBucketTaggingCommand({ Bucket: tagged, Tagging: { TagSet: tagSet([["a", "b"]]) } }));
    await s.client.send(new PutBucketTaggingCommand({ Bucket: tagged, Tagging: { TagSet: [] } }));
    expect((await errorOf(s.client.send(new GetBucketTaggingCommand({ Bucket: tagged })))).name).toBe("NoSuchTagSet");
    expect((await errorOf(s.client.send(new GetBucketTaggingCommand({ Bucket: uniqueBucket("missing") })))).name).toBe("NoSuchBucket");
  });

  test("51 tags, an aws: key, a repeated key, a bad key, a malformed document, no Content-MD5 or checksum: refused, the tag set unchanged", async () => {
    const tagged = await newBucket("btagerr");
    await s.client.send(new PutBucketTaggingCommand({ Bucket: tagged, Tagging: { TagSet: tagSet([["keep", "me"]]) } }));
    const fiftyOne = Array.from({ length: 51 }, (_, i): [string, string] => [`k${i}`, ""]);
    const cases: [string, boolean, Record<string, string | number>][] = [
      [taggingXml(fiftyOne), true, { status: 400, Code: "BadRequest", Message: "Bucket tag count cannot be greater than 50" }],
      [taggingXml([["aws:cloudformation:stack-name", "x"]]), true, { status: 400, Code: "InvalidTag", Message: "System tags cannot be added/updated by requester", TagKey: "aws:cloudformation:stack-name" }],
      [taggingXml([["a", "1"], ["a", "2"]]), true, { status: 400, Code: "InvalidTag", Message: "Cannot provide multiple Tags with the same key", TagKey: "a" }],
      [taggingXml([["a!", "1"]]), true, { status: 400, Code: "InvalidTag", Message: "The TagKey you have provided is invalid", TagKey: "a!" }],
      ["<Tagging><TagSet><Tag><Value>1</Value></Tag></TagSet></Tagging>", true, { status: 400, Code: "MalformedXML" }],
      [taggingXml([["a", "1"]]), false, { status: 400, Code: "InvalidRequest", Message: "Missing required header for this request: Content-MD5 OR x-amz-checksum-*" }],
    ];
    for (const [body, md5, expected] of cases) {
      const error = await wireError(await putBucketTaggingRaw(tagged, body, md5));
      expect(Object.fromEntries(Object.entries(error).filter(([name]) => name in expected))).toEqual(expected);
    }
    expect((await s.client.send(new GetBucketTaggingCommand({ Bucket: tagged }))).TagSet).toEqual(tagSet([["keep", "me"]]));
  });
});

describe("PostObject's tagging field", () => {
  const postForm = (url: string, fields: Record<string, string>) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("file", new Blob(["form body"]), "a.txt");
    return fetch(url, { method: "POST", body: form, redirect: "manual" });
  };

  test("a Tagging document in the form tags the object; one S3 refuses stores nothing", async () => {
    const good = await createPresignedPost(s.client, { Bucket: bucket, Key: "form/tagged", Expires: 300, Fields: { tagging: taggingXml([["source", "form"], ["n", "2"]]) } });
    expect((await postForm(good.url, good.fields)).status).toBe(204);
    expect(await tagsOf("form/tagged")).toEqual(tagSet([["source", "form"], ["n", "2"]]));
    expect((await headers(bucket, "form/tagged"))["x-amz-tagging-count"]).toBe("2");
    for (const [key, tagging, code] of [["form/malformed", "<Tagging><TagSet><Tag>", "MalformedXML"], ["form/aws", taggingXml([["aws:x", "1"]]), "InvalidTag"]] as const) {
      const bad = await createPresignedPost(s.client, { Bucket: bucket, Key: key, Expires: 300, Fields: { tagging: tagging } });
      const res = await postForm(bad.url, bad.fields);
      expect([key, (await wireError(res)).Code]).toEqual([key, code]);
      expect(await exists(key)).toBe(false);
    }
  });
});

describe("policy conditions on tags", () => {
  test("a Deny of s3:GetObject on s3:ExistingObjectTag/classification: tagged objects are refused, others and a retagged one are read; tagging itself still works", async () => {
    const guarded = await newBucket("tagdeny");
    await put("secret", { Tagging: "classification=secret" }, guarded);
    await put("open", { Tagging: "classification=public" }, guarded);
    await put("plain", {}, guarded);
    await s.client.send(new PutBucketPolicyCommand({
      Bucket: guarded,
      Policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${guarded}/*`, Condition: { StringEquals: { "s3:ExistingObjectTag/classification": "secret" } } }],
      }),
    }));
    const read = (Key: string) => s.client.send(new GetObjectCommand({ Bucket: guarded, Key })).then((r) => r.Body!.transformToString());
    expect((await errorOf(read("secret"))).name).toBe("AccessDenied");
    expect(await read("open")).toBe("body of open");
    expect(await read("plain")).toBe("body of plain");
    await setTags("secret", [["classification", "public"]], undefined, guarded);
    expect(await read("secret")).toBe("body of secret");
    await setTags("plain", [["classification", "secret"]], undefined, guarded);
    expect((await errorOf(read("plain"))).name).toBe("AccessDenied");
  });

  test("s3:RequestObjectTag and s3:RequestObjectTagKeys weigh x-amz-tagging and PutObjectTagging's body: a Deny refuses, an Allow to another account admits", async () => {
    const governed = await newBucket("tagreq");
    await put("target", {}, governed);
    await s.client.send(new PutBucketPolicyCommand({
      Bucket: governed,
      Policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: `arn:aws:s3:::${governed}/*`, Condition: { "ForAnyValue:StringEquals": { "s3:RequestObjectTagKeys": ["forbidden"] } } },
          { Effect: "Deny", Principal: "*", Action: "s3:PutObjectTagging", Resource: `arn:aws:s3:::${governed}/*`, Condition: { StringEquals: { "s3:RequestObjectTag/env": "prod" } } },
          { Effect: "Allow", Principal: { AWS: BOB_ARN }, Action: ["s3:PutObjectTagging", "s3:GetObjectTagging"], Resource: `arn:aws:s3:::${governed}/*`, Condition: { StringEquals: { "s3:RequestObjectTag/team": "bob" } } },
        ],
      }),
    }));
    expect((await errorOf(put("denied", { Tagging: "ok=1&forbidden=1" }, governed))).name).toBe("AccessDenied");
    expect(await exists("denied", governed)).toBe(false);
    await put("allowed", { Tagging: "ok=1" }, governed);
    expect((await errorOf(setTags("target", [["env", "prod"]], undefined, governed))).name).toBe("AccessDenied");
    await setTags("target", [["env", "dev"]], undefined, governed);
    expect(await tagsOf("target", undefined, governed)).toEqual(tagSet([["env", "dev"]]));
    // Bob may tag only with team=bob: the Allow's condition is met by the body alone.
    const bobTags = (pairs: [string, string][]) => bob.send(new PutObjectTaggingCommand({ Bucket: governed, Key: "target", Tagging: { TagSet: tagSet(pairs) } }));
    expect((await errorOf(bobTags([["team", "alice"]]))).name).toBe("AccessDenied");
    await bobTags([["team", "bob"]]);
    expect(await tagsOf("target", undefined, governed)).toEqual(tagSet([["team", "bob"]]));
    // A document S3 would refuse, from someone who may not tag, is AccessDenied first.
    const res = await fetchSigned(`${s.url}/${governed}/target?tagging`, { method: "PUT", body: "<Tagging>", credentials: BOB });
    expect((await wireError(res)).Code).toBe("AccessDenied");
  });
});

describe.skipIf(skipWithout(hasAwsCli))("the AWS CLI", () => {
  test("put-object --tagging, put-object-tagging, get-object-tagging, put-bucket-tagging, get-bucket-tagging", async () => {
    const cli = await newBucket("clitags");
    const aws = async (...args: string[]) => {
      const result = await run(["aws", "--endpoint-url", s.url, "s3api", ...args, "--bucket", cli, "--output", "json"], s.env);
      expect(result.stderr).toBe("");
      return result.stdout.trim() ? JSON.parse(result.stdout) : {};
    };
    await aws("put-object", "--key", "cli.txt", "--tagging", "made=by%20cli");
    expect(await aws("get-object-tagging", "--key", "cli.txt")).toEqual({ TagSet: [{ Key: "made", Value: "by cli" }] });
    await aws("put-object-tagging", "--key", "cli.txt", "--tagging", "TagSet=[{Key=colour,Value=blue},{Key=size,Value=L}]");
    expect(await aws("get-object-tagging", "--key", "cli.txt")).toEqual({ TagSet: [{ Key: "colour", Value: "blue" }, { Key: "size", Value: "L" }] });
    expect((await aws("head-object", "--key", "cli.txt")).TagCount).toBe(2);
    expect((await aws("get-object", "--key", "cli.txt", "/dev/null")).TagCount).toBe(2);
    await aws("put-bucket-tagging", "--tagging", "TagSet=[{Key=owner,Value=cli}]");
    expect(await aws("get-bucket-tagging")).toEqual({ TagSet: [{ Key: "owner", Value: "cli" }] });
    const refused = await run(["aws", "--endpoint-url", s.url, "s3api", "put-object-tagging", "--bucket", cli, "--key", "cli.txt", "--tagging", "TagSet=[{Key=aws:x,Value=1}]"], s.env);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("InvalidTag");
  }, SLOW_TEST_MS);
});

describe.skipIf(skipWithout(hasBoto3))("boto3", () => {
  test("put_object with Tagging, get_object_tagging, put_object_tagging, TagCount on get_object", async () => {
    const py = await newBucket("pytags");
    const script = `
import json, os, sys
import boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(s3={"addressing_style": "path"}))
b = sys.argv[1]
s3.put_object(Bucket=b, Key="py", Body=b"x", Tagging="lang=python&v=3")
first = s3.get_object_tagging(Bucket=b, Key="py")["TagSet"]
s3.put_object_tagging(Bucket=b, Key="py", Tagging={"TagSet": [{"Key": "lang", "Value": "py"}]})
second = s3.get_object_tagging(Bucket=b, Key="py")["TagSet"]
count = s3.get_object(Bucket=b, Key="py")["TagCount"]
try:
    s3.put_object_tagging(Bucket=b, Key="py", Tagging={"TagSet": [{"Key": str(i), "Value": ""} for i in range(11)]})
    error = None
except s3.exceptions.ClientError as e:
    error = [e.response["Error"]["Code"], e.response["Error"]["Message"]]
print(json.dumps({"first": first, "second": second, "count": count, "error": error}))
`;
    const result = await run(["python3", "-c", script, py], s.env);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      first: [{ Key: "lang", Value: "python" }, { Key: "v", Value: "3" }],
      second: [{ Key: "lang", Value: "py" }],
      count: 1,
      error: ["BadRequest", "Object tags cannot be greater than 10"],
    });
  }, SLOW_TEST_MS);
});

describe("tags on writes that are not tagging calls", () => {
  test("a write carrying x-amz-tagging needs s3:PutObjectTagging too: bob, allowed s3:PutObject alone, writes untagged but not tagged", async () => {
    const shared = await newBucket("tagwrite");
    await s.client.send(new PutBucketPolicyCommand({
      Bucket: shared,
      Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: BOB_ARN }, Action: "s3:PutObject", Resource: `arn:aws:s3:::${shared}/*` }] }),
    }));
    await bob.send(new PutObjectCommand({ Bucket: shared, Key: "untagged", Body: "x" }));
    expect((await errorOf(bob.send(new PutObjectCommand({ Bucket: shared, Key: "tagged", Body: "x", Tagging: "a=b" })))).name).toBe("AccessDenied");
    expect((await errorOf(bob.send(new CreateMultipartUploadCommand({ Bucket: shared, Key: "tagged-mpu", Tagging: "a=b" })))).name).toBe("AccessDenied");
    expect([await exists("untagged", shared), await exists("tagged", shared)]).toEqual([true, false]);
  });

  test("CreateBucket's CreateBucketConfiguration Tags become the bucket's tag set, held to the same rules", async () => {
    const tagged = uniqueBucket("createtags");
    await s.client.send(new CreateBucketCommand({ Bucket: tagged, CreateBucketConfiguration: { Tags: tagSet([["team", "data"], ["env", "test"]]) } }));
    expect((await s.client.send(new GetBucketTaggingCommand({ Bucket: tagged }))).TagSet).toEqual(tagSet([["team", "data"], ["env", "test"]]));
    const refused = uniqueBucket("createbadtags");
    const error = await errorOf(s.client.send(new CreateBucketCommand({ Bucket: refused, CreateBucketConfiguration: { Tags: tagSet([["aws:owner", "me"]]) } })));
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect((await errorOf(s.client.send(new GetBucketTaggingCommand({ Bucket: refused })))).name).toBe("NoSuchBucket");
  });
});
