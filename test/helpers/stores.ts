// Stores for the tests that run on each kind: a data folder in a fresh temp dir (as served: small
// bodies inline in its database; or "files", every blob a file, as in data folders written before), or memory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BlobStore } from "../../src/core/store/blobs.ts";
import { openMemoryStore, openStore, type Store } from "../../src/core/store/open.ts";
import type { StoreKind } from "./server.ts";

export type TestStoreKind = StoreKind | "files";

export const STORE_KINDS: readonly TestStoreKind[] = ["disk", "files", "memory"];

export interface TestStore extends Store {
  /** Closes the store and removes its folder. */
  remove(): void;
}

export function openTestStore(kind: TestStoreKind, memoryLimit = 1024 ** 3): TestStore {
  if (kind === "memory") {
    const store = openMemoryStore(memoryLimit);
    return { ...store, remove: () => store.close() };
  }
  const store = openStore(mkdtempSync(join(tmpdir(), "s3lite-store-")), { inlineMax: kind === "files" ? -1 : undefined });
  return { ...store, remove: () => { store.close(); rmSync(store.dataDir, { recursive: true, force: true }); } };
}

/** Stages and publishes a body; its address and size. */
export async function putBlob(blobs: BlobStore, body: string | Uint8Array): Promise<{ sha256: string; size: number }> {
  const staged = await blobs.stage(new Blob([body]).stream(), { maxSize: 1 << 30 });
  await staged.commit();
  return { sha256: staged.sha256, size: staged.size };
}

/** An async iterable's items, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
