// Maintenance queries on SQLite, across tables: which blobs rows rely on (gc, fsck), merging a
// multipart object's parts into one blob (the part merger), and emptying every bucket (reset()).
import type { MaintenanceMetadata, ObjectRow } from "./meta.ts";
import type { ObjectRowWriter } from "./meta-objects.ts";
import type { MetaDb } from "./meta-schema.ts";
import { toUploadRow, type UploadRecord } from "./meta-uploads.ts";

/** Every blob a row uses, with its recorded size: merged objects and versions, unmerged parts, upload parts. */
const REFERENCED_BLOBS = `SELECT sha256, size FROM objects WHERE sha256 != '' UNION SELECT sha256, size FROM object_parts WHERE sha256 != ''
  UNION SELECT sha256, size FROM object_versions WHERE sha256 != '' UNION SELECT sha256, size FROM version_parts WHERE sha256 != ''
  UNION SELECT sha256, size FROM upload_parts`;

/** Object Lock holds a version: a legal hold, or retention (of either mode) that has not run out. */
const isProtected = (v: Pick<ObjectRow, "lock" | "legalHold"> | undefined, now: number): boolean =>
  v !== undefined && (v.legalHold === true || (v.lock !== undefined && v.lock.retainUntil > now));

export function maintenanceQueries({ db, write }: MetaDb, rows: ObjectRowWriter): MaintenanceMetadata {
  const stmt = {
    merge: db.query<unknown, [string, string, string, string, number]>(
      "UPDATE objects SET sha256 = ? WHERE bucket = ? AND key = ? AND sha256 = '' AND etag = ? AND last_modified = ?"),
    clearPartBlobs: db.query<unknown, [string, string]>("UPDATE object_parts SET sha256 = '' WHERE bucket = ? AND key = ?"),
    // The partial index objects_unmerged finds these without a scan.
    unmerged: db.query<{ bucket: string; key: string }, []>("SELECT bucket, key FROM objects WHERE sha256 = ''"),
    referenced: db.query<{ used: number }, [string]>(
      `SELECT EXISTS(SELECT 1 FROM objects WHERE sha256 = ?1) OR EXISTS(SELECT 1 FROM object_parts WHERE sha256 = ?1)
         OR EXISTS(SELECT 1 FROM object_versions WHERE sha256 = ?1) OR EXISTS(SELECT 1 FROM version_parts WHERE sha256 = ?1)
         OR EXISTS(SELECT 1 FROM upload_parts WHERE sha256 = ?1) AS used`),
    uploadsBefore: db.query<UploadRecord, [number]>("SELECT * FROM uploads WHERE created_at < ? ORDER BY created_at"),
    referencedBlobs: db.query<{ sha256: string; size: number }, []>(`${REFERENCED_BLOBS} ORDER BY sha256`),
    referencedBytes: db.query<{ total: number | null }, []>(`SELECT SUM(size) AS total FROM (${REFERENCED_BLOBS})`),
    objectUsers: db.query<{ bucket: string; key: string }, [string]>(
      "SELECT bucket, key FROM objects WHERE sha256 = ?1 UNION SELECT bucket, key FROM object_parts WHERE sha256 = ?1 ORDER BY bucket, key"),
    versionUsers: db.query<{ bucket: string; key: string; version_id: string }, [string]>(
      `SELECT bucket, key, version_id FROM object_versions WHERE sha256 = ?1 UNION SELECT bucket, key, version_id FROM version_parts WHERE sha256 = ?1
       ORDER BY bucket, key, version_id`),
    removeVersion: db.query<unknown, [string, string, string]>("DELETE FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?"),
    uploadUsers: db.query<{ bucket: string; key: string; upload_id: string }, [string]>(
      "SELECT u.bucket, u.key, u.upload_id FROM upload_parts p JOIN uploads u USING (upload_id) WHERE p.sha256 = ? ORDER BY u.bucket, u.key"),
    removeUploadPartsOfBlob: db.query<unknown, [string]>("DELETE FROM upload_parts WHERE sha256 = ?"),
  };
  return {
    // Guarded by the ETag and time it was merged from: an object overwritten meanwhile is left alone.
    mergeObject(o, sha256) {
      return write(() => {
        if (stmt.merge.run(sha256, o.bucket, o.key, o.etag, o.lastModified).changes === 0) return false;
        // Part boundaries stay for partNumber reads; their blobs are no longer referenced.
        stmt.clearPartBlobs.run(o.bucket, o.key);
        return true;
      });
    },

    unmergedObjects: () => stmt.unmerged.all(),

    clearObjects() {
      db.transaction(() => db.exec("DELETE FROM objects; DELETE FROM object_versions; DELETE FROM uploads; DELETE FROM completed_uploads;"))();
    },

    isBlobReferenced: (sha256) => stmt.referenced.get(sha256)!.used === 1,

    uploadsCreatedBefore: (time) => stmt.uploadsBefore.all(time).map(toUploadRow),

    integrityCheck: () => db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").all().map((r) => r.integrity_check),

    referencedBlobs: () => stmt.referencedBlobs.iterate(),

    referencedBytes: () => stmt.referencedBytes.get()!.total ?? 0,

    blobUsers: (sha256) => [
      ...stmt.objectUsers.all(sha256),
      ...stmt.versionUsers.all(sha256).map((v) => ({ bucket: v.bucket, key: v.key, versionId: v.version_id })),
      ...stmt.uploadUsers.all(sha256).map((u) => ({ bucket: u.bucket, key: u.key, uploadId: u.upload_id })),
    ],

    // Object Lock outranks repair, as it outranks any delete: a protected version keeps its row, to be
    // restored from a copy of its blob, and the report says so.
    removeBlobUsers(sha256, now) {
      return db.transaction(() => {
        let objects = 0, locked = 0;
        // Noncurrent versions first, so that none of them is uncovered below to take a current one's place.
        for (const v of stmt.versionUsers.all(sha256)) {
          if (isProtected(rows.versions.get(v.bucket, v.key, v.version_id), now)) { locked++; continue; }
          stmt.removeVersion.run(v.bucket, v.key, v.version_id);
          objects++;
        }
        for (const o of stmt.objectUsers.all(sha256)) {
          const current = rows.get(o.bucket, o.key)!;
          if (isProtected(current, now)) { locked++; continue; }
          // A current version that goes uncovers the one behind it, as a delete of it by id would.
          rows.deleteVersion(o.bucket, o.key, current.versionId);
          objects++;
        }
        const uploadParts = stmt.removeUploadPartsOfBlob.run(sha256).changes;
        return { objects, uploadParts, locked };
      })();
    },
  };
}
