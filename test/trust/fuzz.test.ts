// Fuzzing the parsers with seeded mutations of valid inputs: the aws-chunked decoder, XML bodies,
// Range headers, SigV4 and SigV2 headers and presigned queries, browser form bodies and their policy documents,
// and x-amz-copy-source with its range. Whatever arrives, the answer is a result or an S3 error: never
// another exception, never a 500, never a hang; and a mutated signed body is never stored.
// S3LITE_TEST_SEED replays a run.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, PutObjectCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { AwsChunkedDecoder } from "../../src/core/auth/chunked.ts";
import { signV2 } from "../../src/core/auth/sigv2.ts";
import { parseCorsConfiguration } from "../../src/core/cors.ts";
import { S3Error } from "../../src/core/errors.ts";
import { parseCopySource, parseCopySourceRange } from "../../src/core/ops/_copy-source.ts";
import { parseRange } from "../../src/core/ops/objects.ts";
import { formBoundary, readPostForm } from "../../src/core/post-form.ts";
import { checkPolicy, parsePolicy, type PostPolicy } from "../../src/core/post-policy.ts";
import { parseXml } from "../../src/core/xml.ts";
import { MiB, sameBytes, seededRandom, testSeed } from "../helpers/data.ts";
import { mutate, within } from "../helpers/mutate.ts";
import { sendRaw } from "../helpers/raw-http.ts";
import { fetchSigned, presign } from "../helpers/signed-fetch.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { chunkSigningOf, signedChunkedBody, vectors } from "../helpers/vectors.ts";
import { TEST_CREDENTIALS } from "../setup.ts";

const seed = testSeed();
console.log(`fuzz: seed ${seed}`);
const rand = seededRandom(seed);
const encode = (s: string) => new TextEncoder().encode(s);
const decodeText = (b: Uint8Array) => new TextDecoder().decode(b);

/** `run` either returns or throws an S3Error; anything else (or a hang) fails the test. */
async function resultOrS3Error(run: () => Promise<unknown> | unknown, what: string): Promise<"ok" | string> {
  try {
    await within(Promise.resolve().then(run), 2000, what);
    return "ok";
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw new Error(`${what}: ${(error as Error).message}`);
  }
}

/** What parsePolicy promises its caller: a real expiry and conditions of the three known shapes. */
function isWellFormedPolicy(policy: PostPolicy): boolean {
  return Number.isFinite(policy.expiration) && policy.conditions.every((c) => c.op === "content-length-range"
    ? Number.isSafeInteger(c.min) && Number.isSafeInteger(c.max) && 0 <= c.min && c.min <= c.max
    : (c.op === "eq" || c.op === "starts-with") && typeof c.field === "string" && c.field === c.field.toLowerCase() && typeof c.value === "string");
}

/** Bytes delivered in pieces of random sizes. */
function pieces(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const n = 1 + Math.floor(rand() * 5000);
      controller.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

const CHUNK_TOKENS = ["\r\n", "\r\n\r\n", "0\r\n", "ffffffffffffffff", "-1", "400", ";chunk-signature=", ";", "x-amz-checksum-crc32c:", "x-amz-trailer-signature:", ":", "\n", " "];
const XML_TOKENS = ["<", ">", "</", "/>", "<Object>", "<Key>", "</Key>", "<Part>", "<PartNumber>", "&amp;", "&lt;", "&#0;", "&#x110000;", "&unknown;",
  "<![CDATA[", "]]>", "<?xml version=\"1.0\"?>", "<!--", "-->", "\u0000", "😀", "xmlns=\"x\"", " a=\"b\"", "99999999999999999999"];

describe("parsers alone", () => {
  test("aws-chunked decoder: 600 mutated bodies (signed and unsigned with trailers)", async () => {
    const signed = vectors.chunked.filter((c) => c.chunks);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      let body: Uint8Array, decoder: AwsChunkedDecoder;
      if (i % 2 === 0) {
        const c = signed[i % signed.length]!;
        body = signedChunkedBody(c);
        decoder = new AwsChunkedDecoder(chunkSigningOf(c), 1 << 20);
      } else {
        const v = vectors.unsigned_trailer_framing[i % vectors.unsigned_trailer_framing.length]!;
        body = encode(v.body);
        decoder = new AwsChunkedDecoder(undefined, 1 << 20);
      }
      const mutated = mutate(rand, body, CHUNK_TOKENS);
      const outcome = await resultOrS3Error(() => new Response(pieces(mutated).pipeThrough(decoder.stream)).arrayBuffer(), `chunked case ${i}`);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    console.log("aws-chunked outcomes:", Object.fromEntries(outcomes));
    expect(outcomes.size).toBeGreaterThan(1);
  });

  test("Range: 5,000 generated headers give a range inside the object, none, or InvalidRange", () => {
    const parts = ["bytes", "=", "-", ",", " ", "0", "1", "7", "99", "18446744073709551616", "1e3", "0x10", "+", "bits", "\t", "=-", "--"];
    for (let i = 0; i < 5000; i++) {
      const header = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => parts[Math.floor(rand() * parts.length)]).join("");
      const size = Math.floor(rand() * 3) === 0 ? 0 : Math.floor(rand() * 10 ** Math.floor(rand() * 13));
      try {
        const range = parseRange(header, size);
        if (range) expect(0 <= range.start && range.start <= range.end && range.end < size && Number.isSafeInteger(range.end)).toBe(true);
      } catch (error) {
        expect([header, (error as S3Error).code]).toEqual([header, "InvalidRange"]);
      }
    }
  });

  test("XML: 1,500 mutated request bodies parse or are MalformedXML; a CORS configuration is read or refused as S3 refuses it", async () => {
    const bodies = [
      `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key>a &amp; b</Key></Object><Object><Key>c</Key><VersionId>null</VersionId></Object></Delete>`,
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"abc"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part><Part><PartNumber>2</PartNumber><ETag>"def"</ETag></Part></CompleteMultipartUpload>`,
      `<CORSConfiguration><CORSRule><AllowedOrigin>http://*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`,
    ];
    const xml = new Map<string, number>(), cors = new Map<string, number>();
    for (let i = 0; i < 1500; i++) {
      const text = decodeText(mutate(rand, encode(bodies[i % 3]!), XML_TOKENS));
      const isCors = i % 3 === 2;
      const outcome = await resultOrS3Error(() => {
        const parsed = isCors ? parseCorsConfiguration(text) : parseXml(text);
        // A success is the document read, not an empty or odd shape standing in for it.
        expect(isCors ? Array.isArray(parsed) && parsed.length > 0 : typeof parsed === "object" && parsed !== null).toBe(true);
      }, `xml case ${i}`);
      const counts = isCors ? cors : xml;
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    }
    console.log("XML outcomes:", Object.fromEntries(xml), "CORS outcomes:", Object.fromEntries(cors));
    // Every mutation is one of these; both kinds occur, so neither side of the invariant goes unchecked.
    expect([...xml.keys()].sort()).toEqual(["MalformedXML", "ok"]);
    expect(["InvalidRequest", "MalformedXML", "ok"]).toEqual(expect.arrayContaining([...cors.keys()]));
    expect(cors.get("ok")).toBeGreaterThan(0);
    expect(cors.get("MalformedXML")).toBeGreaterThan(0);
  });

  test("browser form bodies: 400 mutated multipart/form-data bodies", async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ key: "uploads/${filename}", policy: "eyJ9", "x-amz-signature": "ab", "Content-Type": "text/plain" })) form.append(k, v);
    form.append("file", new Blob([crypto.getRandomValues(new Uint8Array(20_000))]), "f.bin");
    const res = new Response(form);
    const boundary = formBoundary(res.headers.get("content-type"))!;
    const valid = new Uint8Array(await res.arrayBuffer());
    const tokens = ["\r\n", "\r\n\r\n", `--${boundary}`, `\r\n--${boundary}--`, "Content-Disposition: form-data; name=\"file\"; filename=\"x\"", "name=\"", ";", "\"", "--"];
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const mutated = mutate(rand, valid, tokens);
      const outcome = await resultOrS3Error(async () => {
        const parsed = await readPostForm(pieces(mutated), boundary);
        const file = new Uint8Array(await new Response(parsed.file.stream).arrayBuffer());
        // The file's bytes are a span of what was sent, ending where a boundary begins: nothing from outside the part.
        expect(Buffer.from(mutated).includes(Buffer.concat([file, Buffer.from(`\r\n--${boundary}`)]))).toBe(true);
      }, `form case ${i}`);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    console.log("form outcomes:", Object.fromEntries(outcomes));
    expect(["MalformedPOSTRequest", "MaxPostPreDataLengthExceeded", "ok"]).toEqual(expect.arrayContaining([...outcomes.keys()]));
    expect(outcomes.get("ok")).toBeGreaterThan(0);
    expect(outcomes.get("MalformedPOSTRequest")).toBeGreaterThan(0);
  });

  test("POST policy: 1,500 generated and mutated policy documents are a well-formed policy or InvalidPolicyDocument, and checking one is a range or AccessDenied", async () => {
    const valid = JSON.stringify({
      expiration: "2030-01-01T12:00:00.000Z",
      conditions: [
        { bucket: "b" }, ["starts-with", "$key", "uploads/"], ["content-length-range", 0, 1048576], ["eq", "$Content-Type", "text/plain"],
        { "x-amz-algorithm": "AWS4-HMAC-SHA256" }, ["starts-with", "$x-amz-meta-tag", ""],
      ],
    });
    const tokens = ["\"", "[", "]", "{", "}", ",", ":", "\"$key\"", "\"eq\"", "\"starts-with\"", "\"content-length-range\"", "\"expiration\"", "\"conditions\"",
      "-1", "1e400", "9007199254740993", "null", "true", "\"\"", "\"\\u0000\"", "\"$\"", "[]", "{}", "\"2030-13-45\""];
    const fields = new Map([["bucket", "b"], ["key", "uploads/f.txt"], ["content-type", "text/plain"], ["x-amz-algorithm", "AWS4-HMAC-SHA256"], ["x-amz-meta-tag", "t"]]);
    const parsed = new Map<string, number>(), checked = new Map<string, number>();
    // Documents built from a policy's grammar: each value mostly one that belongs there, sometimes not.
    const any = <T,>(values: readonly T[]): T => values[Math.floor(rand() * values.length)]!;
    const either = <T, U>(good: readonly T[], bad: readonly U[]): T | U => (rand() < 0.75 ? any(good) : any(bad));
    const odd = [null, true, 5, -1, "", "x", [], {}, ["eq"], { key: "x" }];
    const length = () => either([0, 5, 1048576, "10"], [-1, "-3", 1.5, "1.5", 1e21, 2 ** 53, null, "x"]);
    const field = () => either(["$key", "$Content-Type", "$x-amz-meta-tag"], ["$", "key", "", 5, null]);
    const value = () => either(["uploads/", "", "text/plain"], [5, null, ["x"]]);
    const extra = () => (rand() < 0.05 ? ["extra"] : []);
    const condition = (): unknown => {
      const shape = rand();
      if (shape < 0.35) return [either(["content-length-range", "Content-Length-Range"], ["content-length"]), length(), length(), ...extra()];
      if (shape < 0.7) return [either(["eq", "starts-with", "EQ"], ["in", 5]), field(), value(), ...extra()];
      if (shape < 0.95) return rand() < 0.9 ? { [any(["bucket", "key", "Content-Type"])]: value() } : { a: "1", b: "2" };
      return any(odd);
    };
    const generated = () => JSON.stringify(rand() < 0.05 ? any(odd) : {
      expiration: either(["2030-01-01T12:00:00.000Z", "2030-01-01"], ["2030-13-45", "", 1893456000000, null, undefined, "tomorrow"]),
      conditions: rand() < 0.1 ? any(odd) : Array.from({ length: Math.floor(rand() * 4) }, condition),
    });
    for (let i = 0; i < 1500; i++) {
      // Half generated documents; the rest the valid one mutated, as JSON or as its base64.
      const base64 = i % 2 === 0 ? Buffer.from(generated()).toString("base64")
        : i % 4 === 1 ? Buffer.from(mutate(rand, encode(valid), tokens)).toString("base64")
        : decodeText(mutate(rand, encode(btoa(valid)), ["=", "+", "/", "-", "_", "A", "%3D", " "]));
      let policy: PostPolicy | undefined;
      const outcome = await resultOrS3Error(() => {
        policy = parsePolicy(base64);
        expect(isWellFormedPolicy(policy)).toBe(true);
      }, `policy case ${i}`);
      parsed.set(outcome, (parsed.get(outcome) ?? 0) + 1);
      if (!policy) continue;
      const checkedPolicy = policy;
      const check = await resultOrS3Error(() => {
        const range = checkPolicy(checkedPolicy, fields, Date.parse("2029-06-01T00:00:00Z"));
        if (range) expect(Number.isSafeInteger(range.min) && Number.isSafeInteger(range.max) && 0 <= range.min && range.min <= range.max).toBe(true);
      }, `policy check ${i}`);
      checked.set(check, (checked.get(check) ?? 0) + 1);
    }
    console.log("policy outcomes:", Object.fromEntries(parsed), "checked against the form:", Object.fromEntries(checked));
    expect([...parsed.keys()].sort()).toEqual(["InvalidPolicyDocument", "ok"]);
    expect([...checked.keys()].sort()).toEqual(["AccessDenied", "ok"]);
  });

  test("x-amz-copy-source: 3,000 mutated headers name a bucket and a key or are InvalidArgument; 3,000 ranges fall inside the source or are refused", async () => {
    const valid = ["source-bucket/key.txt", "/source-bucket/dir/a%20b%2Bc.txt", "source-bucket/%F0%9F%98%80/x?versionId=null", "/b/k%2Fwith%2Fslashes?versionId=null"];
    const tokens = ["/", "//", "%", "%2F", "%ZZ", "%C3", "%C3%28", "?", "?versionId=", "versionId=null", "versionId=3", "&", "#", " ", "+"];
    const sources = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const header = decodeText(mutate(rand, encode(valid[i % valid.length]!), tokens));
      const outcome = await resultOrS3Error(() => {
        const { bucket, key } = parseCopySource(header);
        expect(bucket !== "" && !bucket.includes("/") && key !== "").toBe(true);
      }, `copy source ${JSON.stringify(header)}`);
      sources.set(outcome, (sources.get(outcome) ?? 0) + 1);
    }
    const parts = ["bytes", "=", "-", "0", "1", "5", "15", "16", "99999999999999999999", " ", ",", "x", "bytes=0-", "-1"];
    const offset = () => [0, 1, 15, 16, 2 ** 53 + 1, Math.floor(rand() * 10 ** Math.floor(rand() * 13))][Math.floor(rand() * 6)];
    const ranges = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      // The form S3 asks for over random offsets, as is or mutated; or pieced together.
      const header = i % 3 === 0 ? `bytes=${offset()}-${offset()}`
        : i % 3 === 1 ? decodeText(mutate(rand, encode(`bytes=${offset()}-${offset()}`), parts))
        : Array.from({ length: 1 + Math.floor(rand() * 6) }, () => parts[Math.floor(rand() * parts.length)]).join("");
      const size = [0, 1, 16, Math.floor(rand() * 10 ** Math.floor(rand() * 13))][Math.floor(rand() * 4)]!;
      const outcome = await resultOrS3Error(() => {
        const range = parseCopySourceRange(header, size);
        expect(range !== undefined && 0 <= range.start && range.start <= range.end && range.end < size).toBe(true);
      }, `copy source range ${JSON.stringify(header)} of ${size} bytes`);
      ranges.set(outcome, (ranges.get(outcome) ?? 0) + 1);
    }
    console.log("copy source outcomes:", Object.fromEntries(sources), "ranges:", Object.fromEntries(ranges));
    expect([...sources.keys()].sort()).toEqual(["InvalidArgument", "ok"]);
    expect([...ranges.keys()].sort()).toEqual(["InvalidArgument", "InvalidRange", "ok"]);
    expect(parseCopySourceRange(null, 10)).toBeUndefined();
  });
});

describe("over HTTP", () => {
  let s: TestServer;
  let bucket: string;
  beforeAll(async () => {
    s = await startTestServer();
    bucket = uniqueBucket("fuzz");
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "target", Body: "0123456789abcdef" }));
  });
  afterAll(() => s.stop());

  /** Requests Bun's HTTP parser refused before s3lite saw them (a Host it cannot parse): a bare 400. */
  let refusedByHttpParser = 0;

  /** Not a 5xx, and every error is S3 XML with a code. */
  async function expectClean(res: Response | { status: number; head: string; body: string }, what: string): Promise<number> {
    const body = res instanceof Response ? await res.text() : res.body;
    expect([what, res.status < 500]).toEqual([what, true]);
    const fromS3lite = res instanceof Response ? res.headers.has("x-amz-request-id") : /x-amz-request-id/i.test(res.head);
    if (res.status === 400 && !fromS3lite && body === "") refusedByHttpParser++;
    else if (res.status >= 400 && res.status !== 416) expect([what, /<Code>\w+<\/Code>/.test(body)]).toEqual([what, true]);
    return res.status;
  }
  afterAll(() => console.log(`refused by Bun's HTTP parser before s3lite: ${refusedByHttpParser}`));

  test("mutated XML bodies for DeleteObjects, CompleteMultipartUpload, PutBucketCors and CreateBucket: 4 × 100 requests", async () => {
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "mp" }));
    const { ETag } = await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "mp", UploadId, PartNumber: 1, Body: "part" }));
    const cases: [string, string, string][] = [
      ["POST", `/${bucket}?delete`, `<Delete><Object><Key>gone-1</Key></Object><Object><Key>gone-2</Key></Object></Delete>`],
      ["POST", `/${bucket}/mp?uploadId=${UploadId}`, `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${ETag}</ETag></Part></CompleteMultipartUpload>`],
      ["PUT", `/${bucket}?cors`, `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`],
      ["PUT", "/fuzz-created-bucket", `<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>`],
    ];
    for (const [method, path, xml] of cases) {
      for (let i = 0; i < 100; i++) {
        const body = decodeText(mutate(rand, encode(xml), XML_TOKENS));
        const res = await fetchSigned(`${s.url}${path}`, { method, body, headers: { "content-md5": new Bun.CryptoHasher("md5").update(body).digest("base64") } });
        await expectClean(res, `${method} ${path} ${JSON.stringify(body)}`);
      }
    }
  });

  test("300 generated Range headers: 200, 206 or 416, and a 206 carries the bytes it names", async () => {
    const parts = ["bytes", "=", "-", ",", " ", "0", "3", "15", "16", "99999999999999999999", "a"];
    for (let i = 0; i < 300; i++) {
      const range = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => parts[Math.floor(rand() * parts.length)]).join("");
      const res = await fetchSigned(`${s.url}/${bucket}/target`, { headers: { range } });
      const status = res.status;
      expect([range, [200, 206, 416].includes(status)]).toEqual([range, true]);
      if (status === 206) {
        const [, start, end] = /^bytes (\d+)-(\d+)\/16$/.exec(res.headers.get("content-range")!)!.map(Number);
        expect(await res.text()).toBe("0123456789abcdef".slice(start, end! + 1));
      } else await res.arrayBuffer();
    }
  });

  test("400 mutated SigV4 headers and 200 mutated presigned URLs: refused with an S3 error, never a 500", async () => {
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const header = ["authorization", "x-amz-date", "x-amz-content-sha256", "host"][i % 4]!;
      const res = await fetchSigned(`${s.url}/${bucket}/target`, {
        afterSigning: (h) => {
          const name = Object.keys(h).find((n) => n.toLowerCase() === header)!;
          h[name] = decodeText(mutate(rand, encode(h[name]!), ["AWS4-HMAC-SHA256", "Credential=", "SignedHeaders=", "Signature=", ",", "/", ";", " ", "="])).replace(/[\r\n\0]/g, "");
        },
      }).catch(() => undefined); // a header fetch itself refuses to send
      if (!res) continue;
      const status = await expectClean(res, `mutated ${header}`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const url = await presign(`${s.url}/${bucket}/target`);
    for (let i = 0; i < 200; i++) {
      const query = decodeText(mutate(rand, encode(url.slice(url.indexOf("?") + 1)), ["&", "=", "%", "%2F", "X-Amz-Expires=", "X-Amz-Date=", "X-Amz-Signature="])).replace(/[\s#]/g, "");
      const res = await fetch(`${s.url}/${bucket}/target?${query}`);
      const status = await expectClean(res, `presigned ?${query}`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    console.log("auth outcomes by status:", Object.fromEntries(statuses));
  });

  test("300 mutated SigV2 Authorization and Date headers and 200 mutated SigV2 presigned URLs: refused with an S3 error, never a 500", async () => {
    const statuses = new Map<number, number>();
    const date = new Date().toUTCString();
    const toSign = `GET\n\n\n${date}\n/${bucket}/target`;
    const authorization = `AWS ${TEST_CREDENTIALS.accessKeyId}:${signV2(TEST_CREDENTIALS.secretAccessKey, toSign)}`;
    const send = (headers: Record<string, string>) => fetch(`${s.url}/${bucket}/target`, { headers }).catch(() => undefined);
    // Unmutated, the request is good: what follows starts from a request s3lite accepts.
    expect((await send({ authorization, date }))!.status).toBe(200);
    for (let i = 0; i < 300; i++) {
      const headers = { authorization, date };
      const name = i % 3 === 2 ? "date" : "authorization";
      headers[name] = decodeText(mutate(rand, encode(headers[name]), ["AWS ", ":", "=", "+", "/", " ", ",", "GMT"])).replace(/[\r\n\0]/g, "");
      const res = await send(headers);
      if (!res) continue; // a header fetch itself refuses to send
      const status = await expectClean(res, `SigV2 ${name}: ${headers[name]}`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const expires = Math.floor(Date.now() / 1000) + 600;
    const signature = signV2(TEST_CREDENTIALS.secretAccessKey, `GET\n\n\n${expires}\n/${bucket}/target`);
    const query = `AWSAccessKeyId=${TEST_CREDENTIALS.accessKeyId}&Expires=${expires}&Signature=${encodeURIComponent(signature)}`;
    expect((await fetch(`${s.url}/${bucket}/target?${query}`)).status).toBe(200);
    for (let i = 0; i < 200; i++) {
      const mutated = decodeText(mutate(rand, encode(query), ["&", "=", "%", "%2B", "AWSAccessKeyId=", "Expires=", "Signature="])).replace(/[\s#]/g, "");
      const status = await expectClean(await fetch(`${s.url}/${bucket}/target?${mutated}`), `SigV2 presigned ?${mutated}`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    // Mutations that break the signature are refused: most outcomes are 4xx.
    expect([...statuses].filter(([status]) => status >= 400).reduce((n, [, count]) => n + count, 0)).toBeGreaterThan(250);
    console.log("SigV2 outcomes by status:", Object.fromEntries(statuses));
  });

  test("100 mutated signed aws-chunked uploads: refused cleanly, and none stores other bytes than signed", async () => {
    const c = vectors.chunked.find((v) => v.chunks && v.request_head_raw)!;
    const valid = signedChunkedBody(c);
    const examples = await startTestServer({
      now: () => Date.parse("2013-05-24T00:00:30Z"),
      extraCredentials: [{ accessKeyId: c.credentials.access_key, secretAccessKey: c.credentials.secret_key }],
    });
    try {
      await examples.client.send(new CreateBucketCommand({ Bucket: "examplebucket" }));
      let stored = 0, unanswered = 0;
      for (let i = 0; i < 100; i++) {
        const body = mutate(rand, valid, CHUNK_TOKENS);
        const head = c.request_head_raw!.replace(/\r\nContent-Length: \d+/, `\r\nContent-Length: ${body.length}`).replace(/\r\n\r\n$/, "\r\nConnection: close\r\n\r\n");
        const res = await sendRaw(examples.url, head, body);
        if (res.status === 0) { unanswered++; continue; }
        const status = await expectClean(res, `chunked case ${i}`);
        if (status === 200) {
          stored++;
          const got = await examples.client.send(new GetObjectCommand({ Bucket: "examplebucket", Key: "chunkObject.txt" }));
          const bytes = await got.Body!.transformToByteArray();
          expect(bytes.length === c.decoded_content_length && bytes.every((b) => b === 0x61)).toBe(true);
        }
      }
      console.log(`mutated chunked uploads: ${stored} of 100 accepted, each with exactly the signed bytes; ${unanswered} unanswered`);
      expect(unanswered).toBe(0);
    } finally {
      await examples.stop();
    }
  });

  test("200 mutated browser form uploads: never a 500, and a success stores what the policy allowed", async () => {
    const { url, fields } = await createPresignedPost(s.client, { Bucket: bucket, Key: "form/${filename}", Expires: 600, Conditions: [["content-length-range", 0, MiB]] });
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append("file", new Blob(["form body"]), "f.txt");
    const res = new Response(form);
    const contentType = res.headers.get("content-type")!;
    const valid = new Uint8Array(await res.arrayBuffer());
    const boundary = formBoundary(contentType)!;
    let stored = 0, compared = 0;
    for (let i = 0; i < 200; i++) {
      const body = mutate(rand, valid, ["\r\n", "--", "name=\"key\"", "name=\"policy\"", "filename=\"../x\"", ";"]);
      const answer = await fetch(url, { method: "POST", body, headers: { "content-type": contentType } });
      const status = await expectClean(answer, `form case ${i}`);
      if (status >= 300) continue;
      stored++;
      // The policy allowed this bucket, keys under form/, up to 1 MiB, and no field beyond its own:
      // no metadata, no content headers. What is stored must be that, and the file part's bytes.
      const location = new URL(answer.headers.get("location")!);
      expect(location.pathname.startsWith(`/${bucket}/form/`)).toBe(true);
      const key = decodeURIComponent(location.pathname.slice(bucket.length + 2));
      const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const bytes = await got.Body!.transformToByteArray();
      const what = `form case ${i}, stored as ${JSON.stringify(key)}`;
      expect({ what, etag: got.ETag, metadata: got.Metadata, contentType: got.ContentType }).toEqual({ what, etag: answer.headers.get("etag")!, metadata: {}, contentType: "binary/octet-stream" });
      expect([what, bytes.length <= MiB, Buffer.from(body).includes(Buffer.concat([bytes, Buffer.from(`\r\n--${boundary}`)]))]).toEqual([what, true, true]);
      // Where Bun's own form parser reads the body too, it finds the same file.
      const reference = await new Response(body, { headers: { "content-type": contentType } }).formData().catch(() => undefined);
      const file = reference?.getAll("file");
      if (file?.length === 1 && file[0] instanceof Blob) {
        compared++;
        expect([what, sameBytes(new Uint8Array(await file[0].arrayBuffer()), bytes)]).toEqual([what, true]);
      }
    }
    console.log(`mutated browser form uploads: ${stored} of 200 stored, each as the policy allowed (${compared} also read by Bun's form parser, with the same file)`);
    expect(stored).toBeGreaterThan(0);
  });
});
