// PutBucketLifecycleConfiguration's document: checked against the model's shape (MalformedXML), then
// as AWS checks it, first fault first (InvalidArgument / InvalidRequest with AWS's messages), and turned
// into the rules the sweeper applies plus the XML GET returns. No I/O.
import { S3Error, invalidArgument } from "../errors.ts";
import { MINIMUM_TRANSITION_SIZES, type LifecycleFilter, type LifecycleRule, type LifecycleWhen, type MinimumTransitionSize, type StoredLifecycle } from "../lifecycle-rules.ts";
import { boolean, integer, oneOf, parseDocument, renderMembers, repeated, required, struct, text, type Doc } from "./bucket-stored-schema.ts";

export const MINIMUM_SIZE_HEADER = "x-amz-transition-default-minimum-object-size";
const MAX_RULES = 1000;
const MAX_ID_LENGTH = 255;
/** ObjectSizeGreaterThan / ObjectSizeLessThan bounds AWS states (1,000 TiB). */
const MAX_FILTER_SIZE = 1_099_511_627_776_000;
/** Transitions to these wait at least 30 days after creation (or becoming noncurrent). */
const THIRTY_DAY_CLASSES = new Set(["STANDARD_IA", "ONEZONE_IA"]);
const TRANSITION_CLASSES = ["GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"];

// The model's LifecycleRule, its members in the order AWS answers GetBucketLifecycleConfiguration with.
// Sizes and dates are text here and read below: the schema's integer is xs:int, and a Date is ISO 8601.
const Tag = struct({ Key: required(text), Value: required(text) });
const sizes = { ObjectSizeGreaterThan: text, ObjectSizeLessThan: text };
const Filter = struct({ Prefix: text, Tag, ...sizes, And: struct({ Prefix: text, Tag: repeated(Tag), ...sizes }) }, { choice: true });
const Rule = struct({
  ID: text,
  Prefix: text,
  Filter,
  Status: required(oneOf("Enabled", "Disabled")),
  Transition: repeated(struct({ Date: text, Days: integer, StorageClass: text })),
  Expiration: struct({ Date: text, Days: integer, ExpiredObjectDeleteMarker: boolean }),
  NoncurrentVersionTransition: repeated(struct({ NoncurrentDays: integer, StorageClass: text, NewerNoncurrentVersions: integer })),
  NoncurrentVersionExpiration: struct({ NoncurrentDays: integer, NewerNoncurrentVersions: integer }),
  AbortIncompleteMultipartUpload: struct({ DaysAfterInitiation: integer }),
});
const LIFECYCLE = struct({ Rule: repeated(Rule, 1) });

const malformed = () => new S3Error("MalformedXML");
const invalidRequest = (message: string) => new S3Error("InvalidRequest", { message });

/** The header's value; absent is AWS's default for configurations written since September 2024. */
export function readMinimumTransitionSize(headers: Headers): MinimumTransitionSize {
  const value = headers.get(MINIMUM_SIZE_HEADER);
  if (value === null) return "all_storage_classes_128K";
  if (!MINIMUM_TRANSITION_SIZES.includes(value as MinimumTransitionSize)) throw invalidRequest("Invalid TransitionDefaultMinimumObjectSize found");
  return value as MinimumTransitionSize;
}

/**
 * A lifecycle configuration as AWS takes it. Its version is its first rule's: with a Filter it is
 * Lifecycle V2, where no rule may have the old top-level Prefix; with a Prefix, V1, where no rule may
 * have a Filter or NewerNoncurrentVersions and rules taking one kind of action may not overlap.
 */
export function parseLifecycleConfiguration(body: string, minimumTransitionSize: MinimumTransitionSize): StoredLifecycle {
  const doc = parseDocument(body, "LifecycleConfiguration", LIFECYCLE);
  const given = doc.Rule as Doc[];
  if (given.length > MAX_RULES) throw invalidRequest("The number of lifecycle rules must not exceed the allowed limit of 1000 rules.");
  const ids = new Set<string>();
  for (const rule of given) {
    const id = rule.ID as string | undefined;
    if (!id) continue;
    if (id.length > MAX_ID_LENGTH) throw invalidArgument("ID length should not exceed allowed limit of 255", "ID", id);
    if (ids.has(id)) throw invalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID", id);
    ids.add(id);
  }
  const v2 = given[0]!.Filter !== undefined;
  const rules = given.map((rule) => readRule(rule, v2));
  if (!v2) checkOverlaps(rules);
  // AWS names a rule that has no ID itself, with a random one (the base64 of a UUID).
  for (const [i, rule] of rules.entries()) {
    if (rule.id !== "") continue;
    do rule.id = btoa(crypto.randomUUID()); while (ids.has(rule.id));
    ids.add(rule.id);
    given[i]!.ID = rule.id;
  }
  return { rules, xml: renderMembers(LIFECYCLE, doc), minimumTransitionSize };
}

function readRule(r: Doc, v2: boolean): LifecycleRule {
  if (r.Prefix === undefined && r.Filter === undefined) throw malformed();
  if (v2 && r.Prefix !== undefined) throw invalidRequest("Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.");
  if (!v2 && r.Filter !== undefined) throw invalidRequest("Filter element can only be used in Lifecycle V2.");
  const filter = r.Filter !== undefined ? readFilter(r.Filter as Doc) : { prefix: r.Prefix as string, tags: [] };
  if (!r.Expiration && !r.Transition && !r.NoncurrentVersionExpiration && !r.NoncurrentVersionTransition && !r.AbortIncompleteMultipartUpload) {
    throw invalidRequest("At least one action needs to be specified in a rule");
  }
  const rule: LifecycleRule = { id: (r.ID as string | undefined) ?? "", enabled: r.Status === "Enabled", filter, transitions: [], noncurrentTransitions: [] };
  const bySize = filter.sizeGreaterThan !== undefined || filter.sizeLessThan !== undefined;
  if (r.Expiration) {
    const e = r.Expiration as Doc;
    const given = ["Date", "Days", "ExpiredObjectDeleteMarker"].filter((name) => e[name] !== undefined);
    if (given.length !== 1) throw malformed();
    if (e.ExpiredObjectDeleteMarker !== undefined) {
      rule.expiration = { expiredObjectDeleteMarker: e.ExpiredObjectDeleteMarker === "true" };
      unfiltered("ExpiredObjectDeleteMarker", filter, bySize);
    } else {
      rule.expiration = readWhen(e, "Expiration");
    }
  }
  if (r.NoncurrentVersionExpiration) {
    const n = r.NoncurrentVersionExpiration as Doc;
    if (n.NoncurrentDays === undefined) throw malformed();
    const days = Number(n.NoncurrentDays);
    if (days <= 0) throw invalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer", "NoncurrentDays", days);
    rule.noncurrentExpiration = { days, newerVersions: readNewer(n, "NoncurrentVersionExpiration", v2) };
  }
  if (r.AbortIncompleteMultipartUpload) {
    const a = r.AbortIncompleteMultipartUpload as Doc;
    if (a.DaysAfterInitiation === undefined) throw malformed();
    const days = Number(a.DaysAfterInitiation);
    if (days <= 0) throw invalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer", "DaysAfterInitiation", days);
    unfiltered("AbortIncompleteMultipartUpload", filter, bySize);
    rule.abortAfterDays = days;
  }
  readTransitions(r, rule, v2);
  return rule;
}

/** ExpiredObjectDeleteMarker and AbortIncompleteMultipartUpload act on what has no tags or size of its own. */
function unfiltered(action: string, filter: LifecycleFilter, bySize: boolean): void {
  if (filter.tags.length > 0) throw invalidRequest(`${action} cannot be specified with Tags.`);
  if (bySize) throw invalidRequest(`${action} cannot be specified with Object Size.`);
}

function readFilter(f: Doc): LifecycleFilter {
  const and = f.And as Doc | undefined;
  const source = and ?? f;
  const tags = ((and ? and.Tag : f.Tag !== undefined ? [f.Tag] : []) as Doc[] | undefined ?? []).map((t) => ({ Key: t.Key as string, Value: t.Value as string }));
  if (and && (and.Prefix !== undefined ? 1 : 0) + tags.length + (and.ObjectSizeGreaterThan !== undefined ? 1 : 0) + (and.ObjectSizeLessThan !== undefined ? 1 : 0) < 2) throw malformed();
  const filter: LifecycleFilter = { prefix: (source.Prefix as string | undefined) ?? "", tags };
  if (source.ObjectSizeGreaterThan !== undefined) {
    filter.sizeGreaterThan = readSize(source.ObjectSizeGreaterThan as string);
    if (filter.sizeGreaterThan < 0 || filter.sizeGreaterThan > MAX_FILTER_SIZE) throw invalidRequest("'ObjectSizeGreaterThan' should be between 0 and 1099511627776000.");
  }
  if (source.ObjectSizeLessThan !== undefined) {
    filter.sizeLessThan = readSize(source.ObjectSizeLessThan as string);
    if (filter.sizeLessThan < 1 || filter.sizeLessThan > MAX_FILTER_SIZE) throw invalidRequest("'ObjectSizeLessThan' should be between 1 and 1099511627776000.");
  }
  if (filter.sizeGreaterThan !== undefined && filter.sizeLessThan !== undefined && filter.sizeGreaterThan >= filter.sizeLessThan) {
    throw invalidRequest("'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.");
  }
  const keys = new Set<string>();
  for (const tag of tags) {
    if (tag.Key.length < 1 || tag.Key.length > 128) throw invalidRequest("A Tag's Key must be a length between 1 and 128.");
    if (tag.Value.length > 256) throw invalidRequest("A Tag's Value must be a length between 0 and 256.");
    if (keys.has(tag.Key)) throw invalidRequest("Duplicate Tag Keys are not allowed.");
    keys.add(tag.Key);
  }
  return filter;
}

/** An xs:long. */
function readSize(raw: string): number {
  if (!/^[+-]?\d{1,19}$/.test(raw.trim())) throw malformed();
  return Number(raw.trim());
}

/** Days (a positive count for Expiration, at least 0 for Transition) or a Date, exactly one. */
function readWhen(d: Doc, action: "Expiration" | "Transition"): LifecycleWhen {
  if ((d.Date === undefined) === (d.Days === undefined)) throw malformed();
  if (d.Date !== undefined) return { date: readDate(d.Date as string) };
  const days = Number(d.Days);
  if (action === "Expiration" && days <= 0) throw invalidArgument("'Days' for Expiration action must be a positive integer", "Days", days);
  if (days < 0) throw invalidArgument("'Days' in Transition action must be nonnegative", "Days", days);
  return { days };
}

/** An ISO 8601 date or date-time (a time without a zone is UTC's); it must be a midnight UTC. */
function readDate(raw: string): number {
  const text = raw.trim();
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  const time = m ? Date.parse(`${m[1]}T${m[2] ?? "00:00:00"}${normalizeZone(m[3])}`) : NaN;
  if (Number.isNaN(time)) throw malformed();
  if (time % 86_400_000 !== 0) throw invalidArgument("'Date' must be at midnight GMT", "Date", text);
  return time;
}

const normalizeZone = (zone: string | undefined): string => zone === undefined ? "Z" : zone === "Z" ? zone : zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;

function readNewer(d: Doc, action: string, v2: boolean): number | undefined {
  if (d.NewerNoncurrentVersions === undefined) return undefined;
  if (!v2) throw invalidRequest("NewerNoncurrentVersions element can only be used in Lifecycle V2.");
  const count = Number(d.NewerNoncurrentVersions);
  if (count <= 0) throw invalidArgument(`'NewerNoncurrentVersions' for ${action} action must be a positive integer`, "NewerNoncurrentVersions", count);
  return count;
}

/** STANDARD and REDUCED_REDUNDANCY are storage classes, but not ones to transition to; anything else is not in the schema. */
function readClass(raw: unknown): string {
  if (raw === "STANDARD" || raw === "REDUCED_REDUNDANCY") throw invalidArgument("Invalid target Storage class for Transition action", "StorageClass", raw);
  if (typeof raw !== "string" || !TRANSITION_CLASSES.includes(raw)) throw malformed();
  return raw;
}

function readTransitions(r: Doc, rule: LifecycleRule, v2: boolean): void {
  const classes = new Set<string>();
  for (const t of (r.Transition as Doc[] | undefined) ?? []) {
    const when = readWhen(t, "Transition");
    const storageClass = readClass(t.StorageClass);
    if (when.days !== undefined && when.days < 30 && THIRTY_DAY_CLASSES.has(storageClass)) {
      throw invalidArgument(`'Days' in Transition action must be greater than or equal to 30 for storageClass '${storageClass}'`, "Days", when.days);
    }
    if (classes.has(storageClass)) throw invalidRequest("'StorageClass' must be different for 'Transition' actions in same 'Rule'");
    classes.add(storageClass);
    rule.transitions.push({ ...when, storageClass });
  }
  const dated = rule.transitions.some((t) => t.date !== undefined) || rule.expiration?.date !== undefined;
  const counted = rule.transitions.some((t) => t.days !== undefined) || rule.expiration?.days !== undefined;
  if (rule.transitions.length > 0 && dated && counted) throw invalidRequest("Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule");
  classes.clear();
  for (const t of (r.NoncurrentVersionTransition as Doc[] | undefined) ?? []) {
    if (t.NoncurrentDays === undefined) throw malformed();
    const storageClass = readClass(t.StorageClass);
    const days = Number(t.NoncurrentDays);
    if (days < 0) throw invalidArgument("'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative", "NoncurrentDays", days);
    if (days < 30 && THIRTY_DAY_CLASSES.has(storageClass)) {
      throw invalidArgument(`'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass '${storageClass}'`, "NoncurrentDays", days);
    }
    const newerVersions = readNewer(t, "NoncurrentVersionTransition", v2);
    if (classes.has(storageClass)) throw invalidRequest("'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule'");
    classes.add(storageClass);
    rule.noncurrentTransitions.push({ days, newerVersions, storageClass });
  }
}

/** Lifecycle V1: two rules taking one kind of action may not have one's prefix start the other's. */
function checkOverlaps(rules: readonly LifecycleRule[]): void {
  const kinds: [string, (r: LifecycleRule) => boolean][] = [
    ["Expiration", (r) => r.expiration !== undefined],
    ["Transition", (r) => r.transitions.length > 0],
    ["NoncurrentVersionTransition", (r) => r.noncurrentTransitions.length > 0],
    ["NoncurrentVersionExpiration", (r) => r.noncurrentExpiration !== undefined],
    ["AbortIncompleteMultipartUpload", (r) => r.abortAfterDays !== undefined],
  ];
  for (const [kind, takes] of kinds) {
    const prefixes = rules.filter(takes).map((r) => r.filter.prefix).sort();
    for (let i = 1; i < prefixes.length; i++) {
      if (prefixes[i]!.startsWith(prefixes[i - 1]!)) throw invalidRequest(`Found overlapping prefixes '${prefixes[i]}' and '${prefixes[i - 1]}' for same action type '${kind}'`);
    }
  }
}
