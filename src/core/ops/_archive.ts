// Archived objects (GLACIER, DEEP_ARCHIVE) and their restores: whether one can be read now, and what
// x-amz-restore and a listing's RestoreStatus say of it. Pure: the time is always the caller's (ctx.now).
// A restore lives in the object's stored headers under s3lite's own names, which no request can set.
import { S3Error } from "../errors.ts";
import type { ObjectRow } from "../store/meta.ts";
import type { XmlObject } from "../xml.ts";
import type { OpContext } from "./_context.ts";
import { ARCHIVE_STORAGE_CLASSES, storageClassOf } from "./_object-headers.ts";

/** When the restore in progress completes (epoch ms, as text). */
export const RESTORE_READY_AT = "x-s3lite-restore-ready-at";
/** When the restored copy goes and the object is archived again (epoch ms, as text). */
export const RESTORE_EXPIRES_AT = "x-s3lite-restore-expires-at";
/** Stored headers under this prefix are s3lite's own and are never sent as response headers. */
export const isInternalHeader = (name: string): boolean => name.startsWith("x-s3lite-");

const DAY = 24 * 60 * 60 * 1000;
/** RFC 1123 dates have four-digit years. */
const LAST_EXPIRY = Date.UTC(9999, 11, 31);

export type RestoreState =
  /** Not in an archive class: readable, and nothing to restore. */
  | { state: "active" }
  /** Never restored, or its restored copy expired. */
  | { state: "archived" }
  | { state: "ongoing" }
  | { state: "restored"; expiresAt: number };

/** Computed from the stored times at `now`, so a restore completes and expires without any timer. */
export function restoreStateOf(headers: Record<string, string>, now: number): RestoreState {
  if (!ARCHIVE_STORAGE_CLASSES.has(storageClassOf(headers))) return { state: "active" };
  const readyAt = Number(headers[RESTORE_READY_AT]), expiresAt = Number(headers[RESTORE_EXPIRES_AT]);
  // An absent time is NaN, and no time is before NaN.
  if (!(now < expiresAt)) return { state: "archived" };
  return now < readyAt ? { state: "ongoing" } : { state: "restored", expiresAt };
}

/**
 * AWS: the restored copy expires `days` after `from`, rounded up to the next midnight UTC
 * (restored on October 15 at 10:30 for 3 days: gone on October 19 at 00:00).
 */
export const restoreExpiry = (from: number, days: number): number => Math.min((Math.floor(from / DAY) + days + 1) * DAY, LAST_EXPIRY);

/** x-amz-restore as HeadObject and GetObject send it; undefined when there is no restore to tell of. */
export function restoreHeader(s: RestoreState): string | undefined {
  if (s.state === "ongoing") return 'ongoing-request="true"';
  if (s.state === "restored") return `ongoing-request="false", expiry-date="${new Date(s.expiresAt).toUTCString()}"`;
  return undefined;
}

/**
 * ListObjects(V2) and ListObjectVersions with `x-amz-optional-object-attributes: RestoreStatus`: each
 * entry's RestoreStatus, present for objects with a restore in progress or a restored copy, as on AWS.
 */
export function listingRestoreStatus(ctx: OpContext): ((o: ObjectRow) => XmlObject | undefined) | undefined {
  const wanted = ctx.req.headers.get("x-amz-optional-object-attributes");
  if (!wanted?.split(",").some((name) => name.trim() === "RestoreStatus")) return undefined;
  return (o) => {
    const s = restoreStateOf(o.headers, ctx.now);
    if (s.state === "ongoing") return { IsRestoreInProgress: true };
    if (s.state === "restored") return { IsRestoreInProgress: false, RestoreExpiryDate: new Date(s.expiresAt).toISOString() };
    return undefined;
  };
}

function refuseArchived(object: ObjectRow, now: number, message?: string): RestoreState {
  const s = restoreStateOf(object.headers, now);
  // AWS names the class; AccessTier belongs to Intelligent-Tiering's archive tiers, which s3lite does not have.
  if (s.state === "archived" || s.state === "ongoing") throw new S3Error("InvalidObjectState", { message, StorageClass: storageClassOf(object.headers) });
  return s;
}

/** GetObject: an archived object is 403 InvalidObjectState until a restore of it completes. */
export const requireReadable = (object: ObjectRow, now: number): RestoreState => refuseArchived(object, now);

/** CopyObject and UploadPartCopy: the same for their source, in AWS's words for a copy source. */
export const requireReadableSource = (object: ObjectRow, now: number): RestoreState =>
  refuseArchived(object, now, "Operation is not valid for the source object's storage class");

/** An object's stored headers without its restore: what a copy of it starts from (a copy is not restored). */
export function withoutRestore(headers: Record<string, string>): Record<string, string> {
  const { [RESTORE_READY_AT]: _ready, [RESTORE_EXPIRES_AT]: _expires, ...rest } = headers;
  return rest;
}
