// The lifecycle sweeper: applies every bucket's enabled rules at a given time, as S3's background process
// does, and reports what it did (never prints). Batches from cursors, never a whole bucket; each change is
// its own transaction, checked against the row as it is then, so a version written since is left alone.
import { logger } from "./log.ts";
import {
  coveringPrefixes, dueAfter, dueAt, LIFECYCLE_CONFIG, matchesFilter, transitionTarget,
  type LifecycleRule, type MinimumTransitionSize, type StoredLifecycle,
} from "./lifecycle-rules.ts";
import type { Metadata, ObjectRow, VersionRow } from "./store/meta.ts";

const log = logger("lifecycle");
const BATCH = 500;
const STORAGE_CLASS = "x-amz-storage-class";

export interface LifecycleReport {
  /** Buckets with a lifecycle configuration. */
  buckets: number;
  /** Current versions removed (unversioned buckets). */
  expired: number;
  /** Current versions covered by a delete marker (versioned and suspended buckets). */
  deleteMarkersAdded: number;
  /** Noncurrent versions (and noncurrent delete markers) removed for good. */
  noncurrentExpired: number;
  /** Expired object delete markers removed: the only version left of their key. */
  deleteMarkersRemoved: number;
  uploadsAborted: number;
  /** Storage class changes, current and noncurrent versions. */
  transitioned: number;
}

export interface SweepOptions {
  /** Stops between batches (the server is stopping); what was done so far is reported. */
  signal?: AbortSignal;
  batchSize?: number;
}

/** Applies the enabled lifecycle rules of every bucket as they stand at `now` (epoch ms). */
export async function sweepLifecycle(meta: Metadata, now: number, options: SweepOptions = {}): Promise<LifecycleReport> {
  const report: LifecycleReport = { buckets: 0, expired: 0, deleteMarkersAdded: 0, noncurrentExpired: 0, deleteMarkersRemoved: 0, uploadsAborted: 0, transitioned: 0 };
  const sweep = { meta, now, report, batch: options.batchSize ?? BATCH, signal: options.signal };
  for (let after = ""; ;) {
    const configs = meta.bucketsWithConfig(LIFECYCLE_CONFIG, after, 100);
    for (const { bucket, config } of configs) {
      if (options.signal?.aborted) return report;
      report.buckets++;
      const stored = config as StoredLifecycle;
      const rules = stored.rules.filter((r) => r.enabled);
      const owner = meta.getBucket(bucket)?.owner;
      if (rules.length === 0 || owner === undefined) continue;
      const b: BucketSweep = { ...sweep, bucket, owner, rules, minimum: stored.minimumTransitionSize };
      await sweepCurrent(b);
      if (meta.versioningStatus(bucket) !== undefined) await sweepVersions(b);
      await sweepUploads(b);
    }
    if (configs.length < 100) return report;
    after = configs.at(-1)!.bucket;
  }
}

interface BucketSweep {
  meta: Metadata;
  now: number;
  report: LifecycleReport;
  batch: number;
  signal?: AbortSignal;
  bucket: string;
  /** Delete markers the sweeper adds are the bucket owner's, as on AWS. */
  owner: string;
  rules: LifecycleRule[];
  minimum: MinimumTransitionSize;
}

/** Lets requests in between batches: SQLite calls are synchronous. */
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The same version as read, not a newer one written since (or the same key rewritten in place). */
const sameVersion = (a: ObjectRow | undefined, b: ObjectRow) => a !== undefined && a.versionId === b.versionId && a.etag === b.etag && a.lastModified === b.lastModified;

const isLocked = (v: ObjectRow, now: number) => v.legalHold === true || (v.lock !== undefined && v.lock.retainUntil > now);

/**
 * Current versions: expiration (removal, or a delete marker where versioning is on, as a DELETE without
 * a version id would) wins over a transition; otherwise the coldest transition due changes the class.
 */
async function sweepCurrent(b: BucketSweep): Promise<void> {
  const rules = b.rules.filter((r) => r.expiration?.days !== undefined || r.expiration?.date !== undefined || r.transitions.length > 0);
  for (const prefix of coveringPrefixes(rules.map((r) => r.filter.prefix))) {
    for (let after = ""; ;) {
      if (b.signal?.aborted) return;
      const batch = [...b.meta.listObjects(b.bucket, prefix, after, b.batch)];
      for (const o of batch) applyToCurrent(b, rules, o);
      if (batch.length < b.batch) break;
      after = batch.at(-1)!.key;
      await pause();
    }
  }
}

function applyToCurrent(b: BucketSweep, rules: readonly LifecycleRule[], o: ObjectRow): void {
  const matching = rules.filter((r) => matchesFilter(r.filter, o));
  const expires = matching.some((r) => r.expiration && (r.expiration.days !== undefined || r.expiration.date !== undefined) && dueAt(r.expiration, o.lastModified) <= b.now);
  if (expires) {
    const outcome = b.meta.deleteObject(b.bucket, o.key, { allow: (target) => sameVersion(target, o), markerOwner: b.owner });
    if (outcome.changed) outcome.deleteMarker ? b.report.deleteMarkersAdded++ : b.report.expired++;
    return;
  }
  const candidates = matching.flatMap((rule) => rule.transitions.map((transition) => ({ rule, transition, at: dueAt(transition, o.lastModified) })));
  const target = transitionTarget(candidates, { size: o.size, storageClass: o.headers[STORAGE_CLASS] ?? "STANDARD" }, b.now, b.minimum);
  if (target === undefined) return;
  let changed = false;
  b.meta.updateObjectHeaders(b.bucket, o.key, (current) => {
    if (!current || !sameVersion(current, o)) return current?.headers ?? {};
    changed = true;
    return { ...current.headers, [STORAGE_CLASS]: target };
  });
  if (changed) b.report.transitioned++;
}

/** Where a key's walk through its versions is: what came before (newer) decides for what comes next. */
interface KeyState {
  key: string;
  /** The next newer version's version_seq (microseconds): a version became noncurrent when it was written. */
  successorSeq: number | undefined;
  /** Noncurrent versions newer than the next one, for NewerNoncurrentVersions. */
  newerNoncurrent: number;
}

/**
 * Versions behind the current ones, newest first within a key: noncurrent versions expire (beyond the
 * NewerNoncurrentVersions newest) or transition by how long they have been noncurrent, and a delete
 * marker that is the only version left of its key goes (ExpiredObjectDeleteMarker, or an Expiration
 * by Days or Date once due for the marker). Versions Object Lock protects stay.
 */
async function sweepVersions(b: BucketSweep): Promise<void> {
  const rules = b.rules.filter((r) => r.expiration !== undefined || r.noncurrentExpiration !== undefined || r.noncurrentTransitions.length > 0);
  for (const prefix of coveringPrefixes(rules.map((r) => r.filter.prefix))) {
    let state: KeyState | undefined;
    for (let after: { key: string; seq: number } | undefined; ;) {
      if (b.signal?.aborted) return;
      const batch = b.meta.versionBatch(b.bucket, prefix, after, b.batch);
      for (const v of batch) {
        if (state?.key !== v.key) state = { key: v.key, successorSeq: b.meta.currentVersionSeq(b.bucket, v.key), newerNoncurrent: 0 };
        applyToVersion(b, rules, v, state);
      }
      if (batch.length < b.batch) break;
      after = { key: batch.at(-1)!.key, seq: batch.at(-1)!.seq };
      await pause();
    }
  }
}

function applyToVersion(b: BucketSweep, rules: readonly LifecycleRule[], v: VersionRow, state: KeyState): void {
  const matching = rules.filter((r) => matchesFilter(r.filter, v));
  if (state.successorSeq === undefined) {
    // No current version and nothing newer: this is the key's latest version, a delete marker.
    state.successorSeq = v.seq;
    if (v.deleteMarker && matching.some((r) => isExpiredMarkerDue(r, v, b.now)) && b.meta.versionCount(b.bucket, v.key, 2) === 1) {
      const outcome = b.meta.deleteObject(b.bucket, v.key, { versionId: v.versionId, allow: (t) => t !== undefined && "seq" in t && t.seq === v.seq, markerOwner: b.owner });
      if (outcome.changed) b.report.deleteMarkersRemoved++;
    }
    return;
  }
  const noncurrentSince = Math.floor(state.successorSeq / 1000);
  const newer = state.newerNoncurrent;
  state.successorSeq = v.seq;
  const expires = matching.some((r) => r.noncurrentExpiration && dueAfter(noncurrentSince, r.noncurrentExpiration.days) <= b.now
    && newer >= (r.noncurrentExpiration.newerVersions ?? 0));
  if (expires && !isLocked(v, b.now)) {
    const outcome = b.meta.deleteObject(b.bucket, v.key, {
      versionId: v.versionId, markerOwner: b.owner,
      allow: (t) => t !== undefined && "seq" in t && t.seq === v.seq && !isLocked(t, b.now),
    });
    if (outcome.changed) { b.report.noncurrentExpired++; return; }
  }
  state.newerNoncurrent++;
  if (v.deleteMarker) return;
  const candidates = matching.flatMap((rule) => rule.noncurrentTransitions
    .filter((t) => newer >= (t.newerVersions ?? 0))
    .map((transition) => ({ rule, transition, at: dueAfter(noncurrentSince, transition.days) })));
  const target = transitionTarget(candidates, { size: v.size, storageClass: v.headers[STORAGE_CLASS] ?? "STANDARD" }, b.now, b.minimum);
  if (target !== undefined && b.meta.setVersionHeaders(b.bucket, v.key, v.versionId, v.seq, { ...v.headers, [STORAGE_CLASS]: target })) b.report.transitioned++;
}

/** ExpiredObjectDeleteMarker at once; an Expiration by Days or Date once it would have expired the marker itself. */
function isExpiredMarkerDue(rule: LifecycleRule, marker: VersionRow, now: number): boolean {
  const e = rule.expiration;
  if (!e) return false;
  if (e.expiredObjectDeleteMarker) return true;
  return (e.days !== undefined || e.date !== undefined) && dueAt(e, marker.lastModified) <= now;
}

/** AbortIncompleteMultipartUpload: uploads started DaysAfterInitiation ago (to the next midnight UTC). */
async function sweepUploads(b: BucketSweep): Promise<void> {
  const rules = b.rules.filter((r) => r.abortAfterDays !== undefined);
  for (const prefix of coveringPrefixes(rules.map((r) => r.filter.prefix))) {
    for (let after = { key: "", uploadId: null as string | null }; ;) {
      if (b.signal?.aborted) return;
      const batch = [...b.meta.listUploads(b.bucket, prefix, after, b.batch)];
      for (const u of batch) {
        const due = rules.some((r) => u.key.startsWith(r.filter.prefix) && dueAfter(u.createdAt, r.abortAfterDays!) <= b.now);
        if (!due) continue;
        b.meta.deleteUpload(u.uploadId);
        b.report.uploadsAborted++;
      }
      if (batch.length < b.batch) break;
      after = { key: batch.at(-1)!.key, uploadId: batch.at(-1)!.uploadId };
      await pause();
    }
  }
}

/** A sweeper on a timer: one sweep at a time, at start and every `intervalMs`; `run()` asks for one now. */
export class LifecycleSweeper {
  private running: Promise<LifecycleReport> | undefined;
  /** Sweeps asked for and not yet done. */
  private pending = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly stopping = new AbortController();

  constructor(private readonly meta: Metadata, private readonly clock: () => number) {}

  /** Sweeps now and then every `intervalMs` (0: never by itself). */
  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    void this.background();
    this.timer = setInterval(() => void this.background(), intervalMs);
    this.timer.unref?.();
  }

  /** One sweep at the clock's time, after any sweep under way. */
  run(): Promise<LifecycleReport> {
    const previous = this.running?.catch(() => undefined) ?? Promise.resolve();
    this.pending++;
    const next = previous.then(() => {
      if (this.stopping.signal.aborted) throw new Error("the server is stopping");
      return sweepLifecycle(this.meta, this.clock(), { signal: this.stopping.signal });
    }).finally(() => { this.pending--; });
    this.running = next;
    return next;
  }

  /** No sweep starts again; the one under way stops after its batch. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }

  private async background(): Promise<void> {
    // A timer firing while a sweep still runs is skipped rather than queued.
    if (this.pending > 0) return;
    try {
      const report = await this.run();
      const changed = report.expired + report.deleteMarkersAdded + report.noncurrentExpired + report.deleteMarkersRemoved + report.uploadsAborted + report.transitioned;
      if (changed > 0) log.info("sweep", report);
    } catch (error) {
      if (!this.stopping.signal.aborted) log.error("sweep failed", error);
    }
  }
}
