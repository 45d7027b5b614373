// Pure AWS Signature Version 4 steps, with S3's rules: no path normalization, single URI encoding.
// Strings in, strings out: no Request, no clock, no storage, so AWS's published vectors replay directly.
import { ONLY_UNRESERVED_OR_SLASH, percentDecode, percentDecodeText, textEncoder, uriEncode } from "../uri.ts";

export const ALGORITHM = "AWS4-HMAC-SHA256";
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
export const STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
export const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD";
const TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER";

// Bun's own hashers: a request signs with three of these, and node:crypto's objects cost twice as much.
export const sha256Hex = (data: string | Uint8Array): string => Bun.CryptoHasher.hash("sha256", data, "hex");
const hmac = (key: string | Uint8Array, data: string): Uint8Array => new Bun.CryptoHasher("sha256", key).update(data).digest();

/** Decodes once and re-encodes once; an escape that is not one is encoded as the text it is. */
function reencode(raw: string, keepSlash = false): string {
  const text = percentDecodeText(raw);
  return uriEncode(text ?? percentDecode(raw) ?? textEncoder.encode(raw), keepSlash);
}

/** S3's canonical URI: the path as sent, decoded once and re-encoded once, `/` kept, dot segments kept. */
export function canonicalUri(rawPath: string): string {
  if (ONLY_UNRESERVED_OR_SLASH.test(rawPath)) return rawPath;
  const text = percentDecodeText(rawPath);
  if (text !== undefined) return uriEncode(text, true);
  const bytes = percentDecode(rawPath);
  return bytes ? uriEncode(bytes, true) : rawPath;
}

/** Sorted, re-encoded query; `exclude` drops a parameter (X-Amz-Signature for presigned URLs). */
export function canonicalQuery(rawQuery: string, exclude?: string): string {
  if (rawQuery === "") return "";
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : part.slice(eq + 1);
    const encodedName = reencode(name);
    if (encodedName === exclude) continue;
    pairs.push([encodedName, reencode(value)]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join("&");
}

/**
 * Trims ASCII whitespace only. Header values are byte strings, in which 0xA0 (a space to
 * String.prototype.trim and to `\s`) is as likely the second byte of a UTF-8 "à".
 */
export const trimAscii = (value: string): string => value.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, "");

/** `name:value\n` per signed header: values trimmed, inner runs of spaces folded, repeats joined by ",". */
export function canonicalHeaders(signedHeaders: readonly string[], valuesOf: (name: string) => readonly string[]): string {
  return signedHeaders
    .map((name) => `${name}:${valuesOf(name).map((v) => trimAscii(v).replace(/[\t\n\v\f\r ]+/g, " ")).join(",")}\n`)
    .join("");
}

export interface CanonicalRequestParts {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  canonicalHeaders: string;
  signedHeaders: readonly string[];
  payloadHash: string;
}

export function canonicalRequest(p: CanonicalRequestParts): string {
  return [p.method, p.canonicalUri, p.canonicalQuery, p.canonicalHeaders, p.signedHeaders.join(";"), p.payloadHash].join("\n");
}

export const credentialScope = (date: string, region: string, service: string): string => `${date}/${region}/${service}/aws4_request`;

const ONLY_ASCII = /^[\x00-\x7f]*$/;
const ONLY_LATIN1 = /^[\x00-\xff]*$/;

/**
 * A canonical request as the bytes its client signed. Bun presents header bytes as Latin-1 (one char
 * per byte received) and the rest of a canonical request is ASCII, so Latin-1 gives back the bytes
 * sent: botocore's UTF-8 stays UTF-8 instead of being encoded twice, a Latin-1 client's 0xE9 stays 0xE9.
 */
export function wireBytes(canonicalRequestText: string): string | Uint8Array {
  if (ONLY_ASCII.test(canonicalRequestText) || !ONLY_LATIN1.test(canonicalRequestText)) return canonicalRequestText;
  return Buffer.from(canonicalRequestText, "latin1");
}

/** `canonicalRequest` is hashed as given: a string as UTF-8, bytes as they are. */
export function stringToSign(canonicalRequest: string | Uint8Array, amzDate: string, scope: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
}

export function signingKey(secretKey: string, date: string, region: string, service: string): Uint8Array {
  return hmac(hmac(hmac(hmac(`AWS4${secretKey}`, date), region), service), "aws4_request");
}

export function signature(key: Uint8Array, stringToSignText: string): string {
  return new Bun.CryptoHasher("sha256", key).update(stringToSignText).digest("hex");
}

/** Compares two signatures in time that depends on their length only, never on where they first differ. */
export function signaturesEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** String to sign of one aws-chunked chunk: chained on the previous signature. */
export function chunkStringToSign(amzDate: string, scope: string, previousSignature: string, chunkSha256: string): string {
  return [CHUNK_ALGORITHM, amzDate, scope, previousSignature, EMPTY_SHA256, chunkSha256].join("\n");
}

/** String to sign of the trailer: chained on the final (zero-length) chunk's signature. */
export function trailerStringToSign(amzDate: string, scope: string, previousSignature: string, canonicalTrailer: string): string {
  return [TRAILER_ALGORITHM, amzDate, scope, previousSignature, sha256Hex(canonicalTrailer)].join("\n");
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Splits `Credential=AK/date/region/service/aws4_request`; null if it is not of that shape. */
export function parseCredential(credential: string): Omit<ParsedAuthorization, "signedHeaders" | "signature"> | null {
  const parts = credential.split("/");
  if (parts.length < 5 || parts[parts.length - 1] !== "aws4_request") return null;
  const [service, region, date] = [parts[parts.length - 2]!, parts[parts.length - 3]!, parts[parts.length - 4]!];
  // An access key id never holds "/", but keep any extra segments with it rather than misreading them.
  return { accessKeyId: parts.slice(0, parts.length - 4).join("/"), date, region, service };
}

/** Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` (with or without spaces); null if malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | null {
  if (!header.startsWith(ALGORITHM + " ")) return null;
  const fields = new Map<string, string>();
  for (const item of header.slice(ALGORITHM.length + 1).split(",")) {
    const eq = item.indexOf("=");
    if (eq > 0) fields.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const credential = parseCredential(fields.get("Credential") ?? "");
  const signedHeaders = fields.get("SignedHeaders");
  const sig = fields.get("Signature");
  if (!credential || !signedHeaders || !sig) return null;
  return { ...credential, signedHeaders: signedHeaders.split(";"), signature: sig };
}
