import { describe, expect, test } from "bun:test";
import {
  UNSIGNED_PAYLOAD, canonicalHeaders, canonicalQuery, canonicalRequest, canonicalUri, chunkStringToSign, credentialScope,
  parseAuthorization, sha256Hex, signature, signingKey, stringToSign, trailerStringToSign,
} from "../../src/core/auth/sigv4.ts";
import { percentDecode, uriEncode } from "../../src/core/uri.ts";
import { seededRandom, testSeed } from "../helpers/data.ts";
import { parseRawRequest, vectors } from "../helpers/vectors.ts";

/** Rebuilds a canonical request with S3's rules; the payload hash comes from the vector itself. */
function rebuild(v: { signed_request_raw: string; signature_type: string; canonical_request: string }) {
  const raw = parseRawRequest(v.signed_request_raw);
  const presigned = v.signature_type === "query";
  const signedHeaders = presigned
    ? decodeURIComponent(/X-Amz-SignedHeaders=([^&]*)/.exec(raw.query)![1]!).split(";")
    : parseAuthorization(raw.headers.get("authorization")![0]!.trim())!.signedHeaders;
  return canonicalRequest({
    method: raw.method,
    canonicalUri: canonicalUri(raw.path),
    canonicalQuery: canonicalQuery(raw.query, presigned ? "X-Amz-Signature" : undefined),
    canonicalHeaders: canonicalHeaders(signedHeaders, (name) => raw.headers.get(name) ?? []),
    signedHeaders,
    payloadHash: v.canonical_request.split("\n").at(-1)!,
  });
}

describe("SigV4 test suite, S3-applicable header cases", () => {
  const cases = vectors.sigv4_suite.filter((v) => v.s3_applicable);
  test.each(cases.map((v) => [v.id, v] as const))("%s", (_id, v) => {
    expect(rebuild(v)).toBe(v.canonical_request);
    const scope = credentialScope(v.datetime.slice(0, 8), v.region, v.service);
    const toSign = stringToSign(v.canonical_request, v.datetime, scope);
    expect(toSign).toBe(v.string_to_sign);
    const key = signingKey(v.credentials.secret_key, v.datetime.slice(0, 8), v.region, v.service);
    expect(signature(key, toSign)).toBe(v.signature);
  });
});

describe("SigV4 test suite, presigned cases (payload hash from the vector; S3 would use UNSIGNED-PAYLOAD)", () => {
  // These are flagged s3_applicable: false only because their payload hash is SHA-256 of the body;
  // with the vector's payload hash the query canonicalization is still checked exactly.
  const cases = vectors.sigv4_suite.filter((v) => v.signature_type === "query" && v.s3_not_applicable_reason?.every((r: string) => /payload|UNSIGNED/i.test(r)));
  test.each(cases.map((v) => [v.id, v] as const))("%s", (_id, v) => {
    expect(rebuild(v)).toBe(v.canonical_request);
  });
  test("there are presigned cases to run", () => expect(cases.length).toBeGreaterThan(10));
});

describe("S3 API reference examples", () => {
  test.each(vectors.s3_doc_examples.map((v) => [v.id, v] as const))("%s", (_id, v) => {
    expect(rebuild(v)).toBe(v.canonical_request);
    const scope = credentialScope(v.datetime.slice(0, 8), v.region, v.service);
    const key = signingKey(v.credentials.secret_key, v.datetime.slice(0, 8), v.region, v.service);
    expect(signature(key, stringToSign(v.canonical_request, v.datetime, scope))).toBe(v.signature);
  });

  test("the presigned example signs UNSIGNED-PAYLOAD", () => {
    const v = vectors.s3_doc_examples.find((e) => e.signature_type === "query")!;
    expect(v.canonical_request.endsWith(UNSIGNED_PAYLOAD)).toBe(true);
  });

  test("the Authorization header parses with and without spaces after commas", () => {
    const v = vectors.chunked[0]!;
    expect(parseAuthorization(v.authorization!)).toEqual(parseAuthorization(v.authorization_sdk_style!));
    expect(parseAuthorization(v.authorization!)!.signature).toBe(v.seed_signature!);
  });
});

describe("aws-chunked signatures", () => {
  const signedCases = vectors.chunked.filter((c) => c.chunks);
  test.each(signedCases.map((c) => [c.id, c] as const))("%s: seed, chunk and trailer signatures chain", (_id, c) => {
    const date = c.datetime.slice(0, 8);
    const scope = credentialScope(date, c.region, c.service);
    const key = signingKey(c.credentials.secret_key, date, c.region, c.service);
    expect(signature(key, c.seed_string_to_sign!)).toBe(c.seed_signature!);
    let previous = c.seed_signature!;
    for (const chunk of c.chunks!) {
      const data = new Uint8Array(chunk.size).fill(chunk.byte.charCodeAt(0));
      const toSign = chunkStringToSign(c.datetime, scope, previous, sha256Hex(data));
      expect(toSign).toBe(chunk.string_to_sign);
      previous = signature(key, toSign);
      expect(previous).toBe(chunk.signature);
    }
    if (c.trailer) {
      const toSign = trailerStringToSign(c.datetime, scope, previous, c.trailer.canonical_trailer);
      expect(toSign).toBe(c.trailer.string_to_sign);
      expect(signature(key, toSign)).toBe(c.trailer.signature);
    }
  });

  test("synthetic trailer signature math", () => {
    const c = vectors.chunked.find((x) => x.id === "crt/trailing-headers-synthetic")!;
    const date = c.datetime.slice(0, 8);
    const key = signingKey(c.credentials.secret_key, date, c.region, c.service);
    const toSign = trailerStringToSign(c.datetime, credentialScope(date, c.region, c.service), c.previous_signature!, c.trailer!.canonical_trailer);
    expect(signature(key, toSign)).toBe(c.trailer!.signature);
  });
});

describe("URI encoding", () => {
  test("keeps unreserved characters and, in paths, slashes", () => {
    expect(uriEncode("a-b_c.d~e/f g+h", true)).toBe("a-b_c.d~e/f%20g%2Bh");
    expect(uriEncode("a/b")).toBe("a%2Fb");
    expect(uriEncode("ሴ")).toBe("%E1%88%B4");
  });
  test("canonical URI decodes once and encodes once, keeping empty and dot segments", () => {
    expect(canonicalUri("/bucket/a%20b/c+d")).toBe("/bucket/a%20b/c%2Bd");
    expect(canonicalUri("/bucket/a//b/./c")).toBe("/bucket/a//b/./c");
    expect(canonicalUri("/bucket/%25")).toBe("/bucket/%25");
  });
  test("canonical query sorts by name then value, and gives bare names an empty value", () => {
    expect(canonicalQuery("b=2&a=3&a=1&acl")).toBe("a=1&a=3&acl=&b=2");
  });
  test("an escape that decodes to invalid UTF-8 is re-encoded byte for byte; a malformed one as the text it is", () => {
    expect(canonicalUri("/b/%C3%28%ff")).toBe("/b/%C3%28%FF");
    expect(canonicalQuery("a=%E1%88&b=%zz&c=%")).toBe("a=%E1%88&b=%25zz&c=%25");
    expect(uriEncode("x\uD800y")).toBe("x%EF%BF%BDy");
  });
});

/**
 * The plain definition, byte by byte: what the fast paths in uri.ts must agree with. Decoding is
 * checked against percentDecode, the byte-by-byte path those fast paths fall back to.
 */
function referenceEncode(bytes: Uint8Array, keepSlash = false): string {
  let out = "";
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(ch) || (keepSlash && ch === "/") ? ch : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

describe("URI encoding agrees with the byte-by-byte definition", () => {
  const seed = testSeed();
  const rand = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  // Pieces a signed path or query holds: plain and reserved ASCII, escapes of every kind (valid UTF-8,
  // stray continuation bytes, bad hex, a cut-off "%"), multi-byte and astral characters, lone surrogates.
  const PIECES = ["a", "Z", "0", "-", "_", ".", "~", "/", " ", "+", "*", "!", "'", "(", ")", "=", "&", "?", "#", "%", "%2", "%2F", "%2f", "%20",
    "%25", "%C3%A9", "%E1%88%B4", "%F0%9F%98%80", "%C3", "%80", "%ff", "%zz", "%C0%AF", "%ED%A0%80", "é", "ሴ", "😀", "\uD800", "\uDC00", "\u0000"];
  const randomText = () => Array.from({ length: Math.floor(rand() * 12) }, () => pick(PIECES)).join("");
  test(`2,000 random strings (seed ${seed})`, () => {
    for (let i = 0; i < 2000; i++) {
      const text = randomText();
      const bytes = new TextEncoder().encode(text);
      expect(uriEncode(text)).toBe(referenceEncode(bytes));
      expect(uriEncode(text, true)).toBe(referenceEncode(bytes, true));
      const path = `/${text}`;
      const decoded = percentDecode(path);
      expect(canonicalUri(path)).toBe(decoded ? referenceEncode(decoded, true) : path);
      const [name, value] = [randomText().replace(/[&=]/g, ""), randomText().replace(/&/g, "")];
      const query = `${name}=${value}`;
      const expected = `${referenceEncode(percentDecode(name) ?? new TextEncoder().encode(name))}=${referenceEncode(percentDecode(value) ?? new TextEncoder().encode(value))}`;
      if (name !== "") expect(canonicalQuery(query)).toBe(expected);
    }
  });
  // canonicalQuery passes a query that is canonical as a whole through unchanged: mixes of canonical
  // pieces and the near misses (%41 for "A", lower-case hex, a second "=") must still come out re-encoded.
  const QUERY_PIECES = ["a", "Z", "0", "-", "_", ".", "~", "%2F", "%20", "%C3%A9", "%FF", "%41", "%7E", "%2f", "%c3%a9", "=", "+", " ", "%", "é"];
  const randomPart = () => Array.from({ length: 1 + Math.floor(rand() * 6) }, () => pick(QUERY_PIECES)).join("");
  const canonicalOf = (raw: string) => referenceEncode(percentDecode(raw) ?? new TextEncoder().encode(raw));
  test(`2,000 random multi-parameter queries, sorted and re-encoded (seed ${seed})`, () => {
    for (let i = 0; i < 2000; i++) {
      const parts = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => {
        const name = randomPart().replace(/=/g, "");
        return name === "" ? "n" : rand() < 0.2 ? name : `${name}=${randomPart()}`;
      });
      const expected = parts
        .map((part) => { const eq = part.indexOf("="); return eq < 0 ? [canonicalOf(part), ""] : [canonicalOf(part.slice(0, eq)), canonicalOf(part.slice(eq + 1))]; })
        .sort(([an, av], [bn, bv]) => (an! < bn! ? -1 : an! > bn! ? 1 : av! < bv! ? -1 : av! > bv! ? 1 : 0))
        .map(([n, v]) => `${n}=${v}`).join("&");
      expect(canonicalQuery(parts.join("&"))).toBe(expected);
    }
  });
});
