// SSE-C (customer-provided keys): the request's key headers checked with AWS's errors, the salted
// HMAC that recognises a key without storing it, and AES-256-CTR streams that encrypt a body and
// decrypt any byte range (SSE-KMS bodies use the same streams under their data key, see _sse-kms.ts).
// The key itself is never stored, logged or put in an error.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { createChecksum, type ChecksumAlgorithm } from "../checksums.ts";
import { S3Error, invalidArgument } from "../errors.ts";
import type { ObjectRow } from "../store/meta.ts";
import type { OpContext } from "./_context.ts";
import { readPartsStream } from "../store/read-parts.ts";
import { countStreamed } from "../store/streamed-bytes.ts";
import { isKms, kmsDataKey } from "./_sse-kms.ts";
import { SSE_C_KEY_HMAC } from "./_sse.ts";

/** Internal stored headers of an SSE-C object (see isInternalHeader): never sent back. */
export { SSE_C_KEY_HMAC };
export const SSE_C_KEY_MD5 = "x-s3lite-sse-c-key-md5";
export const SSE_C_ALGORITHM = "x-s3lite-sse-c-algorithm";
/** The IV of an encrypted object's one blob, SSE-C or SSE-KMS (the name is from when SSE-C was the only mode). */
export const SSE_C_IV = "x-s3lite-sse-c-iv";

const CUSTOMER = "x-amz-server-side-encryption-customer-";
/** The copy-source twins: the key that decrypts a CopyObject or UploadPartCopy source. */
export const COPY_SOURCE_CUSTOMER = "x-amz-copy-source-server-side-encryption-customer-";
const AES256 = "AES256";
const SALT_FILE = "sse-c.salt";
const PROVIDE = "Requests specifying Server Side Encryption with Customer provided keys must provide ";

export interface CustomerKey {
  key: Buffer;
  /** Base64 MD5 of the key, as the client sent it (and as responses return it). */
  md5: string;
}


/**
 * The customer key of a request, checked as AWS checks it; undefined when it sends none of the three
 * headers. `prefix` is x-amz-server-side-encryption-customer- or its copy-source twin.
 */
export function readCustomerKey(headers: Headers, prefix = CUSTOMER): CustomerKey | undefined {
  const algorithm = headers.get(`${prefix}algorithm`), key = headers.get(`${prefix}key`), md5 = headers.get(`${prefix}key-md5`);
  if (algorithm === null && key === null && md5 === null) return undefined;
  if (algorithm === null) throw invalidArgument(`${PROVIDE}a valid encryption algorithm.`, `${prefix}algorithm`, "null");
  if (algorithm.trim() !== AES256) {
    throw new S3Error("InvalidEncryptionAlgorithmError", { message: "The encryption request you specified is not valid. Supported value: AES256.", ArgumentName: `${prefix}algorithm`, ArgumentValue: algorithm });
  }
  if (key === null) throw invalidArgument(`${PROVIDE}an appropriate secret key.`, `${prefix}key`, "null");
  if (md5 === null) throw invalidArgument(`${PROVIDE}the client calculated MD5 of the secret key.`, `${prefix}key-MD5`, "null");
  const bytes = Buffer.from(key.trim(), "base64");
  // The key's value stays out of the error, as on AWS.
  if (bytes.length !== 32) throw invalidArgument("The secret key was invalid for the specified algorithm.", `${prefix}key`, "");
  if (new Bun.CryptoHasher("md5").update(bytes).digest("base64") !== md5.trim()) {
    throw invalidArgument("The calculated MD5 hash of the key did not match the hash that was provided.", `${prefix}key-MD5`, md5);
  }
  return { key: bytes, md5: md5.trim() };
}

/** A request's x-amz-server-side-encryption beside a customer key: AWS refuses the pair. */
export function refuseMixedEncryption(headers: Headers): void {
  const sse = headers.get("x-amz-server-side-encryption");
  if (sse !== null) {
    throw invalidArgument("Server Side Encryption with Customer provided key is incompatible with the encryption method specified", "x-amz-server-side-encryption", sse);
  }
}

/** One salt per store: beside the database file in a data folder, in the process for a memory store. */
const salts = new WeakMap<object, Buffer>();

function saltOf(ctx: OpContext): Buffer {
  const known = salts.get(ctx.meta);
  if (known) return known;
  const filename = (ctx.meta as { db?: { filename?: string } }).db?.filename ?? "";
  let salt: Buffer;
  if (filename === "" || filename === ":memory:") {
    salt = randomBytes(32);
  } else {
    const path = join(dirname(filename), SALT_FILE);
    // Flushed once, with its folder: losing it would make every SSE-C object unreadable (AccessDenied).
    if (!existsSync(path)) writeSalt(path);
    salt = Buffer.from(readFileSync(path, "utf8").trim(), "hex");
    if (salt.length !== 32) throw new Error(`${path} does not hold an SSE-C salt`);
  }
  salts.set(ctx.meta, salt);
  return salt;
}

function writeSalt(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return;
    throw error;
  }
  try {
    writeSync(fd, randomBytes(32).toString("hex"));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const dir = openSync(dirname(path), "r");
  try { fsyncSync(dir); } finally { closeSync(dir); }
}

const hmacOf = (ctx: OpContext, key: Buffer) => createHmac("sha256", saltOf(ctx)).update(key).digest("hex");

/**
 * What an SSE-C object stores of its key: the salted HMAC, the client's MD5, the algorithm, and the IV
 * of its one blob. A multipart upload (and the object it completes) has no IV of its own: each part
 * has one, kept as the part's ETag (see partIv).
 */
export function sseCHeaders(ctx: OpContext, customer: CustomerKey, iv?: Buffer): Record<string, string> {
  const headers: Record<string, string> = { [SSE_C_ALGORITHM]: AES256, [SSE_C_KEY_HMAC]: hmacOf(ctx, customer.key), [SSE_C_KEY_MD5]: customer.md5 };
  if (iv) headers[SSE_C_IV] = iv.toString("hex");
  return headers;
}

/** Stored headers without SSE-C's and SSE-KMS's: what a copy starts from before it gets its own encryption. */
export function withoutEncryption(headers: Readonly<Record<string, string>>): Record<string, string> {
  const rest: Record<string, string> = {};
  for (const name in headers) if (!name.startsWith("x-s3lite-sse-c-") && !name.startsWith("x-s3lite-kms-")) rest[name] = headers[name]!;
  return rest;
}

export const isSseC = (stored: Readonly<Record<string, string>>): boolean => stored[SSE_C_KEY_HMAC] !== undefined;
/** SSE-C or SSE-KMS: bytes stored as ciphertext, read through readDecrypted, parts never merged. */
export const isEncryptedAtRest = (stored: Readonly<Record<string, string>>): boolean => isSseC(stored) || isKms(stored);
const NOT_APPLICABLE = "The encryption parameters are not applicable to this object.";

const NEEDS_KEY = "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.";

/**
 * GetObject/HeadObject: the key that decrypts `object`, or AWS's error. An SSE-C object without a key is
 * 400 InvalidRequest, with another key 403 AccessDenied; a key for an object stored without one is
 * 400 InvalidRequest. An SSE-KMS object needs no key from the client: its data key is unwrapped here.
 * Returns undefined for a plain object read without a key.
 */
export function requireObjectKey(ctx: OpContext, object: Pick<ObjectRow, "headers">, prefix = CUSTOMER, { unwrapKms = true } = {}): Buffer | undefined {
  const customer = readCustomerKey(ctx.req.headers, prefix);
  if (!isSseC(object.headers)) {
    if (customer) throw new S3Error("InvalidRequest", { message: NOT_APPLICABLE });
    // Readers that send no bytes (HEAD, GetObjectAttributes) leave the data key wrapped, as AWS calls no KMS for them.
    return unwrapKms && isKms(object.headers) ? kmsDataKey(ctx, object.headers) : undefined;
  }
  if (!customer) throw new S3Error("InvalidRequest", { message: NEEDS_KEY });
  if (!sameKey(ctx, customer, object.headers)) throw new S3Error("AccessDenied");
  return customer.key;
}

function sameKey(ctx: OpContext, customer: CustomerKey, stored: Readonly<Record<string, string>>): boolean {
  const given = Buffer.from(hmacOf(ctx, customer.key), "hex"), kept = Buffer.from(stored[SSE_C_KEY_HMAC]!, "hex");
  return given.length === kept.length && timingSafeEqual(given, kept);
}

/**
 * UploadPart, UploadPartCopy (its destination) and CompleteMultipartUpload: the upload's key. AWS: a
 * part of an upload initiated with SSE-C must carry the same key; a key for an upload without one is refused.
 */
export function requireUploadKey(ctx: OpContext, upload: { headers: Readonly<Record<string, string>> }, required = true): Buffer | undefined {
  const customer = readCustomerKey(ctx.req.headers);
  if (!isSseC(upload.headers)) {
    if (customer) throw new S3Error("InvalidRequest", { message: "The multipart upload initiate did not request encryption. The encryption parameters are not applicable to this upload." });
    // SSE-KMS: each part is encrypted under the upload's data key.
    return isKms(upload.headers) ? kmsDataKey(ctx, upload.headers) : undefined;
  }
  if (!customer) {
    if (!required) return undefined;
    throw new S3Error("InvalidRequest", { message: "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters." });
  }
  if (!sameKey(ctx, customer, upload.headers)) {
    throw new S3Error("InvalidArgument", { message: "The provided encryption parameters did not match the ones used originally.", ArgumentName: `${CUSTOMER}key`, ArgumentValue: "" });
  }
  return customer.key;
}

/** A part of an SSE-C upload keeps its IV as its ETag (16 bytes, like an MD5): unique per part written. */
export const partIv = (etag: string): Buffer => Buffer.from(etag.replace(/"/g, ""), "hex");

/** One stored stretch of an SSE-C object: a blob, the IV it was encrypted with, its size. */
export interface CipherPiece { sha256: string; iv: Buffer; size: number }

/** The pieces of an SSE-C object: its one blob, or its parts (never merged: each has its own IV). */
export function cipherPieces(ctx: OpContext, object: ObjectRow): CipherPiece[] {
  if (object.sha256 !== "") return [{ sha256: object.sha256, iv: ivOf(object.headers), size: object.size }];
  return ctx.meta.getObjectParts(object.bucket, object.key, object.versionId).map((p) => ({ sha256: p.sha256, iv: partIv(p.etag), size: p.size }));
}

/**
 * Plaintext bytes start..end (inclusive) of an SSE-C object: read-parts' reader over its pieces, each
 * decrypted from the counter block its read starts in. Memory stays flat whatever the size.
 */
export function readDecrypted(ctx: OpContext, pieces: readonly CipherPiece[], key: Buffer, start: number, end: number): ReadableStream<Uint8Array> {
  return readPartsStream(ctx.blobs, pieces, start, end, (part, from) => {
    const decipher = createDecipheriv("aes-256-ctr", key, counterAt(pieces[part]!.iv, from));
    // The read starts inside a 16-byte block: run the keystream up to it.
    if (from % 16 > 0) decipher.update(Buffer.alloc(from % 16));
    // A Buffer is a Uint8Array: passed on as it is, not copied (a copy per chunk costs memory at 5 GiB).
    // The plaintext is a second chunk per chunk read: counted too, for the collections that keep memory flat.
    return (bytes) => {
      countStreamed(bytes.length);
      return decipher.update(bytes);
    };
  });
}

/** The CTR counter block for byte `offset`: IV + floor(offset / 16), as a 128-bit big-endian number. */
export function counterAt(iv: Buffer, offset: number): Buffer {
  const counter = Buffer.from(iv);
  let carry = BigInt(Math.floor(offset / 16));
  for (let i = 15; i >= 0 && carry > 0n; i--) {
    const sum = BigInt(counter[i]!) + (carry & 0xffn);
    counter[i] = Number(sum & 0xffn);
    carry = (carry >> 8n) + (sum >> 8n);
  }
  return counter;
}

/** Plaintext digests taken on the way in, since the stored blob's are of the ciphertext. */
export interface PlainDigests {
  /** Only when asked for: what a signed payload hash or a Content-MD5 is checked against. */
  sha256?: string;
  md5?: string;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

/**
 * Encrypts a body from its first byte while hashing the plaintext; `digests()` once the stream ended.
 * The plaintext's SHA-256 and MD5 cost as much as the encryption and the blob's own hashing together,
 * so they are taken only when the request has something to check them against.
 */
export function encryptingStream(key: Buffer, iv: Buffer, algorithms: readonly ChecksumAlgorithm[], wanted: { sha256?: boolean; md5?: boolean } = {}): { stream: TransformStream<Uint8Array, Uint8Array>; digests(): PlainDigests } {
  const cipher = createCipheriv("aes-256-ctr", key, iv);
  const sha256 = wanted.sha256 ? new Bun.CryptoHasher("sha256") : undefined, md5 = wanted.md5 ? new Bun.CryptoHasher("md5") : undefined;
  const checksums = algorithms.map((a) => [a, createChecksum(a)] as const);
  let result: PlainDigests | undefined;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      sha256?.update(chunk);
      md5?.update(chunk);
      for (const [, c] of checksums) c.update(chunk);
      // The ciphertext is a second chunk per chunk received: counted too (the stage counts what it stores).
      countStreamed(chunk.length);
      const out = cipher.update(chunk);
      if (out.length > 0) controller.enqueue(out);
    },
    flush(controller) {
      const out = cipher.final();
      if (out.length > 0) controller.enqueue(out);
      result = { sha256: sha256?.digest("hex"), md5: md5?.digest("hex"), checksums: Object.fromEntries(checksums.map(([a, c]) => [a, c.digest()])) };
    },
  });
  return {
    stream,
    digests: () => {
      if (!result) throw new Error("the body has not been read to its end");
      return result;
    },
  };
}

export const newIv = (): Buffer => randomBytes(16);
export const ivOf = (stored: Readonly<Record<string, string>>): Buffer => Buffer.from(stored[SSE_C_IV] ?? "", "hex");
