// What the lifecycle sweeper (core/lifecycle.ts) asks of SQLite beyond the object and upload queries:
// the buckets that have a configuration, and the noncurrent versions and delete markers of a prefix in
// batches, each read in (key, newest first) order from a cursor, so no sweep holds a bucket in memory.
import type { LifecycleMetadata } from "./meta.ts";
import type { ObjectRowWriter } from "./meta-objects.ts";
import { prefixUpperBound, utf8Compare } from "./meta-order.ts";
import type { VersionRow } from "./meta-rows.ts";
import type { MetaDb } from "./meta-schema.ts";

export function lifecycleQueries({ db, write }: MetaDb, rows: ObjectRowWriter): LifecycleMetadata {
  const stmt = {
    configs: db.query<{ bucket: string; body: string }, [string, string, number]>(
      "SELECT bucket, body FROM bucket_configs WHERE name = ? AND bucket > ? ORDER BY bucket LIMIT ?"),
    currentSeq: db.query<{ version_seq: number }, [string, string]>("SELECT version_seq FROM objects WHERE bucket = ? AND key = ?"),
    versionCount: db.query<{ n: number }, [string, string, number]>(
      "SELECT COUNT(*) AS n FROM (SELECT 1 FROM object_versions WHERE bucket = ? AND key = ? LIMIT ?)"),
    setVersionHeaders: db.query<unknown, [string, string, string, string, number]>(
      "UPDATE object_versions SET headers = ? WHERE bucket = ? AND key = ? AND version_id = ? AND version_seq = ? AND delete_marker = 0"),
  };
  return {
    bucketsWithConfig(name, after, limit) {
      return stmt.configs.all(name, after, limit).map((r) => ({ bucket: r.bucket, config: JSON.parse(r.body) }));
    },

    currentVersionSeq: (bucket, key) => stmt.currentSeq.get(bucket, key)?.version_seq,

    versionBatch(bucket, prefix, after, limit) {
      const batch: VersionRow[] = [];
      // The rest of the cursor's key first (older than the cursor), then the keys after it.
      if (after) {
        for (const v of rows.versions.olderThan(bucket, after.key, after.seq)) {
          if (batch.length === limit) return batch;
          batch.push(v);
        }
      }
      const lower = after && utf8Compare(after.key + "\0", prefix) > 0 ? after.key + "\0" : prefix;
      for (const v of rows.versions.list(bucket, lower, prefixUpperBound(prefix) ?? null, limit - batch.length)) batch.push(v);
      return batch;
    },

    versionCount: (bucket, key, cap) => stmt.versionCount.get(bucket, key, cap)!.n,

    setVersionHeaders(bucket, key, versionId, seq, headers) {
      return write(() => stmt.setVersionHeaders.run(JSON.stringify(headers), bucket, key, versionId, seq).changes > 0);
    },
  };
}
