// SigV4 in the browser: the project's own pure steps (core/auth/sigv4.ts, core/uri.ts) with WebCrypto
// for the hashing, which is async there. Holds no credentials; callers pass them in.
import { ALGORITHM, UNSIGNED_PAYLOAD, canonicalHeaders, canonicalQuery, canonicalRequest, canonicalUri, credentialScope } from "../../core/auth/sigv4.ts";
import { uriEncode } from "../../core/uri.ts";

export { UNSIGNED_PAYLOAD, uriEncode };

const encoder = new TextEncoder();

/** @param {Uint8Array | ArrayBuffer} bytes */
const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** @param {string | ArrayBuffer | Uint8Array} data */
const toBytes = (data) => (typeof data === "string" ? encoder.encode(data) : new Uint8Array(data));

/** @param {string | ArrayBuffer | Uint8Array} data @returns {Promise<ArrayBuffer>} */
export const sha256 = (data) => crypto.subtle.digest("SHA-256", toBytes(data));

/** @param {string | ArrayBuffer | Uint8Array} data */
export const sha256Hex = async (data) => hex(await sha256(data));

/** @param {ArrayBuffer} buffer */
export const base64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)));

/** @param {ArrayBuffer | Uint8Array} key @param {string} data @returns {Promise<ArrayBuffer>} */
async function hmac(key, data) {
  const cryptoKey = await crypto.subtle.importKey("raw", toBytes(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data));
}

/** The signing key, as sigv4.ts's signingKey() derives it. @param {string} secret @param {string} date @param {string} region */
async function signingKey(secret, date, region) {
  let key = await hmac(encoder.encode(`AWS4${secret}`), date);
  for (const part of [region, "s3", "aws4_request"]) key = await hmac(key, part);
  return key;
}

/**
 * @typedef {{ accessKeyId: string, secretAccessKey: string, region: string }} Credentials
 * @typedef {{ method: string, path: string, query?: [string, string][], headers?: Record<string, string>, payloadHash?: string }} Unsigned
 */

/** `name=value&…`, each side encoded as SigV4 encodes it. @param {[string, string][]} pairs */
export const rawQueryOf = (pairs) => pairs.map(([n, v]) => `${uriEncode(n)}=${uriEncode(v)}`).join("&");

/** @param {Date} now */
const amzDateOf = (now) => now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

/**
 * @param {Credentials} creds @param {string} method @param {string} path encoded as sent
 * @param {string} rawQuery @param {Record<string, string>} headers lower-case names, host included
 * @param {string} payloadHash @param {string} amzDate @param {string} scope
 */
async function signatureOf(creds, method, path, rawQuery, headers, payloadHash, amzDate, scope) {
  const signed = Object.keys(headers).sort();
  const text = canonicalRequest({
    method, canonicalUri: canonicalUri(path), canonicalQuery: canonicalQuery(rawQuery, "X-Amz-Signature"),
    canonicalHeaders: canonicalHeaders(signed, (name) => [headers[name] ?? ""]), signedHeaders: signed, payloadHash,
  });
  const toSign = [ALGORITHM, amzDate, scope, await sha256Hex(text)].join("\n");
  return { signed, signature: hex(await hmac(await signingKey(creds.secretAccessKey, amzDate.slice(0, 8), creds.region), toSign)) };
}

/**
 * Header auth: the URL to fetch and the headers to send (host is signed as the page's, which the browser sends).
 * @param {Credentials} creds @param {Unsigned} request @returns {Promise<{ url: string, headers: Record<string, string> }>}
 */
export async function signRequest(creds, request, now = new Date()) {
  const amzDate = amzDateOf(now);
  const scope = credentialScope(amzDate.slice(0, 8), creds.region, "s3");
  const payloadHash = request.payloadHash ?? UNSIGNED_PAYLOAD;
  /** @type {Record<string, string>} */
  const headers = { "x-amz-date": amzDate, "x-amz-content-sha256": payloadHash };
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  const rawQuery = rawQueryOf(request.query ?? []);
  // Only host and x-amz-* are signed: the browser may add or change others (content-type on a Blob, accept).
  /** @type {Record<string, string>} */
  const toSign = { host: location.host };
  for (const [name, value] of Object.entries(headers)) if (name.startsWith("x-amz-") || name === "content-md5") toSign[name] = value;
  const { signed, signature } = await signatureOf(creds, request.method, request.path, rawQuery, toSign, payloadHash, amzDate, scope);
  headers.authorization = `${ALGORITHM} Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`;
  return { url: location.origin + request.path + (rawQuery ? `?${rawQuery}` : ""), headers };
}

/**
 * A presigned URL (query auth, host signed): what SDKs' getSignedUrl makes.
 * @param {Credentials} creds @param {{ method: string, path: string, query?: [string, string][] }} request @param {number} expiresSeconds
 */
export async function presign(creds, request, expiresSeconds, now = new Date()) {
  const amzDate = amzDateOf(now);
  const scope = credentialScope(amzDate.slice(0, 8), creds.region, "s3");
  /** @type {[string, string][]} */
  const query = [
    ...(request.query ?? []),
    ["X-Amz-Algorithm", ALGORITHM], ["X-Amz-Credential", `${creds.accessKeyId}/${scope}`], ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", String(expiresSeconds)], ["X-Amz-SignedHeaders", "host"],
  ];
  const rawQuery = rawQueryOf(query);
  const { signature } = await signatureOf(creds, request.method, request.path, rawQuery, { host: location.host }, UNSIGNED_PAYLOAD, amzDate, scope);
  return `${location.origin}${request.path}?${rawQuery}&X-Amz-Signature=${signature}`;
}
