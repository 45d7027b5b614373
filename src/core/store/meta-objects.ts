// Object queries on SQLite: the objects table and object_parts (the parts of multipart objects).
// Keys are TEXT compared with BINARY collation, i.e. UTF-8 byte order, which is S3's listing order.
import type { Database } from "bun:sqlite";
import type { ChecksumAlgorithm } from "../checksums.ts";
import type { ChecksumType } from "../multipart-checksums.ts";
import type { ObjectMetadata } from "./meta.ts";
import { mapRows, prefixUpperBound, utf8Compare } from "./meta-order.ts";
import type { ObjectRow, PartRow } from "./meta-rows.ts";
import type { MetaDb } from "./meta-schema.ts";

interface ObjectRecord {
  bucket: string; key: string; sha256: string; size: number; etag: string; last_modified: number;
  content_type: string; headers: string; metadata: string; checksum_algorithm: ChecksumAlgorithm | null; checksum_value: string | null;
  parts_count: number; checksum_type: ChecksumType | null; owner: string; acl: string | null;
}

/** The columns object_parts and upload_parts share. */
export interface PartRecord { part_number: number; sha256: string; size: number; etag: string; last_modified: number; checksum_value: string | null }

const toObjectRow = (r: ObjectRecord): ObjectRow => ({
  bucket: r.bucket, key: r.key, sha256: r.sha256, size: r.size, etag: r.etag, lastModified: r.last_modified,
  contentType: r.content_type, headers: JSON.parse(r.headers), metadata: JSON.parse(r.metadata),
  checksumAlgorithm: r.checksum_algorithm, checksumValue: r.checksum_value, checksumType: r.checksum_type, partsCount: r.parts_count,
  owner: r.owner, acl: r.acl === null ? null : JSON.parse(r.acl),
});

export const toPartRow = (r: PartRecord): PartRow => ({
  partNumber: r.part_number, sha256: r.sha256, size: r.size, etag: r.etag, lastModified: r.last_modified, checksumValue: r.checksum_value,
});

/** The steps on object rows that other tables' writes share, run inside the caller's transaction. */
export interface ObjectRowWriter {
  get(bucket: string, key: string): ObjectRow | undefined;
  parts(bucket: string, key: string): PartRow[];
  /** Writes the row, replacing any previous version and its parts. */
  write(o: ObjectRow, parts: readonly PartRow[]): void;
  /** Returns whether a row went. */
  remove(bucket: string, key: string): boolean;
}

export function objectRowWriter(db: Database): ObjectRowWriter {
  const stmt = {
    get: db.query<ObjectRecord, [string, string]>("SELECT * FROM objects WHERE bucket = ? AND key = ?"),
    put: db.query<unknown, [string, string, string, number, string, number, string, string, string, string | null, string | null, string | null, number, string, string | null]>(
      `INSERT OR REPLACE INTO objects (bucket, key, sha256, size, etag, last_modified, content_type, headers, metadata, checksum_algorithm, checksum_value, checksum_type, parts_count, owner, acl)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    remove: db.query<unknown, [string, string]>("DELETE FROM objects WHERE bucket = ? AND key = ?"),
    parts: db.query<PartRecord, [string, string]>("SELECT * FROM object_parts WHERE bucket = ? AND key = ? ORDER BY part_number"),
    removeParts: db.query<unknown, [string, string]>("DELETE FROM object_parts WHERE bucket = ? AND key = ?"),
    insertPart: db.query<unknown, [string, string, number, string, number, string, number, string | null]>(
      "INSERT INTO object_parts (bucket, key, part_number, sha256, size, etag, last_modified, checksum_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
  };
  return {
    get(bucket, key) {
      const r = stmt.get.get(bucket, key);
      return r ? toObjectRow(r) : undefined;
    },
    parts: (bucket, key) => stmt.parts.all(bucket, key).map(toPartRow),
    write(o, parts) {
      stmt.removeParts.run(o.bucket, o.key);
      stmt.put.run(o.bucket, o.key, o.sha256, o.size, o.etag, o.lastModified, o.contentType,
        JSON.stringify(o.headers), JSON.stringify(o.metadata), o.checksumAlgorithm, o.checksumValue, o.checksumType, o.partsCount, o.owner, o.acl === null ? null : JSON.stringify(o.acl));
      for (const p of parts) stmt.insertPart.run(o.bucket, o.key, p.partNumber, p.sha256, p.size, p.etag, p.lastModified, p.checksumValue);
    },
    remove: (bucket, key) => stmt.remove.run(bucket, key).changes > 0,
  };
}

export function objectQueries({ db, write }: MetaDb, rows: ObjectRowWriter): ObjectMetadata {
  const stmt = {
    bucketExists: db.query<{ one: number }, [string]>("SELECT 1 AS one FROM buckets WHERE name = ?"),
    // One lower bound only: given two, SQLite seeks on one and filters the other row by row.
    listFrom: db.query<ObjectRecord, [string, string, number]>("SELECT * FROM objects WHERE bucket = ? AND key >= ? ORDER BY key LIMIT ?"),
    listFromBounded: db.query<ObjectRecord, [string, string, string, number]>(
      "SELECT * FROM objects WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?"),
    setAcl: db.query<unknown, [string | null, string, string, string]>("UPDATE objects SET acl = ? WHERE bucket = ? AND key = ? AND etag = ?"),
    setHeaders: db.query<unknown, [string, string, string]>("UPDATE objects SET headers = ? WHERE bucket = ? AND key = ?"),
  };
  return {
    getObject: rows.get,
    getObjectParts: rows.parts,
    setObjectAcl: (bucket, key, etag, acl) => stmt.setAcl.run(acl === null ? null : JSON.stringify(acl), bucket, key, etag).changes > 0,
    updateObjectHeaders(bucket, key, update) {
      write(() => { stmt.setHeaders.run(JSON.stringify(update(rows.get(bucket, key))), bucket, key); });
    },

    // An object row proves its bucket (the foreign key), so a hit costs one lookup and only a miss
    // asks for the bucket. (A LEFT JOIN doing both was slower.)
    findObject(bucket, key) {
      const object = rows.get(bucket, key);
      return { bucketExists: object !== undefined || stmt.bucketExists.get(bucket) !== null, object };
    },

    putObject(o, parts = [], precondition) {
      write(() => {
        precondition?.(rows.get(o.bucket, o.key));
        rows.write(o, parts);
      });
    },

    copyObject(source, destination, build) {
      return write(() => {
        const current = rows.get(source.bucket, source.key);
        const parts = current && current.partsCount > 0 ? rows.parts(source.bucket, source.key) : [];
        const row = build(current, rows.get(destination.bucket, destination.key));
        rows.write(row, parts);
        return row;
      });
    },

    deleteObject(bucket, key, allow) {
      return write(() => {
        if (allow && !allow(rows.get(bucket, key))) return false;
        return rows.remove(bucket, key);
      });
    },

    deleteObjects(bucket, keys, allow) {
      write(() => {
        for (const key of keys) {
          if (!allow || allow(key, rows.get(bucket, key))) rows.remove(bucket, key);
        }
      });
    },

    renameObject(bucket, from, to, check) {
      return write(() => {
        const source = rows.get(bucket, from);
        check(source, rows.get(bucket, to));
        const moved = { ...source!, key: to };
        rows.write(moved, rows.parts(bucket, from));
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
  };
}
