// Pure Signature Version 2 steps (HMAC-SHA1): the header form `Authorization: AWS AKID:signature`
// (boto3 under signature_version "s3", older Java and PHP SDKs, s3cmd) and the query form
// (AWSAccessKeyId, Expires, Signature) of presigned URLs. No Request, no clock, no storage.
//
// Strings to sign are byte strings: one char per byte, the way Bun presents header bytes (Latin-1).
// Signing their bytes covers a header value exactly as it was sent, whatever encoding the client used.
import { createHmac } from "node:crypto";
import { parseAmzDate } from "./_clock.ts";
import { trimAscii } from "./sigv4.ts";
import { percentDecode } from "../uri.ts";

/**
 * The query parameters S3 folds into the signed resource. AWS's list (acl, lifecycle, location,
 * logging, notification, partNumber, policy, requestPayment, torrent, uploadId, uploads, versionId,
 * versioning, versions, website and the response-* overrides) plus the later ones botocore's
 * HmacV1Auth and the AWS SDK for Java 1.x sign (delete, cors, tagging, restore, …).
 */
const SIGNED_SUBRESOURCES = new Set([
  "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory", "lifecycle", "location", "logging",
  "metrics", "notification", "object-lock", "partNumber", "policy", "replication", "requestPayment", "response-cache-control",
  "response-content-disposition", "response-content-encoding", "response-content-language", "response-content-type",
  "response-expires", "restore", "select", "select-type", "storageClass", "tagging", "torrent", "uploadId", "uploads",
  "versionId", "versioning", "versions", "website",
]);

export interface V2Request {
  method: string;
  /** The path-style resource as sent, percent-encoded: `/bucket/key`. */
  resourcePath: string;
  /** Query as sent, without `?`. */
  rawQuery: string;
  /** Content-MD5 and Content-Type by lower-case name, as byte strings. */
  header(name: string): string | undefined;
  /** Every x-amz-* header name (lower case) with its value, as byte strings. */
  amzHeaders: [string, string][];
  /** The third line: the Date header, "" when x-amz-date is sent (it is signed among the x-amz-* headers), or a presigned URL's Expires. */
  date: string;
}

/** The V2 string to sign: method, Content-MD5, Content-Type, date, x-amz-* headers, resource. */
export function stringToSignV2(r: V2Request): string {
  const amz = new Map<string, string[]>();
  for (const [name, value] of r.amzHeaders) amz.set(name, [...(amz.get(name) ?? []), trimAscii(value)]);
  const amzLines = [...amz.keys()].sort().map((name) => `${name}:${amz.get(name)!.join(",")}\n`).join("");
  const contentMd5 = trimAscii(r.header("content-md5") ?? "");
  const contentType = trimAscii(r.header("content-type") ?? "");
  return `${r.method}\n${contentMd5}\n${contentType}\n${trimAscii(r.date)}\n${amzLines}${canonicalResourceV2(r.resourcePath, r.rawQuery)}`;
}

/** The path plus the signed subresources, sorted by name, with values percent-decoded (to bytes). */
export function canonicalResourceV2(resourcePath: string, rawQuery: string): string {
  const params = rawQuery.split("&").filter(Boolean).map((pair) => {
    const eq = pair.indexOf("=");
    return eq < 0 ? [pair] : [pair.slice(0, eq), decodeValue(pair.slice(eq + 1))];
  }).filter(([name]) => SIGNED_SUBRESOURCES.has(name!));
  if (params.length === 0) return resourcePath;
  params.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  return `${resourcePath}?${params.map((p) => p.join("=")).join("&")}`;
}

/** A query value decoded to a byte string; `+` is a space, as S3 reads queries. Malformed escapes stay as sent. */
function decodeValue(raw: string): string {
  const bytes = percentDecode(raw.replace(/\+/g, "%20"));
  return bytes ? Buffer.from(bytes).toString("latin1") : raw;
}

/** Text (a decoded query parameter, say) as the byte string of its UTF-8 form. */
export const utf8ByteString = (text: string): string => Buffer.from(text, "utf8").toString("latin1");

/** The bytes of a byte string. */
export const byteStringBytes = (byteString: string): Uint8Array => Buffer.from(byteString, "latin1");

/** StringToSignBytes as S3 reports it: each byte as two lower-case hex digits, space-separated. */
export const stringToSignBytes = (byteString: string): string =>
  Array.from(byteStringBytes(byteString), (b) => b.toString(16).padStart(2, "0")).join(" ");

/** Base64 of HMAC-SHA1 over the string to sign: bytes as given, text as UTF-8. */
export const signV2 = (secret: string, toSign: string | Uint8Array): string =>
  createHmac("sha1", secret).update(toSign).digest("base64");

/** `AWS AKID:signature` → its two parts; null when either is missing. */
export function parseAuthorizationV2(header: string): { accessKeyId: string; signature: string } | null {
  const credentials = header.startsWith("AWS ") ? header.slice(4) : "";
  const colon = credentials.indexOf(":");
  if (colon <= 0 || colon === credentials.length - 1) return null;
  return { accessKeyId: credentials.slice(0, colon), signature: credentials.slice(colon + 1) };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const RFC_1123 = /^(?:[A-Za-z]{3}, ?)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (GMT|UTC|UT|Z|[+-]\d{4})$/;

/**
 * A V2 Date or x-amz-date value → epoch ms, or NaN. RFC 1123 as clients send it
 * (`Tue, 27 Mar 2007 19:36:42 +0000`, `… GMT`), or the ISO 8601 basic form SigV4 uses; the obsolete
 * RFC 850 and asctime forms HTTP/1.1 also allows are refused.
 */
export function parseHttpDate(value: string): number {
  const text = value.trim();
  const iso = parseAmzDate(text);
  if (!Number.isNaN(iso)) return iso;
  const m = RFC_1123.exec(text);
  const month = m ? MONTHS.findIndex((name) => name.toLowerCase() === m[2]!.toLowerCase()) : -1;
  if (!m || month < 0 || +m[1]! < 1 || +m[1]! > 31 || +m[4]! > 23 || +m[5]! > 59 || +m[6]! > 60) return NaN;
  const zone = m[7]!;
  const offsetMinutes = /^[+-]/.test(zone) ? (zone[0] === "-" ? -1 : 1) * (+zone.slice(1, 3) * 60 + +zone.slice(3)) : 0;
  return Date.UTC(+m[3]!, month, +m[1]!, +m[4]!, +m[5]!, +m[6]!) - offsetMinutes * 60_000;
}
