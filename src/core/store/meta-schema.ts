// The metadata database: its schema as ordered migrations, opening (pragmas, migrating) and the one
// transaction helper every write goes through, with the fault seam at its commit. No queries here.
import { Database } from "bun:sqlite";
import type { FaultHook } from "./faults.ts";
import { startCheckpointer } from "./meta-checkpoint.ts";

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
  // Owners and ACLs. Rows from before keep '' (the first configured user) and the default ACL;
  // their buckets were made as AWS makes buckets since 2023: ACLs disabled, public access blocked.
  `ALTER TABLE buckets ADD COLUMN owner TEXT NOT NULL DEFAULT '';
   ALTER TABLE objects ADD COLUMN owner TEXT NOT NULL DEFAULT '';
   ALTER TABLE objects ADD COLUMN acl TEXT;
   ALTER TABLE uploads ADD COLUMN owner TEXT NOT NULL DEFAULT '';
   ALTER TABLE uploads ADD COLUMN initiator TEXT NOT NULL DEFAULT '';
   ALTER TABLE uploads ADD COLUMN acl TEXT;
   INSERT OR IGNORE INTO bucket_configs (bucket, name, body) SELECT name, 'ownershipControls', '{"ObjectOwnership":"BucketOwnerEnforced"}' FROM buckets;
   INSERT OR IGNORE INTO bucket_configs (bucket, name, body) SELECT name, 'publicAccessBlock', '{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}' FROM buckets;`,
  // Versions, with the tags, retention and legal hold each version has. objects keeps each key's current version (what reads, listings and the merger see);
  // object_versions holds the others, noncurrent versions and delete markers, newest first by
  // version_seq; a key whose latest version is a delete marker has no objects row. Rows from before
  // are each key's "null" version.
  `ALTER TABLE objects ADD COLUMN version_id TEXT NOT NULL DEFAULT 'null';
   ALTER TABLE objects ADD COLUMN version_seq INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE objects ADD COLUMN tags TEXT;
   ALTER TABLE objects ADD COLUMN lock_mode TEXT;
   ALTER TABLE objects ADD COLUMN lock_until INTEGER;
   ALTER TABLE objects ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE uploads ADD COLUMN tags TEXT;
   ALTER TABLE uploads ADD COLUMN lock_mode TEXT;
   ALTER TABLE uploads ADD COLUMN lock_until INTEGER;
   ALTER TABLE uploads ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0;
   UPDATE objects SET version_seq = last_modified * 1000;
   CREATE TABLE object_versions (
     bucket TEXT NOT NULL REFERENCES buckets(name),
     key TEXT NOT NULL,
     version_id TEXT NOT NULL,
     version_seq INTEGER NOT NULL,
     delete_marker INTEGER NOT NULL,
     sha256 TEXT NOT NULL,
     size INTEGER NOT NULL,
     etag TEXT NOT NULL,
     last_modified INTEGER NOT NULL,
     content_type TEXT NOT NULL,
     headers TEXT NOT NULL,
     metadata TEXT NOT NULL,
     checksum_algorithm TEXT,
     checksum_value TEXT,
     checksum_type TEXT,
     parts_count INTEGER NOT NULL,
     owner TEXT NOT NULL,
     acl TEXT,
     tags TEXT,
     lock_mode TEXT,
     lock_until INTEGER,
     legal_hold INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (bucket, key, version_id)
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX object_versions_order ON object_versions(bucket, key, version_seq DESC);
   CREATE INDEX object_versions_by_blob ON object_versions(sha256);
   CREATE TABLE version_parts (
     bucket TEXT NOT NULL,
     key TEXT NOT NULL,
     version_id TEXT NOT NULL,
     part_number INTEGER NOT NULL,
     sha256 TEXT NOT NULL,
     size INTEGER NOT NULL,
     etag TEXT NOT NULL,
     last_modified INTEGER NOT NULL,
     checksum_value TEXT,
     PRIMARY KEY (bucket, key, version_id, part_number),
     FOREIGN KEY (bucket, key, version_id) REFERENCES object_versions(bucket, key, version_id) ON DELETE CASCADE
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX version_parts_by_blob ON version_parts(sha256);
   ALTER TABLE completed_uploads ADD COLUMN version_id TEXT NOT NULL DEFAULT 'null';`,
  // Inline blobs: small bodies kept here rather than as files (see fs-blobs.ts), addressed and shared
  // by SHA-256 as files are; mtime (epoch ms) is what gc's grace period reads, as a file's mtime.
  // Rows name their blob by sha256 alone, wherever it lives; blobs written before stay files.
  `CREATE TABLE inline_blobs (
     sha256 TEXT PRIMARY KEY,
     body BLOB NOT NULL,
     mtime INTEGER NOT NULL
   ) STRICT;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface MetadataOptions {
  /** Commit each transaction to the disk (synchronous=FULL), not only to the WAL file (NORMAL). */
  fsync?: boolean;
  /** Fault injection for tests: called inside each object write, just before its commit. */
  faults?: FaultHook;
  /** Checkpoint the WAL on a worker thread rather than in commits (meta-checkpoint.ts); file databases only, on unless false. */
  checkpointInBackground?: boolean;
}

/** An open database and the helper its object writes use. */
export interface MetaDb {
  db: Database;
  /** Closes the database and stops its checkpoints. */
  close(): void;
  /** One transaction around an object write, with the fault seam at its commit. */
  write<T>(body: () => T): T;
}

/** Opens (creating and migrating) the database at `path`; ":memory:" keeps it in the process. */
export function openDatabase(path: string, options: MetadataOptions = {}): MetaDb {
  const fault = options.faults ?? (() => {});
  const db = new Database(path, { create: true, strict: true });
  // WAL with NORMAL survives a killed process (the WAL is in the OS's hands once written); FULL also
  // survives a power cut, at the price of an fsync per commit. (An in-memory database ignores both.)
  const synchronous = options.fsync ? "FULL" : "NORMAL";
  // busy_timeout first: a connection closing meanwhile (a server's checkpoint worker, stopping) holds a lock for its last checkpoint.
  db.exec(`PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}; PRAGMA foreign_keys = ON;`);
  migrate(db);
  const checkpointer = path === ":memory:" || options.checkpointInBackground === false ? undefined : startCheckpointer(db, path, synchronous);
  return {
    db,
    close: () => {
      checkpointer?.stop();
      db.close();
    },
    write: (body) => db.transaction(() => {
      const result = body();
      fault("commit");
      return result;
    })(),
  };
}

function migrate(db: Database): void {
  const { user_version: version } = db.query<{ user_version: number }, []>("PRAGMA user_version").get()!;
  if (version > SCHEMA_VERSION) throw new Error(`The data folder was written by a newer s3lite (schema ${version}; this one knows ${SCHEMA_VERSION}).`);
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    })();
  }
}
