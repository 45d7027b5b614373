// Multipart upload queries on SQLite: uploads, upload_parts, and completed_uploads (what each
// completion answered, so a CompleteMultipartUpload retried after a lost response gets the same answer).
import type { ChecksumAlgorithm } from "../checksums.ts";
import type { ChecksumType } from "../multipart-checksums.ts";
import type { UploadMetadata } from "./meta.ts";
import { toPartRow, type ObjectRowWriter, type PartRecord } from "./meta-objects.ts";
import { mapRows, prefixUpperBound, utf8Compare } from "./meta-order.ts";
import type { UploadRow } from "./meta-rows.ts";
import { extraColumns, extrasOf } from "./meta-extras.ts";
import type { MetaDb } from "./meta-schema.ts";

/** How long a completed upload's answer is kept for retries. */
const COMPLETED_UPLOAD_TTL_MS = 7 * 24 * 3600 * 1000;

export interface UploadRecord {
  upload_id: string; bucket: string; key: string; created_at: number; content_type: string; headers: string; metadata: string; checksum_algorithm: ChecksumAlgorithm | null; checksum_type: ChecksumType | null;
  owner: string; initiator: string; acl: string | null;
  tags: string | null; lock_mode: string | null; lock_until: number | null; legal_hold: number;
}

interface CompletedRecord {
  upload_id: string; bucket: string; key: string; etag: string; checksum_algorithm: ChecksumAlgorithm | null; checksum_value: string | null; checksum_type: ChecksumType | null;
  version_id: string;
}

export const toUploadRow = (r: UploadRecord): UploadRow => ({
  uploadId: r.upload_id, bucket: r.bucket, key: r.key, createdAt: r.created_at, contentType: r.content_type,
  headers: JSON.parse(r.headers), metadata: JSON.parse(r.metadata), checksumAlgorithm: r.checksum_algorithm, checksumType: r.checksum_type,
  owner: r.owner, initiator: r.initiator, acl: r.acl === null ? null : JSON.parse(r.acl), ...extrasOf(r),
});

export function uploadQueries({ db, write }: MetaDb, rows: ObjectRowWriter): UploadMetadata {
  const stmt = {
    insert: db.query<unknown, [string, string, string, number, string, string, string, string | null, string | null, string, string, string | null, string | null, string | null, number | null, number]>(
      `INSERT INTO uploads (upload_id, bucket, key, created_at, content_type, headers, metadata, checksum_algorithm, checksum_type, owner, initiator, acl, tags, lock_mode, lock_until, legal_hold)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    get: db.query<UploadRecord, [string]>("SELECT * FROM uploads WHERE upload_id = ?"),
    remove: db.query<unknown, [string]>("DELETE FROM uploads WHERE upload_id = ?"),
    list: db.query<UploadRecord, [string, string | null, string, string, string | null, number]>(
      `SELECT * FROM uploads WHERE bucket = ?1 AND key >= ?4 AND (key > ?3 OR (key = ?3 AND ?2 IS NOT NULL AND upload_id > ?2)) AND (?5 IS NULL OR key < ?5)
       ORDER BY key, upload_id LIMIT ?6`),
    putPart: db.query<unknown, [string, number, string, number, string, number, string | null]>(
      "INSERT OR REPLACE INTO upload_parts (upload_id, part_number, sha256, size, etag, last_modified, checksum_value) VALUES (?, ?, ?, ?, ?, ?, ?)"),
    parts: db.query<PartRecord, [string]>("SELECT * FROM upload_parts WHERE upload_id = ? ORDER BY part_number"),
    insertCompleted: db.query<unknown, [string, string, string, string, string | null, string | null, string | null, number, string]>(
      "INSERT OR REPLACE INTO completed_uploads (upload_id, bucket, key, etag, checksum_algorithm, checksum_value, checksum_type, completed_at, version_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    getCompleted: db.query<CompletedRecord, [string]>("SELECT * FROM completed_uploads WHERE upload_id = ?"),
    pruneCompleted: db.query<unknown, [number]>("DELETE FROM completed_uploads WHERE completed_at < ?"),
  };
  return {
    createUpload(u) {
      stmt.insert.run(u.uploadId, u.bucket, u.key, u.createdAt, u.contentType, JSON.stringify(u.headers), JSON.stringify(u.metadata), u.checksumAlgorithm, u.checksumType, u.owner, u.initiator, u.acl === null ? null : JSON.stringify(u.acl), ...extraColumns(u));
    },

    getUpload(uploadId) {
      const r = stmt.get.get(uploadId);
      return r ? toUploadRow(r) : undefined;
    },

    deleteUpload(uploadId) {
      stmt.remove.run(uploadId);
    },

    putUploadPart(uploadId, p) {
      write(() => stmt.putPart.run(uploadId, p.partNumber, p.sha256, p.size, p.etag, p.lastModified, p.checksumValue));
    },

    getUploadParts: (uploadId) => stmt.parts.all(uploadId).map(toPartRow),

    completeUpload(uploadId, o, parts, precondition) {
      return write(() => {
        // Aborted or completed by another request since the caller read it: nothing to complete.
        if (stmt.get.get(uploadId) === null) return false;
        precondition?.(rows.get(o.bucket, o.key));
        const versionId = rows.put(o, parts);
        stmt.remove.run(uploadId);
        stmt.pruneCompleted.run(o.lastModified - COMPLETED_UPLOAD_TTL_MS);
        stmt.insertCompleted.run(uploadId, o.bucket, o.key, o.etag, o.checksumAlgorithm, o.checksumValue, o.checksumType, o.lastModified, versionId);
        return versionId;
      });
    },

    getCompletedUpload(uploadId) {
      const r = stmt.getCompleted.get(uploadId);
      return r ? { uploadId: r.upload_id, bucket: r.bucket, key: r.key, etag: r.etag, checksumAlgorithm: r.checksum_algorithm, checksumValue: r.checksum_value, checksumType: r.checksum_type, versionId: r.version_id } : undefined;
    },

    listUploads(bucket, prefix, after, limit, from = prefix) {
      // The index seeks to the later of the cursor's key and `from`; the cursor's upload id filters its key's rows.
      const lower = utf8Compare(after.key, from) > 0 ? after.key : from;
      return mapRows(stmt.list.iterate(bucket, after.uploadId, after.key, lower, prefixUpperBound(prefix) ?? null, limit), toUploadRow);
    },
  };
}
