// Object queries on SQLite: the objects table (each key's current version) and object_parts (the parts
// of multipart objects), with the versioning rules that move versions to and from meta-versions.ts.
// Keys are TEXT compared with BINARY collation, i.e. UTF-8 byte order, which is S3's listing order.
import type { Database } from "bun:sqlite";
import type { ChecksumAlgorithm } from "../checksums.ts";
import type { ChecksumType } from "../multipart-checksums.ts";
import type { ObjectMetadata } from "./meta.ts";
import { mapRows, prefixUpperBound, utf8Compare } from "./meta-order.ts";
import type { DeleteOutcome, NewObjectRow, ObjectRow, PartRow, VersionRow } from "./meta-rows.ts";
import type { MetaDb } from "./meta-schema.ts";
import { extraColumns, extrasOf, type ExtraRecord } from "./meta-extras.ts";
import { mergeVersions, newVersionId, nextSeq, versionQueries, type VersionQueries, type VersioningStatus } from "./meta-versions.ts";

interface ObjectRecord {
  bucket: string; key: string; sha256: string; size: number; etag: string; last_modified: number;
  content_type: string; headers: string; metadata: string; checksum_algorithm: ChecksumAlgorithm | null; checksum_value: string | null;
  parts_count: number; checksum_type: ChecksumType | null; owner: string; acl: string | null; version_id: string; version_seq: number;
}
type ObjectColumns = ObjectRecord & ExtraRecord;

/** The columns object_parts and upload_parts share. */
export interface PartRecord { part_number: number; sha256: string; size: number; etag: string; last_modified: number; checksum_value: string | null }

const toObjectRow = (r: ObjectColumns): ObjectRow => ({
  bucket: r.bucket, key: r.key, sha256: r.sha256, size: r.size, etag: r.etag, lastModified: r.last_modified,
  contentType: r.content_type, headers: JSON.parse(r.headers), metadata: JSON.parse(r.metadata),
  checksumAlgorithm: r.checksum_algorithm, checksumValue: r.checksum_value, checksumType: r.checksum_type, partsCount: r.parts_count,
  owner: r.owner, acl: r.acl === null ? null : JSON.parse(r.acl), versionId: r.version_id, ...extrasOf(r),
});

/** The current version as a version listing shows it. */
const currentVersion = (r: ObjectColumns): VersionRow => ({ ...toObjectRow(r), seq: r.version_seq, deleteMarker: false, isLatest: true });

export const toPartRow = (r: PartRecord): PartRow => ({
  partNumber: r.part_number, sha256: r.sha256, size: r.size, etag: r.etag, lastModified: r.last_modified, checksumValue: r.checksum_value,
});

/**
 * The steps on object rows that other tables' writes share, run inside the caller's transaction.
 * put() and deleteLatest() apply the bucket's versioning: with it Enabled, the current version
 * becomes noncurrent (object_versions) and the new one, or a delete marker, gets a new id; Suspended,
 * the new one is the key's "null" version, replacing any other; unversioned, it replaces the row.
 */
export interface ObjectRowWriter {
  get(bucket: string, key: string): ObjectRow | undefined;
  parts(bucket: string, key: string): PartRow[];
  /** Writes a new current version as the bucket's versioning has it; returns its version id. */
  put(o: NewObjectRow, parts: readonly PartRow[]): string;
  /** DELETE without a version id: removes the current version, or covers it with a delete marker. */
  deleteLatest(bucket: string, key: string, markerOwner: string): DeleteOutcome;
  /** DELETE of one version by id; the newest remaining version becomes current unless it is a marker. */
  deleteVersion(bucket: string, key: string, versionId: string): DeleteOutcome;
  /** Any version by id: the current one, a noncurrent one or a delete marker. */
  version(bucket: string, key: string, versionId: string): VersionRow | undefined;
  /** Rewrites the current row in place (no new version). */
  replace(o: ObjectRow, parts: readonly PartRow[]): void;
  /** Removes the current row outright (no marker); returns whether one went. */
  remove(bucket: string, key: string): boolean;
  readonly versions: VersionQueries;
}

export function objectRowWriter(db: Database, versioningStatus: (bucket: string) => VersioningStatus | undefined): ObjectRowWriter {
  const stmt = {
    get: db.query<ObjectColumns, [string, string]>("SELECT * FROM objects WHERE bucket = ? AND key = ?"),
    put: db.query<unknown, [string, string, string, number, string, number, string, string, string, string | null, string | null, string | null, number, string, string | null, string, number, string | null, string | null, number | null, number]>(
      `INSERT OR REPLACE INTO objects (bucket, key, sha256, size, etag, last_modified, content_type, headers, metadata, checksum_algorithm, checksum_value, checksum_type, parts_count, owner, acl, version_id, version_seq,
         tags, lock_mode, lock_until, legal_hold)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    remove: db.query<unknown, [string, string]>("DELETE FROM objects WHERE bucket = ? AND key = ?"),
    parts: db.query<PartRecord, [string, string]>("SELECT * FROM object_parts WHERE bucket = ? AND key = ? ORDER BY part_number"),
    removeParts: db.query<unknown, [string, string]>("DELETE FROM object_parts WHERE bucket = ? AND key = ?"),
    insertPart: db.query<unknown, [string, string, number, string, number, string, number, string | null]>(
      "INSERT INTO object_parts (bucket, key, part_number, sha256, size, etag, last_modified, checksum_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
  };
  const versions = versionQueries(db, versioningStatus);
  const record = (bucket: string, key: string) => stmt.get.get(bucket, key) ?? undefined;
  const parts = (bucket: string, key: string) => stmt.parts.all(bucket, key).map(toPartRow);
  function writeRow(o: ObjectRow, rowParts: readonly PartRow[], seq: number): void {
    stmt.removeParts.run(o.bucket, o.key);
    stmt.put.run(o.bucket, o.key, o.sha256, o.size, o.etag, o.lastModified, o.contentType, JSON.stringify(o.headers), JSON.stringify(o.metadata),
      o.checksumAlgorithm, o.checksumValue, o.checksumType, o.partsCount, o.owner, o.acl === null ? null : JSON.stringify(o.acl), o.versionId, seq, ...extraColumns(o));
    for (const p of rowParts) stmt.insertPart.run(o.bucket, o.key, p.partNumber, p.sha256, p.size, p.etag, p.lastModified, p.checksumValue);
  }
  /** The current version steps aside: kept as noncurrent, or dropped where it is the "null" one being replaced. */
  function retire(current: ObjectColumns, keep: boolean): void {
    if (keep) versions.insert(toObjectRow(current), current.version_seq, false, parts(current.bucket, current.key));
    stmt.remove.run(current.bucket, current.key);
  }
  /** After the current version went: the newest remaining one becomes current, unless it is a delete marker. */
  function promote(bucket: string, key: string): void {
    const newest = versions.newest(bucket, key);
    if (!newest || newest.deleteMarker) return;
    const newestParts = versions.parts(bucket, key, newest.versionId);
    versions.remove(bucket, key, newest.versionId);
    writeRow(newest, newestParts, newest.seq);
  }
  // A bucket that never had versioning keeps no versions besides its current rows (a status, once set,
  // stays; a bucket is deleted only when it holds no version): the current row is the only floor there.
  const floorOf = (status: VersioningStatus | undefined, current: ObjectColumns | undefined, bucket: string, key: string) =>
    Math.max(current?.version_seq ?? 0, status === undefined ? 0 : versions.newest(bucket, key)?.seq ?? 0);
  return {
    versions,
    get(bucket, key) {
      const r = record(bucket, key);
      return r ? toObjectRow(r) : undefined;
    },
    parts,
    put(o, rowParts) {
      const status = versions.status(o.bucket);
      const current = record(o.bucket, o.key);
      const seq = nextSeq(floorOf(status, current, o.bucket, o.key));
      const versionId = status === "Enabled" ? newVersionId(seq) : "null";
      // A current version not kept is replaced where it stands: writeRow drops its parts and overwrites its row.
      if (current && (status !== undefined && current.version_id !== "null" || status === "Enabled")) retire(current, true);
      if (status === "Suspended") versions.remove(o.bucket, o.key, "null");
      writeRow({ ...o, versionId }, rowParts, seq);
      return versionId;
    },
    deleteLatest(bucket, key, markerOwner) {
      const status = versions.status(bucket);
      const current = record(bucket, key);
      if (status === undefined) return { changed: current !== undefined && stmt.remove.run(bucket, key).changes > 0, deleteMarker: false };
      const seq = nextSeq(floorOf(status, current, bucket, key));
      const versionId = status === "Enabled" ? newVersionId(seq) : "null";
      if (current) retire(current, status === "Enabled" || current.version_id !== "null");
      if (status === "Suspended") versions.remove(bucket, key, "null");
      versions.insert({
        bucket, key, versionId, sha256: "", size: 0, etag: "", lastModified: Math.floor(seq / 1000), contentType: "", headers: {}, metadata: {},
        checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 0, owner: markerOwner, acl: null,
      }, seq, true, []);
      return { changed: true, versionId, deleteMarker: true };
    },
    deleteVersion(bucket, key, versionId) {
      const current = record(bucket, key);
      if (current?.version_id === versionId) {
        stmt.remove.run(bucket, key);
        promote(bucket, key);
        return { changed: true, versionId, deleteMarker: false };
      }
      const found = versions.get(bucket, key, versionId);
      if (!found) return { changed: false, versionId, deleteMarker: false };
      versions.remove(bucket, key, versionId);
      if (!current) promote(bucket, key);
      return { changed: true, versionId, deleteMarker: found.deleteMarker };
    },
    version(bucket, key, versionId) {
      const current = record(bucket, key);
      if (current?.version_id === versionId) return currentVersion(current);
      const found = versions.get(bucket, key, versionId);
      if (found && !current) found.isLatest = versions.newest(bucket, key)?.versionId === versionId;
      return found;
    },
    replace: (o, rowParts) => writeRow(o, rowParts, record(o.bucket, o.key)?.version_seq ?? nextSeq(0)),
    remove: (bucket, key) => stmt.remove.run(bucket, key).changes > 0,
  };
}

export function objectQueries({ db, write }: MetaDb, rows: ObjectRowWriter): ObjectMetadata {
  const stmt = {
    bucketExists: db.query<{ one: number }, [string]>("SELECT 1 AS one FROM buckets WHERE name = ?"),
    // The row alone: a small body comes from the blob store's bodies lately served (served-bodies.ts).
    get: db.query<ObjectColumns, [string, string]>("SELECT * FROM objects WHERE bucket = ? AND key = ?"),
    // One lower bound only: given two, SQLite seeks on one and filters the other row by row.
    listFrom: db.query<ObjectColumns, [string, string, number]>("SELECT * FROM objects WHERE bucket = ? AND key >= ? ORDER BY key LIMIT ?"),
    listFromBounded: db.query<ObjectColumns, [string, string, string, number]>(
      "SELECT * FROM objects WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?"),
    listCurrent: db.query<ObjectColumns, [string, string, string | null, number]>(
      "SELECT * FROM objects WHERE bucket = ?1 AND key >= ?2 AND (?3 IS NULL OR key < ?3) ORDER BY key LIMIT ?4"),
    setAcl: db.query<unknown, [string | null, string, string, string]>("UPDATE objects SET acl = ? WHERE bucket = ? AND key = ? AND etag = ?"),
    setHeaders: db.query<unknown, [string, string, string]>("UPDATE objects SET headers = ? WHERE bucket = ? AND key = ?"),
    setLock: db.query<unknown, [string | null, number | null, number, string, string, string]>(
      "UPDATE objects SET lock_mode = ?, lock_until = ?, legal_hold = ? WHERE bucket = ? AND key = ? AND version_id = ?"),
    setTags: db.query<unknown, [string | null, string, string, string]>("UPDATE objects SET tags = ? WHERE bucket = ? AND key = ? AND version_id = ?"),
  };
  /** One delete, as its entry asks: a version by id, or the latest. */
  const deleteOne = (bucket: string, key: string, versionId: string | undefined, markerOwner: string) =>
    versionId === undefined ? rows.deleteLatest(bucket, key, markerOwner) : rows.deleteVersion(bucket, key, versionId);
  return {
    getObject: rows.get,
    getObjectParts(bucket, key, versionId) {
      const current = versionId === undefined ? undefined : rows.get(bucket, key);
      return versionId === undefined || current?.versionId === versionId ? rows.parts(bucket, key) : rows.versions.parts(bucket, key, versionId);
    },
    getVersion: (bucket, key, versionId) => rows.version(bucket, key, versionId),
    latestDeleteMarker(bucket, key) {
      if (rows.get(bucket, key)) return undefined;
      const newest = rows.versions.newest(bucket, key);
      return newest?.deleteMarker ? { ...newest, isLatest: true } : undefined;
    },
    versioningStatus: (bucket) => rows.versions.status(bucket),
    setObjectAcl: (bucket, key, etag, acl) => stmt.setAcl.run(acl === null ? null : JSON.stringify(acl), bucket, key, etag).changes > 0,
    // The version keeps its id wherever it is: the current row, else a noncurrent one.
    setObjectTags(bucket, key, versionId, tags) {
      const value = extraColumns({ tags })[0];
      return write(() => stmt.setTags.run(value, bucket, key, versionId).changes > 0 || rows.versions.setTags(bucket, key, versionId, value));
    },
    updateObjectHeaders(bucket, key, update) {
      write(() => { stmt.setHeaders.run(JSON.stringify(update(rows.get(bucket, key))), bucket, key); });
    },
    updateObjectLock(bucket, key, versionId, update) {
      write(() => {
        const found = versionId === undefined ? rows.get(bucket, key) : rows.version(bucket, key, versionId);
        const version = found && !("deleteMarker" in found && found.deleteMarker) ? found : undefined;
        const lock = update(version);
        if (!version) return;
        const [, mode, until, hold] = extraColumns(lock);
        if (stmt.setLock.run(mode, until, hold, bucket, key, version.versionId).changes === 0) rows.versions.setLock(bucket, key, version.versionId, lock);
      });
    },

    // An object row proves its bucket (the foreign key), so a hit costs one lookup and only a miss
    // asks for the bucket. (A LEFT JOIN doing both was slower.)
    findObject(bucket, key) {
      const r = stmt.get.get(bucket, key);
      const object = r ? toObjectRow(r) : undefined;
      return { bucketExists: object !== undefined || stmt.bucketExists.get(bucket) !== null, object };
    },

    putObject(o, parts = [], precondition) {
      return write(() => {
        precondition?.(rows.get(o.bucket, o.key));
        return rows.put(o, parts);
      });
    },

    copyObject(source, destination, build) {
      return write(() => {
        const current = source.versionId === undefined ? rows.get(source.bucket, source.key) : rows.version(source.bucket, source.key, source.versionId);
        const row = build(current, rows.get(destination.bucket, destination.key));
        // A copy of the bytes (SSE-C re-encryption) is one blob of its own, without the source's parts.
        const sourceParts = current && row.partsCount > 0 ? this.getObjectParts(source.bucket, source.key, current.versionId) : [];
        return { ...row, versionId: rows.put(row, sourceParts) };
      });
    },

    deleteObject(bucket, key, { versionId, allow, markerOwner }) {
      return write(() => {
        const target = versionId === undefined ? rows.get(bucket, key) : rows.version(bucket, key, versionId);
        if (allow && !allow(target)) return { changed: false, deleteMarker: false };
        return deleteOne(bucket, key, versionId, markerOwner);
      });
    },

    deleteObjects(bucket, entries, allow, markerOwner) {
      return write(() => entries.map(({ key, versionId }) => {
        const target = versionId === undefined ? rows.get(bucket, key) : rows.version(bucket, key, versionId);
        if (allow && !allow(key, target)) return { changed: false, deleteMarker: false };
        return deleteOne(bucket, key, versionId, markerOwner);
      }));
    },

    renameObject(bucket, from, to, check) {
      return write(() => {
        const source = rows.get(bucket, from);
        check(source, rows.get(bucket, to));
        const moved = { ...source!, key: to };
        rows.replace(moved, rows.parts(bucket, from));
        rows.remove(bucket, from);
        return moved;
      });
    },

    listObjects(bucket, prefix, after, limit, from = prefix) {
      // "key > after" is exactly "key >= after + NUL", the least string above it in byte order.
      const lower = after !== "" && utf8Compare(after + "\0", from) > 0 ? after + "\0" : from;
      const upper = prefixUpperBound(prefix);
      const found = upper === undefined
        ? stmt.listFrom.iterate(bucket, lower, limit)
        : stmt.listFromBounded.iterate(bucket, lower, upper, limit);
      return mapRows(found, toObjectRow);
    },

    listVersions(bucket, prefix, after, limit, from = prefix) {
      const upper = prefixUpperBound(prefix) ?? null;
      // Past the cursor: its key's versions older than it (its current one, newer than any, came
      // before), then the keys beyond it; a delimiter's jump (`from`) may already be beyond both.
      let lower = from;
      let cursorKeyRest: Iterable<VersionRow> = [];
      if (after.key !== "" && utf8Compare(after.key, from) >= 0) {
        lower = after.key + "\0";
        if (after.seq !== null) cursorKeyRest = rows.versions.olderThan(bucket, after.key, after.seq);
      }
      const current = mapRows(stmt.listCurrent.iterate(bucket, lower, upper, limit), currentVersion);
      const merged = mergeVersions(current, rows.versions.list(bucket, lower, upper, -1));
      const isLatestMarker = (v: VersionRow) => !rows.get(bucket, v.key) && rows.versions.newest(bucket, v.key)?.versionId === v.versionId;
      return take(markLatest(chain(cursorKeyRest, merged), isLatestMarker), limit);
    },
  };
}

function* chain<T>(...parts: Iterable<T>[]): IterableIterator<T> {
  for (const part of parts) yield* part;
}

function* take<T>(rows: Iterable<T>, limit: number): IterableIterator<T> {
  if (limit === 0) return;
  let n = 0;
  for (const row of rows) {
    yield row;
    if (++n === limit) return;
  }
}

/** A delete marker is the latest version of its key when no current version exists and nothing is newer. */
function* markLatest(rows: Iterable<VersionRow>, isLatestMarker: (v: VersionRow) => boolean): IterableIterator<VersionRow> {
  let previousKey: string | undefined;
  for (const row of rows) {
    if (row.deleteMarker && row.key !== previousKey) row.isLatest = isLatestMarker(row);
    previousKey = row.key;
    yield row;
  }
}
