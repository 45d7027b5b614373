// collectGarbage(): reclaims what no object or live upload uses — blobs, abandoned multipart uploads,
// temp files — and returns a report; it never prints. Safe beside a running server:
// - a blob younger than the grace period is kept: a write publishes its blob (or refreshes the mtime
//   of an identical one) before it writes the row that references it;
// - a blob is first moved aside, then checked again (reference and mtime) and put back if a writer
//   got to it meanwhile, so a check-then-delete race cannot lose a referenced blob;
// - blobs left aside by an interrupted gc are put back or removed at the start of the next one.
import type { BlobStore } from "./blobs.ts";
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

export async function collectGarbage(meta: Metadata, blobs: BlobStore, options: GcOptions): Promise<GcReport> {
  const report: GcReport = {
    dryRun: options.dryRun, blobsScanned: 0, blobsRemoved: 0, blobBytesFreed: 0, blobsKeptYoung: 0,
    uploadsAborted: [], tmpFilesRemoved: 0, tmpBytesFreed: 0, blobsRestored: 0,
  };
  const cutoff = options.now - options.graceMs;
  // Kept when a row uses it, or when a writer marked it fresh (publishing the same content) meanwhile.
  const inUse = (aside: { sha256: string; mtimeMs: number }) => meta.isBlobReferenced(aside.sha256) || aside.mtimeMs > cutoff;

  if (!options.dryRun) {
    // Blobs moved aside by a gc that did not finish: back if still used, else removed.
    for await (const aside of blobs.listAside()) if (await blobs.settleAside(aside.sha256, inUse)) report.blobsRestored++;
  }

  // Abandoned uploads first, so the parts only they used are collected in the same run.
  for (const upload of meta.uploadsCreatedBefore(options.now - options.uploadMaxAgeMs)) {
    report.uploadsAborted.push({ bucket: upload.bucket, key: upload.key, uploadId: upload.uploadId, createdAt: new Date(upload.createdAt).toISOString() });
    if (!options.dryRun) meta.deleteUpload(upload.uploadId);
  }

  for await (const blob of blobs.list()) {
    report.blobsScanned++;
    if (meta.isBlobReferenced(blob.sha256)) continue;
    if (blob.mtimeMs > cutoff) { report.blobsKeptYoung++; continue; }
    if (!options.dryRun) {
      // Moved aside, then checked again: a check-then-delete race cannot lose a blob a writer just reused.
      if (!(await blobs.moveAside(blob.sha256))) continue; // gone already
      await options.afterAside?.(blob.sha256);
      if (await blobs.settleAside(blob.sha256, inUse)) continue;
    }
    report.blobsRemoved++;
    report.blobBytesFreed += blob.size;
  }

  // A body still being received keeps its temp file fresh as bytes arrive.
  for await (const temp of blobs.listTemp()) {
    if (temp.mtimeMs > cutoff) continue;
    if (!options.dryRun) await blobs.removeTemp(temp.name);
    report.tmpFilesRemoved++;
    report.tmpBytesFreed += temp.size;
  }
  return report;
}
