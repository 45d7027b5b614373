// The console's S3 client: signed fetches (and XHRs, for upload progress) to the page's own origin,
// S3 XML in and out, and S3 error bodies turned into S3Error (Code + Message). No endpoint but the API.
import { UNSIGNED_PAYLOAD, base64, presign, sha256, signRequest, uriEncode } from "./sign.js";

/** @typedef {import("./sign.js").Credentials} Credentials */

export class S3Error extends Error {
  /** @param {string} code @param {string} message @param {number} status */
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** @type {Credentials | undefined} */
let creds;
const STORAGE_KEY = "s3lite.console.credentials";

/** Kept in sessionStorage: this tab only, gone when it closes. */
export function loadCredentials() {
  const text = sessionStorage.getItem(STORAGE_KEY);
  creds = text ? JSON.parse(text) : undefined;
  return creds;
}
/** @param {Credentials | undefined} value */
export function setCredentials(value) {
  creds = value;
  if (value) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
  else sessionStorage.removeItem(STORAGE_KEY);
}
const credentials = () => {
  if (!creds) throw new S3Error("NotSignedIn", "Sign in first.", 0);
  return creds;
};

/** `/bucket/key`, encoded as signed. @param {string} [bucket] @param {string} [key] */
export const pathOf = (bucket, key) => (bucket ? `/${uriEncode(bucket)}/${key === undefined ? "" : uriEncode(key, true)}` : "/");

/** @param {string} text */
export function parseXml(text) {
  const doc = new DOMParser().parseFromString(text, "application/xml");
  if (doc.getElementsByTagName("parsererror").length) throw new S3Error("MalformedResponse", "The server's answer is not XML.", 0);
  return doc.documentElement;
}
/** Direct children named `name`. @param {Element} el @param {string} name */
export const kids = (el, name) => Array.from(el.children).filter((c) => c.localName === name);
/** Text of the first direct child named `name`. @param {Element} el @param {string} name */
export const text = (el, name) => kids(el, name)[0]?.textContent ?? undefined;

/** @param {string} s */
export const escapeXml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** @param {number} status @param {string} body @param {string} [fallback] */
function errorOf(status, body, fallback) {
  if (body.trim().startsWith("<")) {
    try {
      const root = parseXml(body);
      const code = text(root, "Code");
      if (code) return new S3Error(code, text(root, "Message") ?? "", status);
    } catch { /* not XML: described below */ }
  }
  return new S3Error(fallback ?? `HTTP${status}`, body.slice(0, 200) || `The server answered ${status}.`, status);
}

/**
 * checksum: false sends no x-amz-checksum-sha256 (on CompleteMultipartUpload it would be the whole object's).
 * @typedef {{ bucket?: string, key?: string, query?: [string, string][], headers?: Record<string, string>, body?: string | Uint8Array<ArrayBuffer>, signal?: AbortSignal, checksum?: boolean }} Call
 */

/** One signed request; throws S3Error for any answer but 2xx. @param {string} method @param {Call} call */
export async function send(method, call = {}) {
  const body = typeof call.body === "string" ? new TextEncoder().encode(call.body) : call.body;
  /** @type {Record<string, string>} */
  const headers = { ...call.headers };
  let payloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  if (body) {
    const digest = await sha256(body);
    payloadHash = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    // Several bucket configurations and DeleteObjects want Content-MD5 or a checksum; SHA-256 is what WebCrypto has.
    if (call.checksum !== false) headers["x-amz-checksum-sha256"] ??= base64(digest);
  }
  const signed = await signRequest(credentials(), { method, path: pathOf(call.bucket, call.key), query: call.query, headers, payloadHash });
  let response;
  try {
    response = await fetch(signed.url, { method, headers: signed.headers, body: body ?? null, signal: call.signal, cache: "no-store" });
  } catch (error) {
    if (/** @type {Error} */ (error).name === "AbortError") throw error;
    throw new S3Error("NetworkError", `Could not reach the server: ${/** @type {Error} */ (error).message}`, 0);
  }
  if (!response.ok) throw errorOf(response.status, method === "HEAD" ? "" : await response.text(), method === "HEAD" ? headError(response.status) : undefined);
  return response;
}

/** HEAD errors carry no body: name them by status as the SDKs do. @param {number} status */
const headError = (status) => ({ 403: "Forbidden", 404: "NotFound", 400: "BadRequest" })[status] ?? `HTTP${status}`;

/** @param {string} method @param {Call} call */
export const sendXml = async (method, call) => parseXml(await (await send(method, call)).text());

/**
 * A signed PUT of a Blob with upload progress (fetch has none): resolves with the ETag.
 * @param {{ bucket: string, key: string, query?: [string, string][], headers?: Record<string, string>, body: Blob, payloadHash?: string, onProgress?: (loaded: number) => void, signal?: AbortSignal }} call
 */
export async function putWithProgress(call) {
  const signed = await signRequest(credentials(), { method: "PUT", path: pathOf(call.bucket, call.key), query: call.query, headers: call.headers, payloadHash: call.payloadHash ?? UNSIGNED_PAYLOAD });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", signed.url);
    for (const [name, value] of Object.entries(signed.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => call.onProgress?.(event.loaded);
    xhr.onload = () => (xhr.status < 300 ? resolve(xhr.getResponseHeader("etag") ?? "") : reject(errorOf(xhr.status, xhr.responseText)));
    xhr.onerror = () => reject(new S3Error("NetworkError", "The upload was interrupted.", 0));
    xhr.onabort = () => reject(new DOMException("The upload was cancelled.", "AbortError"));
    // abort() before send() fires no event: a cancel that came while this part was being signed ends it here.
    if (call.signal?.aborted) return reject(new DOMException("The upload was cancelled.", "AbortError"));
    call.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(call.body);
  });
}

/** @param {string} bucket @param {string} key @param {[string, string][]} [query] @param {number} [expires] */
export const presignGet = (bucket, key, query = [], expires = 300) => presign(credentials(), { method: "GET", path: pathOf(bucket, key), query }, expires);

// ---- operations ----

/** @typedef {{ name: string, created: string }} BucketInfo */

/** @returns {Promise<BucketInfo[]>} */
export async function listBuckets() {
  const buckets = [];
  let token;
  do {
    /** @type {[string, string][]} */
    const query = [["max-buckets", "1000"]];
    if (token) query.push(["continuation-token", token]);
    const root = await sendXml("GET", { query });
    for (const b of kids(kids(root, "Buckets")[0] ?? root, "Bucket")) buckets.push({ name: text(b, "Name") ?? "", created: text(b, "CreationDate") ?? "" });
    token = text(root, "ContinuationToken");
  } while (token);
  return buckets;
}

/**
 * @typedef {{ key: string, size: number, modified: string, etag: string, storageClass: string }} ObjectInfo
 * @typedef {{ objects: ObjectInfo[], folders: string[], next?: string, keyCount: number }} ObjectPage
 */

/** One page of ListObjectsV2. @param {string} bucket @param {{ prefix?: string, delimiter?: string, token?: string, maxKeys?: number }} o @returns {Promise<ObjectPage>} */
export async function listObjects(bucket, o = {}) {
  /** @type {[string, string][]} */
  const query = [["list-type", "2"], ["max-keys", String(o.maxKeys ?? 1000)]];
  if (o.prefix) query.push(["prefix", o.prefix]);
  if (o.delimiter) query.push(["delimiter", o.delimiter]);
  if (o.token) query.push(["continuation-token", o.token]);
  const root = await sendXml("GET", { bucket, query });
  return {
    objects: kids(root, "Contents").map((c) => ({ key: text(c, "Key") ?? "", size: Number(text(c, "Size") ?? 0), modified: text(c, "LastModified") ?? "", etag: text(c, "ETag") ?? "", storageClass: text(c, "StorageClass") ?? "STANDARD" })),
    folders: kids(root, "CommonPrefixes").map((p) => text(p, "Prefix") ?? ""),
    next: text(root, "IsTruncated") === "true" ? text(root, "NextContinuationToken") : undefined,
    keyCount: Number(text(root, "KeyCount") ?? 0),
  };
}

/**
 * @typedef {{ key: string, versionId: string, size: number, modified: string, etag: string, latest: boolean, deleteMarker: boolean }} VersionInfo
 */

/** One page of ListObjectVersions. @param {string} bucket @param {{ prefix?: string, keyMarker?: string, versionMarker?: string }} o */
export async function listVersions(bucket, o = {}) {
  /** @type {[string, string][]} */
  const query = [["versions", ""], ["max-keys", "1000"]];
  if (o.prefix) query.push(["prefix", o.prefix]);
  if (o.keyMarker) query.push(["key-marker", o.keyMarker]);
  if (o.versionMarker) query.push(["version-id-marker", o.versionMarker]);
  const root = await sendXml("GET", { bucket, query });
  /** @type {VersionInfo[]} */
  const versions = Array.from(root.children).filter((c) => c.localName === "Version" || c.localName === "DeleteMarker").map((v) => ({
    key: text(v, "Key") ?? "", versionId: text(v, "VersionId") ?? "null", size: Number(text(v, "Size") ?? 0), modified: text(v, "LastModified") ?? "",
    etag: text(v, "ETag") ?? "", latest: text(v, "IsLatest") === "true", deleteMarker: v.localName === "DeleteMarker",
  }));
  const truncated = text(root, "IsTruncated") === "true";
  return { versions, next: truncated ? { keyMarker: text(root, "NextKeyMarker"), versionMarker: text(root, "NextVersionIdMarker") } : undefined };
}

/**
 * DeleteObjects in batches of 1,000; resolves with the per-key errors.
 * @param {string} bucket @param {{ key: string, versionId?: string }[]} entries
 */
export async function deleteObjects(bucket, entries) {
  /** @type {{ key: string, code: string, message: string }[]} */
  const errors = [];
  for (let i = 0; i < entries.length; i += 1000) {
    const items = entries.slice(i, i + 1000).map((e) => `<Object><Key>${escapeXml(e.key)}</Key>${e.versionId ? `<VersionId>${escapeXml(e.versionId)}</VersionId>` : ""}</Object>`);
    const root = await sendXml("POST", { bucket, query: [["delete", ""]], body: `<Delete><Quiet>true</Quiet>${items.join("")}</Delete>`, headers: { "content-type": "application/xml" } });
    for (const e of kids(root, "Error")) errors.push({ key: text(e, "Key") ?? "", code: text(e, "Code") ?? "", message: text(e, "Message") ?? "" });
  }
  return errors;
}

/** Every object (and version, and upload in progress) of a bucket, page by page. @param {string} bucket @param {(n: number) => void} [onProgress] */
export async function emptyBucket(bucket, onProgress) {
  let removed = 0;
  /** @type {{ key: string, code: string, message: string }[]} */
  const errors = [];
  /** @type {{ keyMarker?: string, versionMarker?: string } | undefined} */
  let marker = {};
  while (marker) {
    const page = await listVersions(bucket, marker);
    errors.push(...await deleteObjects(bucket, page.versions.map((v) => ({ key: v.key, versionId: v.versionId }))));
    removed += page.versions.length;
    onProgress?.(removed);
    marker = page.next;
    // Entries that could not be deleted (Object Lock) would come back forever: stop at the first page with errors.
    if (errors.length) break;
  }
  const uploads = await sendXml("GET", { bucket, query: [["uploads", ""]] });
  for (const u of kids(uploads, "Upload")) {
    await send("DELETE", { bucket, key: text(u, "Key") ?? "", query: [["uploadId", text(u, "UploadId") ?? ""]] });
  }
  return errors;
}
