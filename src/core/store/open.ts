// The data folder as the commands and the server open it: metadata and blobs side by side.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { FsBlobStore } from "./blobs.ts";
import type { FaultHook } from "./faults.ts";
import { Metadata } from "./meta.ts";

export interface Store {
  dataDir: string;
  meta: Metadata;
  blobs: FsBlobStore;
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
}

/** Opens (creating if needed) the data folder. */
export function openStore(dataDir: string, options: OpenOptions = {}): Store {
  const dir = resolve(dataDir);
  if (options.mustExist && !existsSync(join(dir, META_FILE))) throw new Error(`${dir} is not an s3lite data folder (no ${META_FILE})`);
  mkdirSync(dir, { recursive: true });
  const { fsync, faults } = options;
  const meta = new Metadata(join(dir, META_FILE), { fsync, faults });
  return { dataDir: dir, meta, blobs: new FsBlobStore(dir, { fsync, faults }), close: () => meta.close() };
}
