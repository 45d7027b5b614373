// SSE-KMS with local keys: the key ring (the configured keys plus the AWS managed alias/aws/s3), key
// references as requests name them (ID, ARN, alias, alias ARN) with KMS's errors, and per-object data
// keys wrapped by the KMS key with AES-256-GCM. The body itself is AES-256-CTR under the data key,
// exactly as an SSE-C body is under the customer's key (see _sse-c.ts), so reads share that code.
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { S3Error } from "../errors.ts";
import { DEFAULT_KMS_ALIAS } from "../kms-keys.ts";
import type { OpContext } from "./_context.ts";
import { SSE_KMS_KEY_ARN, CONTEXT_HEADER } from "./_sse.ts";

/** Internal stored headers of an SSE-KMS object or upload (never sent back, see isInternalHeader). */
export { SSE_KMS_KEY_ARN };
export const SSE_KMS_DATA_KEY = "x-s3lite-kms-data-key";
export const SSE_KMS_CONTEXT = "x-s3lite-kms-context";
export const SSE_KMS_BUCKET_KEY = "x-s3lite-kms-bucket-key";

/**
 * Generated key material, by key ID, beside meta.sqlite (the configured keys that bring their own are not
 * written). Not "kms-keys.json", the name a user's --kms-keys file is likely to have.
 */
const MATERIAL_FILE = "kms-materials.json";

interface RingKey { id: string; arn: string; material: Buffer }

interface KeyRing {
  /** Key ID, key ARN, alias and alias ARN → key. */
  byName: Map<string, RingKey>;
  region: string;
  account: string;
}

const rings = new WeakMap<object, KeyRing>();

function ringOf(ctx: OpContext): KeyRing {
  const known = rings.get(ctx.meta);
  if (known) return known;
  const region = ctx.config.region, account = ctx.identities.primary.accountId;
  const prefix = `arn:aws:kms:${region}:${account}:`;
  const filename = (ctx.meta as { db?: { filename?: string } }).db?.filename ?? "";
  const path = filename === "" || filename === ":memory:" ? undefined : join(dirname(filename), MATERIAL_FILE);
  const kept = path && existsSync(path) ? readMaterials(path) : {};
  // The AWS managed key: one per store, its ID made once and kept with its material.
  const managedId = kept[DEFAULT_KMS_ALIAS] ?? randomUUID();
  let changed = kept[DEFAULT_KMS_ALIAS] === undefined;
  kept[DEFAULT_KMS_ALIAS] = managedId;
  const byName = new Map<string, RingKey>();
  for (const spec of [{ id: managedId, aliases: [DEFAULT_KMS_ALIAS], material: undefined as string | undefined }, ...ctx.config.kmsKeys]) {
    if (!spec.material && kept[spec.id] === undefined) {
      kept[spec.id] = randomBytes(32).toString("base64");
      changed = true;
    }
    const key = { id: spec.id, arn: `${prefix}key/${spec.id}`, material: Buffer.from(spec.material ?? kept[spec.id]!, "base64") };
    byName.set(spec.id, key).set(key.arn, key);
    for (const alias of spec.aliases) byName.set(alias, key).set(prefix + alias, key);
  }
  if (path && changed) writeMaterials(path, kept);
  const ring = { byName, region, account };
  rings.set(ctx.meta, ring);
  return ring;
}

function readMaterials(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    parsed = error;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== "string")) {
    throw new Error(`${path} does not hold s3lite's KMS key material (an object of key IDs to base64 keys); without it, SSE-KMS objects cannot be read`);
  }
  return parsed as Record<string, string>;
}

/** Replaced whole and flushed with its folder: losing a material makes its objects unreadable. */
function writeMaterials(path: string, materials: Record<string, string>): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    writeSync(fd, JSON.stringify(materials, null, 2));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  const dir = openSync(dirname(path), "r");
  try { fsyncSync(dir); } finally { closeSync(dir); }
}

const notFound = (message: string) => new S3Error("KMS.NotFoundException", { message });

/** The key a request or a bucket default names, or KMS's 400 as S3 relays it. */
export function resolveKmsKey(ctx: OpContext, reference: string | undefined): RingKey {
  const ring = ringOf(ctx);
  const name = reference?.trim() || DEFAULT_KMS_ALIAS;
  const key = ring.byName.get(name);
  if (key) return key;
  const prefix = `arn:aws:kms:${ring.region}:${ring.account}:`;
  if (name.startsWith("alias/")) throw notFound(`Alias ${prefix}${name} is not found.`);
  if (name.startsWith("arn:aws:kms:")) throw notFound(name.includes(":alias/") ? `Alias ${name} is not found.` : `Key '${name}' does not exist`);
  if (/^(mrk-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^mrk-[0-9a-f]{32}$/i.test(name)) throw notFound(`Key '${prefix}key/${name}' does not exist`);
  throw notFound(`Invalid keyId ${name}`);
}

export const isKms = (stored: Readonly<Record<string, string>>): boolean => stored[SSE_KMS_KEY_ARN] !== undefined;

/**
 * The wrapped data key is bound to its KMS key's ID and the encryption context (GCM's associated data);
 * not to the ARN, whose region and account come from the configuration and may change between runs.
 */
const associated = (id: string, context: string) => Buffer.from(`${id}\n${context}`);
/** The key ID an ARN ends with: what an object's key is found by. */
const idOfArn = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

const SIGV4 = "AWS4-HMAC-SHA256";

/**
 * AWS serves SSE-KMS objects to SigV4 requests only (reads and writes); unsigned and SigV2 requests are
 * 400. `signatureVersion` is the request's (a form upload's, from its fields).
 */
export function requireSigV4ForKms(signatureVersion: string | undefined): void {
  if (signatureVersion !== SIGV4) {
    throw new S3Error("InvalidArgument", { message: "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.", ArgumentName: "Authorization", ArgumentValue: "null" });
  }
}

export interface KmsWrite {
  dataKey: Buffer;
  /** What the object (or upload) stores: the key ARN, the wrapped data key, the context, the bucket-key flag. */
  stored: Record<string, string>;
}

/** A fresh data key for one object or upload, wrapped by `key`. `context` is the request's header value (base64 JSON), if any. */
export function newDataKey(key: RingKey, context: string | undefined, bucketKeyEnabled: boolean): KmsWrite {
  const dataKey = randomBytes(32), iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key.material, iv).setAAD(associated(key.id, context ?? ""));
  const wrapped = Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  const stored: Record<string, string> = { [SSE_KMS_KEY_ARN]: key.arn, [SSE_KMS_DATA_KEY]: wrapped.toString("base64") };
  if (context !== undefined) stored[SSE_KMS_CONTEXT] = context;
  if (bucketKeyEnabled) stored[SSE_KMS_BUCKET_KEY] = "true";
  return { dataKey, stored };
}

/**
 * The data key of an SSE-KMS object or upload, unwrapped with its KMS key, for a SigV4 request; KMS's
 * error if that key is gone.
 */
export function kmsDataKey(ctx: OpContext, stored: Readonly<Record<string, string>>): Buffer {
  requireSigV4ForKms(ctx.auth?.signatureVersion);
  const arn = stored[SSE_KMS_KEY_ARN]!, id = idOfArn(arn);
  const key = ringOf(ctx).byName.get(id);
  if (!key) throw notFound(`Key '${arn}' does not exist`);
  const wrapped = Buffer.from(stored[SSE_KMS_DATA_KEY] ?? "", "base64");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.material, wrapped.subarray(0, 12)).setAAD(associated(id, stored[SSE_KMS_CONTEXT] ?? ""));
    decipher.setAuthTag(wrapped.subarray(44));
    return Buffer.concat([decipher.update(wrapped.subarray(12, 44)), decipher.final()]);
  } catch {
    // Another material under the same key ID (the keys file changed): KMS cannot decrypt it.
    throw new S3Error("AccessDenied", { message: `The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access: ${arn}` });
  }
}


/** x-amz-server-side-encryption-context: base64 of a JSON object of strings, as KMS takes an encryption context. */
export function readEncryptionContext(value: string | null): string | undefined {
  if (value === null) return undefined;
  let parsed: unknown;
  // Buffer's base64 decoder skips what is not base64; KMS takes nothing but.
  if (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value.trim())) {
    try {
      parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(value.trim(), "base64")));
    } catch {
      parsed = undefined;
    }
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== "string")) {
    throw new S3Error("InvalidArgument", { message: `The header '${CONTEXT_HEADER}' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map`, ArgumentName: CONTEXT_HEADER, ArgumentValue: value });
  }
  return value.trim();
}
