// Metadata in SQLite (bun:sqlite, WAL): buckets and object rows. All SQL of s3lite lives here.
// Keys are TEXT compared with BINARY collation, i.e. UTF-8 byte order, which is S3's listing order.
import { Database } from "bun:sqlite";
import type { ChecksumAlgorithm } from "../checksums.ts";
import type { ChecksumType } from "../multipart-checksums.ts";
import type { FaultHook } from "./faults.ts";

export interface BucketRow {
  name: string;
  region: string;
  createdAt: number;
}

export interface ObjectRow {
  bucket: string;
  key: string;
  sha256: string;
  size: number;
  /** Quoted, as sent in the ETag header. */
  etag: string;
  lastModified: number;
  contentType: string;
  /** Stored content headers (content-encoding, cache-control, …), lower-case names. */
  headers: Record<string, string>;
  /** User metadata, names without the x-amz-meta- prefix. */
  metadata: Record<string, string>;
  checksumAlgorithm: ChecksumAlgorithm | null;
  /** For multipart objects with a COMPOSITE checksum, "<digest>-N". */
  checksumValue: string | null;
  checksumType: ChecksumType | null;
  /** 0 for an object written in one piece; N for a completed multipart upload of N parts. */
  partsCount: number;
}

/** One stored part of a multipart object or of an upload in progress. */
export interface PartRow {
  partNumber: number;
  /** The part's blob; '' once the object's parts were merged into one blob (objects.sha256). */
  sha256: string;
  size: number;
  /** Quoted MD5 of the part. */
  etag: string;
  lastModified: number;
  checksumValue: string | null;
}

/** An upload in progress: what CreateMultipartUpload was told, applied to the object on completion. */
export interface UploadRow extends Pick<ObjectRow, "bucket" | "key" | "contentType" | "headers" | "metadata" | "checksumAlgorithm" | "checksumType"> {
  uploadId: string;
  createdAt: number;
}

/** What a completed upload answered: enough to answer a retry of its completion the same way. */
export type CompletedUpload = Pick<ObjectRow, "bucket" | "key" | "etag" | "checksumAlgorithm" | "checksumValue" | "checksumType"> & { uploadId: string };

/** How long a completed upload's answer is kept for retries. */
const COMPLETED_UPLOAD_TTL_MS = 7 * 24 * 3600 * 1000;

interface PartRecord { part_number: number; sha256: string; size: number; etag: string; last_modified: number; checksum_value: string | null }
interface UploadRecord {
  upload_id: string; bucket: string; key: string; created_at: number; content_type: string; headers: string; metadata: string; checksum_algorithm: ChecksumAlgorithm | null; checksum_type: ChecksumType | null;
}

interface ObjectRecord {
  bucket: string; key: string; sha256: string; size: number; etag: string; last_modified: number;
  content_type: string; headers: string; metadata: string; checksum_algorithm: ChecksumAlgorithm | null; checksum_value: string | null;
  parts_count: number; checksum_type: ChecksumType | null;
}

/** Ordered migrations; entry i takes a database from user_version i to i + 1. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE buckets (
     name TEXT PRIMARY KEY,
     region TEXT NOT NULL,
     created_at INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE objects (
     bucket TEXT NOT NULL REFERENCES buckets(name),
     key TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     size INTEGER NOT NULL,
     etag TEXT NOT NULL,
     last_modified INTEGER NOT NULL,
     content_type TEXT NOT NULL,
     headers TEXT NOT NULL,
     metadata TEXT NOT NULL,
     checksum_algorithm TEXT,
     checksum_value TEXT,
     PRIMARY KEY (bucket, key)
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX objects_by_blob ON objects(sha256);`,
  // Multipart: uploads in progress with their parts, and completed objects kept as their parts
  // (objects.sha256 is '' for those), so completing an upload copies no bytes.
  `ALTER TABLE objects ADD COLUMN parts_count INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE object_parts (
     bucket TEXT NOT NULL,
     key TEXT NOT NULL,
     part_number INTEGER NOT NULL,
     sha256 TEXT NOT NULL,
     size INTEGER NOT NULL,
     etag TEXT NOT NULL,
     last_modified INTEGER NOT NULL,
     checksum_value TEXT,
     PRIMARY KEY (bucket, key, part_number),
     FOREIGN KEY (bucket, key) REFERENCES objects(bucket, key) ON DELETE CASCADE
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX object_parts_by_blob ON object_parts(sha256);
   CREATE TABLE uploads (
     upload_id TEXT PRIMARY KEY,
     bucket TEXT NOT NULL REFERENCES buckets(name),
     key TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     content_type TEXT NOT NULL,
     headers TEXT NOT NULL,
     metadata TEXT NOT NULL,
     checksum_algorithm TEXT
   ) STRICT;
   CREATE INDEX uploads_by_key ON uploads(bucket, key, upload_id);
   CREATE TABLE upload_parts (
     upload_id TEXT NOT NULL REFERENCES uploads(upload_id) ON DELETE CASCADE,
     part_number INTEGER NOT NULL,
     sha256 TEXT NOT NULL,
     size INTEGER NOT NULL,
     etag TEXT NOT NULL,
     last_modified INTEGER NOT NULL,
     checksum_value TEXT,
     PRIMARY KEY (upload_id, part_number)
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX upload_parts_by_blob ON upload_parts(sha256);`,
  // Multipart checksum types. Multipart objects are merged into one blob off the request path;
  // until then objects.sha256 is '' and the partial index finds them at start.
  `ALTER TABLE uploads ADD COLUMN checksum_type TEXT;
   ALTER TABLE objects ADD COLUMN checksum_type TEXT;
   CREATE INDEX objects_unmerged ON objects(bucket, key) WHERE sha256 = '';`,
  // Bucket subresources stored as the JSON of their parsed configuration (CORS so far).
  `CREATE TABLE bucket_configs (
     bucket TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,
     name TEXT NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (bucket, name)
   ) STRICT, WITHOUT ROWID;`,
  // What each completed upload answered, so a CompleteMultipartUpload retried after a lost response
  // gets the same answer, as on AWS. Kept for a week.
  `CREATE TABLE completed_uploads (
     upload_id TEXT PRIMARY KEY,
     bucket TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,
     key TEXT NOT NULL,
     etag TEXT NOT NULL,
     checksum_algorithm TEXT,
     checksum_value TEXT,
     checksum_type TEXT,
     completed_at INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX completed_uploads_by_time ON completed_uploads(completed_at);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

const toObjectRow = (r: ObjectRecord): ObjectRow => ({
  bucket: r.bucket, key: r.key, sha256: r.sha256, size: r.size, etag: r.etag, lastModified: r.last_modified,
  contentType: r.content_type, headers: JSON.parse(r.headers), metadata: JSON.parse(r.metadata),
  checksumAlgorithm: r.checksum_algorithm, checksumValue: r.checksum_value, checksumType: r.checksum_type, partsCount: r.parts_count,
});

const toPartRow = (r: PartRecord): PartRow => ({
  partNumber: r.part_number, sha256: r.sha256, size: r.size, etag: r.etag, lastModified: r.last_modified, checksumValue: r.checksum_value,
});

const toUploadRow = (r: UploadRecord): UploadRow => ({
  uploadId: r.upload_id, bucket: r.bucket, key: r.key, createdAt: r.created_at, contentType: r.content_type,
  headers: JSON.parse(r.headers), metadata: JSON.parse(r.metadata), checksumAlgorithm: r.checksum_algorithm, checksumType: r.checksum_type,
});

export interface MetadataOptions {
  /** Commit each transaction to the disk (synchronous=FULL), not only to the WAL file (NORMAL). */
  fsync?: boolean;
  /** Fault injection for tests: called inside each object write, just before its commit. */
  faults?: FaultHook;
}

export class Metadata {
  readonly db: Database;
  private readonly stmt;
  private readonly fault: FaultHook;

  /** Opens (creating and migrating) the database at `path`; ":memory:" for tests. */
  constructor(path: string, options: MetadataOptions = {}) {
    this.fault = options.faults ?? (() => {});
    this.db = new Database(path, { create: true, strict: true });
    // WAL with NORMAL survives a killed process (the WAL is in the OS's hands once written); FULL also
    // survives a power cut, at the price of an fsync per commit.
    const synchronous = options.fsync ? "FULL" : "NORMAL";
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;`);
    this.migrate();
    const db = this.db;
    this.stmt = {
      insertBucket: db.query<unknown, [string, string, number]>("INSERT OR IGNORE INTO buckets (name, region, created_at) VALUES (?, ?, ?)"),
      getBucket: db.query<{ name: string; region: string; created_at: number }, [string]>("SELECT name, region, created_at FROM buckets WHERE name = ?"),
      listBuckets: db.query<{ name: string; region: string; created_at: number }, [string, string, string | null, string | null, number]>(
        "SELECT name, region, created_at FROM buckets WHERE name > ?1 AND name >= ?2 AND (?3 IS NULL OR name < ?3) AND (?4 IS NULL OR region = ?4) ORDER BY name LIMIT ?5"),
      deleteBucket: db.query<unknown, [string]>("DELETE FROM buckets WHERE name = ?"),
      deleteBucketUploads: db.query<unknown, [string]>("DELETE FROM uploads WHERE bucket = ?"),
      anyObject: db.query<{ one: number }, [string]>("SELECT 1 AS one FROM objects WHERE bucket = ? LIMIT 1"),
      putObject: db.query<unknown, [string, string, string, number, string, number, string, string, string, string | null, string | null, string | null, number]>(
        `INSERT OR REPLACE INTO objects (bucket, key, sha256, size, etag, last_modified, content_type, headers, metadata, checksum_algorithm, checksum_value, checksum_type, parts_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      mergeObject: db.query<unknown, [string, string, string, string, number]>(
        "UPDATE objects SET sha256 = ? WHERE bucket = ? AND key = ? AND sha256 = '' AND etag = ? AND last_modified = ?"),
      clearPartBlobs: db.query<unknown, [string, string]>("UPDATE object_parts SET sha256 = '' WHERE bucket = ? AND key = ?"),
      unmerged: db.query<{ bucket: string; key: string }, []>("SELECT bucket, key FROM objects WHERE sha256 = ''"),
      blobReferenced: db.query<{ used: number }, [string]>(
        `SELECT EXISTS(SELECT 1 FROM objects WHERE sha256 = ?1) OR EXISTS(SELECT 1 FROM object_parts WHERE sha256 = ?1)
           OR EXISTS(SELECT 1 FROM upload_parts WHERE sha256 = ?1) AS used`),
      uploadsBefore: db.query<UploadRecord, [number]>("SELECT * FROM uploads WHERE created_at < ? ORDER BY created_at"),
      referencedBlobs: db.query<{ sha256: string; size: number }, []>(
        `SELECT sha256, size FROM objects WHERE sha256 != '' UNION SELECT sha256, size FROM object_parts WHERE sha256 != ''
         UNION SELECT sha256, size FROM upload_parts ORDER BY sha256`),
      blobObjectUsers: db.query<{ bucket: string; key: string }, [string]>(
        "SELECT bucket, key FROM objects WHERE sha256 = ?1 UNION SELECT bucket, key FROM object_parts WHERE sha256 = ?1 ORDER BY bucket, key"),
      blobUploadUsers: db.query<{ bucket: string; key: string; upload_id: string }, [string]>(
        "SELECT u.bucket, u.key, u.upload_id FROM upload_parts p JOIN uploads u USING (upload_id) WHERE p.sha256 = ? ORDER BY u.bucket, u.key"),
      deleteUploadPartsOfBlob: db.query<unknown, [string]>("DELETE FROM upload_parts WHERE sha256 = ?"),
      deleteObjectParts: db.query<unknown, [string, string]>("DELETE FROM object_parts WHERE bucket = ? AND key = ?"),
      insertObjectPart: db.query<unknown, [string, string, number, string, number, string, number, string | null]>(
        "INSERT INTO object_parts (bucket, key, part_number, sha256, size, etag, last_modified, checksum_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
      getObjectParts: db.query<PartRecord, [string, string]>("SELECT * FROM object_parts WHERE bucket = ? AND key = ? ORDER BY part_number"),
      insertUpload: db.query<unknown, [string, string, string, number, string, string, string, string | null, string | null]>(
        "INSERT INTO uploads (upload_id, bucket, key, created_at, content_type, headers, metadata, checksum_algorithm, checksum_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      listUploads: db.query<UploadRecord, [string, string | null, string, string, string | null, number]>(
        `SELECT * FROM uploads WHERE bucket = ?1 AND key >= ?4 AND (key > ?3 OR (key = ?3 AND ?2 IS NOT NULL AND upload_id > ?2)) AND (?5 IS NULL OR key < ?5)
         ORDER BY key, upload_id LIMIT ?6`),
      getUpload: db.query<UploadRecord, [string]>("SELECT * FROM uploads WHERE upload_id = ?"),
      insertCompleted: db.query<unknown, [string, string, string, string, string | null, string | null, string | null, number]>(
        "INSERT OR REPLACE INTO completed_uploads (upload_id, bucket, key, etag, checksum_algorithm, checksum_value, checksum_type, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
      getCompleted: db.query<{ upload_id: string; bucket: string; key: string; etag: string; checksum_algorithm: ChecksumAlgorithm | null; checksum_value: string | null; checksum_type: ChecksumType | null }, [string]>(
        "SELECT * FROM completed_uploads WHERE upload_id = ?"),
      pruneCompleted: db.query<unknown, [number]>("DELETE FROM completed_uploads WHERE completed_at < ?"),
      deleteUpload: db.query<unknown, [string]>("DELETE FROM uploads WHERE upload_id = ?"),
      putUploadPart: db.query<unknown, [string, number, string, number, string, number, string | null]>(
        "INSERT OR REPLACE INTO upload_parts (upload_id, part_number, sha256, size, etag, last_modified, checksum_value) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      getUploadParts: db.query<PartRecord, [string]>("SELECT * FROM upload_parts WHERE upload_id = ? ORDER BY part_number"),
      getObject: db.query<ObjectRecord, [string, string]>("SELECT * FROM objects WHERE bucket = ? AND key = ?"),
      getBucketConfig: db.query<{ body: string }, [string, string]>("SELECT body FROM bucket_configs WHERE bucket = ? AND name = ?"),
      putBucketConfig: db.query<unknown, [string, string, string]>("INSERT OR REPLACE INTO bucket_configs (bucket, name, body) VALUES (?, ?, ?)"),
      deleteBucketConfig: db.query<unknown, [string, string]>("DELETE FROM bucket_configs WHERE bucket = ? AND name = ?"),
      deleteObject: db.query<unknown, [string, string]>("DELETE FROM objects WHERE bucket = ? AND key = ?"),
      // One lower bound only: given two, SQLite seeks on one and filters the other row by row.
      listFrom: db.query<ObjectRecord, [string, string, number]>(
        "SELECT * FROM objects WHERE bucket = ? AND key >= ? ORDER BY key LIMIT ?"),
      listFromBounded: db.query<ObjectRecord, [string, string, string, number]>(
        "SELECT * FROM objects WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?"),
    };
  }

  private migrate(): void {
    const { user_version: version } = this.db.query<{ user_version: number }, []>("PRAGMA user_version").get()!;
    if (version > SCHEMA_VERSION) throw new Error(`The data folder was written by a newer s3lite (schema ${version}; this one knows ${SCHEMA_VERSION}).`);
    for (let v = version; v < SCHEMA_VERSION; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.exec(`PRAGMA user_version = ${v + 1}`);
      })();
    }
  }

  close(): void {
    this.db.close();
  }

  /** One transaction around an object write, with the fault seam at its commit. */
  private write<T>(body: () => T): T {
    return this.db.transaction(() => {
      const result = body();
      this.fault("commit");
      return result;
    })();
  }

  /** Returns false when the bucket already existed. */
  createBucket(name: string, region: string, now: number): boolean {
    return this.stmt.insertBucket.run(name, region, now).changes === 1;
  }

  getBucket(name: string): BucketRow | undefined {
    const r = this.stmt.getBucket.get(name);
    return r ? { name: r.name, region: r.region, createdAt: r.created_at } : undefined;
  }

  /** Buckets in name order after `after`, starting with `prefix`, in `region` when given; at most `limit`. */
  listBuckets(options: { after?: string; prefix?: string; region?: string; limit?: number } = {}): BucketRow[] {
    const prefix = options.prefix ?? "";
    return this.stmt.listBuckets.all(options.after ?? "", prefix, prefixUpperBound(prefix) ?? null, options.region ?? null, options.limit ?? -1)
      .map((r) => ({ name: r.name, region: r.region, createdAt: r.created_at }));
  }

  isBucketEmpty(name: string): boolean {
    return this.stmt.anyObject.get(name) === null;
  }

  /** Deletes the bucket and any uploads still in progress in it (S3 does not count those as content). */
  deleteBucket(name: string): void {
    this.db.transaction(() => {
      this.stmt.deleteBucketUploads.run(name);
      this.stmt.deleteBucket.run(name);
    })();
  }

  /**
   * Writes an object row, replacing any previous version and its parts; `parts` for multipart objects.
   * `precondition` sees the object it would replace and may throw, which leaves everything as it was.
   */
  putObject(o: ObjectRow, parts: readonly PartRow[] = [], precondition?: (current: ObjectRow | undefined) => void): void {
    this.write(() => {
      precondition?.(this.getObject(o.bucket, o.key));
      this.writeObject(o, parts);
    });
  }

  private writeObject(o: ObjectRow, parts: readonly PartRow[]): void {
    this.stmt.deleteObjectParts.run(o.bucket, o.key);
    this.stmt.putObject.run(o.bucket, o.key, o.sha256, o.size, o.etag, o.lastModified, o.contentType,
      JSON.stringify(o.headers), JSON.stringify(o.metadata), o.checksumAlgorithm, o.checksumValue, o.checksumType, o.partsCount);
    for (const p of parts) this.stmt.insertObjectPart.run(o.bucket, o.key, p.partNumber, p.sha256, p.size, p.etag, p.lastModified, p.checksumValue);
  }

  /**
   * CopyObject as one transaction: `build` sees the source and the destination as they are now and returns
   * the destination row, or throws to leave everything as it was. The copy shares the source's blob
   * and part rows; no bytes move.
   */
  copyObject(source: { bucket: string; key: string }, destination: { bucket: string; key: string }, build: (current: ObjectRow | undefined, destination: ObjectRow | undefined) => ObjectRow): ObjectRow {
    return this.write(() => {
      const current = this.getObject(source.bucket, source.key);
      const parts = current && current.partsCount > 0 ? this.getObjectParts(source.bucket, source.key) : [];
      const row = build(current, this.getObject(destination.bucket, destination.key));
      this.writeObject(row, parts);
      return row;
    });
  }

  getObjectParts(bucket: string, key: string): PartRow[] {
    return this.stmt.getObjectParts.all(bucket, key).map(toPartRow);
  }

  createUpload(u: UploadRow): void {
    this.stmt.insertUpload.run(u.uploadId, u.bucket, u.key, u.createdAt, u.contentType, JSON.stringify(u.headers), JSON.stringify(u.metadata), u.checksumAlgorithm, u.checksumType);
  }

  getUpload(uploadId: string): UploadRow | undefined {
    const r = this.stmt.getUpload.get(uploadId);
    return r ? toUploadRow(r) : undefined;
  }

  /** Removes an upload and its part rows (their blobs stay for gc). */
  deleteUpload(uploadId: string): void {
    this.stmt.deleteUpload.run(uploadId);
  }

  putUploadPart(uploadId: string, p: PartRow): void {
    this.write(() => this.stmt.putUploadPart.run(uploadId, p.partNumber, p.sha256, p.size, p.etag, p.lastModified, p.checksumValue));
  }

  getUploadParts(uploadId: string): PartRow[] {
    return this.stmt.getUploadParts.all(uploadId).map(toPartRow);
  }

  /**
   * Completes an upload in one transaction: the object appears with its parts and the upload is gone.
   * `precondition` sees the object it would replace and may throw, which leaves everything as it was.
   */
  completeUpload(uploadId: string, o: ObjectRow, parts: readonly PartRow[], precondition?: (current: ObjectRow | undefined) => void): void {
    this.write(() => {
      precondition?.(this.getObject(o.bucket, o.key));
      this.writeObject(o, parts);
      this.stmt.deleteUpload.run(uploadId);
      this.stmt.pruneCompleted.run(o.lastModified - COMPLETED_UPLOAD_TTL_MS);
      this.stmt.insertCompleted.run(uploadId, o.bucket, o.key, o.etag, o.checksumAlgorithm, o.checksumValue, o.checksumType, o.lastModified);
    });
  }

  /** The answer of an upload completed within the last week. */
  getCompletedUpload(uploadId: string): CompletedUpload | undefined {
    const r = this.stmt.getCompleted.get(uploadId);
    return r ? { uploadId: r.upload_id, bucket: r.bucket, key: r.key, etag: r.etag, checksumAlgorithm: r.checksum_algorithm, checksumValue: r.checksum_value, checksumType: r.checksum_type } : undefined;
  }

  /** Uploads in progress of a bucket in (key, upload id) order, after a cursor; uploadId null means after every upload of that key. */
  listUploads(bucket: string, prefix: string, after: { key: string; uploadId: string | null }, limit: number, from = prefix): IterableIterator<UploadRow> {
    // The index seeks to the later of the cursor's key and `from`; the cursor's upload id filters its key's rows.
    const lower = utf8Compare(after.key, from) > 0 ? after.key : from;
    return mapRows(this.stmt.listUploads.iterate(bucket, after.uploadId, after.key, lower, prefixUpperBound(prefix) ?? null, limit), toUploadRow);
  }

  /**
   * Points a multipart object at the one blob its parts were merged into. Guarded by the ETag and
   * time it was merged from: an object overwritten meanwhile is left alone. Returns whether it applied.
   */
  mergeObject(o: Pick<ObjectRow, "bucket" | "key" | "etag" | "lastModified">, sha256: string): boolean {
    return this.write(() => {
      if (this.stmt.mergeObject.run(sha256, o.bucket, o.key, o.etag, o.lastModified).changes === 0) return false;
      this.stmt.clearPartBlobs.run(o.bucket, o.key);
      return true;
    });
  }

  /** Deletes every object and upload in progress of every bucket; buckets stay. */
  clearObjects(): void {
    this.db.transaction(() => this.db.exec("DELETE FROM objects; DELETE FROM uploads;"))();
  }

  /** Whether any object, object part or upload part uses this blob: gc's test, one indexed lookup each. */
  isBlobReferenced(sha256: string): boolean {
    return this.stmt.blobReferenced.get(sha256)!.used === 1;
  }

  /** Uploads in progress created before `time` (epoch ms), oldest first. */
  uploadsCreatedBefore(time: number): UploadRow[] {
    return this.stmt.uploadsBefore.all(time).map(toUploadRow);
  }

  /** SQLite's own integrity check: ["ok"] when the database is sound. */
  integrityCheck(): string[] {
    return this.db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").all().map((r) => r.integrity_check);
  }

  /** Every blob metadata relies on, with the size recorded for it, in address order; streamed. */
  referencedBlobs(): IterableIterator<{ sha256: string; size: number }> {
    return this.stmt.referencedBlobs.iterate();
  }

  referencedBytes(): number {
    return this.db.query<{ total: number | null }, []>(
      `SELECT SUM(size) AS total FROM (SELECT sha256, size FROM objects WHERE sha256 != '' UNION SELECT sha256, size FROM object_parts WHERE sha256 != ''
       UNION SELECT sha256, size FROM upload_parts)`).get()!.total ?? 0;
  }

  /** Objects and uploads in progress that use the blob. */
  blobUsers(sha256: string): { bucket: string; key: string; uploadId?: string }[] {
    return [
      ...this.stmt.blobObjectUsers.all(sha256),
      ...this.stmt.blobUploadUsers.all(sha256).map((u) => ({ bucket: u.bucket, key: u.key, uploadId: u.upload_id })),
    ];
  }

  /** Removes the objects that use the blob, and the upload parts that do (their uploads stay, short of that part). */
  removeBlobUsers(sha256: string): { objects: number; uploadParts: number } {
    return this.db.transaction(() => {
      const objects = this.stmt.blobObjectUsers.all(sha256);
      for (const o of objects) this.stmt.deleteObject.run(o.bucket, o.key);
      const uploadParts = this.stmt.deleteUploadPartsOfBlob.run(sha256).changes;
      return { objects: objects.length, uploadParts };
    })();
  }

  /** Multipart objects still read from their parts. */
  unmergedObjects(): { bucket: string; key: string }[] {
    return this.stmt.unmerged.all();
  }

  getObject(bucket: string, key: string): ObjectRow | undefined {
    const r = this.stmt.getObject.get(bucket, key);
    return r ? toObjectRow(r) : undefined;
  }

  /**
   * An object and whether its bucket exists. An object row proves its bucket (the foreign key), so a
   * hit costs one lookup and only a miss asks for the bucket. (A LEFT JOIN doing both was slower.)
   */
  findObject(bucket: string, key: string): { bucketExists: boolean; object: ObjectRow | undefined } {
    const object = this.getObject(bucket, key);
    return { bucketExists: object !== undefined || this.stmt.getBucket.get(bucket) !== null, object };
  }

  /**
   * Deletes an object unless `allow` (which sees it as it is inside the transaction) returns false
   * or throws. Returns whether a row went.
   */
  deleteObject(bucket: string, key: string, allow?: (current: ObjectRow | undefined) => boolean): boolean {
    return this.write(() => {
      if (allow && !allow(this.getObject(bucket, key))) return false;
      return this.stmt.deleteObject.run(bucket, key).changes > 0;
    });
  }

  /**
   * Moves an object (its row and parts) to another key of its bucket in one transaction. `check` sees
   * the source and the destination as they are now and may throw, which leaves both as they were.
   */
  renameObject(bucket: string, from: string, to: string, check: (source: ObjectRow | undefined, destination: ObjectRow | undefined) => void): ObjectRow {
    return this.write(() => {
      const source = this.getObject(bucket, from);
      check(source, this.getObject(bucket, to));
      const moved = { ...source!, key: to };
      this.writeObject(moved, this.getObjectParts(bucket, from));
      this.stmt.deleteObject.run(bucket, from);
      return moved;
    });
  }

  /** A bucket subresource's configuration (e.g. "cors"), as stored by setBucketConfig. */
  getBucketConfig<T>(bucket: string, name: string): T | undefined {
    const r = this.stmt.getBucketConfig.get(bucket, name);
    return r ? (JSON.parse(r.body) as T) : undefined;
  }

  /** Stores a configuration; undefined removes it. */
  setBucketConfig(bucket: string, name: string, value: unknown): void {
    if (value === undefined) this.stmt.deleteBucketConfig.run(bucket, name);
    else this.stmt.putBucketConfig.run(bucket, name, JSON.stringify(value));
  }

  /** DeleteObjects: every key in one transaction; `allow` as for deleteObject, key by key. */
  deleteObjects(bucket: string, keys: readonly string[], allow?: (key: string, current: ObjectRow | undefined) => boolean): void {
    this.write(() => {
      for (const key of keys) {
        if (!allow || allow(key, this.getObject(bucket, key))) this.stmt.deleteObject.run(bucket, key);
      }
    });
  }

  /**
   * Objects of a bucket in key order that start with `prefix`, come after `after` and are at least
   * `from` (which lets a listing jump past a rolled-up common prefix), at most `limit`.
   */
  listObjects(bucket: string, prefix: string, after: string, limit: number, from = prefix): IterableIterator<ObjectRow> {
    // "key > after" is exactly "key >= after + NUL", the least string above it in byte order.
    const lower = after !== "" && utf8Compare(after + "\0", from) > 0 ? after + "\0" : from;
    const upper = prefixUpperBound(prefix);
    const rows = upper === undefined
      ? this.stmt.listFrom.iterate(bucket, lower, limit)
      : this.stmt.listFromBounded.iterate(bucket, lower, upper, limit);
    return mapRows(rows, toObjectRow);
  }
}

/** Rows converted as they are stepped: a listing that stops early reads no further. */
function* mapRows<R, T>(rows: IterableIterator<R>, convert: (row: R) => T): IterableIterator<T> {
  for (const row of rows) yield convert(row);
}

/** Compares as SQLite's BINARY collation does: UTF-8 bytes, not UTF-16 code units as JS's < does. */
export function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * The least string greater than every string that starts with `prefix`: its last code point plus one.
 * UTF-8 keeps code point order, so this bound holds in SQLite's byte order. Undefined means no bound.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const chars = [...prefix];
  while (chars.length > 0) {
    const last = chars.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return chars.join("") + String.fromCodePoint(next);
    }
  }
  return undefined;
}
