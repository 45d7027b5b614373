// Object Lock's own operations: Put/GetObjectLockConfiguration on a bucket (`?object-lock`), and
// Put/GetObjectRetention and Put/GetObjectLegalHold on one version of an object (`?retention`,
// `?legal-hold`, with versionId). How writes, reads and deletes honour a lock is in _object-lock.ts.
import { S3Error } from "../errors.ts";
import type { OperationName } from "../router.ts";
import type { ObjectLock } from "../store/meta.ts";
import { parseXml, xmlResponse, type XmlObject } from "../xml.ts";
import { requestedVersion, requireBucket, requireObject, type Handler, type OpContext } from "./_context.ts";
import {
  checkRetentionChange, governanceBypass, LOCK_CONFIG, LOCK_MODES, lockConfigOf, parseIsoDate, readBypass, requireLockEnabled,
  type LockMode, type StoredLockConfig,
} from "./_object-lock.ts";
import { readSmallBody } from "./_payload.ts";

const MAX_BODY = 16 * 1024;
/** The longest default retention S3 takes: 100 years, or as many days. */
const MAX_DAYS = 36_500;
const MAX_YEARS = 100;

/**
 * The document's root element, from a body S3 wants an integrity header on (the SDKs send a CRC32).
 * A body that is not that element is MalformedXML; an empty element reads as "".
 */
async function readDocument(ctx: OpContext, root: string): Promise<XmlObject | ""> {
  const body = new TextDecoder().decode(await readSmallBody(ctx, MAX_BODY, { requireIntegrity: true }));
  const value = parseXml(body)[root];
  if (value === "" || (typeof value === "object" && value !== null && !Array.isArray(value))) return value as XmlObject | "";
  throw new S3Error("MalformedXML");
}

/** An element's text, trimmed; anything else (absent, or holding elements) is undefined. */
const textOf = (value: unknown): string | undefined => (typeof value === "string" ? value.trim() : undefined);

/** Only the schema's elements: anything else is not a document S3 accepts. */
function onlyElements(doc: XmlObject, names: readonly string[]): void {
  if (Object.keys(doc).some((name) => !names.includes(name))) throw new S3Error("MalformedXML");
}

const isMode = (text: string | undefined): text is LockMode => LOCK_MODES.includes(text as LockMode);

/** <Rule><DefaultRetention>: a mode and exactly one of Days and Years, a positive whole number. */
function parseDefaultRetention(rule: unknown): NonNullable<StoredLockConfig["Rule"]> {
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) throw new S3Error("MalformedXML");
  onlyElements(rule as XmlObject, ["DefaultRetention"]);
  const retention = (rule as XmlObject).DefaultRetention;
  if (typeof retention !== "object" || retention === null || Array.isArray(retention)) throw new S3Error("MalformedXML");
  onlyElements(retention, ["Mode", "Days", "Years"]);
  const mode = textOf(retention.Mode);
  const days = textOf(retention.Days), years = textOf(retention.Years);
  if (!isMode(mode) || (days === undefined) === (years === undefined)) throw new S3Error("MalformedXML");
  const [name, text, max] = days !== undefined ? ["Days", days, MAX_DAYS] as const : ["Years", years!, MAX_YEARS] as const;
  if (!/^[+-]?\d+$/.test(text)) throw new S3Error("MalformedXML");
  const period = Number(text);
  if (period <= 0) throw new S3Error("InvalidArgument", { message: "Default retention period must be a positive integer value.", ArgumentName: name, ArgumentValue: text });
  if (period > max) throw new S3Error("InvalidArgument", { message: "Default retention period too large.", ArgumentName: name, ArgumentValue: text });
  return { DefaultRetention: { Mode: mode, [name]: period } };
}

/**
 * PutObjectLockConfiguration: turns Object Lock on (it never goes off) and sets, replaces or, without
 * a Rule, removes the default retention. Versioning must be Enabled, on a new bucket or an existing
 * one (AWS allows existing buckets since November 2023).
 */
const putObjectLockConfiguration: Handler = async (ctx) => {
  const bucket = requireBucket(ctx).name;
  const doc = await readDocument(ctx, "ObjectLockConfiguration");
  if (ctx.meta.versioningStatus(bucket) !== "Enabled") {
    throw new S3Error("InvalidBucketState", { message: "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration" });
  }
  if (doc === "") throw new S3Error("MalformedXML");
  onlyElements(doc, ["ObjectLockEnabled", "Rule"]);
  if (textOf(doc.ObjectLockEnabled) !== "Enabled") throw new S3Error("MalformedXML");
  const config: StoredLockConfig = { ObjectLockEnabled: "Enabled" };
  if (doc.Rule !== undefined) config.Rule = parseDefaultRetention(doc.Rule);
  ctx.meta.setBucketConfig(bucket, LOCK_CONFIG, config);
  return new Response(null);
};

const getObjectLockConfiguration: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  const config = lockConfigOf(ctx, bucket);
  if (!config) throw new S3Error("ObjectLockConfigurationNotFoundError", { BucketName: bucket });
  const rule = config.Rule?.DefaultRetention;
  return xmlResponse("ObjectLockConfiguration", {
    ObjectLockEnabled: config.ObjectLockEnabled,
    Rule: rule ? { DefaultRetention: { Mode: rule.Mode, Days: rule.Days, Years: rule.Years } } : undefined,
  });
};

/** The version the request named went away between its lookup and its update. */
const versionGone = (ctx: OpContext): S3Error => {
  const versionId = requestedVersion(ctx);
  return versionId === undefined ? new S3Error("NoSuchKey", { Key: ctx.parsed.key }) : new S3Error("NoSuchVersion", { Key: ctx.parsed.key, VersionId: versionId });
};

/** <Retention>: a mode and a date together; an empty element removes the retention. */
function parseRetention(doc: XmlObject | "", now: number): ObjectLock | undefined {
  if (doc === "") return undefined;
  onlyElements(doc, ["Mode", "RetainUntilDate"]);
  const mode = textOf(doc.Mode), until = textOf(doc.RetainUntilDate);
  if (!isMode(mode) || until === undefined) throw new S3Error("MalformedXML");
  const retainUntil = parseIsoDate(until);
  if (retainUntil === undefined) throw new S3Error("MalformedXML");
  if (retainUntil <= now) throw new S3Error("InvalidArgument", { message: "The retain until date must be in the future!", ArgumentName: "RetainUntilDate", ArgumentValue: until });
  return { mode, retainUntil };
}

/**
 * PutObjectRetention: sets, extends, shortens or (with an empty Retention) removes one version's
 * retention, as the version's current retention allows (see checkRetentionChange).
 */
const putObjectRetention: Handler = async (ctx) => {
  const bucket = requireBucket(ctx).name, key = ctx.parsed.key!;
  const doc = await readDocument(ctx, "Retention");
  requireLockEnabled(ctx, bucket);
  const named = requireObject(ctx);
  const next = parseRetention(doc, ctx.now);
  const mayBypass = governanceBypass(ctx, bucket, readBypass(ctx, bucket));
  ctx.meta.updateObjectLock(bucket, key, named.versionId, (version) => {
    if (!version) throw versionGone(ctx);
    checkRetentionChange(key, version.lock, next, ctx.now, mayBypass);
    return { lock: next, legalHold: version.legalHold };
  });
  return new Response(null);
};

const getObjectRetention: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  requireLockEnabled(ctx, bucket);
  const object = requireObject(ctx);
  if (!object.lock) throw new S3Error("NoSuchObjectLockConfiguration");
  return xmlResponse("Retention", { Mode: object.lock.mode, RetainUntilDate: new Date(object.lock.retainUntil).toISOString() });
};

/** PutObjectLegalHold: ON or OFF for one version; anyone allowed s3:PutObjectLegalHold may do either. */
const putObjectLegalHold: Handler = async (ctx) => {
  const bucket = requireBucket(ctx).name, key = ctx.parsed.key!;
  const doc = await readDocument(ctx, "LegalHold");
  requireLockEnabled(ctx, bucket);
  const named = requireObject(ctx);
  if (doc === "") throw new S3Error("MalformedXML");
  onlyElements(doc, ["Status"]);
  const status = textOf(doc.Status);
  if (status !== "ON" && status !== "OFF") throw new S3Error("MalformedXML");
  ctx.meta.updateObjectLock(bucket, key, named.versionId, (version) => {
    if (!version) throw versionGone(ctx);
    return { lock: version.lock, legalHold: status === "ON" };
  });
  return new Response(null);
};

/** GetObjectLegalHold: a version that never had a legal hold has no such configuration, as on S3; one turned off says OFF. */
const getObjectLegalHold: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  requireLockEnabled(ctx, bucket);
  const object = requireObject(ctx);
  if (object.legalHold === undefined) throw new S3Error("NoSuchObjectLockConfiguration");
  return xmlResponse("LegalHold", { Status: object.legalHold ? "ON" : "OFF" });
};

export const objectLockHandlers: Partial<Record<OperationName, Handler>> = {
  PutObjectLockConfiguration: putObjectLockConfiguration,
  GetObjectLockConfiguration: getObjectLockConfiguration,
  PutObjectRetention: putObjectRetention,
  GetObjectRetention: getObjectRetention,
  PutObjectLegalHold: putObjectLegalHold,
  GetObjectLegalHold: getObjectLegalHold,
};
