// Lifecycle rules as a bucket stores them and as S3 applies them: which objects a rule selects, when
// its actions fall due, which storage class a transition moves an object to, and x-amz-expiration.
// Pure: the time is always the caller's; no storage, no I/O. Parsing and validation are in ops/.

/** Its bucket_configs name. */
export const LIFECYCLE_CONFIG = "lifecycle";
export const DAY_MS = 24 * 60 * 60 * 1000;

/** The objects a rule selects: all of prefix, tags and sizes hold (an absent size is no bound). */
export interface LifecycleFilter {
  prefix: string;
  tags: { Key: string; Value: string }[];
  sizeGreaterThan?: number;
  sizeLessThan?: number;
}

/** A point in time a rule names: `days` after an object's reference time, or a fixed `date` (epoch ms, a midnight UTC). */
export interface LifecycleWhen { days?: number; date?: number }

export interface LifecycleRule {
  id: string;
  enabled: boolean;
  filter: LifecycleFilter;
  /** Current versions expire (Days, Date), or expired object delete markers go (ExpiredObjectDeleteMarker). */
  expiration?: LifecycleWhen & { expiredObjectDeleteMarker?: boolean };
  transitions: (LifecycleWhen & { storageClass: string })[];
  noncurrentExpiration?: { days: number; newerVersions?: number };
  noncurrentTransitions: { days: number; newerVersions?: number; storageClass: string }[];
  /** AbortIncompleteMultipartUpload's DaysAfterInitiation. */
  abortAfterDays?: number;
}

/** x-amz-transition-default-minimum-object-size: which small objects transitions leave alone. */
export type MinimumTransitionSize = "all_storage_classes_128K" | "varies_by_storage_class";
export const MINIMUM_TRANSITION_SIZES: readonly MinimumTransitionSize[] = ["all_storage_classes_128K", "varies_by_storage_class"];

/** What bucket_configs holds: the rules to apply, and the document to answer GET with. */
export interface StoredLifecycle {
  rules: LifecycleRule[];
  /** The Rule elements as written (an ID given to each rule that had none), in the model's element order. */
  xml: string;
  minimumTransitionSize: MinimumTransitionSize;
}

/** What a rule looks at of an object version. */
export interface LifecycleSubject {
  key: string;
  size: number;
  tags?: readonly { Key: string; Value: string }[];
}

export function matchesFilter(filter: LifecycleFilter, o: LifecycleSubject): boolean {
  if (!o.key.startsWith(filter.prefix)) return false;
  if (filter.sizeGreaterThan !== undefined && !(o.size > filter.sizeGreaterThan)) return false;
  if (filter.sizeLessThan !== undefined && !(o.size < filter.sizeLessThan)) return false;
  return filter.tags.every((t) => o.tags?.some((own) => own.Key === t.Key && own.Value === t.Value) ?? false);
}

/**
 * AWS counts days from the reference time (creation, or becoming noncurrent) and rounds up to the
 * next midnight UTC: created January 1 at 10:30 with Days 3, due January 5 at 00:00.
 */
export const dueAfter = (from: number, days: number): number => (Math.floor(from / DAY_MS) + days + 1) * DAY_MS;

/** When a Days/Date point falls for an object whose reference time is `from`. */
export const dueAt = (when: LifecycleWhen, from: number): number => when.date ?? dueAfter(from, when.days!);

/**
 * The expiration the enabled rules give a current version: the earliest, with its rule's ID. What
 * x-amz-expiration tells and what the sweeper acts on.
 */
export function currentExpiration(rules: readonly LifecycleRule[], o: LifecycleSubject & { lastModified: number }): { at: number; ruleId: string } | undefined {
  let found: { at: number; ruleId: string } | undefined;
  for (const rule of rules) {
    const e = rule.expiration;
    if (!rule.enabled || !e || (e.days === undefined && e.date === undefined) || !matchesFilter(rule.filter, o)) continue;
    const at = dueAt(e, o.lastModified);
    if (!found || at < found.at) found = { at, ruleId: rule.id };
  }
  return found;
}

/** x-amz-expiration as GET, HEAD and PUT send it: `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="…"`. */
export const expirationHeader = (e: { at: number; ruleId: string }): string => `expiry-date="${new Date(e.at).toUTCString()}", rule-id="${e.ruleId}"`;

/**
 * S3's transition waterfall: an object only ever moves down it, never back up. STANDARD's neighbours
 * (REDUCED_REDUNDANCY, EXPRESS_ONEZONE) stand where it does.
 */
const WATERFALL = ["STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"];
const rankOf = (storageClass: string): number => Math.max(0, WATERFALL.indexOf(storageClass));

/** Below this size an object is not transitioned unless the rule filters by size itself (AWS: 128 KB). */
const SMALL_OBJECT = 128 * 1024;
const SMALL_OBJECT_CLASSES = new Set(["GLACIER", "DEEP_ARCHIVE"]);

/**
 * Whether a transition may take an object of this size. A rule whose filter names a size decides for
 * itself; otherwise all_storage_classes_128K keeps objects under 128 KB where they are, and
 * varies_by_storage_class lets them go to GLACIER and DEEP_ARCHIVE only.
 */
function sizeAllows(rule: LifecycleRule, size: number, storageClass: string, minimum: MinimumTransitionSize): boolean {
  if (rule.filter.sizeGreaterThan !== undefined || rule.filter.sizeLessThan !== undefined || size >= SMALL_OBJECT) return true;
  return minimum === "varies_by_storage_class" && SMALL_OBJECT_CLASSES.has(storageClass);
}

/**
 * The storage class due transitions move an object to at `now`: the coldest one due among the
 * rules' `candidates`, if it is colder than where the object is.
 */
export function transitionTarget<T extends { storageClass: string }>(
  candidates: Iterable<{ rule: LifecycleRule; transition: T; at: number }>,
  o: { size: number; storageClass: string }, now: number, minimum: MinimumTransitionSize,
): string | undefined {
  let target: string | undefined;
  for (const { rule, transition, at } of candidates) {
    if (at > now || !sizeAllows(rule, o.size, transition.storageClass, minimum)) continue;
    if (rankOf(transition.storageClass) > rankOf(target ?? o.storageClass)) target = transition.storageClass;
  }
  return target;
}

/** The fewest prefixes whose ranges cover every given one (a prefix inside another adds nothing). */
export function coveringPrefixes(prefixes: Iterable<string>): string[] {
  const sorted = [...new Set(prefixes)].sort();
  const kept: string[] = [];
  for (const p of sorted) if (!kept.some((k) => p.startsWith(k))) kept.push(p);
  return kept;
}
