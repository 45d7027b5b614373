// Metadata: what callers may ask of it, grouped by what it stores, and openMetadata(), which builds it
// on SQLite from one file per table group (meta-buckets, meta-objects, meta-uploads, meta-maintenance).
// Ops, gc, fsck and the part merger see only these interfaces; all SQL stays in the meta-*.ts files.
import type { Database } from "bun:sqlite";
import { bucketQueries } from "./meta-buckets.ts";
import { lifecycleQueries } from "./meta-lifecycle.ts";
import { maintenanceQueries } from "./meta-maintenance.ts";
import { objectQueries, objectRowWriter } from "./meta-objects.ts";
import type { BlobUser, BucketRow, CompletedUpload, DeleteOutcome, Grant, NewObjectRow, ObjectRow, PartRow, UploadRow, VersionRow } from "./meta-rows.ts";
import type { VersionCursor, VersioningStatus } from "./meta-versions.ts";
import { openDatabase, type MetadataOptions } from "./meta-schema.ts";
import { uploadQueries } from "./meta-uploads.ts";

export type { BlobUser, BucketRow, CompletedUpload, DeleteOutcome, Grant, Grantee, NewObjectRow, ObjectLock, ObjectRow, ObjectTag, PartRow, Permission, UploadRow, VersionRow } from "./meta-rows.ts";
export type { VersionCursor, VersioningStatus } from "./meta-versions.ts";
export { isVersionId, seqOfVersionId } from "./meta-versions.ts";
export { MIGRATIONS, SCHEMA_VERSION, type MetadataOptions } from "./meta-schema.ts";
export { prefixUpperBound, utf8Compare } from "./meta-order.ts";

/** Sees the object a write would replace, inside the write's transaction; throws to leave everything as it was. */
export type Precondition = (current: ObjectRow | undefined) => void;

/** Buckets and their subresource configurations. */
export interface BucketMetadata {
  /** Returns false (and changes nothing) when the bucket already existed; `configs` are stored with it, in one transaction. */
  createBucket(name: string, region: string, now: number, owner?: string, configs?: Record<string, unknown>): boolean;
  getBucket(name: string): BucketRow | undefined;
  /** Buckets in name order after `after`, starting with `prefix`, in `region` and owned by one of `owners` when given; at most `limit`. */
  listBuckets(options?: { after?: string; prefix?: string; region?: string; owners?: readonly string[]; limit?: number }): BucketRow[];
  isBucketEmpty(name: string): boolean;
  /** Deletes the bucket and any uploads still in progress in it (S3 does not count those as content). */
  deleteBucket(name: string): void;
  /** A bucket subresource's configuration (e.g. "cors"), as stored by setBucketConfig. */
  getBucketConfig<T>(bucket: string, name: string): T | undefined;
  /** Those of the named configurations the bucket has: one lookup, for what each request's authorization needs. */
  getBucketConfigs(bucket: string, names: readonly string[]): Record<string, unknown>;
  /** Stores a configuration; undefined removes it. */
  setBucketConfig(bucket: string, name: string, value: unknown): void;
}

/**
 * Objects: each key's current version, the versions behind it (with versioning on), and the parts of
 * multipart ones. Every write is one transaction and applies the bucket's versioning.
 */
export interface ObjectMetadata {
  /** The current version; undefined when there is none (or the latest is a delete marker). */
  getObject(bucket: string, key: string): ObjectRow | undefined;
  /** An object and whether its bucket exists: one lookup when the object is there. */
  findObject(bucket: string, key: string): { bucketExists: boolean; object: ObjectRow | undefined };
  /** Any version by id ("null" included): the current one, a noncurrent one, or a delete marker. */
  getVersion(bucket: string, key: string, versionId: string): VersionRow | undefined;
  /** The delete marker that is a key's latest version, if it is one. */
  latestDeleteMarker(bucket: string, key: string): VersionRow | undefined;
  versioningStatus(bucket: string): VersioningStatus | undefined;
  /** Writes a new current version (as the bucket's versioning has it) with its parts; returns its version id. */
  putObject(o: NewObjectRow, parts?: readonly PartRow[], precondition?: Precondition): string;
  /**
   * CopyObject: `build` sees the source (the current version, or the one named) and the destination
   * as they are now and returns the destination row, or throws. The copy shares the source's blob and
   * part rows; no bytes move. Returns the row written, with its version id.
   */
  copyObject(source: { bucket: string; key: string; versionId?: string }, destination: { bucket: string; key: string }, build: (source: VersionRow | ObjectRow | undefined, destination: ObjectRow | undefined) => NewObjectRow): ObjectRow;
  /**
   * Deletes a version by id, or (without one) the current version, which versioning turns into a new
   * delete marker. `allow` sees what would go, as it is now, and may refuse (false) or throw.
   */
  deleteObject(bucket: string, key: string, options: { versionId?: string; allow?: (target: ObjectRow | VersionRow | undefined) => boolean; markerOwner: string }): DeleteOutcome;
  /** DeleteObjects: every entry in one transaction, in order; `allow` as for deleteObject, entry by entry. */
  deleteObjects(bucket: string, entries: readonly { key: string; versionId?: string }[], allow: ((key: string, target: ObjectRow | VersionRow | undefined) => boolean) | undefined, markerOwner: string): DeleteOutcome[];
  /** Moves an object (row and parts) to another key of its bucket; `check` sees both ends and may throw. */
  renameObject(bucket: string, from: string, to: string, check: (source: ObjectRow | undefined, destination: ObjectRow | undefined) => void): ObjectRow;
  /**
   * Current objects of a bucket in key order that start with `prefix`, come after `after` and are at
   * least `from` (which lets a listing jump past a rolled-up common prefix), at most `limit`.
   */
  listObjects(bucket: string, prefix: string, after: string, limit: number, from?: string): IterableIterator<ObjectRow>;
  /** Every version and delete marker, in key order and newest first within a key, after `after`; as listObjects otherwise. */
  listVersions(bucket: string, prefix: string, after: VersionCursor, limit: number, from?: string): IterableIterator<VersionRow>;
  /** The parts of the current version, or of the version named. */
  getObjectParts(bucket: string, key: string, versionId?: string): PartRow[];
  /** Sets an object's ACL (null for the default) unless it was replaced since `etag` was read. Returns whether it applied. */
  setObjectAcl(bucket: string, key: string, etag: string, acl: Grant[] | null): boolean;
  /**
   * Replaces the tag set of one version, current or noncurrent (an empty set removes it), in one
   * transaction. Returns false, changing nothing, when no such version is there or it is a delete marker.
   */
  setObjectTags(bucket: string, key: string, versionId: string, tags: NonNullable<ObjectRow["tags"]>): boolean;
  /**
   * Sets one version's Object Lock retention and legal hold, current or noncurrent (no id: the current
   * one), in one transaction: `update` sees the version as it is now (undefined when it is gone or is a
   * delete marker) and returns what it is to hold, or throws to change nothing.
   */
  updateObjectLock(bucket: string, key: string, versionId: string | undefined, update: (version: ObjectRow | undefined) => Pick<ObjectRow, "lock" | "legalHold">): void;
  /** Rewrites the current version's stored headers in one transaction; `update` sees the row as it is now and may throw. */
  updateObjectHeaders(bucket: string, key: string, update: (current: ObjectRow | undefined) => Record<string, string>): void;
}

/** Multipart uploads in progress, their parts, and the answers of completed ones (kept for retries). */
export interface UploadMetadata {
  createUpload(u: UploadRow): void;
  getUpload(uploadId: string): UploadRow | undefined;
  putUploadPart(uploadId: string, p: PartRow): void;
  getUploadParts(uploadId: string): PartRow[];
  /** In one transaction: the object appears with its parts and the upload is gone. */
  /** The new version's id; false, and nothing written, when the upload is gone (aborted or completed meanwhile). */
  completeUpload(uploadId: string, o: NewObjectRow, parts: readonly PartRow[], precondition?: Precondition): string | false;
  /** The answer of an upload completed within the last week. */
  getCompletedUpload(uploadId: string): CompletedUpload | undefined;
  /** Removes an upload and its part rows (their blobs stay for gc). */
  deleteUpload(uploadId: string): void;
  /** Uploads of a bucket in (key, upload id) order, after a cursor; uploadId null means after every upload of that key. */
  listUploads(bucket: string, prefix: string, after: { key: string; uploadId: string | null }, limit: number, from?: string): IterableIterator<UploadRow>;
}

/** What the part merger, gc, fsck and reset() ask: the blobs rows rely on, and wholesale changes. */
export interface MaintenanceMetadata {
  /** Points a multipart object at the blob its parts were merged into, unless it was replaced meanwhile. Returns whether it applied. */
  mergeObject(o: Pick<ObjectRow, "bucket" | "key" | "etag" | "lastModified">, sha256: string): boolean;
  /** Multipart objects still read from their parts. */
  unmergedObjects(): { bucket: string; key: string }[];
  /** Deletes every object and upload in progress of every bucket; buckets stay. */
  clearObjects(): void;
  /** Whether any object, object part or upload part uses this blob. */
  isBlobReferenced(sha256: string): boolean;
  /** Uploads in progress created before `time` (epoch ms), oldest first. */
  uploadsCreatedBefore(time: number): UploadRow[];
  /** The database's own integrity check: ["ok"] when it is sound. */
  integrityCheck(): string[];
  /** Every blob rows rely on, with the size recorded for it, in address order; streamed. */
  referencedBlobs(): IterableIterator<{ sha256: string; size: number }>;
  referencedBytes(): number;
  /** Objects and uploads in progress that use the blob. */
  blobUsers(sha256: string): BlobUser[];
  /**
   * Removes the objects that use the blob, and the upload parts that do (their uploads stay, short of
   * that part). Versions Object Lock protects at `now` (a legal hold, or retention not yet over) stay
   * whatever their blob: `locked` counts them.
   */
  removeBlobUsers(sha256: string, now: number): { objects: number; uploadParts: number; locked: number };
}

/** What the lifecycle sweeper reads in batches: configured buckets, and the versions behind current ones. */
export interface LifecycleMetadata {
  /** Buckets holding the named configuration, with it, in name order after `after`; at most `limit`. */
  bucketsWithConfig(name: string, after: string, limit: number): { bucket: string; config: unknown }[];
  /** The current version's place among its key's versions (version_seq); undefined when there is none. */
  currentVersionSeq(bucket: string, key: string): number | undefined;
  /** Noncurrent versions and delete markers of keys starting with `prefix`, in (key, newest first) order, after the cursor; at most `limit`. */
  versionBatch(bucket: string, prefix: string, after: { key: string; seq: number } | undefined, limit: number): VersionRow[];
  /** How many noncurrent versions and delete markers a key has, counting no further than `cap`. */
  versionCount(bucket: string, key: string, cap: number): number;
  /** Rewrites a noncurrent version's stored headers, unless it is gone or is a delete marker. Returns whether it applied. */
  setVersionHeaders(bucket: string, key: string, versionId: string, seq: number, headers: Record<string, string>): boolean;
}

export interface Metadata extends BucketMetadata, ObjectMetadata, UploadMetadata, MaintenanceMetadata, LifecycleMetadata {
  close(): void;
}

/** Metadata on SQLite, with the database itself for tools that load it in bulk (the benchmark's seeding). */
export interface SqliteMetadata extends Metadata {
  readonly db: Database;
}

/** Opens (creating and migrating) the database at `path`; ":memory:" keeps it in the process. */
export function openMetadata(path: string, options: MetadataOptions = {}): SqliteMetadata {
  const m = openDatabase(path, options);
  const buckets = bucketQueries(m);
  const rows = objectRowWriter(m.db, (bucket) => buckets.getBucketConfig<{ Status?: VersioningStatus }>(bucket, "versioning")?.Status);
  return {
    db: m.db,
    ...buckets,
    ...objectQueries(m, rows),
    ...uploadQueries(m, rows),
    ...maintenanceQueries(m, rows),
    ...lifecycleQueries(m, rows),
    close: m.close,
  };
}
