// Bucket queries on SQLite: the buckets table and bucket_configs (subresources kept as JSON). Both are
// read on every request (authorization, versioning, lifecycle, encryption) and written rarely, so what
// was read is kept in the process, frozen, and dropped on any write to its bucket.
import type { BucketMetadata } from "./meta.ts";
import { prefixUpperBound } from "./meta-order.ts";
import type { BucketRow } from "./meta-rows.ts";
import type { MetaDb } from "./meta-schema.ts";

interface BucketRecord { name: string; region: string; created_at: number; owner: string }

const toBucketRow = (r: BucketRecord): BucketRow => ({ name: r.name, region: r.region, createdAt: r.created_at, owner: r.owner });

/** Freezes a parsed value all the way down: a cached config is shared by every reader. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

interface CachedBucket {
  row?: BucketRow | null;
  /** Config name → parsed body, or null for none. */
  configs: Map<string, unknown>;
}

export function bucketQueries({ db }: MetaDb): BucketMetadata {
  const cache = new Map<string, CachedBucket>();
  // Filled only outside transactions: a value read inside one may yet be rolled back. Any write drops the
  // bucket's entry, which is safe whatever the write's transaction does next.
  const cached = (bucket: string): CachedBucket | undefined => {
    if (db.inTransaction) return undefined;
    let entry = cache.get(bucket);
    if (!entry) {
      if (cache.size >= 4096) cache.clear();
      entry = { configs: new Map() };
      cache.set(bucket, entry);
    }
    return entry;
  };
  // Read inside a transaction too (object writes ask for the versioning status in theirs): an entry
  // holds committed values only, since a write drops it before it changes anything.
  const readConfig = (bucket: string, name: string): unknown => {
    const hit = cache.get(bucket)?.configs;
    if (hit?.has(name)) return hit.get(name);
    const r = stmt.getConfig.get(bucket, name);
    const value = r ? deepFreeze(JSON.parse(r.body)) : null;
    cached(bucket)?.configs.set(name, value);
    return value;
  };
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
      cache.delete(name);
      return db.transaction(() => {
        if (stmt.insert.run(name, region, now, owner).changes !== 1) return false;
        for (const [config, value] of Object.entries(configs)) if (value !== undefined) stmt.putConfig.run(name, config, JSON.stringify(value));
        return true;
      })();
    },

    getBucket(name) {
      const entry = cached(name);
      if (entry?.row !== undefined) return entry.row ?? undefined;
      const r = stmt.get.get(name);
      const row = r ? deepFreeze(toBucketRow(r)) : null;
      if (entry) entry.row = row;
      return row ?? undefined;
    },

    listBuckets(options = {}) {
      const prefix = options.prefix ?? "";
      return stmt.list.all(options.after ?? "", prefix, prefixUpperBound(prefix) ?? null, options.region ?? null, options.owners ? JSON.stringify(options.owners) : null, options.limit ?? -1).map(toBucketRow);
    },

    isBucketEmpty: (name) => stmt.anyObject.get(name) === null,

    deleteBucket(name) {
      cache.delete(name);
      db.transaction(() => {
        stmt.removeUploads.run(name);
        stmt.remove.run(name);
      })();
    },

    getBucketConfig<T>(bucket: string, name: string): T | undefined {
      return (readConfig(bucket, name) ?? undefined) as T | undefined;
    },

    // One point lookup per name (when not cached): several cost less than one IN (json_each(…)) scan.
    getBucketConfigs(bucket, names) {
      const found: Record<string, unknown> = {};
      for (const name of names) {
        const value = readConfig(bucket, name);
        if (value !== null) found[name] = value;
      }
      return found;
    },

    setBucketConfig(bucket, name, value) {
      cache.delete(bucket);
      if (value === undefined) stmt.removeConfig.run(bucket, name);
      else stmt.putConfig.run(bucket, name, JSON.stringify(value));
    },
  };
}
