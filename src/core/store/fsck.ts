// checkStore(): verifies every blob that metadata references — present, of the recorded size, and
// hashing to its address — names each bucket and key a bad blob affects, runs SQLite's integrity
// check, and counts what gc would reclaim. With `repair`, a bad blob is quarantined (the data folder's
// quarantine/) and the objects and uploads that lost their data are removed, except versions Object
// Lock protects, which stay and are counted. It returns a report and never prints.
import type { BlobStore } from "./blobs.ts";
import type { Metadata } from "./meta.ts";

export type ProblemKind = "database" | "missing-blob" | "size-mismatch" | "hash-mismatch";

export interface Problem {
  kind: ProblemKind;
  sha256?: string;
  detail: string;
  /** Objects ("bucket/key") and uploads ("bucket/key (upload id)") that rely on the blob. */
  affected: string[];
  /** What --repair did about it. */
  repaired?: string;
  /** Object versions --repair left in place because Object Lock protects them (retention or a legal hold). */
  locked?: number;
}

export interface FsckOptions {
  repair: boolean;
  /** Temp files and unreferenced blobs modified within this many ms are not counted as leftovers. */
  graceMs: number;
  /** Uploads started longer ago than this many ms are reported as stale. */
  uploadMaxAgeMs: number;
  now: number;
  /** Called as blobs are hashed: bytes done so far and in all. */
  onProgress?: (done: number, total: number) => void;
}

export interface FsckReport {
  /** No problems found (repaired ones included: something was wrong). */
  ok: boolean;
  blobsVerified: number;
  bytesVerified: number;
  problems: Problem[];
  /** Found, and harmless: what `gc` reclaims. */
  leftovers: { orphanBlobs: number; orphanBytes: number; staleUploads: number; tempFiles: number; tempBytes: number };
  /** Multipart objects still read from their parts; a running server merges them. */
  unmergedObjects: number;
  /** Where repaired blobs were kept. */
  quarantineDir?: string;
}

const HASH_CHUNK = 4 * 1024 * 1024;

export async function checkStore(meta: Metadata, blobs: BlobStore, options: FsckOptions): Promise<FsckReport> {
  const report: FsckReport = {
    ok: true, blobsVerified: 0, bytesVerified: 0, problems: [],
    leftovers: { orphanBlobs: 0, orphanBytes: 0, staleUploads: 0, tempFiles: 0, tempBytes: 0 },
    unmergedObjects: meta.unmergedObjects().length,
  };
  for (const line of meta.integrityCheck()) {
    if (line !== "ok") report.problems.push({ kind: "database", detail: line, affected: [] });
  }

  const total = meta.referencedBytes();
  for (const { sha256, size } of meta.referencedBlobs()) {
    const problem = await verifyBlob(blobs, sha256, size);
    report.blobsVerified++;
    report.bytesVerified += size;
    options.onProgress?.(report.bytesVerified, total);
    if (!problem) continue;
    problem.affected = meta.blobUsers(sha256).map((u) =>
      u.uploadId ? `${u.bucket}/${u.key} (upload ${u.uploadId})` : u.versionId ? `${u.bucket}/${u.key} (version ${u.versionId})` : `${u.bucket}/${u.key}`);
    if (options.repair) problem.repaired = await repair(meta, blobs, problem, report, options.now);
    report.problems.push(problem);
  }

  const cutoff = options.now - options.graceMs;
  for await (const blob of blobs.list()) {
    if (blob.mtimeMs > cutoff || meta.isBlobReferenced(blob.sha256)) continue;
    report.leftovers.orphanBlobs++;
    report.leftovers.orphanBytes += blob.size;
  }
  report.leftovers.staleUploads = meta.uploadsCreatedBefore(options.now - options.uploadMaxAgeMs).length;
  // Blobs an interrupted gc left aside count with the temp files: the next gc settles both.
  for (const leftovers of [blobs.listTemp(), blobs.listAside()]) {
    for await (const temp of leftovers) {
      if (temp.mtimeMs > cutoff) continue;
      report.leftovers.tempFiles++;
      report.leftovers.tempBytes += temp.size;
    }
  }
  report.ok = report.problems.length === 0;
  return report;
}

async function verifyBlob(blobs: BlobStore, sha256: string, size: number): Promise<Problem | undefined> {
  const info = await blobs.stat(sha256);
  if (!info) return { kind: "missing-blob", sha256, detail: "the blob is missing (neither its file nor its row in the database is there)", affected: [] };
  if (info.size !== size) return { kind: "size-mismatch", sha256, detail: `the blob holds ${info.size} bytes, metadata says ${size}`, affected: [] };
  const file = blobs.file(sha256);
  const hasher = new Bun.CryptoHasher("sha256");
  for (let offset = 0; offset < size; offset += HASH_CHUNK) {
    hasher.update(new Uint8Array(await file.slice(offset, Math.min(size, offset + HASH_CHUNK)).arrayBuffer()));
  }
  const actual = hasher.digest("hex");
  if (actual !== sha256) return { kind: "hash-mismatch", sha256, detail: `the content hashes to ${actual}`, affected: [] };
  return undefined;
}

/** Quarantines a bad blob and removes what relied on it: an object without its bytes must not be served. */
async function repair(meta: Metadata, blobs: BlobStore, problem: Problem, report: FsckReport, now: number): Promise<string> {
  const sha256 = problem.sha256!;
  let moved = "";
  if (problem.kind !== "missing-blob") {
    const kept = await blobs.quarantine(sha256);
    if (kept) report.quarantineDir = kept;
    moved = kept ? "moved the blob to quarantine/; " : "dropped the blob; ";
  }
  const removed = meta.removeBlobUsers(sha256, now);
  if (removed.locked > 0) problem.locked = removed.locked;
  const lockedNote = removed.locked > 0 ? `; kept ${removed.locked} object version(s) under Object Lock (retention or legal hold), which still need this blob restored` : "";
  return `${moved}removed ${removed.objects} object(s) and ${removed.uploadParts} upload part(s) that relied on it${lockedNote}`;
}
