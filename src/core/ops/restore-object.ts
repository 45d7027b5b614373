// RestoreObject: a temporary readable copy of a GLACIER or DEEP_ARCHIVE object, ready
// config.restoreDelayMs after the request and kept until its expiry date. No bytes move: the restore
// is two times in the object's row (see _archive.ts), checked and written in one transaction.
import { S3Error } from "../errors.ts";
import { parseXml, type XmlObject } from "../xml.ts";
import { requireCurrentObject, type Handler } from "./_context.ts";
import { RESTORE_EXPIRES_AT, RESTORE_READY_AT, restoreExpiry, restoreStateOf } from "./_archive.ts";
import { ARCHIVE_STORAGE_CLASSES, storageClassOf } from "./_object-headers.ts";
import { readSmallBody } from "./_payload.ts";

const MAX_BODY = 64 * 1024;
/** Days is an xsd:int in S3's schema. */
const MAX_DAYS = 2 ** 31 - 1;
const TIERS = new Set(["Standard", "Bulk", "Expedited"]);

interface RestoreRequest { days: number; tier: string }

const isElement = (value: unknown): value is XmlObject => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * `<RestoreRequest><Days>n</Days><GlacierJobParameters><Tier>…</Tier></GlacierJobParameters></RestoreRequest>`.
 * Days is required for an archive restore (AWS answers MalformedXML without it), Tier defaults to Standard.
 */
function parseRestoreRequest(text: string): RestoreRequest {
  const root = parseXml(text).RestoreRequest;
  if (!isElement(root)) throw new S3Error("MalformedXML");
  // S3 Select on archives (Type SELECT, its parameters and output location) is closed to new AWS customers.
  for (const name of ["Type", "SelectParameters", "OutputLocation"]) {
    if (root[name] !== undefined) throw new S3Error("NotImplemented", { message: "s3lite does not implement select restore requests (S3 Select); nothing was changed.", Element: name });
  }
  const days = typeof root.Days === "string" && /^\d+$/.test(root.Days.trim()) ? Number(root.Days.trim()) : NaN;
  if (!(days >= 1 && days <= MAX_DAYS)) throw new S3Error("MalformedXML");
  const job = root.GlacierJobParameters;
  if (job === undefined) return { days, tier: "Standard" };
  // Tier is required inside GlacierJobParameters, and one of the three.
  const tier = isElement(job) && typeof job.Tier === "string" ? job.Tier.trim() : "";
  if (!TIERS.has(tier)) throw new S3Error("MalformedXML");
  return { days, tier };
}

export const restoreObject: Handler = async (ctx) => {
  const { bucket, key } = requireCurrentObject(ctx, "RestoreObject");
  const { days, tier } = parseRestoreRequest(new TextDecoder().decode(await readSmallBody(ctx, MAX_BODY)));
  const now = ctx.now;
  let status = 202;
  ctx.meta.updateObjectHeaders(bucket, key, (current) => {
    if (!current) throw new S3Error("NoSuchKey", { Key: key });
    const storageClass = storageClassOf(current.headers);
    // What AWS answers for an object in a class that reads at once (STANDARD included).
    if (!ARCHIVE_STORAGE_CLASSES.has(storageClass)) throw new S3Error("InvalidObjectState", { message: "Restore is not allowed for the object's current storage class" });
    // AWS offers Expedited retrievals for GLACIER only, never for DEEP_ARCHIVE.
    if (storageClass === "DEEP_ARCHIVE" && tier === "Expedited") {
      throw new S3Error("InvalidArgument", { message: "Expedited retrievals are not available for objects in the DEEP_ARCHIVE storage class", ArgumentName: "Tier", ArgumentValue: tier });
    }
    const state = restoreStateOf(current.headers, now);
    if (state.state === "ongoing") throw new S3Error("RestoreAlreadyInProgress");
    if (state.state === "restored") {
      // A restored copy gets a new expiry, counted from now (200 OK: nothing is retrieved again).
      status = 200;
      return { ...current.headers, [RESTORE_EXPIRES_AT]: String(restoreExpiry(now, days)) };
    }
    const readyAt = now + ctx.config.restoreDelayMs;
    return { ...current.headers, [RESTORE_READY_AT]: String(readyAt), [RESTORE_EXPIRES_AT]: String(restoreExpiry(readyAt, days)) };
  });
  return new Response(null, { status });
};
