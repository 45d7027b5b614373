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

/** Bytes SigV4 writes as themselves: A-Z a-z 0-9 - . _ ~ */
const UNRESERVED = Uint8Array.from({ length: 128 }, (_, c) => Number(/[A-Za-z0-9\-._~]/.test(String.fromCharCode(c))));
/** An upper-case hex digit's value, else -1: canonical escapes are upper case. */
const upperHex = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);

/**
 * Whether each "%" in `raw` starts an upper-case escape of a byte that needs one (with `keepSlash`,
 * not "/", which decodes to a kept "/"). Text of unreserved characters and such escapes is in
 * canonical form already: decoding and encoding it again gives it back, so it is used as sent, as
 * SDKs send it. A character class (a tight loop in the regex engine) and then a look at each escape
 * cost far less than decoding; an alternation per character in one regex cost more than decoding.
 */
function escapesAreCanonical(raw: string, keepSlash = false): boolean {
  for (let i = raw.indexOf("%"); i >= 0; i = raw.indexOf("%", i + 3)) {
    const high = upperHex(raw.charCodeAt(i + 1)), low = upperHex(raw.charCodeAt(i + 2));
    if (high < 0 || low < 0) return false;
    const byte = high * 16 + low;
    if ((byte < 0x80 && UNRESERVED[byte] === 1) || (keepSlash && byte === 0x2f)) return false;
  }
  return true;
}
const PATH_CHARACTERS = /^[A-Za-z0-9\-._~%/]*$/;
const COMPONENT_CHARACTERS = /^[A-Za-z0-9\-._~%]*$/;
const QUERY_CHARACTERS = /^[A-Za-z0-9\-._~%=&]*$/;

/** S3's canonical URI: the path as sent, decoded once and re-encoded once, `/` kept, dot segments kept. */
export function canonicalUri(rawPath: string): string {
  if (ONLY_UNRESERVED_OR_SLASH.test(rawPath)) return rawPath;
  if (PATH_CHARACTERS.test(rawPath) && escapesAreCanonical(rawPath, true)) return rawPath;
  const text = percentDecodeText(rawPath);
  if (text !== undefined) return uriEncode(text, true);
  const bytes = percentDecode(rawPath);
  return bytes ? uriEncode(bytes, true) : rawPath;
}

const canonicalComponent = (raw: string): string => (COMPONENT_CHARACTERS.test(raw) && escapesAreCanonical(raw) ? raw : reencode(raw));

/** Every name and value canonical already, as in a presigned URL; "=" inside a value is not, and is checked by the caller. */
const isCanonicalQuery = (rawQuery: string): boolean => QUERY_CHARACTERS.test(rawQuery) && escapesAreCanonical(rawQuery);

/** By name, then by value: canonical components are ASCII, so code units order them as bytes. */
const comparePairs = (a: [string, string], b: [string, string]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** Sorted, re-encoded query; `exclude` drops a parameter (X-Amz-Signature for presigned URLs). */
export function canonicalQuery(rawQuery: string, exclude?: string): string {
  if (rawQuery === "") return "";
  const canonical = isCanonicalQuery(rawQuery);
  const pairs: [string, string][] = [];
  let sorted = true;
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? "" : part.slice(eq + 1);
    const name = canonical ? rawName : canonicalComponent(rawName);
    if (name === exclude) continue;
    // A second "=" is part of the value, and is escaped there.
    const pair: [string, string] = [name, canonical && !rawValue.includes("=") ? rawValue : canonicalComponent(rawValue)];
    if (sorted && pairs.length > 0 && comparePairs(pairs[pairs.length - 1]!, pair) > 0) sorted = false;
    pairs.push(pair);
  }
  // Signers send the query sorted already; a check in passing spares the sort.
  if (!sorted) pairs.sort(comparePairs);
  let out = "";
  for (let i = 0; i < pairs.length; i++) out += (i === 0 ? "" : "&") + pairs[i]![0] + "=" + pairs[i]![1];
  return out;
}

/**
 * Trims ASCII whitespace only. Header values are byte strings, in which 0xA0 (a space to
 * String.prototype.trim and to `\s`) is as likely the second byte of a UTF-8 "à".
 */
export const trimAscii = (value: string): string => value.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, "");

/** A value that trimming and folding would change: edge or repeated whitespace, or any but a single space. */
const NEEDS_FOLDING = /^[\t\n\v\f\r ]|[\t\n\v\f\r ]$|[\t\n\v\f\r]| {2}/;
const foldValue = (value: string): string => (NEEDS_FOLDING.test(value) ? trimAscii(value).replace(/[\t\n\v\f\r ]+/g, " ") : value);

/** `name:value\n` per signed header: values trimmed, inner runs of spaces folded, repeats joined by ",". */
export function canonicalHeaders(signedHeaders: readonly string[], valuesOf: (name: string) => readonly string[]): string {
  let out = "";
  for (const name of signedHeaders) {
    const values = valuesOf(name);
    out += name + ":" + (values.length === 1 ? foldValue(values[0]!) : values.map(foldValue).join(",")) + "\n";
  }
  return out;
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
  return `${p.method}\n${p.canonicalUri}\n${p.canonicalQuery}\n${p.canonicalHeaders}\n${p.signedHeaders.join(";")}\n${p.payloadHash}`;
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
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
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

const CREDENTIAL_TERMINATOR = "/aws4_request";

/** Splits `Credential=AK/date/region/service/aws4_request`; null if it is not of that shape. */
export function parseCredential(credential: string): Omit<ParsedAuthorization, "signedHeaders" | "signature"> | null {
  if (!credential.endsWith(CREDENTIAL_TERMINATOR)) return null;
  const serviceStart = credential.lastIndexOf("/", credential.length - CREDENTIAL_TERMINATOR.length - 1);
  const regionStart = serviceStart <= 0 ? -1 : credential.lastIndexOf("/", serviceStart - 1);
  const dateStart = regionStart <= 0 ? -1 : credential.lastIndexOf("/", regionStart - 1);
  if (dateStart < 0) return null;
  // An access key id never holds "/", but keep any extra segments with it rather than misreading them.
  return {
    accessKeyId: credential.slice(0, dateStart),
    date: credential.slice(dateStart + 1, regionStart),
    region: credential.slice(regionStart + 1, serviceStart),
    service: credential.slice(serviceStart + 1, credential.length - CREDENTIAL_TERMINATOR.length),
  };
}

/** Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` (with or without spaces); null if malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | null {
  if (!header.startsWith(ALGORITHM + " ")) return null;
  let credentialText = "", signedHeaders = "", sig = "";
  for (const item of header.slice(ALGORITHM.length + 1).split(",")) {
    const eq = item.indexOf("=");
    if (eq <= 0) continue;
    const name = item.slice(0, eq).trim();
    // A repeated field counts as its last occurrence.
    if (name === "Credential") credentialText = item.slice(eq + 1).trim();
    else if (name === "SignedHeaders") signedHeaders = item.slice(eq + 1).trim();
    else if (name === "Signature") sig = item.slice(eq + 1).trim();
  }
  const credential = parseCredential(credentialText);
  if (!credential || !signedHeaders || !sig) return null;
  return { ...credential, signedHeaders: signedHeaders.split(";"), signature: sig };
}
