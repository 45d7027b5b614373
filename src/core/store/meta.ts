// Metadata: what callers may ask of it, grouped by what it stores, and openMetadata(), which builds it
// on SQLite from one file per table group (meta-buckets, meta-objects, meta-uploads, meta-maintenance).
// Ops, gc, fsck and the part merger see only these interfaces; all SQL stays in the meta-*.ts files.
import type { Database } from "bun:sqlite";
import { bucketQueries } from "./meta-buckets.ts";
import { maintenanceQueries } from "./meta-maintenance.ts";
import { objectQueries, objectRowWriter } from "./meta-objects.ts";
import type { BlobUser, BucketRow, CompletedUpload, Grant, ObjectRow, PartRow, UploadRow } from "./meta-rows.ts";
import { openDatabase, type MetadataOptions } from "./meta-schema.ts";
import { uploadQueries } from "./meta-uploads.ts";

export type { BlobUser, BucketRow, CompletedUpload, Grant, Grantee, ObjectRow, PartRow, Permission, UploadRow } from "./meta-rows.ts";
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

/** Objects and the parts of multipart ones. Every write is one transaction. */
export interface ObjectMetadata {
  getObject(bucket: string, key: string): ObjectRow | undefined;
  /** An object and whether its bucket exists: one lookup when the object is there. */
  findObject(bucket: string, key: string): { bucketExists: boolean; object: ObjectRow | undefined };
  /** Writes an object row, replacing any previous version and its parts; `parts` for multipart objects. */
  putObject(o: ObjectRow, parts?: readonly PartRow[], precondition?: Precondition): void;
  /**
   * CopyObject: `build` sees the source and the destination as they are now and returns the
   * destination row, or throws. The copy shares the source's blob and part rows; no bytes move.
   */
  copyObject(source: { bucket: string; key: string }, destination: { bucket: string; key: string }, build: (current: ObjectRow | undefined, destination: ObjectRow | undefined) => ObjectRow): ObjectRow;
  /** Deletes an object unless `allow` (which sees it as it is now) returns false or throws. Returns whether a row went. */
  deleteObject(bucket: string, key: string, allow?: (current: ObjectRow | undefined) => boolean): boolean;
  /** DeleteObjects: every key in one transaction; `allow` as for deleteObject, key by key. */
  deleteObjects(bucket: string, keys: readonly string[], allow?: (key: string, current: ObjectRow | undefined) => boolean): void;
  /** Moves an object (row and parts) to another key of its bucket; `check` sees both ends and may throw. */
  renameObject(bucket: string, from: string, to: string, check: (source: ObjectRow | undefined, destination: ObjectRow | undefined) => void): ObjectRow;
  /**
   * Objects of a bucket in key order that start with `prefix`, come after `after` and are at least
   * `from` (which lets a listing jump past a rolled-up common prefix), at most `limit`.
   */
  listObjects(bucket: string, prefix: string, after: string, limit: number, from?: string): IterableIterator<ObjectRow>;
  getObjectParts(bucket: string, key: string): PartRow[];
  /** Sets an object's ACL (null for the default) unless it was replaced since `etag` was read. Returns whether it applied. */
  setObjectAcl(bucket: string, key: string, etag: string, acl: Grant[] | null): boolean;
  /** Replaces an object's stored headers with what `update` returns; `update` sees the object as it is now and may throw, which changes nothing. */
  updateObjectHeaders(bucket: string, key: string, update: (current: ObjectRow | undefined) => Record<string, string>): void;
}

/** Multipart uploads in progress, their parts, and the answers of completed ones (kept for retries). */
export interface UploadMetadata {
  createUpload(u: UploadRow): void;
  getUpload(uploadId: string): UploadRow | undefined;
  putUploadPart(uploadId: string, p: PartRow): void;
  getUploadParts(uploadId: string): PartRow[];
  /** In one transaction: the object appears with its parts and the upload is gone. */
  /** False, and nothing written, when the upload is gone (aborted or completed meanwhile). */
  completeUpload(uploadId: string, o: ObjectRow, parts: readonly PartRow[], precondition?: Precondition): boolean;
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
  /** Removes the objects that use the blob, and the upload parts that do (their uploads stay, short of that part). */
  removeBlobUsers(sha256: string): { objects: number; uploadParts: number };
}

export interface Metadata extends BucketMetadata, ObjectMetadata, UploadMetadata, MaintenanceMetadata {
  close(): void;
}

/** Metadata on SQLite, with the database itself for tools that load it in bulk (the benchmark's seeding). */
export interface SqliteMetadata extends Metadata {
  readonly db: Database;
}

/** Opens (creating and migrating) the database at `path`; ":memory:" keeps it in the process. */
export function openMetadata(path: string, options: MetadataOptions = {}): SqliteMetadata {
  const m = openDatabase(path, options);
  const rows = objectRowWriter(m.db);
  return {
    db: m.db,
    ...bucketQueries(m),
    ...objectQueries(m, rows),
    ...uploadQueries(m, rows),
    ...maintenanceQueries(m, rows),
    close: () => m.db.close(),
  };
}
