// verifyRequest(): decides who sent a request and whether its signature holds: SigV4 or SigV2, header or
// presigned. It checks the signature over the request head only; the payload is checked as it streams
// (see ops/_payload.ts).
import { S3Error } from "../errors.ts";
import { headersSent, type ParsedRequest } from "../request.ts";
import {
  ALGORITHM, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD,
  canonicalHeaders, canonicalQuery, canonicalRequest, canonicalUri, credentialScope, parseAuthorization,
  parseCredential, signature, signaturesEqual, signingKey, stringToSign, wireBytes,
} from "./sigv4.ts";
import { MAX_CLOCK_SKEW_MS, checkClockSkew, parseAmzDate } from "./_clock.ts";
import { signV2 } from "./sigv2.ts";
import { verifyHeaderV2, verifyPresignedV2 } from "./verify-v2.ts";

const MAX_PRESIGN_EXPIRES_S = 604_800;
const PRESIGN_PARAMETERS = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Expires"] as const;
const PAYLOAD_MODES = new Set([UNSIGNED_PAYLOAD, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER]);

export interface AuthResult {
  accessKeyId: string;
  /** The x-amz-content-sha256 value (a hex digest or a mode), or UNSIGNED-PAYLOAD for presigned URLs and SigV2. */
  payloadHash: string;
  /** Seed for aws-chunked chunk signatures. */
  signature: string;
  signingKey: Uint8Array;
  amzDate: string;
  scope: string;
  /** What the s3:signatureversion and s3:authType policy keys say of it. */
  signatureVersion: "AWS" | "AWS4-HMAC-SHA256";
  authType: "REST-HEADER" | "REST-QUERY-STRING";
}

/** Secret keys by access key id. */
export type CredentialStore = ReadonlyMap<string, string>;

/**
 * Signing keys change once a day per credential and region: derive each once (AWS's SDKs cache them
 * the same way). The last key used is checked first: most servers see one credential and one region.
 */
const signingKeyCache = new Map<string, Uint8Array>();
let lastSigningKey: { secret: string; date: string; region: string; service: string; key: Uint8Array } | undefined;

function cachedSigningKey(secret: string, date: string, region: string, service: string): Uint8Array {
  const last = lastSigningKey;
  if (last && last.date === date && last.secret === secret && last.region === region && last.service === service) return last.key;
  const cacheKey = `${secret}\0${date}\0${region}\0${service}`;
  let key = signingKeyCache.get(cacheKey);
  if (!key) {
    if (signingKeyCache.size > 256) signingKeyCache.clear();
    key = signingKey(secret, date, region, service);
    signingKeyCache.set(cacheKey, key);
  }
  lastSigningKey = { secret, date, region, service, key };
  return key;
}

/**
 * Verifies a request's signature (SigV4 or SigV2; Authorization header or query) and returns what the
 * body checks need; undefined for a request that carries no credentials at all, which authorization
 * then weighs as anonymous. Throws the S3 error AWS gives for each failure.
 */
export function verifyRequest(req: ParsedRequest, credentials: CredentialStore, nowMs: number): AuthResult | undefined {
  const authorization = req.headers.get("authorization");
  const isPresigned = req.query.has("X-Amz-Signature") || req.query.has("X-Amz-Credential");
  const isPresignedV2 = req.query.has("AWSAccessKeyId") || req.query.has("Signature");
  if (authorization && (isPresigned || isPresignedV2)) {
    throw new S3Error("InvalidArgument", { message: "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified" });
  }
  if (authorization === "AWS" || authorization?.startsWith("AWS ")) return verifyHeaderV2(req, authorization, credentials, nowMs);
  if (authorization) return verifyHeaderAuth(req, authorization, credentials, nowMs);
  if (isPresigned) return verifyPresigned(req, credentials, nowMs);
  if (isPresignedV2) return verifyPresignedV2(req, credentials, nowMs);
  return undefined;
}

function verifyHeaderAuth(req: ParsedRequest, authorization: string, credentials: CredentialStore, nowMs: number): AuthResult {
  const parsed = parseAuthorization(authorization);
  if (!parsed) throw new S3Error("AuthorizationHeaderMalformed", { message: `The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.` });
  const payloadHash = req.headers.get("x-amz-content-sha256");
  if (payloadHash === null) throw new S3Error("InvalidRequest", { message: "Missing required header for this request: x-amz-content-sha256" });
  if (!PAYLOAD_MODES.has(payloadHash) && !/^[0-9a-f]{64}$/.test(payloadHash)) {
    throw new S3Error("InvalidArgument", { message: "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.", ArgumentName: "x-amz-content-sha256", ArgumentValue: payloadHash });
  }
  const amzDate = req.headers.get("x-amz-date") ?? toAmzDate(req.headers.get("date"));
  const requestMs = parseAmzDate(amzDate ?? "");
  if (Number.isNaN(requestMs)) throw new S3Error("AccessDenied", { message: "AWS authentication requires a valid Date or x-amz-date header" });
  if (parsed.date !== amzDate!.slice(0, 8)) {
    throw new S3Error("AuthorizationHeaderMalformed", { message: `The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date: "${parsed.date}".` });
  }
  checkClockSkew(amzDate!, requestMs, nowMs);
  return checkSignature(req, { ...parsed, amzDate: amzDate!, payloadHash, presigned: false }, credentials);
}

function verifyPresigned(req: ParsedRequest, credentials: CredentialStore, nowMs: number): AuthResult {
  const q = req.query;
  const [algorithm, credentialText, amzDate, signedHeaders, provided, expiresText] = PRESIGN_PARAMETERS.map((name) => q.get(name));
  if (algorithm == null || credentialText == null || amzDate == null || signedHeaders == null || provided == null || expiresText == null) {
    throw new S3Error("AuthorizationQueryParametersError", { message: `Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.` });
  }
  if (algorithm !== ALGORITHM) {
    throw new S3Error("AuthorizationQueryParametersError", { message: "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"" });
  }
  const credential = parseCredential(credentialText);
  if (!credential) throw new S3Error("AuthorizationQueryParametersError", { message: "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"." });
  const requestMs = parseAmzDate(amzDate);
  if (Number.isNaN(requestMs)) throw new S3Error("AuthorizationQueryParametersError", { message: "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"" });
  const expires = /^\d+$/.test(expiresText) ? Number(expiresText) : NaN;
  if (Number.isNaN(expires) || expires < 1) throw new S3Error("AuthorizationQueryParametersError", { message: "X-Amz-Expires must be non-negative" });
  if (expires > MAX_PRESIGN_EXPIRES_S) throw new S3Error("AuthorizationQueryParametersError", { message: "X-Amz-Expires must be less than a week (in seconds) that is 604800" });
  if (credential.date !== amzDate.slice(0, 8)) {
    throw new S3Error("AuthorizationQueryParametersError", { message: `Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".` });
  }
  if (requestMs - nowMs > MAX_CLOCK_SKEW_MS) throw new S3Error("AccessDenied", { message: "Request is not valid yet" });
  if (nowMs > requestMs + expires * 1000) {
    throw new S3Error("AccessDenied", { message: "Request has expired", "X-Amz-Expires": expires, Expires: new Date(requestMs + expires * 1000).toISOString(), ServerTime: new Date(nowMs).toISOString() });
  }
  return checkSignature(req, {
    accessKeyId: credential.accessKeyId, date: credential.date, region: credential.region, service: credential.service,
    signedHeaders: signedHeaders.split(";"),
    signature: provided,
    amzDate: amzDate,
    payloadHash: req.headers.get("x-amz-content-sha256") ?? UNSIGNED_PAYLOAD,
    presigned: true,
  }, credentials);
}

interface SignedParts {
  accessKeyId: string; date: string; region: string; service: string;
  signedHeaders: string[]; signature: string; amzDate: string; payloadHash: string; presigned: boolean;
}

function checkSignature(req: ParsedRequest, p: SignedParts, credentials: CredentialStore): AuthResult {
  const secret = credentials.get(p.accessKeyId);
  if (secret === undefined) throw new S3Error("InvalidAccessKeyId", { AWSAccessKeyId: p.accessKeyId });
  if (p.service !== "s3") {
    throw new S3Error("AuthorizationHeaderMalformed", { message: `The authorization header is malformed; incorrect service "${p.service}". This endpoint belongs to "s3".` });
  }
  const badName = p.signedHeaders.find((name) => !HEADER_NAME.test(name));
  if (badName !== undefined) {
    const message = `SignedHeaders holds "${badName}", which is not a lower-case header name.`;
    throw p.presigned ? new S3Error("AuthorizationQueryParametersError", { message }) : new S3Error("AuthorizationHeaderMalformed", { message: `The authorization header is malformed; ${message}` });
  }
  if (!p.signedHeaders.includes("host")) {
    throw new S3Error("AccessDenied", { message: "There were headers present in the request which were not signed", HeadersNotSigned: "host" });
  }
  const query = canonicalQuery(req.rawQuery, p.presigned ? "X-Amz-Signature" : undefined);
  const headers = canonicalHeaders(p.signedHeaders, (name) => {
    const value = req.headers.get(name);
    return value === null ? NO_VALUES : [value];
  });
  const scope = credentialScope(p.date, p.region, p.service);
  const key = cachedSigningKey(secret, p.date, p.region, p.service);
  const canonicalOf = (uri: string) => canonicalRequest({ method: req.method, canonicalUri: uri, canonicalQuery: query, canonicalHeaders: headers, signedHeaders: p.signedHeaders, payloadHash: p.payloadHash });
  let canonical = canonicalOf(canonicalUri(req.rawPath));
  let toSign = stringToSign(wireBytes(canonical), p.amzDate, scope);
  let expected = signature(key, toSign);
  if (!signaturesEqual(expected, p.signature) && /%2F/i.test(req.rawPath)) {
    // A client that writes a key's "/" as %2F signs the path as it sent it; the key is the same either way.
    const asSent = canonicalOf(req.rawPath);
    const asSentToSign = stringToSign(wireBytes(asSent), p.amzDate, scope);
    const asSentExpected = signature(key, asSentToSign);
    if (signaturesEqual(asSentExpected, p.signature)) [canonical, toSign, expected] = [asSent, asSentToSign, asSentExpected];
  }
  if (!signaturesEqual(expected, p.signature)) {
    throw new S3Error("SignatureDoesNotMatch", {
      AWSAccessKeyId: p.accessKeyId, StringToSign: toSign, SignatureProvided: p.signature, CanonicalRequest: canonical,
    });
  }
  const unsigned = unsignedAmzHeaders(req.headers, p.signedHeaders);
  if (unsigned.length > 0) {
    throw new S3Error("AccessDenied", { message: "There were headers present in the request which were not signed", HeadersNotSigned: unsigned.join(", ") });
  }
  return { accessKeyId: p.accessKeyId, payloadHash: p.payloadHash, signature: expected, signingKey: key, amzDate: p.amzDate, scope, signatureVersion: "AWS4-HMAC-SHA256", authType: p.presigned ? "REST-QUERY-STRING" : "REST-HEADER" };
}

/**
 * x-amz-* headers sent but not signed. As on AWS they are refused: otherwise whoever holds a
 * presigned URL (or sits between client and server) could add metadata, a copy source or conditions
 * the signer never saw. Exempt are the headers that frame or check the payload (clients add them
 * around a request already signed, and each is verified against the body anyway).
 */
function unsignedAmzHeaders(headers: Headers, signedHeaders: readonly string[]): string[] {
  const unsigned: string[] = [];
  for (const name in headersSent(headers)) {
    if (name.startsWith("x-amz-") && !UNSIGNED_ALLOWED.test(name) && !signedHeaders.includes(name)) unsigned.push(name);
  }
  return unsigned;
}

const NO_VALUES: readonly string[] = [];

/** An HTTP token in lower case: what a SignedHeaders entry must be. */
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

const UNSIGNED_ALLOWED = /^x-amz-(content-sha256|decoded-content-length|trailer|sdk-checksum-algorithm|checksum-(crc32|crc32c|crc64nvme|sha1|sha256|mode))$/;

/** An RFC 7231 Date header as `YYYYMMDDTHHMMSSZ`, for clients that sign `date` instead of x-amz-date. */
function toAmzDate(httpDate: string | null): string | undefined {
  if (!httpDate) return undefined;
  const ms = Date.parse(httpDate);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * A browser POST's signature: the form's policy field signed with SigV4 (x-amz-algorithm,
 * x-amz-credential, x-amz-date, x-amz-signature) or SigV2 (AWSAccessKeyId, signature).
 * `fields` are the form fields by lower-case name. The policy's own conditions are checked elsewhere.
 */
export function verifyPostSignature(fields: ReadonlyMap<string, string>, credentials: CredentialStore): { accessKeyId: string; signatureVersion: AuthResult["signatureVersion"] } | undefined {
  const policy = fields.get("policy");
  const v4 = fields.has("x-amz-signature") || fields.has("x-amz-credential") || fields.has("x-amz-algorithm");
  const v2 = fields.has("signature") || fields.has("awsaccesskeyid");
  if (policy === undefined) {
    // A form with neither policy nor signature is anonymous: the bucket's grants and policy decide.
    if (!v4 && !v2) return undefined;
    throw new S3Error("InvalidArgument", { message: "Bucket POST must contain a field named 'policy'.  If it is specified, please check the order of the fields.", ArgumentName: "policy", ArgumentValue: "" });
  }
  const field = (name: string): string => {
    const value = fields.get(name);
    if (value === undefined) {
      throw new S3Error("InvalidArgument", { message: `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, ArgumentName: name, ArgumentValue: "" });
    }
    return value;
  };
  if (!v4 && v2) {
    const accessKeyId = field("awsaccesskeyid"), provided = field("signature");
    const secret = credentials.get(accessKeyId);
    if (secret === undefined) throw new S3Error("InvalidAccessKeyId", { AWSAccessKeyId: accessKeyId });
    if (!signaturesEqual(signV2(secret, policy), provided)) throw new S3Error("SignatureDoesNotMatch", { AWSAccessKeyId: accessKeyId, StringToSign: policy, SignatureProvided: provided });
    return { accessKeyId, signatureVersion: "AWS" };
  }
  const algorithm = field("x-amz-algorithm");
  if (algorithm !== ALGORITHM) throw new S3Error("InvalidArgument", { message: "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"", ArgumentName: "x-amz-algorithm", ArgumentValue: algorithm });
  const credentialText = field("x-amz-credential");
  const credential = parseCredential(credentialText);
  if (!credential) throw new S3Error("InvalidArgument", { message: "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".", ArgumentName: "x-amz-credential", ArgumentValue: credentialText });
  const amzDate = field("x-amz-date");
  if (Number.isNaN(parseAmzDate(amzDate))) throw new S3Error("InvalidArgument", { message: "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"", ArgumentName: "x-amz-date", ArgumentValue: amzDate });
  const provided = field("x-amz-signature");
  const secret = credentials.get(credential.accessKeyId);
  if (secret === undefined) throw new S3Error("InvalidAccessKeyId", { AWSAccessKeyId: credential.accessKeyId });
  if (credential.service !== "s3") throw new S3Error("InvalidArgument", { message: `Invalid service "${credential.service}" in the credential: this endpoint belongs to "s3".`, ArgumentName: "x-amz-credential", ArgumentValue: credentialText });
  // The string to sign of a POST is the base64 policy itself.
  const expected = signature(cachedSigningKey(secret, credential.date, credential.region, credential.service), policy);
  if (!signaturesEqual(expected, provided)) {
    throw new S3Error("SignatureDoesNotMatch", { AWSAccessKeyId: credential.accessKeyId, StringToSign: policy, SignatureProvided: provided });
  }
  return { accessKeyId: credential.accessKeyId, signatureVersion: "AWS4-HMAC-SHA256" };
}
