// collectGarbage(): reclaims what no object or live upload uses — blobs, abandoned multipart uploads,
// temp files — and returns a report; it never prints. Safe beside a running server:
// - a blob younger than the grace period is kept: a write publishes its blob (or refreshes the mtime
//   of an identical one) before it writes the row that references it;
// - a blob is first moved aside into tmp/, then checked again (reference and mtime) and put back
//   if a writer got to it meanwhile, so a check-then-delete race cannot lose a referenced blob;
// - blobs left aside by an interrupted gc are put back or removed at the start of the next one.
import { readdir, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { FsBlobStore } from "./blobs.ts";
import type { Metadata } from "./meta.ts";

export interface GcOptions {
  /** Report only; change nothing. */
  dryRun: boolean;
  /** Blobs and temp files modified within this many ms are kept. */
  graceMs: number;
  /** Multipart uploads started longer ago than this many ms are aborted. */
  uploadMaxAgeMs: number;
  now: number;
  /** For tests: runs between moving a blob aside and checking it again, where a writer may race gc. */
  afterAside?: (sha256: string) => Promise<void>;
}

export interface GcReport {
  dryRun: boolean;
  blobsScanned: number;
  blobsRemoved: number;
  blobBytesFreed: number;
  /** Unreferenced, but younger than the grace period. */
  blobsKeptYoung: number;
  uploadsAborted: { bucket: string; key: string; uploadId: string; createdAt: string }[];
  tmpFilesRemoved: number;
  tmpBytesFreed: number;
  /** Blobs an interrupted gc had moved aside and that were still in use: put back. */
  blobsRestored: number;
}

/** Name of a blob moved aside by gc, inside tmp/ (same file system, so moving is a rename). */
const ASIDE_PREFIX = "gc-";

export async function collectGarbage(meta: Metadata, blobs: FsBlobStore, options: GcOptions): Promise<GcReport> {
  const report: GcReport = {
    dryRun: options.dryRun, blobsScanned: 0, blobsRemoved: 0, blobBytesFreed: 0, blobsKeptYoung: 0,
    uploadsAborted: [], tmpFilesRemoved: 0, tmpBytesFreed: 0, blobsRestored: 0,
  };
  const cutoff = options.now - options.graceMs;
  if (!options.dryRun) report.blobsRestored = await settleAside(meta, blobs, cutoff);

  // Abandoned uploads first, so the parts only they used are collected in the same run.
  for (const upload of meta.uploadsCreatedBefore(options.now - options.uploadMaxAgeMs)) {
    report.uploadsAborted.push({ bucket: upload.bucket, key: upload.key, uploadId: upload.uploadId, createdAt: new Date(upload.createdAt).toISOString() });
    if (!options.dryRun) meta.deleteUpload(upload.uploadId);
  }

  for await (const blob of blobs.list()) {
    report.blobsScanned++;
    if (meta.isBlobReferenced(blob.sha256)) continue;
    if (blob.mtimeMs > cutoff) { report.blobsKeptYoung++; continue; }
    if (!options.dryRun && !(await removeBlob(meta, blobs, blob.sha256, cutoff, options.afterAside))) continue;
    report.blobsRemoved++;
    report.blobBytesFreed += blob.size;
  }

  for (const name of await readdir(blobs.tmpDir)) {
    if (name.startsWith(ASIDE_PREFIX)) continue;
    const path = join(blobs.tmpDir, name);
    const info = await stat(path).catch(() => null);
    // A body still being received keeps its mtime fresh as bytes arrive.
    if (!info || info.mtimeMs > cutoff) continue;
    if (!options.dryRun) await unlink(path).catch(() => {});
    report.tmpFilesRemoved++;
    report.tmpBytesFreed += info.size;
  }
  return report;
}

/** Moves the blob aside, checks again, and removes it; returns false when it turned out to be in use. */
async function removeBlob(meta: Metadata, blobs: FsBlobStore, sha256: string, cutoff: number, afterAside?: GcOptions["afterAside"]): Promise<boolean> {
  const aside = join(blobs.tmpDir, ASIDE_PREFIX + sha256);
  try {
    await rename(blobs.path(sha256), aside);
  } catch {
    return false; // gone already
  }
  await afterAside?.(sha256);
  if (await inUse(meta, aside, sha256, cutoff)) {
    await putBack(blobs, aside, sha256);
    return false;
  }
  await unlink(aside);
  return true;
}

async function inUse(meta: Metadata, aside: string, sha256: string, cutoff: number): Promise<boolean> {
  if (meta.isBlobReferenced(sha256)) return true;
  const info = await stat(aside).catch(() => null);
  return info !== null && info.mtimeMs > cutoff;
}

async function putBack(blobs: FsBlobStore, aside: string, sha256: string): Promise<void> {
  // A writer may have published a fresh copy under the address meanwhile; then ours is redundant.
  if (await Bun.file(blobs.path(sha256)).exists()) await unlink(aside);
  else await rename(aside, blobs.path(sha256));
}

/** Blobs moved aside by a gc that did not finish: back if still used, else removed. Returns how many went back. */
async function settleAside(meta: Metadata, blobs: FsBlobStore, cutoff: number): Promise<number> {
  let restored = 0;
  for (const name of await readdir(blobs.tmpDir)) {
    if (!name.startsWith(ASIDE_PREFIX)) continue;
    const sha256 = name.slice(ASIDE_PREFIX.length);
    const aside = join(blobs.tmpDir, name);
    if (await inUse(meta, aside, sha256, cutoff)) {
      await putBack(blobs, aside, sha256);
      restored++;
    } else {
      await unlink(aside).catch(() => {});
    }
  }
  return restored;
}
