// Signature Version 2 header auth (`Authorization: AWS AKID:signature`): boto3 under signature_version
// "s3", and hand-built requests for the forms other old clients send. Strings to sign are written out
// here in full, so a test states exactly what AWS's V2 rules sign.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { uniqueBucket, type TestServer } from "../helpers/server.ts";
import { startWithBucket } from "../helpers/suite.ts";
import { sendRaw, type RawResponse } from "../helpers/raw-http.ts";
import { hasBoto3, run, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS, TEST_CREDENTIALS } from "../setup.ts";

// CI installs boto3; there a missing python3 or boto3 is a failure, not a skip.
const skipBoto3 = skipWithout(hasBoto3);
const AKID = TEST_CREDENTIALS.accessKeyId;

let s: TestServer;
let bucket: string;
let host: string;
beforeAll(async () => {
  ({ s, bucket } = await startWithBucket("v2"));
  host = new URL(s.url).host;
});
afterAll(() => s.stop());

const signV2 = (toSign: string | Uint8Array, secret: string = TEST_CREDENTIALS.secretAccessKey) =>
  createHmac("sha1", secret).update(toSign).digest("base64");
const httpDate = (ms = Date.now()) => new Date(ms).toUTCString();
const codeOf = (res: RawResponse) => /<Code>([^<]+)<\/Code>/.exec(res.body)?.[1];
const exists = (key: string) => s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);

/** Sends a request head (and body) as written: header lines exactly, so repeats and byte values survive. */
function send(method: string, target: string, headers: string[], body: string | Uint8Array = ""): Promise<RawResponse> {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const head = [`${method} ${target} HTTP/1.1`, `Host: ${host}`, "Connection: close", `Content-Length: ${bytes.length}`, ...headers].join("\r\n") + "\r\n\r\n";
  return sendRaw(s.url, head, bytes);
}

test.skipIf(skipBoto3)("boto3 with signature_version s3: objects, metadata, listings, multipart, deletes, virtual-hosted, errors", async () => {
  const name = uniqueBucket("botov2");
  const res = await run(["python3", join(import.meta.dir, "../py/boto3_sigv2.py"), name], s.env);
  expect(res.stderr).toBe("");
  expect(res.exitCode).toBe(0);
  const out = JSON.parse(res.stdout);
  expect(out.schemes).toEqual(["AWS"]);
  expect(out.get).toEqual({ body: "signed the old way", type: "text/plain", metadata: { origin: "boto3-v2", list: "a, b" } });
  expect(out.head_metadata).toEqual({ origin: "boto3-v2", list: "a, b" });
  expect(out.list_v2).toEqual(["docs/a b+c.txt", "ü/é.txt"]);
  expect(out.list_v1).toEqual(["docs/a b+c.txt"]);
  expect(out.location).toBeNull();
  expect(out.listed_parts).toEqual([1, 2]);
  expect(out.uploads).toEqual(["big.bin"]);
  expect(out.multipart).toEqual({ size: 5 * 1024 * 1024 + 10, etag_parts: "2", metadata: { kind: "multipart" } });
  expect(out.deleted).toEqual(["never-there", "ü/é.txt"]);
  expect(out.after_delete).toEqual(["docs/a b+c.txt"]);
  expect(out.missing).toEqual(["NoSuchKey", 404]);
  expect(out.virtual).toEqual({ body: "virtual", keys: ["hosted/k.txt"] });
  expect(out.wrong_secret).toEqual(["SignatureDoesNotMatch", 403]);
  expect(out.unknown_key).toEqual(["InvalidAccessKeyId", 403]);
  expect(out.forged_exists).toEqual(["404", 404]);
  expect(out.presigned_list_path).toBe(`/${name}`);
  expect(out.presigned_list).toEqual([200, true]);
}, SLOW_TEST_MS);

describe("hand-built V2 requests", () => {
  test("x-amz-date instead of Date: the Date line is empty and x-amz-date is signed among the x-amz-* headers", async () => {
    const date = httpDate();
    const toSign = `PUT\n\ntext/plain\n\nx-amz-date:${date}\nx-amz-meta-via:raw\n/${bucket}/amz-date`;
    const res = await send("PUT", `/${bucket}/amz-date`, ["Content-Type: text/plain", `x-amz-date: ${date}`, "x-amz-meta-via: raw", `Authorization: AWS ${AKID}:${signV2(toSign)}`], "dated");
    expect(res.status).toBe(200);
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "amz-date" }));
    expect(await got.Body!.transformToString()).toBe("dated");
    expect(got.Metadata).toEqual({ via: "raw" });
  });

  test("with x-amz-date present, Date is ignored: even a stale Date passes, and signing Date's value fails", async () => {
    const date = httpDate();
    const stale = httpDate(Date.now() - 3600_000);
    const ignored = `GET\n\n\n\nx-amz-date:${date}\n/${bucket}/amz-date`;
    const ok = await send("GET", `/${bucket}/amz-date`, [`Date: ${stale}`, `x-amz-date: ${date}`, `Authorization: AWS ${AKID}:${signV2(ignored)}`]);
    expect(ok.status).toBe(200);
    const onDateLine = `GET\n\n\n${date}\n/${bucket}/amz-date`;
    const refused = await send("GET", `/${bucket}/amz-date`, [`x-amz-date: ${date}`, `Authorization: AWS ${AKID}:${signV2(onDateLine)}`]);
    expect(codeOf(refused)).toBe("SignatureDoesNotMatch");
  });

  test("a repeated x-amz-* header is signed once, its values joined with ','; a single value with ', ' is signed as sent", async () => {
    const date = httpDate();
    const repeated = `PUT\n\n\n${date}\nx-amz-meta-reviewedby:joe,jane\n/${bucket}/repeated`;
    const res = await send("PUT", `/${bucket}/repeated`, [`Date: ${date}`, "X-Amz-Meta-ReviewedBy: joe", "x-amz-meta-reviewedby:  jane ", `Authorization: AWS ${AKID}:${signV2(repeated)}`], "r");
    expect(res.status).toBe(200);
    const single = `PUT\n\n\n${date}\nx-amz-meta-list:a, b\n/${bucket}/single`;
    const res2 = await send("PUT", `/${bucket}/single`, [`Date: ${date}`, "x-amz-meta-list: a, b", `Authorization: AWS ${AKID}:${signV2(single)}`], "s");
    expect(res2.status).toBe(200);
    expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "single" }))).Metadata).toEqual({ list: "a, b" });
  });

  test("?uploads is part of the signed resource; other query parameters are not", async () => {
    const date = httpDate();
    const withSubresource = `POST\n\n\n${date}\n/${bucket}/mp?uploads`;
    const ok = await send("POST", `/${bucket}/mp?uploads&x-id=CreateMultipartUpload`, [`Date: ${date}`, `Authorization: AWS ${AKID}:${signV2(withSubresource)}`]);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("<UploadId>");
    const without = `POST\n\n\n${date}\n/${bucket}/mp`;
    const refused = await send("POST", `/${bucket}/mp?uploads`, [`Date: ${date}`, `Authorization: AWS ${AKID}:${signV2(without)}`]);
    expect(codeOf(refused)).toBe("SignatureDoesNotMatch");
  });

  test("?delete with Content-MD5: both are signed", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "to-delete", Body: "x" }));
    const xml = `<Delete><Object><Key>to-delete</Key></Object></Delete>`;
    const md5 = createHash("md5").update(xml).digest("base64");
    const date = httpDate();
    const toSign = `POST\n${md5}\napplication/xml\n${date}\n/${bucket}/?delete`;
    const res = await send("POST", `/${bucket}?delete`, [`Date: ${date}`, `Content-MD5: ${md5}`, "Content-Type: application/xml", `Authorization: AWS ${AKID}:${signV2(toSign)}`], xml);
    expect(res.status).toBe(200);
    expect(res.body).toContain("<Deleted><Key>to-delete</Key>");
    expect(await exists("to-delete")).toBe(false);
  });

  test("a bucket-level request is accepted signed as /bucket or /bucket/, whichever was requested; an object's path is not", async () => {
    const date = httpDate();
    for (const [target, resource] of [[`/${bucket}`, `/${bucket}/`], [`/${bucket}`, `/${bucket}`], [`/${bucket}/`, `/${bucket}`], [`/${bucket}?location`, `/${bucket}/?location`]]) {
      const res = await send("GET", target!, [`Date: ${date}`, `Authorization: AWS ${AKID}:${signV2(`GET\n\n\n${date}\n${resource}`)}`]);
      expect([target, res.status]).toEqual([target, 200]);
    }
    const objectSlash = await send("GET", `/${bucket}/amz-date`, [`Date: ${date}`, `Authorization: AWS ${AKID}:${signV2(`GET\n\n\n${date}\n/${bucket}/amz-date/`)}`]);
    expect(codeOf(objectSlash)).toBe("SignatureDoesNotMatch");
  });

  test("virtual-hosted: the resource is /bucket + the path", async () => {
    const date = httpDate();
    const toSign = `PUT\n\n\n${date}\n/${bucket}/hosted%20key`;
    const head = [`PUT /hosted%20key HTTP/1.1`, `Host: ${bucket}.localhost:${s.server.port}`, "Connection: close", "Content-Length: 6", `Date: ${date}`, `Authorization: AWS ${AKID}:${signV2(toSign)}`].join("\r\n") + "\r\n\r\n";
    expect((await sendRaw(s.url, head, Buffer.from("hosted"))).status).toBe(200);
    expect(await exists("hosted key")).toBe(true);
  });

  test("a wrong signature is SignatureDoesNotMatch with AWSAccessKeyId, StringToSign, SignatureProvided and StringToSignBytes; nothing is stored", async () => {
    const date = httpDate();
    const toSign = `PUT\n\n\n${date}\n/${bucket}/forged`;
    const forged = signV2(toSign, "not the secret");
    const res = await send("PUT", `/${bucket}/forged`, [`Date: ${date}`, `Authorization: AWS ${AKID}:${forged}`], "x");
    expect(res.status).toBe(403);
    expect(codeOf(res)).toBe("SignatureDoesNotMatch");
    expect(res.body).toContain(`<AWSAccessKeyId>${AKID}</AWSAccessKeyId>`);
    expect(res.body).toContain(`<StringToSign>${toSign}</StringToSign>`);
    expect(res.body).toContain(`<SignatureProvided>${forged}</SignatureProvided>`);
    expect(res.body).toContain(`<StringToSignBytes>${Buffer.from(toSign).toString("hex").replace(/(..)(?!$)/g, "$1 ")}</StringToSignBytes>`);
    expect(res.body).not.toContain("HeadersNotSigned");
    expect(await exists("forged")).toBe(false);
  });

  test("an x-amz-* header added after signing breaks the signature: under V2 every one is signed", async () => {
    const date = httpDate();
    const toSign = `PUT\n\n\n${date}\n/${bucket}/added`;
    const res = await send("PUT", `/${bucket}/added`, [`Date: ${date}`, "x-amz-meta-owner: mallory", `Authorization: AWS ${AKID}:${signV2(toSign)}`], "x");
    expect(codeOf(res)).toBe("SignatureDoesNotMatch");
    expect(res.body).toContain("x-amz-meta-owner:mallory\n");
    expect(await exists("added")).toBe(false);
  });

  test("an unknown access key is InvalidAccessKeyId", async () => {
    const date = httpDate();
    const res = await send("GET", `/${bucket}`, [`Date: ${date}`, `Authorization: AWS AKIANOBODY:${signV2(`GET\n\n\n${date}\n/${bucket}/`)}`]);
    expect(res.status).toBe(403);
    expect(codeOf(res)).toBe("InvalidAccessKeyId");
    expect(res.body).toContain("<AWSAccessKeyId>AKIANOBODY</AWSAccessKeyId>");
  });

  test.each([["no Date or x-amz-date", []], ["a Date that is no date", ["Date: yesterday"]], ["an x-amz-date that is no date, beside a good Date", ["x-amz-date: soon", `Date: ${httpDate()}`]]])(
    "%s is AccessDenied", async (_, dateHeaders) => {
      const res = await send("GET", `/${bucket}`, [...dateHeaders, `Authorization: AWS ${AKID}:${signV2(`GET\n\n\n\n/${bucket}/`)}`]);
      expect(res.status).toBe(403);
      expect(codeOf(res)).toBe("AccessDenied");
      expect(res.body).toContain("<Message>AWS authentication requires a valid Date or x-amz-date header</Message>");
    });

  test("a Date more than 15 minutes off is RequestTimeTooSkewed; 10 minutes off is fine", async () => {
    const skewed = httpDate(Date.now() - 20 * 60_000);
    const res = await send("GET", `/${bucket}`, [`Date: ${skewed}`, `Authorization: AWS ${AKID}:${signV2(`GET\n\n\n${skewed}\n/${bucket}/`)}`]);
    expect(res.status).toBe(403);
    expect(codeOf(res)).toBe("RequestTimeTooSkewed");
    expect(res.body).toContain(`<RequestTime>${skewed}</RequestTime>`);
    expect(res.body).toContain("<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>");
    const near = httpDate(Date.now() + 10 * 60_000);
    expect((await send("GET", `/${bucket}`, [`Date: ${near}`, `Authorization: AWS ${AKID}:${signV2(`GET\n\n\n${near}\n/${bucket}/`)}`])).status).toBe(200);
  });

  test.each(["AWS " + AKID, `AWS :${"x".repeat(28)}`, `AWS ${AKID}:`, "AWS"])("a malformed header (%p) is InvalidArgument", async (authorization) => {
    const res = await send("GET", `/${bucket}`, [`Date: ${httpDate()}`, `Authorization: ${authorization}`]);
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe("InvalidArgument");
    expect(res.body).toContain("<Message>AWS authorization header is invalid.  Expected AwsAccessKeyId:signature</Message>");
    expect(res.body).toContain("<ArgumentName>Authorization</ArgumentName>");
  });

  test("an Authorization header and V2 query parameters together are InvalidArgument", async () => {
    const date = httpDate();
    const res = await send("GET", `/${bucket}?AWSAccessKeyId=${AKID}&Expires=9999999999&Signature=x`, [`Date: ${date}`, `Authorization: AWS ${AKID}:${signV2(`GET\n\n\n${date}\n/${bucket}/`)}`]);
    expect(res.status).toBe(400);
    expect(res.body).toContain("Only one auth mechanism allowed");
  });

  test("the body is not signed under V2 but is still checked: Content-MD5, and an x-amz-content-sha256 digest the client signed", async () => {
    const date = httpDate();
    const wrongMd5 = createHash("md5").update("other").digest("base64");
    const md5Res = await send("PUT", `/${bucket}/md5`, [`Date: ${date}`, `Content-MD5: ${wrongMd5}`, `Authorization: AWS ${AKID}:${signV2(`PUT\n${wrongMd5}\n\n${date}\n/${bucket}/md5`)}`], "body");
    expect(codeOf(md5Res)).toBe("BadDigest");
    const wrongSha = createHash("sha256").update("other").digest("hex");
    const shaRes = await send("PUT", `/${bucket}/sha`, [`Date: ${date}`, `x-amz-content-sha256: ${wrongSha}`, `Authorization: AWS ${AKID}:${signV2(`PUT\n\n\n${date}\nx-amz-content-sha256:${wrongSha}\n/${bucket}/sha`)}`], "body");
    expect(codeOf(shaRes)).toBe("XAmzContentSHA256Mismatch");
    expect(await exists("md5")).toBe(false);
    expect(await exists("sha")).toBe(false);
  });

  test("unsigned aws-chunked framing (STREAMING-UNSIGNED-PAYLOAD-TRAILER) is decoded and its trailer checksum verified", async () => {
    const payload = "framed under V2";
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(Bun.hash.crc32(payload));
    const body = `${payload.length.toString(16)}\r\n${payload}\r\n0\r\nx-amz-checksum-crc32:${crc.toString("base64")}\r\n\r\n`;
    const date = httpDate();
    const mode = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    const amz = `x-amz-content-sha256:${mode}\nx-amz-decoded-content-length:${payload.length}\nx-amz-trailer:x-amz-checksum-crc32`;
    const res = await send("PUT", `/${bucket}/framed`, [
      `Date: ${date}`, "Content-Encoding: aws-chunked", `x-amz-content-sha256: ${mode}`, `x-amz-decoded-content-length: ${payload.length}`,
      "x-amz-trailer: x-amz-checksum-crc32", `Authorization: AWS ${AKID}:${signV2(`PUT\n\n\n${date}\n${amz}\n/${bucket}/framed`)}`,
    ], body);
    expect(res.status).toBe(200);
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "framed" }));
    expect(await got.Body!.transformToString()).toBe(payload);
  });

  test("SigV4 chunk signatures cannot be checked under V2: STREAMING-AWS4-HMAC-SHA256-PAYLOAD is refused", async () => {
    const date = httpDate();
    const mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    const res = await send("PUT", `/${bucket}/chunked`, [`Date: ${date}`, `x-amz-content-sha256: ${mode}`, "x-amz-decoded-content-length: 1", `Authorization: AWS ${AKID}:${signV2(`PUT\n\n\n${date}\nx-amz-content-sha256:${mode}\nx-amz-decoded-content-length:1\n/${bucket}/chunked`)}`], "x");
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe("InvalidRequest");
    expect(await exists("chunked")).toBe(false);
  });
});
