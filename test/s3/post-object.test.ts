import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { createPresignedPost, type PresignedPostOptions } from "@aws-sdk/s3-presigned-post";
import { random } from "../helpers/data.ts";
import { uniqueBucket, type TestServer } from "../helpers/server.ts";
import { startWithBucket } from "../helpers/suite.ts";
import { TEST_CREDENTIALS } from "../setup.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => ({ s, bucket } = await startWithBucket("post")));
afterAll(() => s.stop());

/** The fields a browser form would carry, as the SDK's createPresignedPost makes them. */
async function presignedPost(options: Omit<PresignedPostOptions, "Bucket">) {
  return createPresignedPost(s.client, { Bucket: bucket, Expires: 300, ...options });
}

/** Posts fields then the file, the way a browser submits a form (the file last). */
function postForm(url: string, fields: Record<string, string>, file: { name: string; body: Uint8Array | string; type?: string }, after: Record<string, string> = {}) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new Blob([file.body], { type: file.type ?? "application/octet-stream" }), file.name);
  for (const [name, value] of Object.entries(after)) form.append(name, value);
  return fetch(url, { method: "POST", body: form, redirect: "manual" });
}

const body = async (key: string) => new Uint8Array(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
const exists = (key: string) => s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, (e) => {
  if (e.name === "NotFound") return false;
  throw e;
});
const errorCode = async (res: Response) => /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1];

describe("uploads", () => {
  test("a presigned POST stores the file with its content type and metadata; 201 answers with PostResponse XML", async () => {
    const { url, fields } = await presignedPost({
      Key: "forms/report.csv",
      Conditions: [["content-length-range", 1, 1_000_000], ["starts-with", "$Content-Type", "text/"]],
      Fields: { "Content-Type": "text/csv", "x-amz-meta-author": "ada", success_action_status: "201" },
    });
    const data = "a,b\n1,2\n";
    const res = await postForm(url, fields, { name: "report.csv", body: data, type: "text/csv" });
    expect(res.status).toBe(201);
    const xml = await res.text();
    expect(xml).toContain(`<Bucket>${bucket}</Bucket>`);
    expect(xml).toContain("<Key>forms/report.csv</Key>");
    expect(xml).toContain(`<Location>${s.url}/${bucket}/forms/report.csv</Location>`);
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "forms/report.csv" }));
    expect(head.ContentType).toBe("text/csv");
    expect(head.Metadata).toEqual({ author: "ada" });
    expect(res.headers.get("etag")).toBe(head.ETag!);
    expect(xml).toContain(`<ETag>${head.ETag!.replaceAll('"', "&quot;")}</ETag>`);
    expect(new TextDecoder().decode(await body("forms/report.csv"))).toBe(data);
  });

  test("204 by default, 200 when asked, with ETag and Location headers", async () => {
    const plain = await presignedPost({ Key: "forms/plain.bin" });
    const res = await postForm(plain.url, plain.fields, { name: "x.bin", body: "plain" });
    expect(res.status).toBe(204);
    expect(res.headers.get("location")).toBe(`${s.url}/${bucket}/forms/plain.bin`);
    expect(res.headers.get("etag")).toBe(`"${new Bun.CryptoHasher("md5").update("plain").digest("hex")}"`);
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "forms/plain.bin" }))).ContentType).toBe("binary/octet-stream");

    const ok = await presignedPost({ Key: "forms/ok.bin", Fields: { success_action_status: "200" } });
    expect((await postForm(ok.url, ok.fields, { name: "x.bin", body: "ok" })).status).toBe(200);
    const odd = await presignedPost({ Key: "forms/odd.bin", Fields: { success_action_status: "404" } });
    expect((await postForm(odd.url, odd.fields, { name: "x.bin", body: "odd" })).status).toBe(204);
  });

  test("success_action_redirect answers 303 to that URL with bucket, key and etag", async () => {
    const { url, fields } = await presignedPost({ Key: "forms/redirected file.txt", Fields: { success_action_redirect: "http://app.example/done?from=form" } });
    const res = await postForm(url, fields, { name: "f.txt", body: "redirect me" });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location")!);
    expect(location.origin + location.pathname).toBe("http://app.example/done");
    expect(location.searchParams.get("from")).toBe("form");
    expect(location.searchParams.get("bucket")).toBe(bucket);
    expect(location.searchParams.get("key")).toBe("forms/redirected file.txt");
    expect(location.searchParams.get("etag")).toBe(res.headers.get("etag"));
    expect(await exists("forms/redirected file.txt")).toBe(true);
  });

  test("${filename} in the key becomes the uploaded file's name, and conditions see the result", async () => {
    const { url, fields } = await presignedPost({ Key: "user/ada/${filename}", Conditions: [["starts-with", "$key", "user/ada/"]] });
    const res = await postForm(url, fields, { name: "photo ü.png", body: "png bytes" });
    expect(res.status).toBe(204);
    expect(new TextDecoder().decode(await body("user/ada/photo ü.png"))).toBe("png bytes");
  });

  test("a 20 MiB file streams in byte-exact; fields after the file are ignored", async () => {
    const data = random(20 * 1024 * 1024);
    const { url, fields } = await presignedPost({ Key: "forms/big.bin", Conditions: [["content-length-range", 0, 32 * 1024 * 1024]] });
    const res = await postForm(url, fields, { name: "big.bin", body: data }, { "x-amz-meta-late": "ignored" });
    expect(res.status).toBe(204);
    const stored = await body("forms/big.bin");
    expect(stored.length).toBe(data.length);
    expect(Buffer.compare(stored, data)).toBe(0);
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "forms/big.bin" }))).Metadata).toEqual({});
  });

  test("field names are matched case-insensitively and x-ignore-* fields need no condition", async () => {
    const { url, fields } = await presignedPost({ Key: "forms/case.txt", Fields: { "content-type": "text/plain" } });
    const upper = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k === "Content-Type" || k === "content-type" ? "CONTENT-TYPE" : k, v]));
    const res = await postForm(url, { ...upper, "x-ignore-tracking": "42" }, { name: "c.txt", body: "case" });
    expect(res.status).toBe(204);
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "forms/case.txt" }))).ContentType).toBe("text/plain");
  });
});

describe("policy conditions refuse, and nothing is stored", () => {
  test("content-length-range: over the maximum is EntityTooLarge, under the minimum EntityTooSmall", async () => {
    const { url, fields } = await presignedPost({ Key: "forms/sized.bin", Conditions: [["content-length-range", 10, 100]] });
    const big = await postForm(url, fields, { name: "s.bin", body: random(101) });
    expect(big.status).toBe(400);
    expect(await errorCode(big)).toBe("EntityTooLarge");
    const small = await postForm(url, fields, { name: "s.bin", body: random(9) });
    expect(small.status).toBe(400);
    expect(await errorCode(small)).toBe("EntityTooSmall");
    expect(await exists("forms/sized.bin")).toBe(false);
    expect((await postForm(url, fields, { name: "s.bin", body: random(100) })).status).toBe(204);
  });

  test("a key outside the starts-with prefix is refused with the failed condition named", async () => {
    const { url, fields } = await presignedPost({ Key: "user/ada/${filename}", Conditions: [["starts-with", "$key", "user/ada/"]] });
    const res = await postForm(url, { ...fields, key: "user/bob/stolen.txt" }, { name: "x.txt", body: "x" });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain("<Code>AccessDenied</Code>");
    expect(text).toContain("Invalid according to Policy: Policy Condition failed: [&quot;starts-with&quot;,&quot;$key&quot;,&quot;user/ada/&quot;]");
    expect(await exists("user/bob/stolen.txt")).toBe(false);
  });

  test("a field the policy does not allow is refused as an extra input field", async () => {
    const { url, fields } = await presignedPost({ Key: "forms/extra.txt" });
    const res = await postForm(url, { ...fields, "x-amz-meta-sneaky": "1" }, { name: "x.txt", body: "x" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Extra input fields: x-amz-meta-sneaky");
    expect(await exists("forms/extra.txt")).toBe(false);
  });

  test("a policy for another bucket is refused", async () => {
    const other = uniqueBucket("post-other");
    await s.client.send(new CreateBucketCommand({ Bucket: other }));
    const { fields } = await presignedPost({ Key: "forms/elsewhere.txt" });
    const res = await postForm(`${s.url}/${other}`, fields, { name: "x.txt", body: "x" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Policy Condition failed: {&quot;bucket&quot;:&quot;" + bucket);
  });

  test("a tampered policy or signature is SignatureDoesNotMatch; an unknown key id InvalidAccessKeyId", async () => {
    const { url, fields } = await presignedPost({ Key: "forms/tampered.txt", Conditions: [["content-length-range", 0, 10]] });
    const policy = JSON.parse(Buffer.from(fields.Policy!, "base64").toString());
    policy.conditions = policy.conditions.filter((c: unknown) => !(Array.isArray(c) && c[0] === "content-length-range"));
    const widened = await postForm(url, { ...fields, Policy: Buffer.from(JSON.stringify(policy)).toString("base64") }, { name: "x", body: random(100) });
    expect(widened.status).toBe(403);
    expect(await errorCode(widened)).toBe("SignatureDoesNotMatch");
    const forged = await postForm(url, { ...fields, "X-Amz-Signature": "0".repeat(64) }, { name: "x", body: "x" });
    expect(await errorCode(forged)).toBe("SignatureDoesNotMatch");
    const stranger = await postForm(url, { ...fields, "X-Amz-Credential": fields["X-Amz-Credential"]!.replace(TEST_CREDENTIALS.accessKeyId, "AKIDUNKNOWN") }, { name: "x", body: "x" });
    expect(stranger.status).toBe(403);
    expect(await errorCode(stranger)).toBe("InvalidAccessKeyId");
    expect(await exists("forms/tampered.txt")).toBe(false);
  });

  test("an expired policy is refused", async () => {
    const res = await postForm(`${s.url}/${bucket}`, signedFields({ expiration: new Date(Date.now() - 1000).toISOString(), conditions: [{ bucket }, { key: "forms/late.txt" }] }, { key: "forms/late.txt" }), { name: "x", body: "x" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Invalid according to Policy: Policy expired.");
    expect(await exists("forms/late.txt")).toBe(false);
  });

  test("policies that are not JSON, or lack expiration or conditions, are InvalidPolicyDocument", async () => {
    const cases: [string, string][] = [
      ["{not json", "Invalid JSON."],
      [JSON.stringify({ conditions: [] }), "Policy missing expiration."],
      [JSON.stringify({ expiration: new Date(Date.now() + 60_000).toISOString() }), "Policy missing conditions."],
      [JSON.stringify({ expiration: new Date(Date.now() + 60_000).toISOString(), conditions: [["content-length-range", 0]] }), "Invalid content-length-range"],
      [JSON.stringify({ expiration: new Date(Date.now() + 60_000).toISOString(), conditions: [["matches", "$key", ".*"]] }), "Invalid Condition Operator"],
    ];
    for (const [document, message] of cases) {
      const res = await postForm(`${s.url}/${bucket}`, signedFields(document, { key: "forms/bad.txt" }), { name: "x", body: "x" });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).toContain("<Code>InvalidPolicyDocument</Code>");
      expect(text).toContain(message);
    }
    expect(await exists("forms/bad.txt")).toBe(false);
  });

  test("no policy at all is anonymous access; a body that is not a form is refused", async () => {
    const anonymous = await postForm(`${s.url}/${bucket}`, { key: "forms/anon.txt" }, { name: "x", body: "x" });
    expect(anonymous.status).toBe(403);
    expect(await errorCode(anonymous)).toBe("AccessDenied");
    const notForm = await fetch(`${s.url}/${bucket}`, { method: "POST", body: "key=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(notForm.status).toBe(412);
    const noFile = new FormData();
    for (const [k, v] of Object.entries((await presignedPost({ Key: "forms/nofile.txt" })).fields)) noFile.append(k, v);
    const missing = await fetch(`${s.url}/${bucket}`, { method: "POST", body: noFile });
    expect(missing.status).toBe(400);
    expect(await errorCode(missing)).toBe("MalformedPOSTRequest");
    expect(await exists("forms/anon.txt")).toBe(false);
  });
});

/**
 * A form signed over a hand-written policy document, for the documents no SDK would write. The
 * signing follows AWS's POST recipe: the base64 policy is the string to sign.
 */
function signedFields(policy: object | string, extra: Record<string, string>): Record<string, string> {
  const date = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = date.slice(0, 8);
  const credential = `${TEST_CREDENTIALS.accessKeyId}/${day}/us-east-1/s3/aws4_request`;
  const encoded = Buffer.from(typeof policy === "string" ? policy : JSON.stringify(policy)).toString("base64");
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${TEST_CREDENTIALS.secretAccessKey}`, day), "us-east-1"), "s3"), "aws4_request");
  return {
    ...extra,
    "x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": credential, "x-amz-date": date,
    policy: encoded, "x-amz-signature": createHmac("sha256", key).update(encoded).digest("hex"),
  };
}

describe("form fields: ACLs as the bucket's ownership allows, features s3lite does not have", () => {
  test("acl private and a STANDARD_IA storage class are taken; acl public-read (ACLs disabled) is AccessControlListNotSupported and a malformed tag set MalformedXML, storing nothing", async () => {
    const allowed = await presignedPost({ Key: "forms/classy", Fields: { acl: "private", "x-amz-storage-class": "STANDARD_IA" } });
    expect((await postForm(allowed.url, allowed.fields, { name: "a.txt", body: "a" })).status).toBe(204);
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "forms/classy" }))).StorageClass).toBe("STANDARD_IA");
    const cases = [
      ["forms/public", { acl: "public-read" }, 400, "AccessControlListNotSupported"],
      ["forms/tagged", { tagging: "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>" }, 400, "MalformedXML"],
    ] as const;
    for (const [key, extra, status, code] of cases) {
      const { url, fields } = await presignedPost({ Key: key, Fields: extra });
      const res = await postForm(url, fields, { name: "a.txt", body: "a" });
      expect([key, res.status, await errorCode(res)]).toEqual([key, status, code]);
      expect(await exists(key)).toBe(false);
    }
  });
});
