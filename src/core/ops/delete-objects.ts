// DeleteObjects: up to 1000 keys (or versions of keys) from one XML body, in one transaction, with a result per entry.
// Each entry may carry conditions (ETag, LastModifiedTime, Size) that are checked against the object
// inside that transaction; an entry whose condition fails is reported as an error and its object stays.
import { S3Error } from "../errors.ts";
import { isVersionId } from "../store/meta.ts";
import { parseXml, xmlResponse, type XmlObject } from "../xml.ts";
import { requireBucket, type Handler } from "./_context.ts";
import { MAX_KEY_BYTES } from "./_object-headers.ts";
import { checkVersionDeletable, governanceBypass, readBypass } from "./_object-lock.ts";
import { readSmallBody } from "./_payload.ts";
import { checkDeleteRequirement, type DeleteRequirement } from "./_write-conditions.ts";
import { writerOf } from "./_write-access.ts";

const MAX_KEYS = 1000;
/** 1000 keys of 1024 bytes, escaped, with their element tags, fit well inside this. */
const MAX_BODY = 8 * 1024 * 1024;

interface Target { key: string; versionId?: string; required?: DeleteRequirement }

function parseDelete(text: string): { targets: Target[]; quiet: boolean } {
  const root = parseXml(text).Delete;
  if (!root || typeof root !== "object") throw new S3Error("MalformedXML");
  const { Object: objects, Quiet: quiet } = root as XmlObject;
  if (!Array.isArray(objects) || objects.length === 0 || objects.length > MAX_KEYS) throw new S3Error("MalformedXML");
  const targets = objects.map((o) => {
    if (!o || typeof o !== "object" || Array.isArray(o) || typeof o.Key !== "string") throw new S3Error("MalformedXML");
    return { key: o.Key, versionId: typeof o.VersionId === "string" ? o.VersionId : undefined, required: entryRequirement(o) };
  });
  return { targets, quiet: typeof quiet === "string" && quiet.trim().toLowerCase() === "true" };
}

/** An entry's ETag, LastModifiedTime (ISO 8601) and Size conditions. */
function entryRequirement(o: XmlObject): DeleteRequirement | undefined {
  const { ETag: etag, LastModifiedTime: time, Size: size } = o;
  if (etag === undefined && time === undefined && size === undefined) return undefined;
  const lastModified = typeof time === "string" ? Date.parse(time.trim()) : undefined;
  if (Number.isNaN(lastModified) || (size !== undefined && !(typeof size === "string" && /^\d+$/.test(size.trim())))) throw new S3Error("MalformedXML");
  if (etag !== undefined && typeof etag !== "string") throw new S3Error("MalformedXML");
  return { etag, lastModified, size: size === undefined ? undefined : Number(size) };
}

export const deleteObjects: Handler = async (ctx) => {
  const bucket = requireBucket(ctx).name;
  const access = ctx.access.bucket(bucket);
  if (!access) throw new S3Error("NoSuchBucket", { BucketName: bucket });
  const body = await readSmallBody(ctx, MAX_BODY, { requireIntegrity: true });
  const { targets, quiet } = parseDelete(new TextDecoder().decode(body));
  const mayBypass = governanceBypass(ctx, bucket, readBypass(ctx, bucket));
  const errors = new Map<number, XmlObject>();
  const candidates: { index: number; target: Target }[] = [];
  for (const [index, target] of targets.entries()) {
    const { key, versionId } = target;
    const action = versionId === undefined ? "s3:DeleteObject" : "s3:DeleteObjectVersion";
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
      errors.set(index, { Key: key, Code: "KeyTooLongError", Message: "Your key is too long" });
    } else if (!ctx.access.allows(access, action, key, ctx.facts)) {
      // Each key is a resource of its own: a policy may deny some and allow others, as S3 weighs them.
      errors.set(index, { Key: key, ...(versionId === undefined ? {} : { VersionId: versionId }), Code: "AccessDenied", Message: "Access Denied" });
    } else if (versionId !== undefined && !isVersionId(versionId)) {
      errors.set(index, { Key: key, VersionId: versionId, Code: "NoSuchVersion", Message: "The specified version does not exist." });
    } else {
      candidates.push({ index, target });
    }
  }
  // The same key may be named twice with different conditions: each entry is judged in order.
  let next = 0;
  const outcomes = ctx.meta.deleteObjects(bucket, candidates.map((c) => c.target), (key, current) => {
    const { index, target } = candidates[next++]!;
    // Object Lock guards versions named by id; an entry without one only adds a marker.
    if (!target.required && target.versionId === undefined) return true;
    try {
      if (target.versionId !== undefined) checkVersionDeletable(current, ctx.now, mayBypass);
      if (target.required) checkDeleteRequirement(target.required, current && "deleteMarker" in current && current.deleteMarker ? undefined : current, key);
      return true;
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      errors.set(index, { Key: key, ...(target.versionId === undefined ? {} : { VersionId: target.versionId }), Code: error.code, Message: error.message });
      return false;
    }
  }, writerOf(ctx));
  const done = new Map(candidates.map((c, i) => [c.index, outcomes[i]!]));
  // Quiet mode reports errors only.
  const deleted = quiet ? [] : targets.flatMap(({ key, versionId }, index) => {
    const outcome = done.get(index);
    if (errors.has(index) || !outcome) return [];
    // A marker added (no version named) is reported by its own id; a version named is reported by that id.
    if (versionId === undefined) return [outcome.deleteMarker ? { Key: key, DeleteMarker: true, DeleteMarkerVersionId: outcome.versionId } : { Key: key }];
    return [outcome.deleteMarker ? { Key: key, VersionId: versionId, DeleteMarker: true, DeleteMarkerVersionId: versionId } : { Key: key, VersionId: versionId }];
  });
  return xmlResponse("DeleteResult", { Deleted: deleted, Error: [...errors.entries()].sort(([a], [b]) => a - b).map(([, e]) => e) });
};
