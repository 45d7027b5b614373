// XML request bodies as every encoder writes them: raw characters, the five named entities, and
// decimal or hex character references (Go's encoding/xml writes each quote of an ETag as &#34;).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { MiB, errorOf, random } from "../helpers/data.ts";
import type { TestServer } from "../helpers/server.ts";
import { startWithBucket } from "../helpers/suite.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => ({ s, bucket } = await startWithBucket("xmlref")));
afterAll(() => s.stop());

type Writer = (text: string) => string;
/** Three encoders: escape only what must be, named entities for every special, numeric references (decimal or hex). */
const WRITERS: Record<string, Writer> = {
  raw: (t) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/\r/g, "&#xD;"),
  named: (t) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\r/g, "&#xD;"),
  decimal: (t) => [...t].map((c) => (/[&<>"'\t\n\r]/.test(c) || c.codePointAt(0)! > 0xffff ? `&#${c.codePointAt(0)};` : c)).join(""),
  hex: (t) => [...t].map((c) => (/[&<>"'\t\n\r]/.test(c) || c.codePointAt(0)! > 0xffff ? `&#x${c.codePointAt(0)!.toString(16).toUpperCase()};` : c)).join(""),
};

const md5Base64 = (body: string) => new Bun.CryptoHasher("md5").update(body).digest("base64");
const post = (query: string, key: string | undefined, body: string) =>
  fetchSigned(`${s.url}/${bucket}${key ? `/${encodeURIComponent(key)}` : ""}?${query}`, { method: "POST", body, headers: { "content-md5": md5Base64(body) } });

describe("CompleteMultipartUpload", () => {
  test.each(Object.keys(WRITERS))("completes with its ETags written %s", async (name) => {
    const key = `complete-${name}`;
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const parts = [random(5 * MiB), random(1000)];
    const etags: string[] = [];
    for (const [i, body] of parts.entries()) etags.push((await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body }))).ETag!);
    const write = WRITERS[name]!;
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${
      etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${write(etag)}</ETag></Part>`).join("")}</CompleteMultipartUpload>`;
    const response = await post(`uploadId=${UploadId}`, key, body);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<ETag>&quot;");
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength).toBe(5 * MiB + 1000);
  });
});

describe("DeleteObjects", () => {
  // Every character that encoders escape differently, and a key outside the BMP.
  const KEYS = ['quote"d', "apos'trophe", "amp&ersand", "less<greater>", "tab\there", "new\nline", "carriage\rreturn", "emoji 😀 𝄞", "all \"'&<>\t\n\r"];

  test.each(Object.keys(WRITERS))("deletes exactly the keys named, written %s, and lists them back as they were", async (name) => {
    const prefix = `del-${name}/`;
    for (const key of KEYS) await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: prefix + key, Body: key }));
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}survivor`, Body: "stays" }));
    const listed = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    expect(listed.Contents!.map((o) => o.Key).sort()).toEqual([...KEYS.map((k) => prefix + k), `${prefix}survivor`].sort());
    const write = WRITERS[name]!;
    const body = `<Delete>${KEYS.map((k) => `<Object><Key>${write(prefix + k)}</Key></Object>`).join("")}</Delete>`;
    const response = await post("delete", undefined, body);
    expect(response.status).toBe(200);
    const result = await response.text();
    expect(result).not.toContain("<Error>");
    // The answer names each key, escaped so that an XML parser reads it back unchanged.
    const { parseXml } = await import("../../src/core/xml.ts");
    const deleted = (parseXml(result).DeleteResult as { Deleted: { Key: string }[] }).Deleted.map((d) => d.Key);
    expect(deleted.sort()).toEqual(KEYS.map((k) => prefix + k).sort());
    const after = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    expect(after.Contents!.map((o) => o.Key)).toEqual([`${prefix}survivor`]);
    for (const key of KEYS) expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + key })))).name).toBe("NoSuchKey");
  });

  test("CDATA is taken as written, references inside it are not decoded", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "cdata &amp; kept", Body: "x" }));
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "cdata & kept", Body: "y" }));
    const response = await post("delete", undefined, "<Delete><Object><Key><![CDATA[cdata &amp; kept]]></Key></Object></Delete>");
    expect(response.status).toBe(200);
    expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "cdata &amp; kept" })))).name).toBe("NotFound");
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "cdata & kept" }))).ContentLength).toBe(1);
  });

  test.each([
    ["a reference to a character XML forbids", "&#0;"],
    ["a reference to a control character", "&#x1;"],
    ["a reference past Unicode", "&#x110000;"],
    ["a reference to a lone surrogate", "&#xD800;"],
    ["an undeclared entity", "&bogus;"],
    ["an entity named like an object property", "&constructor;"],
    ["an ampersand not starting a reference", "a & b"],
    ["a raw control character", "a\u0001b"],
  ])("%s is MalformedXML and deletes nothing", async (_name, text) => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "a", Body: "kept" }));
    const response = await post("delete", undefined, `<Delete><Object><Key>a</Key></Object><Object><Key>${text}</Key></Object></Delete>`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("<Code>MalformedXML</Code>");
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "a" }))).ContentLength).toBe(4);
  });
});

describe("PutBucketCors", () => {
  test.each(Object.keys(WRITERS))("stores the same rules when written %s", async (name) => {
    const write = WRITERS[name]!;
    const origin = "https://app.example/?a=1&b='2'";
    const body = `<CORSConfiguration><CORSRule><ID>${write('rule "one"')}</ID><AllowedOrigin>${write(origin)}</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`;
    const put = await fetchSigned(`${s.url}/${bucket}?cors`, { method: "PUT", body, headers: { "content-md5": md5Base64(body) } });
    expect(put.status).toBe(200);
    const { GetBucketCorsCommand } = await import("@aws-sdk/client-s3");
    const got = await s.client.send(new GetBucketCorsCommand({ Bucket: bucket }));
    expect(got.CORSRules![0]!.ID).toBe('rule "one"');
    expect(got.CORSRules![0]!.AllowedOrigins).toEqual([origin]);
  });
});

describe("CreateBucket", () => {
  test("a pretty-printed CreateBucketConfiguration names its region without the layout around it", async () => {
    const name = `${bucket}-pretty`;
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<CreateBucketConfiguration>\n  <LocationConstraint>\n    eu-west-1\n  </LocationConstraint>\n</CreateBucketConfiguration>\n`;
    expect((await fetchSigned(`${s.url}/${name}`, { method: "PUT", body })).status).toBe(200);
    const { GetBucketLocationCommand } = await import("@aws-sdk/client-s3");
    expect((await s.client.send(new GetBucketLocationCommand({ Bucket: name }))).LocationConstraint).toBe("eu-west-1");
  });
});
