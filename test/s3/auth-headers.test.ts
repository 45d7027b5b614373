// Signing over header bytes as sent (non-ASCII user metadata), and Expect: 100-continue when the
// signature fails, checked on a raw socket where byte values and timing are visible.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { connect } from "node:net";
import { join } from "node:path";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { TestServer } from "../helpers/server.ts";
import { startWithBucket } from "../helpers/suite.ts";
import { sendRaw, type RawResponse } from "../helpers/raw-http.ts";
import { hasBoto3, run, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS, TEST_CREDENTIALS } from "../setup.ts";

// CI installs boto3; there a missing python3 or boto3 is a failure, not a skip.
const skipBoto3 = skipWithout(hasBoto3);
const { accessKeyId: AKID, secretAccessKey: SECRET } = TEST_CREDENTIALS;

let s: TestServer;
let bucket: string;
let host: string;
beforeAll(async () => {
  ({ s, bucket } = await startWithBucket("hdr"));
  host = new URL(s.url).host;
});
afterAll(() => s.stop());

const codeOf = (res: RawResponse) => /<Code>([^<]+)<\/Code>/.exec(res.body)?.[1];
const exists = (key: string) => s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);
const hmac = (key: string | Buffer, data: string | Buffer) => createHmac("sha256", key).update(data).digest();
const amzDateOf = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

type HeaderValue = string | Buffer;

/**
 * A SigV4 Authorization header over the canonical request's bytes: `signedValues` lets a test sign
 * other bytes than it sends (as a client that encodes a header one way and signs another).
 */
function sigV4(method: string, path: string, headers: [string, HeaderValue][], signedValues: Record<string, HeaderValue> = {}): string {
  const amzDate = headers.find(([name]) => name === "x-amz-date")![1].toString();
  const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const sorted = [...headers].sort(([a], [b]) => (a < b ? -1 : 1));
  const canonicalHeaders = sorted.map(([name, value]) => Buffer.concat([Buffer.from(`${name}:`), Buffer.from(signedValues[name] ?? value), Buffer.from("\n")]));
  const signedHeaders = sorted.map(([name]) => name).join(";");
  const canonical = Buffer.concat([Buffer.from(`${method}\n${path}\n\n`), ...canonicalHeaders, Buffer.from(`\n${signedHeaders}\nUNSIGNED-PAYLOAD`)]);
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash("sha256").update(canonical).digest("hex")}`;
  const key = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, amzDate.slice(0, 8)), "us-east-1"), "s3"), "aws4_request");
  return `AWS4-HMAC-SHA256 Credential=${AKID}/${scope}, SignedHeaders=${signedHeaders}, Signature=${hmac(key, toSign).toString("hex")}`;
}

/** The request head as bytes: header values go out exactly as given (sendRaw would write a string as UTF-8). */
function headBytes(method: string, path: string, headers: [string, HeaderValue][], bodyLength: number, extra: string[] = []): Buffer {
  const lines = [Buffer.from(`${method} ${path} HTTP/1.1\r\nConnection: close\r\nContent-Length: ${bodyLength}\r\n${extra.map((line) => `${line}\r\n`).join("")}`)];
  for (const [name, value] of headers) lines.push(Buffer.from(`${name}: `), Buffer.from(value), Buffer.from("\r\n"));
  return Buffer.concat([...lines, Buffer.from("\r\n")]);
}

function putSignedV4(key: string, meta: HeaderValue, signedAs?: HeaderValue): Promise<RawResponse> {
  const path = `/${bucket}/${key}`;
  const headers: [string, HeaderValue][] = [
    ["host", host], ["x-amz-content-sha256", "UNSIGNED-PAYLOAD"], ["x-amz-date", amzDateOf(Date.now())], ["x-amz-meta-name", meta],
  ];
  const authorization = sigV4("PUT", path, headers, signedAs === undefined ? {} : { "x-amz-meta-name": signedAs });
  return sendRaw(s.url, "", Buffer.concat([headBytes("PUT", path, headers, 1, [`Authorization: ${authorization}`]), Buffer.from("x")]));
}

describe("non-ASCII header values are signed as the bytes sent", () => {
  test.skipIf(skipBoto3)("boto3 (SigV4 and V2): Metadata= is refused by botocore itself; the header set on the request goes out as UTF-8 and is accepted", async () => {
    const res = await run(["python3", join(import.meta.dir, "../py/boto3_sigv2_unicode_metadata.py"), bucket], s.env);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const out = JSON.parse(res.stdout);
    for (const version of ["s3v4", "s3"]) {
      expect(out[version].metadata_param).toBe("ParamValidationError");
      expect(out[version].put_status).toBe(200);
      expect(out[version].sent_bytes).toBe(Buffer.from("café ☕").toString("hex"));
      // Stored as the text the UTF-8 bytes spell, sent back as AWS does: one RFC 2047 encoded-word.
      expect(Buffer.from(out[version].returned_bytes, "hex").toString("latin1")).toBe(`=?UTF-8?B?${Buffer.from("café ☕").toString("base64")}?=`);
    }
  }, SLOW_TEST_MS);

  test("SigV4: UTF-8 bytes signed as UTF-8 (botocore, curl, Go), 0xA0 of a final \"à\" included", async () => {
    const res = await putSignedV4("utf8", Buffer.from("café ☕ voilà"));
    expect(res.status).toBe(200);
  });

  test("SigV4: a Latin-1 byte (0xE9) signed as that byte", async () => {
    const res = await putSignedV4("latin1", Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(res.status).toBe(200);
  });

  test("SigV4: a Latin-1 byte sent but its character signed as UTF-8 does not match, as on AWS", async () => {
    const res = await putSignedV4("mismatched", Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from("café"));
    expect(res.status).toBe(403);
    expect(codeOf(res)).toBe("SignatureDoesNotMatch");
    expect(await exists("mismatched")).toBe(false);
  });

  test("V2: a Latin-1 byte signed as that byte, and UTF-8 bytes signed as UTF-8", async () => {
    for (const [key, value] of [["v2-latin1", Buffer.from([0x63, 0x61, 0x66, 0xe9])], ["v2-utf8", Buffer.from("café ☕ voilà")]] as const) {
      const date = new Date().toUTCString();
      const toSign = Buffer.concat([Buffer.from(`PUT\n\n\n${date}\nx-amz-meta-name:`), value, Buffer.from(`\n/${bucket}/${key}`)]);
      const signature = createHmac("sha1", SECRET).update(toSign).digest("base64");
      const head = headBytes("PUT", `/${bucket}/${key}`, [["Host", host], ["Date", date], ["x-amz-meta-name", value], ["Authorization", `AWS ${AKID}:${signature}`]], 1);
      expect([key, (await sendRaw(s.url, "", Buffer.concat([head, Buffer.from("x")]))).status]).toEqual([key, 200]);
    }
  });

  test("the AWS SDK for JavaScript under Bun (node:http sends UTF-8) stores non-ASCII metadata, returned RFC 2047-encoded", async () => {
    const put = await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "sdk", Body: "x", Metadata: { name: "café voilà", plain: "ascii" } }));
    expect(put.$metadata.httpStatusCode).toBe(200);
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "sdk" }));
    expect(head.Metadata).toEqual({ name: `=?UTF-8?B?${Buffer.from("café voilà").toString("base64")}?=`, plain: "ascii" });
  });

  test("an RFC 2047 encoded-word sent in (B or Q, UTF-8 or ISO-8859-1) is stored as its text", async () => {
    const sent = { b: "=?UTF-8?B?w7xiZXI=?=", q: "=?utf-8?Q?=C3=BCber_alles?=", latin: "=?ISO-8859-1?Q?caf=E9?=", two: "=?UTF-8?B?w7w=?= =?UTF-8?B?w7w=?=" };
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "rfc2047", Body: "x", Metadata: sent }));
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "rfc2047" }));
    const text = Object.fromEntries(Object.entries(head.Metadata!).map(([k, v]) => [k, Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(v)![1]!, "base64").toString()]));
    expect(text).toEqual({ b: "über", q: "über alles", latin: "café", two: "üü" });
  });
});

interface ContinueExchange {
  /** What arrived before any body byte was sent (all of it, if the body never was). */
  beforeBody: string;
  /** Everything that arrived. */
  all: string;
}

/** A final (non-1xx) status line, at the start or after an interim response. */
const FINAL_STATUS = /(^|\r\n\r\n)HTTP\/1\.1 [2-5]\d\d /;

/**
 * Sends a PUT head with Expect: 100-continue and holds the body back, as a client honouring the
 * expectation does: `body` goes out only after a 100 Continue, and never when it is undefined.
 */
function expectContinue(headers: string[], contentLength: number, body?: Buffer, waitMs = 2000): Promise<ContinueExchange> {
  const { hostname, port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    let received = "";
    let beforeBody: string | undefined;
    const socket = connect(Number(port), hostname, () => {
      socket.write([`PUT /${bucket}/continued HTTP/1.1`, `Host: ${host}`, `Content-Length: ${contentLength}`, "Expect: 100-continue", ...headers].join("\r\n") + "\r\n\r\n");
    });
    const finish = () => { socket.destroy(); resolve({ beforeBody: beforeBody ?? received, all: received }); };
    const timer = setTimeout(finish, waitMs);
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (body && beforeBody === undefined && received.startsWith("HTTP/1.1 100 Continue\r\n\r\n") && !FINAL_STATUS.test(received)) {
        beforeBody = received;
        socket.write(body);
      }
      if (FINAL_STATUS.test(received) && (received.includes("</Error>") || /HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n/.test(received))) {
        clearTimeout(timer);
        finish();
      }
    });
    socket.on("error", reject);
  });
}

const signedPut = (secret: string) => {
  const amzDate = amzDateOf(Date.now());
  const headers: [string, string][] = [["host", host], ["x-amz-content-sha256", "UNSIGNED-PAYLOAD"], ["x-amz-date", amzDate]];
  const authorization = secret === SECRET ? sigV4("PUT", `/${bucket}/continued`, headers) : sigV4("PUT", `/${bucket}/continued`, headers).replace(/Signature=\w+/, "Signature=" + "0".repeat(64));
  return [`x-amz-content-sha256: UNSIGNED-PAYLOAD`, `x-amz-date: ${amzDate}`, `Authorization: ${authorization}`];
};

describe("Expect: 100-continue", () => {
  const TEN_MB = 10_000_000;

  test("a bad signature's 403 arrives without any of a 10 MB body being sent, and nothing is stored", async () => {
    const exchange = await expectContinue(signedPut("wrong"), TEN_MB);
    expect(exchange.beforeBody).toContain("HTTP/1.1 403 Forbidden");
    expect(exchange.beforeBody).toContain("<Code>SignatureDoesNotMatch</Code>");
    expect(await exists("continued")).toBe(false);
  });

  // Bun 1.4.5's Bun.serve writes "100 Continue" as soon as it has parsed the head, before the fetch
  // handler runs, and has no option to hold it back; the 403 follows it. This flips once the server
  // answers the expectation itself.
  test.failing("a bad signature gets its 403 instead of 100 Continue", async () => {
    const exchange = await expectContinue(signedPut("wrong"), TEN_MB);
    expect(exchange.beforeBody).toStartWith("HTTP/1.1 403 Forbidden");
  });

  test("a good signature gets 100 Continue, then 200 once the body is sent", async () => {
    const body = Buffer.from("continued");
    const exchange = await expectContinue(signedPut(SECRET), body.length, body);
    expect(exchange.beforeBody).toBe("HTTP/1.1 100 Continue\r\n\r\n");
    expect(exchange.all).toContain("HTTP/1.1 200 OK");
    expect(await exists("continued")).toBe(true);
  });
});
