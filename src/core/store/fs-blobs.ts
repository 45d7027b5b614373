// Blobs in the data folder: <data>/blobs/ab/cd/<sha256>, written through <data>/tmp/ and renamed.
// It never deletes a published blob on the request path (an unlink there costs ~0.2 ms): gc does that
// in batches, moving a blob aside into tmp/gc-<sha256> first. Corrupt blobs go to <data>/quarantine/.
import { existsSync, mkdirSync, utimesSync } from "node:fs";
import { open, readdir, rename, stat, unlink, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { BunFile } from "bun";
import type { BlobInfo, BlobReader, BlobStore, StageOptions, StagedBlob, TempInfo } from "./blobs.ts";
import { BodyDigests, type Digests } from "./body-digests.ts";
import type { FaultHook } from "./faults.ts";

export interface FsBlobStoreOptions {
  /** Flush each blob and its folder to the disk before it is published (power-loss durability). */
  fsync?: boolean;
  /** Fault injection for tests (see faults.ts). */
  faults?: FaultHook;
}

const WRITE_BUFFER = 1024 * 1024;
/** concatenate()'s one buffer: large enough that a read and a write per chunk cost little. */
const COPY_BUFFER = 1024 * 1024;
/** A blob moved aside by gc, inside tmp/ (same file system, so moving is a rename). */
const ASIDE_PREFIX = "gc-";

export class FsBlobStore implements BlobStore {
  private readonly blobDir: string;
  private readonly tmpDir: string;
  private readonly quarantineDir: string;
  private readonly madeDirs = new Set<string>();
  private readonly fsync: boolean;
  private readonly fault: FaultHook;

  constructor(dataDir: string, options: FsBlobStoreOptions = {}) {
    this.fsync = options.fsync ?? false;
    this.fault = options.faults ?? (() => {});
    this.blobDir = join(dataDir, "blobs");
    this.tmpDir = join(dataDir, "tmp");
    this.quarantineDir = join(dataDir, "quarantine");
    mkdirSync(this.blobDir, { recursive: true });
    mkdirSync(this.tmpDir, { recursive: true });
  }

  /** Where the blob's file is. Not part of BlobStore: only tools that measure the disk itself ask. */
  path(sha256: string): string {
    // Concatenated rather than join()ed: every GET asks, and the parts need no normalizing.
    return `${this.blobDir}/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  file(sha256: string): BunFile {
    return Bun.file(this.path(sha256));
  }

  private tempPath(): string {
    return join(this.tmpDir, `${Date.now()}-${crypto.randomUUID()}`);
  }

  async stage(body: ReadableStream<Uint8Array> | null, options: StageOptions): Promise<StagedBlob> {
    const tmpPath = this.tempPath();
    const digests = new BodyDigests(options);
    const sink = Bun.file(tmpPath).writer({ highWaterMark: WRITE_BUFFER });
    try {
      if (body) {
        for await (const chunk of body) {
          const md5Behind = digests.update(chunk);
          this.fault("write");
          const pending = sink.write(chunk);
          if (typeof pending !== "number") await pending;
          if (md5Behind) await md5Behind;
        }
      }
      await sink.end();
      if (this.fsync) await this.flush(tmpPath);
      return this.staged(tmpPath, await digests.digest());
    } catch (error) {
      // A client that hangs up mid-body lands here: the partial file never becomes visible.
      digests.cancel();
      try { await sink.end(); } catch { /* already failed */ }
      await unlink(tmpPath).catch(() => {});
      throw error;
    }
  }

  /**
   * One buffer is read into and written from throughout: nothing is allocated per chunk, so memory
   * stays flat and the copy runs near disk speed.
   */
  async concatenate(sources: readonly Pick<StagedBlob, "sha256">[], options: { stop?: () => boolean } = {}): Promise<StagedBlob> {
    const tmpPath = this.tempPath();
    const sha256 = new Bun.CryptoHasher("sha256");
    const buffer = new Uint8Array(COPY_BUFFER);
    let size = 0;
    const out = await open(tmpPath, "w");
    try {
      for (const source of sources) {
        const input = await open(this.path(source.sha256), "r");
        try {
          for (;;) {
            if (options.stop?.()) throw new Error("stopped");
            const { bytesRead } = await input.read(buffer, 0, buffer.length, null);
            if (bytesRead === 0) break;
            const chunk = buffer.subarray(0, bytesRead);
            sha256.update(chunk);
            this.fault("write");
            // write() may take less than it was given (a disk filling up); what it left must not go missing.
            for (let written = 0; written < chunk.length;) {
              const { bytesWritten } = await out.write(chunk, written, chunk.length - written);
              if (bytesWritten === 0) throw new Error(`no progress writing ${tmpPath}`);
              written += bytesWritten;
            }
            size += bytesRead;
          }
        } finally {
          await input.close();
        }
      }
      if (this.fsync) {
        this.fault("fsync");
        await out.sync();
      }
      await out.close();
    } catch (error) {
      await out.close().catch(() => {});
      await unlink(tmpPath).catch(() => {});
      throw error;
    }
    return this.staged(tmpPath, { sha256: sha256.digest("hex"), size, md5: "", checksums: {} });
  }

  /** A temp file written and hashed, as a blob ready to publish. */
  private staged(tmpPath: string, digests: Digests): StagedBlob {
    return {
      ...digests,
      commit: () => this.publish(tmpPath, digests.sha256).catch(async (error) => {
        await unlink(tmpPath).catch(() => {});
        throw error;
      }),
      discard: () => unlink(tmpPath).catch(() => {}),
    };
  }

  private async publish(tmpPath: string, sha256: string): Promise<void> {
    const finalPath = this.path(sha256);
    if (existsSync(finalPath)) {
      // Same content already stored. Refresh its mtime so gc's grace period covers the new reference
      // (gc re-checks the mtime after moving a blob aside, and puts back one refreshed meanwhile).
      const now = new Date();
      try {
        utimesSync(finalPath, now, now);
        await unlink(tmpPath);
        return;
      } catch (error) {
        // gc took it away between the two calls: publish our copy instead.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    const dir = join(this.blobDir, sha256.slice(0, 2), sha256.slice(2, 4));
    if (!this.madeDirs.has(dir)) {
      const made = mkdirSync(dir, { recursive: true });
      // A folder just made is itself an entry of its parent: flush the chain down from the first one made.
      if (made && this.fsync) for (let d = dir; d.length >= made.length; d = join(d, "..")) await this.flush(join(d, ".."));
      this.madeDirs.add(dir);
    }
    this.fault("rename");
    await rename(tmpPath, finalPath);
    // The new name lives in its folder's entry list: flush that too, or a power cut may forget it.
    if (this.fsync) await this.flush(dir);
  }

  /** fsync of a file or a folder (a folder opened read-only can be flushed on Linux). */
  private async flush(path: string): Promise<void> {
    this.fault("fsync");
    const handle = await open(path, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async open(sha256: string): Promise<BlobReader> {
    const handle = await open(this.path(sha256), "r");
    return {
      async read(position, length) {
        const buffer = new Uint8Array(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        return bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
      },
      close: () => handle.close(),
    };
  }

  stat(sha256: string): Promise<BlobInfo | undefined> {
    return infoOf(this.path(sha256), sha256);
  }

  async touch(sha256: string): Promise<void> {
    const now = new Date();
    await utimes(this.path(sha256), now, now).catch(() => {});
  }

  /** Every blob file, in address order. */
  async *list(): AsyncIterable<BlobInfo> {
    for (const a of await names(this.blobDir)) {
      for (const b of await names(join(this.blobDir, a))) {
        for (const name of await names(join(this.blobDir, a, b))) {
          const info = await infoOf(join(this.blobDir, a, b, name), name);
          if (info) yield info;
        }
      }
    }
  }

  private asidePath(sha256: string): string {
    return join(this.tmpDir, ASIDE_PREFIX + sha256);
  }

  async moveAside(sha256: string): Promise<boolean> {
    return rename(this.path(sha256), this.asidePath(sha256)).then(() => true, () => false);
  }

  async *listAside(): AsyncIterable<BlobInfo> {
    for (const name of await names(this.tmpDir)) {
      if (!name.startsWith(ASIDE_PREFIX)) continue;
      const info = await infoOf(join(this.tmpDir, name), name.slice(ASIDE_PREFIX.length));
      if (info) yield info;
    }
  }

  async settleAside(sha256: string, keep: (aside: BlobInfo) => boolean): Promise<boolean> {
    const aside = this.asidePath(sha256);
    const info = await infoOf(aside, sha256);
    if (!info) return false;
    if (!keep(info)) {
      await unlink(aside).catch(() => {});
      return false;
    }
    // A writer may have published a fresh copy under the address meanwhile; then ours is redundant.
    if (await Bun.file(this.path(sha256)).exists()) await unlink(aside);
    else await rename(aside, this.path(sha256));
    return true;
  }

  async *listTemp(): AsyncIterable<TempInfo> {
    for (const name of await names(this.tmpDir)) {
      if (name.startsWith(ASIDE_PREFIX)) continue;
      const info = await stat(join(this.tmpDir, name)).catch(() => null);
      // A body still being received keeps its mtime fresh as bytes arrive.
      if (info) yield { name, size: info.size, mtimeMs: info.mtimeMs };
    }
  }

  async removeTemp(name: string): Promise<void> {
    await unlink(join(this.tmpDir, name)).catch(() => {});
  }

  async quarantine(sha256: string): Promise<string> {
    mkdirSync(this.quarantineDir, { recursive: true });
    await rename(this.path(sha256), join(this.quarantineDir, sha256));
    return this.quarantineDir;
  }
}

/** A folder's entries in name order; none when it is not there. */
const names = (dir: string) => readdir(dir).then((n) => n.sort(), () => [] as string[]);

async function infoOf(path: string, sha256: string): Promise<BlobInfo | undefined> {
  const info = await stat(path).catch(() => null);
  return info ? { sha256, size: info.size, mtimeMs: info.mtimeMs } : undefined;
}
