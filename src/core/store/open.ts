// The data folder as the commands and the server open it: metadata and blobs side by side.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { FsBlobStore } from "./blobs.ts";
import { Metadata } from "./meta.ts";

export interface Store {
  dataDir: string;
  meta: Metadata;
  blobs: FsBlobStore;
  close(): void;
}

export const META_FILE = "meta.sqlite";

/** Opens (creating if needed) the data folder. With `mustExist`, a folder without a database is an error. */
export function openStore(dataDir: string, options: { mustExist?: boolean } = {}): Store {
  const dir = resolve(dataDir);
  if (options.mustExist && !existsSync(join(dir, META_FILE))) throw new Error(`${dir} is not an s3lite data folder (no ${META_FILE})`);
  mkdirSync(dir, { recursive: true });
  const meta = new Metadata(join(dir, META_FILE));
  return { dataDir: dir, meta, blobs: new FsBlobStore(dir), close: () => meta.close() };
}
