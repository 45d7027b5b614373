// Checkpoints of the metadata database's WAL on a thread of their own (meta-checkpoint-worker.ts), so
// a request's commit never waits for one; durability is the WAL's and unchanged (a checkpoint copies
// committed pages into the database file, it commits nothing). Started for file databases only.
import type { Database } from "bun:sqlite";

/** How often the worker checkpoints; a PUT of 4 KiB adds a few pages, so the WAL stays near 1,000 pages at 3k PUT/s. */
const INTERVAL_MS = 50;
/**
 * The request thread's own autocheckpoint, kept (SQLite's default is 1,000 pages): under steady writes
 * the worker's PASSIVE checkpoints copy the pages but never find the WAL fully copied at the moment a
 * write begins, which is when SQLite starts the WAL over. This one, run between writes, copies what
 * the worker has not yet (at most an interval's worth) and lets the WAL restart, so it stays within
 * one wal-index segment (4,096 frames) that reads search; it also covers a worker that failed.
 */
const BACKSTOP_PAGES = 4000;

export interface Checkpointer { stop(): void }

/** Moves the WAL's checkpoints off `db`'s thread; `synchronous` is the database's setting, which the worker's connection shares. */
export function startCheckpointer(db: Database, path: string, synchronous: string): Checkpointer {
  const worker = new Worker(new URL("./meta-checkpoint-worker.ts", import.meta.url).href);
  worker.unref();
  worker.postMessage({ path, synchronous, intervalMs: INTERVAL_MS });
  db.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  return {
    // The worker closes its connection (SQLite's last-close checkpoint included) before it ends.
    stop: () => worker.postMessage("stop"),
  };
}
