// Signature Version 2 requests, header (`Authorization: AWS AKID:signature`) and presigned
// (AWSAccessKeyId, Expires, Signature): key lookup, request time, and the signature over the request
// head as sent. verify.ts decides which scheme a request uses.
import { S3Error } from "../errors.ts";
import type { ParsedRequest } from "../request.ts";
import { checkClockSkew } from "./_clock.ts";
import { STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD, signaturesEqual } from "./sigv4.ts";
import {
  byteStringBytes, parseAuthorizationV2, parseHttpDate, signV2, stringToSignBytes, stringToSignV2, utf8ByteString,
} from "./sigv2.ts";
import type { AuthResult, CredentialStore } from "./verify.ts";

/** `Authorization: AWS AKID:signature`. Every x-amz-* header sent is signed, so none can be slipped in. */
export function verifyHeaderV2(req: ParsedRequest, authorization: string, credentials: CredentialStore, nowMs: number): AuthResult {
  const parsed = parseAuthorizationV2(authorization);
  if (!parsed) {
    throw new S3Error("InvalidArgument", { message: "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature", ArgumentName: "Authorization", ArgumentValue: authorization });
  }
  // With x-amz-date present S3 ignores Date, and signs an empty line in its place.
  const amzDate = req.headers.get("x-amz-date");
  const requestTime = amzDate ?? req.headers.get("date");
  const requestMs = requestTime === null ? NaN : parseHttpDate(requestTime);
  if (Number.isNaN(requestMs)) throw new S3Error("AccessDenied", { message: "AWS authentication requires a valid Date or x-amz-date header" });
  checkClockSkew(requestTime!, requestMs, nowMs);
  const secret = credentials.get(parsed.accessKeyId);
  if (secret === undefined) throw new S3Error("InvalidAccessKeyId", { AWSAccessKeyId: parsed.accessKeyId });
  checkSignatureV2(req, {
    accessKeyId: parsed.accessKeyId, secret, provided: parsed.signature,
    date: amzDate === null ? requestTime! : "",
    header: (name) => req.headers.get(name) ?? undefined,
    amzHeaders: [...req.headers].filter(([name]) => name.startsWith("x-amz-")),
  });
  return authResultV2(req, parsed.accessKeyId, parsed.signature, "REST-HEADER");
}

/** `?AWSAccessKeyId=…&Expires=…&Signature=…`, as boto3's generate_presigned_url makes under signature_version "s3". */
export function verifyPresignedV2(req: ParsedRequest, credentials: CredentialStore, nowMs: number): AuthResult {
  const q = req.query;
  const accessKeyId = q.get("AWSAccessKeyId"), provided = q.get("Signature"), expires = q.get("Expires");
  if (!accessKeyId || !provided || !expires) {
    throw new S3Error("AccessDenied", { message: "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters" });
  }
  if (!/^\d+$/.test(expires)) throw new S3Error("AccessDenied", { message: "Invalid date (should be seconds since epoch): " + expires });
  if (nowMs > Number(expires) * 1000) {
    throw new S3Error("AccessDenied", { message: "Request has expired", Expires: new Date(Number(expires) * 1000).toISOString(), ServerTime: new Date(nowMs).toISOString() });
  }
  const secret = credentials.get(accessKeyId);
  if (secret === undefined) throw new S3Error("InvalidAccessKeyId", { AWSAccessKeyId: accessKeyId });
  // Presigners move x-amz-*, Content-Type and Content-MD5 into the query; headers win where both exist.
  // Header values are the bytes sent; query values are decoded text, which clients sign as UTF-8.
  const fromQuery = (name: string) => { const value = q.get(name); return value === null ? undefined : utf8ByteString(value); };
  const amzHeaders: [string, string][] = [...req.headers].filter(([name]) => name.startsWith("x-amz-"));
  for (const [name, value] of q) {
    if (name.toLowerCase().startsWith("x-amz-") && !req.headers.has(name)) amzHeaders.push([name.toLowerCase(), utf8ByteString(value)]);
  }
  checkSignatureV2(req, { accessKeyId, secret, provided, date: expires, amzHeaders, header: (name) => req.headers.get(name) ?? fromQuery(name) });
  return authResultV2(req, accessKeyId, provided, "REST-QUERY-STRING");
}

/**
 * V2 signs no payload and has no chunk signatures: the body is taken as sent and checked against any
 * Content-MD5 or x-amz-checksum-* it carries, and against x-amz-content-sha256 when that holds a digest
 * (it is signed, as every x-amz-* header is under V2). Unsigned aws-chunked framing is decoded as usual.
 */
function authResultV2(req: ParsedRequest, accessKeyId: string, signature: string, authType: AuthResult["authType"]): AuthResult {
  const declared = req.headers.get("x-amz-content-sha256");
  let payloadHash = UNSIGNED_PAYLOAD;
  if (declared === STREAMING_UNSIGNED_TRAILER || (declared !== null && /^[0-9a-f]{64}$/.test(declared))) payloadHash = declared;
  else if (declared?.startsWith("STREAMING-AWS4-HMAC-SHA256-")) {
    throw new S3Error("InvalidRequest", { message: `x-amz-content-sha256 ${declared} needs AWS Signature Version 4; this request is signed with Signature Version 2.` });
  } else if (declared !== null && declared !== UNSIGNED_PAYLOAD) {
    throw new S3Error("InvalidArgument", { message: "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER or a valid sha256 value.", ArgumentName: "x-amz-content-sha256", ArgumentValue: declared });
  }
  return { accessKeyId, payloadHash, signature, signingKey: new Uint8Array(), amzDate: "", scope: "", signatureVersion: "AWS", authType };
}

interface SignedV2 {
  accessKeyId: string;
  secret: string;
  provided: string;
  /** The third line of the string to sign (see V2Request.date). */
  date: string;
  header(name: string): string | undefined;
  amzHeaders: [string, string][];
}

/** Throws SignatureDoesNotMatch, with the string to sign as S3 reports it, unless one spelling of the request matches. */
function checkSignatureV2(req: ParsedRequest, s: SignedV2): void {
  const candidates = stringsToSign(req, s);
  if (candidates.some((toSign) => signaturesEqual(signV2(s.secret, byteStringBytes(toSign)), s.provided))) return;
  const toSign = candidates[0]!;
  throw new S3Error("SignatureDoesNotMatch", {
    AWSAccessKeyId: s.accessKeyId, StringToSign: toSign, SignatureProvided: s.provided, StringToSignBytes: stringToSignBytes(toSign),
  });
}

/** The string to sign of each way a client may have signed this request; the first is the request as sent. */
function stringsToSign(req: ParsedRequest, s: SignedV2): string[] {
  const headerSets = [s.amzHeaders];
  // Bun joins a repeated header's values with ", "; V2 joins them with "," (x-amz-meta-a:1,2).
  if (s.amzHeaders.some(([, value]) => value.includes(", "))) {
    headerSets.push(s.amzHeaders.map(([name, value]) => [name, value.replaceAll(", ", ",")]));
  }
  return resources(req).flatMap((resourcePath) => headerSets.map((amzHeaders) =>
    stringToSignV2({ method: req.method, resourcePath, rawQuery: req.rawQuery, header: s.header, amzHeaders, date: s.date })));
}

/**
 * The resource: the path-style path, so a virtual-hosted request signs `/bucket` + its path. A
 * bucket-level request may be signed as `/bucket` or `/bucket/` (boto3 signs `/bucket/` and sends
 * `/bucket`); S3 takes either, for that resource only.
 */
function resources(req: ParsedRequest): string[] {
  const resource = req.hostStyle ? `/${req.bucket}${req.rawPath}` : req.rawPath;
  if (req.bucket === undefined || req.key !== undefined) return [resource];
  return [resource, resource.endsWith("/") ? resource.slice(0, -1) : `${resource}/`];
}
