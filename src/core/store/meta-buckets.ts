// Bucket queries on SQLite: the buckets table and bucket_configs (subresources kept as JSON).
import type { BucketMetadata } from "./meta.ts";
import { prefixUpperBound } from "./meta-order.ts";
import type { BucketRow } from "./meta-rows.ts";
import type { MetaDb } from "./meta-schema.ts";

interface BucketRecord { name: string; region: string; created_at: number; owner: string }

const toBucketRow = (r: BucketRecord): BucketRow => ({ name: r.name, region: r.region, createdAt: r.created_at, owner: r.owner });

export function bucketQueries({ db }: MetaDb): BucketMetadata {
  const stmt = {
    insert: db.query<unknown, [string, string, number, string]>("INSERT OR IGNORE INTO buckets (name, region, created_at, owner) VALUES (?, ?, ?, ?)"),
    get: db.query<BucketRecord, [string]>("SELECT name, region, created_at, owner FROM buckets WHERE name = ?"),
    list: db.query<BucketRecord, [string, string, string | null, string | null, string | null, number]>(
      "SELECT name, region, created_at, owner FROM buckets WHERE name > ?1 AND name >= ?2 AND (?3 IS NULL OR name < ?3) AND (?4 IS NULL OR region = ?4) AND (?5 IS NULL OR owner IN (SELECT value FROM json_each(?5))) ORDER BY name LIMIT ?6"),
    remove: db.query<unknown, [string]>("DELETE FROM buckets WHERE name = ?"),
    removeUploads: db.query<unknown, [string]>("DELETE FROM uploads WHERE bucket = ?"),
    anyObject: db.query<{ one: number }, [string]>(
      "SELECT 1 AS one WHERE EXISTS (SELECT 1 FROM objects WHERE bucket = ?1) OR EXISTS (SELECT 1 FROM object_versions WHERE bucket = ?1)"),
    getConfig: db.query<{ body: string }, [string, string]>("SELECT body FROM bucket_configs WHERE bucket = ? AND name = ?"),
    putConfig: db.query<unknown, [string, string, string]>("INSERT OR REPLACE INTO bucket_configs (bucket, name, body) VALUES (?, ?, ?)"),
    removeConfig: db.query<unknown, [string, string]>("DELETE FROM bucket_configs WHERE bucket = ? AND name = ?"),
  };
  return {
    createBucket(name, region, now, owner = "", configs = {}) {
      return db.transaction(() => {
        if (stmt.insert.run(name, region, now, owner).changes !== 1) return false;
        for (const [config, value] of Object.entries(configs)) if (value !== undefined) stmt.putConfig.run(name, config, JSON.stringify(value));
        return true;
      })();
    },

    getBucket(name) {
      const r = stmt.get.get(name);
      return r ? toBucketRow(r) : undefined;
    },

    listBuckets(options = {}) {
      const prefix = options.prefix ?? "";
      return stmt.list.all(options.after ?? "", prefix, prefixUpperBound(prefix) ?? null, options.region ?? null, options.owners ? JSON.stringify(options.owners) : null, options.limit ?? -1).map(toBucketRow);
    },

    isBucketEmpty: (name) => stmt.anyObject.get(name) === null,

    deleteBucket(name) {
      db.transaction(() => {
        stmt.removeUploads.run(name);
        stmt.remove.run(name);
      })();
    },

    getBucketConfig<T>(bucket: string, name: string): T | undefined {
      const r = stmt.getConfig.get(bucket, name);
      return r ? (JSON.parse(r.body) as T) : undefined;
    },

    // One point lookup per name: several cost less than one IN (json_each(…)) scan.
    getBucketConfigs(bucket, names) {
      const found: Record<string, unknown> = {};
      for (const name of names) {
        const r = stmt.getConfig.get(bucket, name);
        if (r) found[name] = JSON.parse(r.body);
      }
      return found;
    },

    setBucketConfig(bucket, name, value) {
      if (value === undefined) stmt.removeConfig.run(bucket, name);
      else stmt.putConfig.run(bucket, name, JSON.stringify(value));
    },
  };
}
