// Small shared pieces of the S3 suites: sizes, random bodies, and the error a request ends with.
import { Database } from "bun:sqlite";
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { S3ServiceException } from "@aws-sdk/client-s3";

export const MiB = 1024 * 1024;

/** Resolves with the SDK's error; a request that succeeds fails the test. */
export const errorOf = (p: Promise<unknown>): Promise<S3ServiceException> =>
  p.then(() => { throw new Error("expected an error"); }, (e: S3ServiceException) => e);

/** Random bytes (getRandomValues fills at most 64 KiB at a time). */
export function random(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(size, i + 65536)));
  return out;
}

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * A seeded generator of floats in [0, 1) (mulberry32), so a failing randomized test can be replayed:
 * tests print their seed, and S3LITE_TEST_SEED sets it.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const testSeed = (): number => Number(process.env.S3LITE_TEST_SEED) || (Date.now() % 1_000_000);

export const md5Hex = (data: Uint8Array | string): string => new Bun.CryptoHasher("md5").update(data).digest("hex");

export const sha256Hex = (data: Uint8Array | string): string => new Bun.CryptoHasher("sha256").update(data).digest("hex");

/** Sets every blob's mtime `ageMs` into the past, files and inline blobs, so gc's grace period protects none of them. */
export function ageBlobs(dataDir: string, ageMs = 3_600_000): void {
  const blobs = join(dataDir, "blobs");
  const old = new Date(Date.now() - ageMs);
  for (const a of readdirSync(blobs)) for (const b of readdirSync(join(blobs, a))) for (const f of readdirSync(join(blobs, a, b))) utimesSync(join(blobs, a, b, f), old, old);
  withDatabase(dataDir, (db) => db.run("UPDATE inline_blobs SET mtime = ?", [old.getTime()]));
}

/** The data folder's metadata database, opened beside the server that may be using it, for `use`. */
export function withDatabase<T>(dataDir: string, use: (db: Database) => T): T {
  const db = new Database(join(dataDir, "meta.sqlite"), { strict: true });
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    return use(db);
  } finally {
    db.close();
  }
}

/** Replaces a blob's stored bytes where the data folder keeps them: in its database (a small blob), else in its file. */
export function tamperBlob(dataDir: string, sha256: string, bytes: string | Uint8Array): void {
  const body = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
  const inline = withDatabase(dataDir, (db) => db.run("UPDATE inline_blobs SET body = ? WHERE sha256 = ?", [body, sha256]).changes > 0);
  if (!inline) writeFileSync(blobPath(dataDir, sha256), body);
}

/** The SHA-256 of every blob kept inline in a data folder's database (small bodies; see store/meta-inline.ts). */
export const inlineBlobs = (dataDir: string): string[] =>
  withDatabase(dataDir, (db) => db.query<{ sha256: string }, []>("SELECT sha256 FROM inline_blobs ORDER BY sha256").all().map((r) => r.sha256));

/** Where the blob of `sha256` lives in a data folder: blobs/ab/cd/<sha256>. */
export const blobPath = (dataDir: string, sha256: string): string => join(dataDir, "blobs", sha256.slice(0, 2), sha256.slice(2, 4), sha256);

/** The SHA-256 of every blob file in a data folder, read from the disk rather than from metadata. */
export function blobFiles(dataDir: string): string[] {
  const blobs = join(dataDir, "blobs");
  return readdirSync(blobs).flatMap((a) => readdirSync(join(blobs, a)).flatMap((b) => readdirSync(join(blobs, a, b))));
}

/** Every file under `dir`, read whole. */
export function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  const found: { path: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path));
    else found.push({ path, bytes: readFileSync(path) });
  }
  return found;
}
