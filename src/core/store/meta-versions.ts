// The versions a key has besides its current one: noncurrent versions and delete markers, in
// object_versions (and version_parts for multipart ones), newest first by version_seq. Also the
// bucket's versioning status and how new version ids are made. Every function here runs inside the
// caller's transaction; the rules that move rows between objects and here are in meta-objects.ts.
import type { Database } from "bun:sqlite";
import type { ChecksumAlgorithm } from "../checksums.ts";
import type { ChecksumType } from "../multipart-checksums.ts";
import { mapRows, utf8Compare } from "./meta-order.ts";
import type { ObjectRow, PartRow, VersionRow } from "./meta-rows.ts";
import type { PartRecord } from "./meta-objects.ts";
import { extraColumns, extrasOf, type ExtraRecord } from "./meta-extras.ts";

export type VersioningStatus = "Enabled" | "Suspended";

interface VersionRecord {
  bucket: string; key: string; version_id: string; version_seq: number; delete_marker: number;
  sha256: string; size: number; etag: string; last_modified: number; content_type: string; headers: string; metadata: string;
  checksum_algorithm: ChecksumAlgorithm | null; checksum_value: string | null; checksum_type: ChecksumType | null;
  parts_count: number; owner: string; acl: string | null;
}
type VersionColumns = VersionRecord & ExtraRecord;

const toVersionRow = (r: VersionColumns): VersionRow => ({
  bucket: r.bucket, key: r.key, versionId: r.version_id, seq: r.version_seq, deleteMarker: r.delete_marker === 1, isLatest: false,
  sha256: r.sha256, size: r.size, etag: r.etag, lastModified: r.last_modified, contentType: r.content_type,
  headers: JSON.parse(r.headers), metadata: JSON.parse(r.metadata), checksumAlgorithm: r.checksum_algorithm,
  checksumValue: r.checksum_value, checksumType: r.checksum_type, partsCount: r.parts_count, owner: r.owner, acl: r.acl === null ? null : JSON.parse(r.acl),
  ...extrasOf(r),
});

const ID_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
let lastSeq = 0;

/** A version's place among its key's: microseconds, never repeating in this process nor going below `floor`. */
export function nextSeq(floor: number): number {
  lastSeq = Math.max(Date.now() * 1000, lastSeq + 1, floor + 1);
  return lastSeq;
}

/** Whether text names a version as s3lite names them: "null", or an id newVersionId made. */
export const isVersionId = (text: string): boolean => text === "null" || /^[0-9A-Za-z]{32}$/.test(text);

/** The place an id newVersionId made stands for (its first 11 characters, base 36); undefined for "null". */
export const seqOfVersionId = (id: string): number | undefined => (id === "null" ? undefined : parseInt(id.slice(0, 11), 36));

/** 32 URL-safe characters, opaque to clients and unique: the version's time, then randomness. */
export function newVersionId(seq: number): string {
  const random = crypto.getRandomValues(new Uint8Array(21));
  return seq.toString(36).padStart(11, "0") + Array.from(random, (b) => ID_CHARS[b % ID_CHARS.length]).join("");
}

export interface VersionQueries {
  status(bucket: string): VersioningStatus | undefined;
  /** Stores a version that stops being current (or a delete marker), with its parts. */
  insert(v: ObjectRow, seq: number, deleteMarker: boolean, parts: readonly PartRow[]): void;
  get(bucket: string, key: string, versionId: string): VersionRow | undefined;
  newest(bucket: string, key: string): VersionRow | undefined;
  /** Removes one version (its parts go with it); returns whether it was there. */
  remove(bucket: string, key: string, versionId: string): boolean;
  parts(bucket: string, key: string, versionId: string): PartRow[];
  /** Versions in (key, newest first) order, keys from `lower` (inclusive) to `upper` (exclusive, null for none). */
  list(bucket: string, lower: string, upper: string | null, limit: number): IterableIterator<VersionRow>;
  /** One key's versions older than `seq`, newest first. */
  olderThan(bucket: string, key: string, seq: number): IterableIterator<VersionRow>;
  /** Replaces a noncurrent version's tags (null for none); false when no such version (delete markers have none to set). */
  setTags(bucket: string, key: string, versionId: string, tags: string | null): boolean;
  /** Sets a noncurrent version's retention and legal hold; false when no such version (delete markers have none). */
  setLock(bucket: string, key: string, versionId: string, lock: Pick<ObjectRow, "lock" | "legalHold">): boolean;
}

/**
 * `status` reads the bucket's "versioning" configuration: meta.ts passes the bucket queries' cached
 * read, so the status every PUT and GET asks for costs no statement once read.
 */
export function versionQueries(db: Database, status: (bucket: string) => VersioningStatus | undefined): VersionQueries {
  const stmt = {
    insert: db.query<unknown, [string, string, string, number, number, string, number, string, number, string, string, string, string | null, string | null, string | null, number, string, string | null, string | null, string | null, number | null, number]>(
      `INSERT OR REPLACE INTO object_versions (bucket, key, version_id, version_seq, delete_marker, sha256, size, etag, last_modified, content_type, headers, metadata,
         checksum_algorithm, checksum_value, checksum_type, parts_count, owner, acl, tags, lock_mode, lock_until, legal_hold) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertPart: db.query<unknown, [string, string, string, number, string, number, string, number, string | null]>(
      "INSERT INTO version_parts (bucket, key, version_id, part_number, sha256, size, etag, last_modified, checksum_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    get: db.query<VersionColumns, [string, string, string]>("SELECT * FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?"),
    newest: db.query<VersionColumns, [string, string]>("SELECT * FROM object_versions WHERE bucket = ? AND key = ? ORDER BY version_seq DESC LIMIT 1"),
    remove: db.query<unknown, [string, string, string]>("DELETE FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?"),
    parts: db.query<PartRecord, [string, string, string]>("SELECT * FROM version_parts WHERE bucket = ? AND key = ? AND version_id = ? ORDER BY part_number"),
    list: db.query<VersionColumns, [string, string, string | null, number]>(
      "SELECT * FROM object_versions WHERE bucket = ?1 AND key >= ?2 AND (?3 IS NULL OR key < ?3) ORDER BY key, version_seq DESC LIMIT ?4"),
    olderThan: db.query<VersionColumns, [string, string, number]>(
      "SELECT * FROM object_versions WHERE bucket = ? AND key = ? AND version_seq < ? ORDER BY version_seq DESC"),
    setTags: db.query<unknown, [string | null, string, string, string]>(
      "UPDATE object_versions SET tags = ? WHERE bucket = ? AND key = ? AND version_id = ? AND delete_marker = 0"),
    setLock: db.query<unknown, [string | null, number | null, number, string, string, string]>(
      "UPDATE object_versions SET lock_mode = ?, lock_until = ?, legal_hold = ? WHERE bucket = ? AND key = ? AND version_id = ? AND delete_marker = 0"),
  };
  return {
    status,
    insert(v, seq, deleteMarker, parts) {
      stmt.insert.run(v.bucket, v.key, v.versionId, seq, deleteMarker ? 1 : 0, v.sha256, v.size, v.etag, v.lastModified, v.contentType,
        JSON.stringify(v.headers), JSON.stringify(v.metadata), v.checksumAlgorithm, v.checksumValue, v.checksumType, v.partsCount, v.owner, v.acl === null ? null : JSON.stringify(v.acl), ...extraColumns(v));
      for (const p of parts) stmt.insertPart.run(v.bucket, v.key, v.versionId, p.partNumber, p.sha256, p.size, p.etag, p.lastModified, p.checksumValue);
    },
    get(bucket, key, versionId) {
      const r = stmt.get.get(bucket, key, versionId);
      return r ? toVersionRow(r) : undefined;
    },
    newest(bucket, key) {
      const r = stmt.newest.get(bucket, key);
      return r ? toVersionRow(r) : undefined;
    },
    remove: (bucket, key, versionId) => stmt.remove.run(bucket, key, versionId).changes > 0,
    parts: (bucket, key, versionId) => stmt.parts.all(bucket, key, versionId).map((r) => ({
      partNumber: r.part_number, sha256: r.sha256, size: r.size, etag: r.etag, lastModified: r.last_modified, checksumValue: r.checksum_value,
    })),
    list: (bucket, lower, upper, limit) => mapRows(stmt.list.iterate(bucket, lower, upper, limit), toVersionRow),
    olderThan: (bucket, key, seq) => mapRows(stmt.olderThan.iterate(bucket, key, seq), toVersionRow),
    setTags: (bucket, key, versionId, tags) => stmt.setTags.run(tags, bucket, key, versionId).changes > 0,
    setLock(bucket, key, versionId, lock) {
      const [, mode, until, hold] = extraColumns(lock);
      return stmt.setLock.run(mode, until, hold, bucket, key, versionId).changes > 0;
    },
  };
}

/** Where a versions listing continues: after this version of this key, or (seq null) after all of the key's. */
export interface VersionCursor { key: string; seq: number | null }

/** Two listings, each in (key, newest first) order, merged into one in that order. */
export function* mergeVersions(a: Iterator<VersionRow>, b: Iterator<VersionRow>): IterableIterator<VersionRow> {
  let x = a.next(), y = b.next();
  while (!x.done || !y.done) {
    const takeA = y.done || (!x.done && (utf8Compare(x.value.key, y.value.key) || y.value.seq - x.value.seq) < 0);
    if (takeA) { yield x.value as VersionRow; x = a.next(); } else { yield y.value as VersionRow; y = b.next(); }
  }
}
