// Object Lock rules the object operations share: a write's x-amz-object-lock-* headers (or form fields),
// the bucket's default retention, the integrity header a locked write needs, what GET and HEAD report,
// and whether a version may be deleted or its retention changed. Reads configuration, writes nothing.
import type { RequestFacts } from "../access/authorize.ts";
import { ALGORITHM as SIGV4 } from "../auth/sigv4.ts";
import { S3Error, invalidArgument } from "../errors.ts";
import type { ObjectLock, ObjectRow, UploadRow, VersionRow } from "../store/meta.ts";
import type { OpContext } from "./_context.ts";
import { declaredChecksum } from "./_payload.ts";

/** The bucket configuration that says Object Lock is on, with its default retention if it has one. */
export const LOCK_CONFIG = "object-lock";
export type LockMode = ObjectLock["mode"];
export const LOCK_MODES: readonly LockMode[] = ["GOVERNANCE", "COMPLIANCE"];
export interface StoredLockConfig {
  ObjectLockEnabled: "Enabled";
  Rule?: { DefaultRetention: { Mode: LockMode; Days?: number; Years?: number } };
}

export const MODE_HEADER = "x-amz-object-lock-mode";
export const UNTIL_HEADER = "x-amz-object-lock-retain-until-date";
export const LEGAL_HOLD_HEADER = "x-amz-object-lock-legal-hold";
export const BYPASS_HEADER = "x-amz-bypass-governance-retention";

const DAY_MS = 86_400_000;
/** S3 counts a year of retention as 365 days. */
const YEAR_DAYS = 365;

export const lockConfigOf = (ctx: OpContext, bucket: string): StoredLockConfig | undefined => ctx.meta.getBucketConfig<StoredLockConfig>(bucket, LOCK_CONFIG);

/** The retention, PutObjectRetention and legal-hold operations' answer on a bucket without Object Lock. */
export function requireLockEnabled(ctx: OpContext, bucket: string): StoredLockConfig {
  const config = lockConfigOf(ctx, bucket);
  if (!config) throw new S3Error("InvalidRequest", { message: "Bucket is missing Object Lock Configuration" });
  return config;
}

/** CreateBucket's x-amz-bucket-object-lock-enabled: true makes a bucket with versioning on and Object Lock enabled. */
export function newBucketLockConfigs(headers: Headers): Record<string, unknown> {
  if (headers.get("x-amz-bucket-object-lock-enabled")?.trim().toLowerCase() !== "true") return {};
  return { versioning: { Status: "Enabled" }, [LOCK_CONFIG]: { ObjectLockEnabled: "Enabled" } satisfies StoredLockConfig };
}

/** The retention a new version gets from the bucket's default, counted from `now`. */
export function defaultLock(config: StoredLockConfig | undefined, now: number): ObjectLock | undefined {
  const rule = config?.Rule?.DefaultRetention;
  if (!rule) return undefined;
  const days = rule.Days ?? (rule.Years ?? 0) * YEAR_DAYS;
  return { mode: rule.Mode, retainUntil: now + days * DAY_MS };
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** An ISO 8601 date and time (the zone defaults to UTC) as epoch ms; undefined when it is not one. */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_8601.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  const local = Date.UTC(year!, month! - 1, day!, hour, minute, second, ms);
  const check = new Date(local);
  if (check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  const zone = m[8];
  if (zone === undefined || zone.toUpperCase() === "Z") return local;
  const digits = zone.replace(":", "");
  const offset = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0)) * (zone[0] === "-" ? -1 : 1);
  return local - offset * 60_000;
}


/** What a write's headers ask, checked as S3 checks them before it looks at the bucket. */
function parseLockHeaders(headers: Headers, now: number): { lock?: ObjectLock; legalHold?: boolean; named: boolean } {
  const mode = headers.get(MODE_HEADER), until = headers.get(UNTIL_HEADER), hold = headers.get(LEGAL_HOLD_HEADER);
  if (hold !== null && hold !== "ON" && hold !== "OFF") throw invalidArgument("Legal Hold must be either of 'ON' or 'OFF'", LEGAL_HOLD_HEADER, hold);
  if ((mode === null) !== (until === null)) {
    throw invalidArgument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied", mode === null ? MODE_HEADER : UNTIL_HEADER);
  }
  let lock: ObjectLock | undefined;
  if (mode !== null && until !== null) {
    if (!LOCK_MODES.includes(mode as LockMode)) throw invalidArgument("Unknown wormMode directive.", MODE_HEADER, mode);
    const retainUntil = parseIsoDate(until);
    if (retainUntil === undefined) throw invalidArgument("The retain until date must be provided in ISO 8601 format", UNTIL_HEADER, until);
    if (retainUntil <= now) throw invalidArgument("The retain until date must be in the future!", UNTIL_HEADER, until);
    lock = { mode: mode as LockMode, retainUntil };
  }
  return { lock, legalHold: hold === null ? undefined : hold === "ON", named: mode !== null || hold !== null };
}

/** A new version's Object Lock fields, and whether the write carries Object Lock parameters (S3 then wants an integrity header). */
export interface NewObjectLock { lock?: ObjectLock; legalHold?: boolean; hasParameters: boolean }

/** The row fields of a new version: set even when undefined, so that a copy never keeps its source's lock. */
export const lockFields = ({ lock, legalHold }: NewObjectLock): Pick<ObjectRow, "lock" | "legalHold"> => ({ lock, legalHold });

export interface LockWriter {
  /** Who writes, as authorization weighs them: the request's own facts unless a form said otherwise. */
  facts?: RequestFacts;
  /** How the write was signed: the request's signature unless a form said otherwise. */
  signatureVersion?: string;
  /** False for CreateMultipartUpload: the default retention applies when the upload completes. */
  applyDefault?: boolean;
}

/**
 * The Object Lock of a version PutObject, CopyObject, PostObject or CreateMultipartUpload writes: the
 * retention and legal hold its headers name, else the bucket's default retention. Headers on a bucket
 * without Object Lock are refused, as are headers on a write not signed with SigV4 and headers the
 * writer may not set (s3:PutObjectRetention, s3:PutObjectLegalHold).
 */
export function resolveObjectLock(ctx: OpContext, bucket: string, key: string, headers: Headers, writer: LockWriter = {}): NewObjectLock {
  const requested = parseLockHeaders(headers, ctx.now);
  const config = lockConfigOf(ctx, bucket);
  if (requested.named) {
    if (!config) throw new S3Error("InvalidRequest", { message: "Bucket is missing ObjectLockConfiguration" });
    const signatureVersion = "signatureVersion" in writer ? writer.signatureVersion : ctx.auth?.signatureVersion;
    if (signatureVersion !== SIGV4) throw invalidArgument("Put Object requests with Object Lock parameters require AWS Signature Version 4", "Authorization");
    const facts = writer.facts ?? ctx.facts;
    const access = ctx.access.bucket(bucket);
    const may = (action: string) => access !== undefined && ctx.access.allows(access, action, key, facts);
    if ((requested.lock && !may("s3:PutObjectRetention")) || (requested.legalHold !== undefined && !may("s3:PutObjectLegalHold"))) throw new S3Error("AccessDenied");
  }
  const lock = requested.lock ?? (writer.applyDefault === false ? undefined : defaultLock(config, ctx.now));
  return { lock, legalHold: requested.legalHold, hasParameters: requested.named || lock !== undefined };
}

/** Whether an upload's parts are writes with Object Lock parameters: its own, or the bucket's default retention. */
export const uploadHasLockParameters = (ctx: OpContext, upload: UploadRow): boolean =>
  upload.lock !== undefined || upload.legalHold !== undefined || defaultLock(lockConfigOf(ctx, upload.bucket), ctx.now) !== undefined;

/**
 * S3 wants Content-MD5 or a flexible checksum (header or trailer) on a body written with Object Lock
 * parameters; x-amz-sdk-checksum-algorithm alone names no value, and a SigV4 payload hash does not count.
 */
export function requireLockIntegrity(headers: Headers, request: "Put Object" | "Put Part"): void {
  if (headers.has("content-md5")) return;
  const declared = declaredChecksum(headers);
  if (declared && (declared.value !== undefined || declared.inTrailer)) return;
  throw new S3Error("InvalidRequest", { message: `Content-MD5 OR x-amz-checksum- HTTP header is required for ${request} requests with Object Lock parameters` });
}

/** The retention and legal hold headers of GET and HEAD, each only for callers allowed to read it, as on S3. */
export function lockResponseHeaders(ctx: OpContext, object: ObjectRow): Record<string, string> {
  if (!object.lock && object.legalHold === undefined) return {};
  const access = ctx.access.bucket(object.bucket);
  const may = (action: string) => access !== undefined && ctx.access.allows(access, action, object.key, ctx.facts);
  const headers: Record<string, string> = {};
  if (object.lock && may("s3:GetObjectRetention")) {
    headers[MODE_HEADER] = object.lock.mode;
    headers[UNTIL_HEADER] = new Date(object.lock.retainUntil).toISOString();
  }
  if (object.legalHold !== undefined && may("s3:GetObjectLegalHold")) headers[LEGAL_HOLD_HEADER] = object.legalHold ? "ON" : "OFF";
  return headers;
}

/**
 * x-amz-bypass-governance-retention: whether the request asks to bypass GOVERNANCE retention. S3
 * refuses the header, either value, on a bucket without Object Lock.
 */
export function readBypass(ctx: OpContext, bucket: string): boolean {
  const value = ctx.req.headers.get(BYPASS_HEADER);
  if (value === null) return false;
  if (!lockConfigOf(ctx, bucket)) throw invalidArgument("x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.", BYPASS_HEADER, value);
  return value.trim().toLowerCase() === "true";
}

/** Whether GOVERNANCE retention yields for a key: the request asks to bypass it and may (s3:BypassGovernanceRetention; the bucket owner may). */
export function governanceBypass(ctx: OpContext, bucket: string, requested: boolean): (key: string) => boolean {
  if (!requested) return () => false;
  const access = ctx.access.bucket(bucket);
  return (key) => access !== undefined && ctx.access.allows(access, "s3:BypassGovernanceRetention", key, ctx.facts);
}

const protectedVersion = () => new S3Error("AccessDenied", { message: "Access Denied because object protected by object lock." });

/**
 * DeleteObject and DeleteObjects by version id: a version under a legal hold, or under retention that has
 * not run out, stays (403). GOVERNANCE retention yields to a permitted bypass; COMPLIANCE and legal holds
 * yield to no one. Delete markers are never protected.
 */
export function checkVersionDeletable(target: ObjectRow | VersionRow | undefined, now: number, mayBypass: (key: string) => boolean): void {
  if (!target || ("deleteMarker" in target && target.deleteMarker)) return;
  if (target.legalHold === true) throw protectedVersion();
  const { lock } = target;
  if (lock && lock.retainUntil > now && (lock.mode === "COMPLIANCE" || !mayBypass(target.key))) throw protectedVersion();
}

/**
 * PutObjectRetention on a version whose retention has not run out: extending it in the same mode is
 * anyone's; shortening it, removing it or changing its mode needs a permitted bypass of GOVERNANCE, and
 * is no one's under COMPLIANCE.
 */
export function checkRetentionChange(key: string, current: ObjectLock | undefined, next: ObjectLock | undefined, now: number, mayBypass: (key: string) => boolean): void {
  if (!current || current.retainUntil <= now) return;
  const weakens = !next || next.retainUntil < current.retainUntil || next.mode !== current.mode;
  if (weakens && (current.mode === "COMPLIANCE" || !mayBypass(key))) throw protectedVersion();
}
