import { describe, expect, test } from "bun:test";
import {
  canonicalResourceV2, parseAuthorizationV2, parseHttpDate, signV2, stringToSignBytes, stringToSignV2,
} from "../../src/core/auth/sigv2.ts";
import { verifyRequest } from "../../src/core/auth/verify.ts";
import { S3Error } from "../../src/core/errors.ts";
import { parseRequest } from "../../src/core/request.ts";
import fixtures from "../fixtures/sigv2/vectors.json";

type Vector = (typeof fixtures.vectors)[number] & { skipReplay?: string };
const vectors = fixtures.vectors as Vector[];
const credentialsOf = (v: Vector) => fixtures.credentials[v.credentials as keyof typeof fixtures.credentials];

/** A documented request head as a Request, the way Bun would hand it over (repeated headers joined). */
function parseRaw(raw: string) {
  const [requestLine, ...lines] = raw.split("\n");
  const [method, target] = requestLine!.split(" ");
  const headers = lines.map((line) => [line.slice(0, line.indexOf(":")).trim(), line.slice(line.indexOf(":") + 1).trim()] as [string, string]);
  const host = headers.find(([name]) => name.toLowerCase() === "host")![1];
  const request = new Request(`http://${host}${target}`, { method, headers });
  return parseRequest(request, ["s3.amazonaws.com"]);
}

/** When the request was made: its x-amz-date or Date, or a minute before a presigned URL expires. */
function timeOf(raw: string): number {
  const header = (name: string) => new RegExp(`^${name}: (.+)$`, "im").exec(raw)?.[1];
  const expires = /[?&]Expires=(\d+)/.exec(raw)?.[1];
  if (expires) return Number(expires) * 1000 - 60_000;
  return Date.parse(header("x-amz-date") ?? header("date")!);
}

/** x-amz-* header names sent more than once. */
function repeatedAmzHeaders(raw: string): Set<string> {
  const names = raw.split("\n").slice(1).map((line) => line.slice(0, line.indexOf(":")).toLowerCase()).filter((name) => name.startsWith("x-amz-"));
  return new Set(names.filter((name, i) => names.indexOf(name) !== i));
}

function thrown(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error("expected an S3Error");
}

test.each(vectors.map((v) => [v.name, v] as const))("AWS's published V2 signature: %s", (_, v) => {
  expect(signV2(credentialsOf(v).secretAccessKey, v.stringToSign)).toBe(v.signature);
});

describe("AWS's published V2 requests, replayed through verifyRequest", () => {
  const replayed = vectors.filter((v) => !v.skipReplay);
  test.each(replayed.map((v) => [v.name, v] as const))("%s", (_, v) => {
    const { accessKeyId, secretAccessKey } = credentialsOf(v);
    const auth = verifyRequest(parseRaw(v.request), new Map([[accessKeyId, secretAccessKey]]), timeOf(v.request));
    expect(auth?.accessKeyId).toBe(accessKeyId);
    expect(auth?.payloadHash).toBe("UNSIGNED-PAYLOAD");
  });

  test.each(replayed.map((v) => [v.name, v] as const))("with a wrong secret, SignatureDoesNotMatch shows the published string to sign: %s", (_, v) => {
    const { accessKeyId } = credentialsOf(v);
    const error = thrown(() => verifyRequest(parseRaw(v.request), new Map([[accessKeyId, "not the secret"]]), timeOf(v.request)));
    expect(error.code).toBe("SignatureDoesNotMatch");
    // Bun hands a repeated header over joined with ", ", so the report shows that spelling.
    const repeated = repeatedAmzHeaders(v.request);
    const reported = v.stringToSign.split("\n").map((line) => (repeated.has(line.slice(0, line.indexOf(":"))) ? line.replaceAll(",", ", ") : line)).join("\n");
    expect(error.fields.StringToSign).toBe(reported);
    expect(error.fields.SignatureProvided).toBe(v.signature);
    expect(error.fields.AWSAccessKeyId).toBe(accessKeyId);
    expect(error.fields.StringToSignBytes).toBe(Buffer.from(reported, "latin1").toString("hex").replace(/(..)(?!$)/g, "$1 "));
  });

  test("skipped vectors say why", () => {
    for (const v of vectors.filter((v) => v.skipReplay)) expect(v.skipReplay!.length).toBeGreaterThan(20);
  });
});

test("the presigned GET example's string to sign is built from the request", () => {
  const toSign = stringToSignV2({
    method: "GET", resourcePath: "/johnsmith/photos/puppy.jpg",
    rawQuery: "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D",
    header: () => undefined, amzHeaders: [], date: "1175139620",
  });
  expect(toSign).toBe("GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg");
});

test("signed subresources are sorted and decoded; other parameters are left out", () => {
  expect(canonicalResourceV2("/b/k", "versionId=null&x-id=GetObject&response-content-type=text%2Fplain&acl"))
    .toBe("/b/k?acl&response-content-type=text/plain&versionId=null");
  expect(canonicalResourceV2("/b", "delete")).toBe("/b?delete");
  expect(canonicalResourceV2("/b/k", "uploadId=a%2Bb+c&partNumber=2")).toBe("/b/k?partNumber=2&uploadId=a+b c");
  expect(canonicalResourceV2("/b", "list-type=2&prefix=a&location")).toBe("/b?location");
});

test("subresource values decode to their bytes (UTF-8 escapes stay UTF-8); a malformed escape is signed as sent", () => {
  const resource = canonicalResourceV2("/b/k", "response-content-disposition=caf%C3%A9");
  expect(Buffer.from(resource, "latin1").toString("utf8")).toBe("/b/k?response-content-disposition=café");
  expect(canonicalResourceV2("/b/k", "versionId=%zz")).toBe("/b/k?versionId=%zz");
});

test("x-amz-* headers are sorted, lower-case, trimmed and joined with ','", () => {
  const toSign = stringToSignV2({
    method: "PUT", resourcePath: "/b/k", rawQuery: "", date: "100",
    header: (name) => (name === "content-type" ? " text/plain " : undefined),
    amzHeaders: [["x-amz-meta-b", "2"], ["x-amz-meta-a", " 1  2 "], ["x-amz-meta-b", "3"]],
  });
  expect(toSign).toBe("PUT\n\ntext/plain\n100\nx-amz-meta-a:1  2\nx-amz-meta-b:2,3\n/b/k");
});

test("the string to sign keeps header bytes as received, so a UTF-8 or a Latin-1 value signs as sent", () => {
  const asBun = (bytes: number[]) => Buffer.from(bytes).toString("latin1");
  const utf8 = stringToSignV2({ method: "PUT", resourcePath: "/b/k", rawQuery: "", date: "d", header: () => undefined, amzHeaders: [["x-amz-meta-n", asBun([0x63, 0xc3, 0xa9])]] });
  expect(stringToSignBytes(utf8)).toContain("78 2d 61 6d 7a 2d 6d 65 74 61 2d 6e 3a 63 c3 a9 0a");
  const latin1 = stringToSignV2({ method: "PUT", resourcePath: "/b/k", rawQuery: "", date: "d", header: () => undefined, amzHeaders: [["x-amz-meta-n", asBun([0x63, 0xe9])]] });
  expect(stringToSignBytes(latin1)).toContain("3a 63 e9 0a");
  // 0xA0 is whitespace to String.prototype.trim, but here it ends a UTF-8 "à".
  const trailing = stringToSignV2({ method: "PUT", resourcePath: "/b/k", rawQuery: "", date: "d", header: () => undefined, amzHeaders: [["x-amz-meta-n", asBun([0x20, 0x61, 0xc3, 0xa0, 0x20])]] });
  expect(stringToSignBytes(trailing)).toContain("3a 61 c3 a0 0a");
});

test("Authorization: AWS AKID:signature splits at the first colon; a missing part is no header at all", () => {
  expect(parseAuthorizationV2("AWS AKID:c2ln=")).toEqual({ accessKeyId: "AKID", signature: "c2ln=" });
  for (const bad of ["AWS AKID", "AWS :sig", "AWS AKID:", "AWS", "AWS4 AKID:sig"]) expect(parseAuthorizationV2(bad)).toBeNull();
});

describe("parseHttpDate", () => {
  test.each([
    ["Tue, 27 Mar 2007 19:36:42 +0000", Date.UTC(2007, 2, 27, 19, 36, 42)],
    ["Tue, 27 Mar 2007 19:36:42 GMT", Date.UTC(2007, 2, 27, 19, 36, 42)],
    ["27 Mar 2007 21:36:42 +0200", Date.UTC(2007, 2, 27, 19, 36, 42)],
    ["Tue, 27 Mar 2007 14:36:42 -0500", Date.UTC(2007, 2, 27, 19, 36, 42)],
    ["20070327T193642Z", Date.UTC(2007, 2, 27, 19, 36, 42)],
  ])("%s", (text, ms) => expect(parseHttpDate(text)).toBe(ms));

  test.each(["", "yesterday", "1175139620", "Tue, 32 Mar 2007 19:36:42 GMT", "Tue, 27 Foo 2007 19:36:42 GMT", "2007-03-27T19:36:42Z", "Tue, 27 Mar 2007 19:36:42"])(
    "%p is no date", (text) => expect(parseHttpDate(text)).toBeNaN());
});
