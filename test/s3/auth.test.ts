import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { errorOf } from "../helpers/data.ts";
import { fetchSigned, presign } from "../helpers/signed-fetch.ts";
import { hangUpMidBody, sendRaw } from "../helpers/raw-http.ts";
import { vectors } from "../helpers/vectors.ts";
import { TEST_CREDENTIALS } from "../setup.ts";

const EXAMPLE = vectors.chunked[0]!.credentials;
let s: TestServer;
let bucket: string;
/** The server's clock: real time, except while replaying AWS's 2013 examples. */
let clock: () => number = Date.now;

beforeAll(async () => {
  s = await startTestServer({
    now: () => clock(),
    // A second key of the same user: chunked vectors replayed with it write into that user's bucket.
    extraCredentials: [{ accessKeyId: EXAMPLE.access_key, secretAccessKey: EXAMPLE.secret_key, user: TEST_CREDENTIALS.accessKeyId }],
  });
  bucket = uniqueBucket();
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  await s.client.send(new CreateBucketCommand({ Bucket: "examplebucket" }));
});
afterAll(() => s.stop());

const codeOf = async (res: Response) => /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1];
const exists = (key: string, b = bucket) => s.client.send(new HeadObjectCommand({ Bucket: b, Key: key })).then(() => true, () => false);

describe("header auth", () => {
  test("a forged signature (wrong secret) is SignatureDoesNotMatch, with the StringToSign", async () => {
    const res = await fetchSigned(`${s.url}/${bucket}/forged`, { method: "PUT", body: "x", credentials: { accessKeyId: TEST_CREDENTIALS.accessKeyId, secretAccessKey: "wrong" } });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain("<Code>SignatureDoesNotMatch</Code>");
    expect(text).toContain("<StringToSign>AWS4-HMAC-SHA256\n");
    expect(text).toContain("<CanonicalRequest>PUT\n");
    expect(await exists("forged")).toBe(false);
  });

  test("an unknown access key is InvalidAccessKeyId", async () => {
    const client = s.makeClient({ credentials: { accessKeyId: "NOSUCHKEY", secretAccessKey: "x" } });
    const e = await errorOf(client.send(new GetObjectCommand({ Bucket: bucket, Key: "k" })));
    expect(e.name).toBe("InvalidAccessKeyId");
    expect(e.$metadata.httpStatusCode).toBe(403);
  });

  test("an anonymous request is AccessDenied", async () => {
    const res = await fetch(`${s.url}/${bucket}/k`);
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe("AccessDenied");
    expect(res.headers.get("x-amz-request-id")).toMatch(/^[0-9A-F]{16}$/);
  });

  test("a clock 20 minutes off is RequestTimeTooSkewed", async () => {
    const res = await fetchSigned(`${s.url}/${bucket}/k`, { signingDate: new Date(Date.now() - 20 * 60_000) });
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe("RequestTimeTooSkewed");
  });

  test("a signed header changed in transit is SignatureDoesNotMatch", async () => {
    const client = s.makeClient();
    client.middlewareStack.add((next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers["x-amz-meta-owner"] = "mallory";
      return next(args);
    }, { step: "finalizeRequest", priority: "low", name: "tamperAfterSigning" });
    // finalizeRequest/low runs after the signer: the header was signed as "alice".
    const e = await errorOf(client.send(new PutObjectCommand({ Bucket: bucket, Key: "tampered", Body: "x", Metadata: { owner: "alice" } })));
    expect(e.name).toBe("SignatureDoesNotMatch");
    expect(await exists("tampered")).toBe(false);
  });

  test("a body that does not match x-amz-content-sha256 is XAmzContentSHA256Mismatch and is not stored", async () => {
    const claimed = new Bun.CryptoHasher("sha256").update("the body I promised").digest("hex");
    const res = await fetchSigned(`${s.url}/${bucket}/sha-mismatch`, { method: "PUT", body: "another body", payload: claimed });
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe("XAmzContentSHA256Mismatch");
    expect(await exists("sha-mismatch")).toBe(false);
  });

  test("HEAD errors carry status and headers but no body", async () => {
    const res = await fetch(`${s.url}/${bucket}/k`, { method: "HEAD" });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe("");
    expect(res.headers.get("x-amz-request-id")).toBeString();
  });
});

describe("presigned URLs", () => {
  test("an expired URL is AccessDenied: Request has expired", async () => {
    const url = await presign(`${s.url}/${bucket}/k`, { expiresIn: 60, signingDate: new Date(Date.now() - 5 * 60_000) });
    const res = await fetch(url);
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain("<Code>AccessDenied</Code>");
    expect(text).toContain("<Message>Request has expired</Message>");
  });

  test.each([["0"], ["604801"], ["-5"], ["abc"]])("X-Amz-Expires=%s is AuthorizationQueryParametersError", async (expires) => {
    const url = (await presign(`${s.url}/${bucket}/k`)).replace(/X-Amz-Expires=\d+/, `X-Amz-Expires=${expires}`);
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe("AuthorizationQueryParametersError");
  });

  test("the longest allowed lifetime, 604800 s, is accepted", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "week", Body: "w" }));
    const res = await fetch(await presign(`${s.url}/${bucket}/week`, { expiresIn: 604800 }));
    expect(await res.text()).toBe("w");
    expect(res.status).toBe(200);
  });

  test("a URL edited to another key is SignatureDoesNotMatch", async () => {
    const url = (await presign(`${s.url}/${bucket}/week`)).replace("/week?", "/weak?");
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe("SignatureDoesNotMatch");
  });
});

describe("headers outside the signature", () => {
  test("a Host left out of SignedHeaders is AccessDenied naming it", async () => {
    const res = await fetchSigned(`${s.url}/${bucket}/k`, {
      afterSigning: (h) => { h.authorization = h.authorization!.replace(/SignedHeaders=host;/, "SignedHeaders="); },
    });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain("<Code>AccessDenied</Code>");
    expect(text).toContain("<HeadersNotSigned>host</HeadersNotSigned>");
  });

  test("x-amz-* headers added after signing are AccessDenied and change nothing", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "copy-target-source", Body: "secret" }));
    const res = await fetchSigned(`${s.url}/${bucket}/unsigned-meta`, {
      method: "PUT", body: "x",
      afterSigning: (h) => { h["x-amz-meta-owner"] = "mallory"; h["x-amz-copy-source"] = `/${bucket}/copy-target-source`; },
    });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain("There were headers present in the request which were not signed");
    expect(text).toContain("<HeadersNotSigned>x-amz-copy-source, x-amz-meta-owner</HeadersNotSigned>");
    expect(await exists("unsigned-meta")).toBe(false);
  });

  test("a presigned PUT given an unsigned x-amz-meta-* header is refused, so the URL cannot add metadata", async () => {
    const url = await presign(`${s.url}/${bucket}/presigned-meta`, { method: "PUT" });
    const refused = await fetch(url, { method: "PUT", body: "x", headers: { "x-amz-meta-owner": "mallory" } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("<HeadersNotSigned>x-amz-meta-owner</HeadersNotSigned>");
    expect(await exists("presigned-meta")).toBe(false);
    // Payload checks are exempt, as on AWS: they can only make a write stricter.
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(Bun.hash.crc32("x"));
    const accepted = await fetch(url, { method: "PUT", body: "x", headers: { "x-amz-checksum-crc32": crc.toString("base64") } });
    expect(accepted.status).toBe(200);
  });

  test("a presigned URL dated more than 15 minutes ahead is AccessDenied: not valid yet", async () => {
    const url = await presign(`${s.url}/${bucket}/week`, { signingDate: new Date(Date.now() + 20 * 60_000) });
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("<Message>Request is not valid yet</Message>");
  });

  test("a clock 20 minutes ahead is RequestTimeTooSkewed too", async () => {
    const res = await fetchSigned(`${s.url}/${bucket}/k`, { signingDate: new Date(Date.now() + 20 * 60_000) });
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe("RequestTimeTooSkewed");
  });
});

describe("aws-chunked uploads replayed from the S3 API reference", () => {
  const cases = vectors.chunked.filter((c) => c.chunks);

  function bodyOf(c: (typeof cases)[number], tamper?: "data" | "trailer"): Uint8Array {
    const parts: Buffer[] = [];
    for (const chunk of c.chunks!) {
      parts.push(Buffer.from(chunk.chunk_header + "\r\n"));
      if (chunk.size > 0) parts.push(Buffer.alloc(chunk.size, chunk.byte), Buffer.from("\r\n"));
    }
    parts.push(Buffer.from(c.trailer ? c.trailer.wire + "\r\n" : "\r\n"));
    const body = Buffer.concat(parts);
    if (tamper === "data") body[1000] = 0x62;
    if (tamper === "trailer") return Buffer.from(body.toString("latin1").replace("sOO8/Q==", "sOO8/A=="), "latin1");
    return body;
  }

  /** The request head as the example gives it, with Content-Length set to the body actually sent. */
  function headOf(c: (typeof cases)[number], body: Uint8Array): string {
    return c.request_head_raw!.replace(/\r\nContent-Length: \d+/, `\r\nContent-Length: ${body.length}`).replace(/\r\n\r\n$/, "\r\nConnection: close\r\n\r\n");
  }

  async function replay(c: (typeof cases)[number], tamper?: "data" | "trailer") {
    const body = bodyOf(c, tamper);
    clock = () => Date.parse("2013-05-24T00:00:30Z");
    try {
      return await sendRaw(s.url, headOf(c, body), body);
    } finally {
      clock = Date.now;
    }
  }

  test.each(cases.map((c) => [c.id, c] as const))("%s is accepted and stores only the decoded bytes", async (_id, c) => {
    const res = await replay(c);
    expect(res.body).not.toContain("<Error>");
    expect(res.status).toBe(200);
    const got = await s.client.send(new GetObjectCommand({ Bucket: "examplebucket", Key: "chunkObject.txt" }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(bytes.length).toBe(c.decoded_content_length!);
    expect(bytes.every((b) => b === 0x61)).toBe(true);
    expect(got.ContentEncoding).toBeUndefined();
  });

  test.each(cases.map((c) => [c.id, c] as const))("%s with one altered data byte is SignatureDoesNotMatch", async (_id, c) => {
    await s.client.send(new PutObjectCommand({ Bucket: "examplebucket", Key: "chunkObject.txt", Body: "previous" }));
    const res = await replay(c, "data");
    expect(res.status).toBe(403);
    expect(res.body).toContain("<Code>SignatureDoesNotMatch</Code>");
    const got = await s.client.send(new GetObjectCommand({ Bucket: "examplebucket", Key: "chunkObject.txt" }));
    expect(await got.Body!.transformToString()).toBe("previous");
  });

  test("an altered trailer checksum is SignatureDoesNotMatch", async () => {
    const res = await replay(cases.find((c) => c.trailer)!, "trailer");
    expect(res.status).toBe(403);
    expect(res.body).toContain("<Code>SignatureDoesNotMatch</Code>");
  });
});

describe("aws-chunked with Transfer-Encoding: chunked", () => {
  const framed = (parts: string[], trailer: string) =>
    parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join("") + `0\r\n${trailer}\r\n\r\n`;
  const streamOf = (text: string) => new ReadableStream<Uint8Array>({
    start(controller) {
      const bytes = new TextEncoder().encode(text);
      for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
      controller.close();
    },
  });
  const crc32 = (text: string) => { const b = Buffer.alloc(4); b.writeUInt32BE(Bun.hash.crc32(text)); return b.toString("base64"); };
  const headers = (decodedLength: number) => ({
    "content-encoding": "aws-chunked", "x-amz-decoded-content-length": String(decodedLength), "x-amz-trailer": "x-amz-checksum-crc32",
  });

  test("an unsigned-trailer body of unknown length is decoded, its trailer checksum verified and stored", async () => {
    const payload = "streamed without a Content-Length";
    const res = await fetchSigned(`${s.url}/${bucket}/te-chunked`, {
      method: "PUT", payload: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", headers: headers(payload.length),
      body: streamOf(framed(["streamed ", "without a ", "Content-Length"], `x-amz-checksum-crc32:${crc32(payload)}`)),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-amz-checksum-crc32")).toBe(crc32(payload));
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "te-chunked", ChecksumMode: "ENABLED" }));
    expect(await got.Body!.transformToString()).toBe(payload);
    expect(got.ChecksumCRC32).toBe(crc32(payload));
  });

  test("a trailer checksum that does not match is BadDigest and nothing is stored", async () => {
    const payload = "tampered";
    const res = await fetchSigned(`${s.url}/${bucket}/te-bad`, {
      method: "PUT", payload: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", headers: headers(payload.length),
      body: streamOf(framed([payload], `x-amz-checksum-crc32:${crc32("something else")}`)),
    });
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe("BadDigest");
    expect(await exists("te-bad")).toBe(false);
  });

  test("x-amz-decoded-content-length that disagrees with the body is IncompleteBody", async () => {
    const res = await fetchSigned(`${s.url}/${bucket}/te-short`, {
      method: "PUT", payload: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", headers: headers(100),
      body: streamOf(framed(["short"], `x-amz-checksum-crc32:${crc32("short")}`)),
    });
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe("IncompleteBody");
  });
});

describe("interrupted and refused requests", () => {
  test("a client that hangs up mid-upload leaves no object and no temp file", async () => {
    const held = await s.heldBytes();
    const url = await presign(`${s.url}/${bucket}/half`, { method: "PUT" });
    const target = url.slice(url.indexOf("/", 8));
    await hangUpMidBody(s.url, target, {}, 4 * 1024 * 1024, 1024 * 1024);
    await Bun.sleep(300);
    expect(await exists("half")).toBe(false);
    // In memory, the bytes received are released: the store holds what it held before.
    if (s.store === "memory") expect(await s.heldBytes()).toBe(held);
    else expect(readdirSync(join(s.dataDir, "tmp"))).toEqual([]);
  });

  test("an operation s3lite does not implement yet is 501 NotImplemented", async () => {
    const res = await fetchSigned(`${s.url}/${bucket}?abac`, { method: "PUT", body: "" });
    expect(res.status).toBe(501);
    expect(await codeOf(res)).toBe("NotImplemented");
  });

  test("a known resource with a wrong method is 405 MethodNotAllowed", async () => {
    const res = await fetchSigned(`${s.url}/`, { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(await codeOf(res)).toBe("MethodNotAllowed");
  });

  test("health answers without auth", async () => {
    const res = await fetch(`${s.url}/_s3lite/health`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("ok");
  });
});

test("several key pairs of one user are each accepted, and reach that user's buckets", async () => {
  const other = new S3Client({ endpoint: s.url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: EXAMPLE.access_key, secretAccessKey: EXAMPLE.secret_key } });
  await other.send(new PutObjectCommand({ Bucket: bucket, Key: "by-second-user", Body: "x" }));
  expect(await exists("by-second-user")).toBe(true);
  other.destroy();
});
