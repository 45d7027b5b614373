// The columns objects, object_versions and uploads share for tags, retention and legal hold: how a
// row's fields become column values and back.
import type { ObjectLock, ObjectTag } from "./meta-rows.ts";

export interface ExtraRecord { tags: string | null; lock_mode: string | null; lock_until: number | null; legal_hold: number }
export interface Extras { tags?: ObjectTag[]; lock?: ObjectLock; legalHold?: boolean }

export function extrasOf(r: ExtraRecord): Extras {
  const extras: Extras = {};
  if (r.tags !== null) extras.tags = JSON.parse(r.tags);
  if (r.lock_mode !== null && r.lock_until !== null) extras.lock = { mode: r.lock_mode as ObjectLock["mode"], retainUntil: r.lock_until };
  // 0: never had a legal hold (S3 then answers NoSuchObjectLockConfiguration), 1: ON, 2: turned OFF.
  if (r.legal_hold !== 0) extras.legalHold = r.legal_hold === 1;
  return extras;
}

/** tags, lock_mode, lock_until, legal_hold, in that order. */
export const extraColumns = (o: Extras): [string | null, string | null, number | null, number] =>
  [o.tags?.length ? JSON.stringify(o.tags) : null, o.lock?.mode ?? null, o.lock?.retainUntil ?? null, o.legalHold === undefined ? 0 : o.legalHold ? 1 : 2];
