// A store as the commands and the server open it: metadata and blobs side by side, either in a data
// folder or held in the process (--memory), where nothing at all is written to the file system.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { logger } from "../log.ts";
import type { BlobStore } from "./blobs.ts";
import type { FaultHook } from "./faults.ts";
import { FsBlobStore } from "./fs-blobs.ts";
import { collectGarbage } from "./gc.ts";
import { MemoryBlobStore } from "./memory-blobs.ts";
import { inlineBlobs } from "./meta-inline.ts";
import { openMetadata, type SqliteMetadata } from "./meta.ts";

export interface Store<B extends BlobStore = BlobStore> {
  /** The data folder; undefined for a store held in memory. */
  dataDir: string | undefined;
  meta: SqliteMetadata;
  blobs: B;
  close(): void;
}

export const META_FILE = "meta.sqlite";

export interface OpenOptions {
  /** A folder without a database is an error rather than a new store. */
  mustExist?: boolean;
  /** Power-loss durability: see Config.fsync. */
  fsync?: boolean;
  /** Fault injection for tests (see faults.ts). */
  faults?: FaultHook;
  /** Bodies up to this many bytes are kept in the database (INLINE_MAX unless given); -1: every blob a file. */
  inlineMax?: number;
}

/** Opens (creating if needed) the data folder. */
export function openStore(dataDir: string, options: OpenOptions = {}): Store<FsBlobStore> & { dataDir: string } {
  const dir = resolve(dataDir);
  if (options.mustExist && !existsSync(join(dir, META_FILE))) throw new Error(`${dir} is not an s3lite data folder (no ${META_FILE})`);
  mkdirSync(dir, { recursive: true });
  const { fsync, faults, inlineMax } = options;
  const meta = openMetadata(join(dir, META_FILE), { fsync, faults });
  // Small bodies live in the metadata database itself (meta-inline.ts), so a write of one is one commit.
  const inline = inlineMax === -1 ? undefined : inlineBlobs(meta.db);
  const blobs = new FsBlobStore(dir, { fsync, faults, inline, inlineMax });
  return { dataDir: dir, meta, blobs, close: () => meta.close() };
}

/**
 * How young an unreferenced blob may be and still be reclaimed when memory runs short. A write
 * publishes its blob a moment before it writes the row that uses it; within one process that
 * moment is a few event-loop turns, so a second is a wide margin, and overwritten or deleted
 * objects' blobs become room almost at once.
 */
const PRESSURE_GRACE_MS = 1000;

const log = logger("memory");

/**
 * A store held in the process: SQLite in memory, blobs in memory up to `limit` bytes. When a body
 * would pass the limit, gc runs first (blobs no row uses, older than a second); reset() runs it too.
 */
export function openMemoryStore(limit: number, options: Pick<OpenOptions, "faults"> = {}): Store<MemoryBlobStore> {
  const meta = openMetadata(":memory:", { faults: options.faults });
  const blobs = new MemoryBlobStore(limit);
  blobs.reclaim = async () => {
    try {
      const report = await collectGarbage(meta, blobs, { dryRun: false, graceMs: PRESSURE_GRACE_MS, uploadMaxAgeMs: Infinity, now: Date.now() });
      log.debug(`memory limit reached: reclaimed ${report.blobsRemoved} blobs (${report.blobBytesFreed} bytes); ${blobs.usedBytes} of ${limit} bytes held`);
    } catch (error) {
      log.warn(`could not reclaim memory (${(error as Error).message})`);
    }
  };
  return { dataDir: undefined, meta, blobs, close: () => meta.close() };
}
