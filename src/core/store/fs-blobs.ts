// Blobs in the data folder: <data>/blobs/ab/cd/<sha256>, written through <data>/tmp/ and renamed, and
// small ones (up to inlineMax bytes) inline in the metadata database (meta-inline.ts), where a body
// and its row commit together and no file is created, renamed or opened. It never deletes a published
// blob file on the request path (an unlink there costs ~0.2 ms): gc does that in batches, moving a
// blob aside into tmp/gc-<sha256> first. Corrupt blobs go to <data>/quarantine/.
import { existsSync, mkdirSync, utimesSync } from "node:fs";
import { open, readdir, rename, stat, unlink, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { FileHandle } from "node:fs/promises";
import type { BlobInfo, BlobReader, BlobStore, StageBody, StageOptions, StagedBlob, TempInfo } from "./blobs.ts";
import { BodyDigests, type Digests } from "./body-digests.ts";
import type { FaultHook } from "./faults.ts";
import type { InlineBlobs } from "./meta-inline.ts";
import { ServedBodies } from "./served-bodies.ts";

export interface FsBlobStoreOptions {
  /** Flush each blob and its folder to the disk before it is published (power-loss durability). */
  fsync?: boolean;
  /** Fault injection for tests (see faults.ts). */
  faults?: FaultHook;
  /** Where bodies of up to `inlineMax` bytes are kept instead of files; without it every blob is a file. */
  inline?: InlineBlobs;
  /** The largest body kept inline; INLINE_MAX unless given. */
  inlineMax?: number;
}

/**
 * Bodies up to this size are kept in the metadata database. Measured on a 2-core machine at 16
 * connections, files → inline, server CPU per request (and req/s), one body PUT again and again | a
 * new body each time: PUT 4 KiB 850 → 430 µs | 690 → 370 µs (1,410 → 1,920/s); PUT 16 KiB 890 → 540 µs |
 * 780 → 590 µs, but 1,300 → 620/s, the WAL's checkpoints (each flushed to the disk) coming every ~100
 * new bodies; PUT 64 KiB 1,080 → 780 | 1,060 → 920 µs, about the same rate; GET 4 KiB 250 → 185 µs,
 * 16 KiB the same, 64 KiB 230 → 295 µs (copied out of SQLite's overflow pages, where a file is sent).
 * So 4 KiB (a 4 KiB body and its record take two pages; Garage inlines under ~3 KiB).
 */
export const INLINE_MAX = 4 * 1024;

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
  private readonly inline: InlineBlobs | undefined;
  private readonly inlineMax: number;
  private readonly servedBodies = new ServedBodies();

  constructor(dataDir: string, options: FsBlobStoreOptions = {}) {
    this.fsync = options.fsync ?? false;
    this.fault = options.faults ?? (() => {});
    this.inline = options.inline;
    this.inlineMax = options.inline ? options.inlineMax ?? INLINE_MAX : -1;
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

  /** An inline blob's bytes (one lookup), else its file. */
  file(sha256: string): Blob {
    const bytes = this.inline?.get(sha256);
    return bytes ? new Blob([bytes]) : Bun.file(this.path(sha256));
  }

  /**
   * A body small enough to be inline from the bodies lately written or served, else as file() finds
   * it. Bytes read back are kept only if they hash to their address: a body damaged in the database
   * is answered as stored (fsck's to find) but never kept, so it cannot outlive its repair.
   */
  served(sha256: string, size: number): Blob {
    if (size > this.inlineMax) return this.file(sha256);
    const cached = this.servedBodies.get(sha256);
    if (cached) return cached;
    const bytes = this.inline!.get(sha256);
    // Written before bodies were kept inline: a file.
    if (!bytes) return Bun.file(this.path(sha256));
    const intact = new Bun.CryptoHasher("sha256").update(bytes).digest("hex") === sha256;
    return intact ? this.servedBodies.add(sha256, bytes) : new Blob([bytes]);
  }

  private tempPath(): string {
    return join(this.tmpDir, `${Date.now()}-${crypto.randomUUID()}`);
  }

  /**
   * A body that may fit inline (declared no larger than inlineMax, or not declared) is held in memory
   * until it ends, or passes inlineMax and goes on into a temp file like any other.
   */
  async stage(body: StageBody, options: StageOptions): Promise<StagedBlob> {
    const digests = new BodyDigests(options, body instanceof ReadableStream);
    const chunks = chunksOf(body);
    const held: Uint8Array[] = [];
    if ((options.expectedSize ?? 0) <= this.inlineMax) {
      try {
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
          const md5Behind = digests.update(next.value);
          held.push(next.value);
          if (md5Behind) await md5Behind;
          if (digests.size > this.inlineMax) return this.stageFile(held, chunks, digests);
        }
      } catch (error) {
        // The body failed while held (stageFile's own failures are not caught here: it is returned, not awaited).
        digests.cancel();
        await chunks.return?.().catch(() => {});
        throw error;
      }
      return this.stagedInline(held.length === 1 ? held[0]! : Buffer.concat(held, digests.size), await digests.digest());
    }
    return this.stageFile(held, chunks, digests);
  }

  /** Into a temp file: the chunks `held` (already hashed), then the rest of the body. */
  private async stageFile(held: readonly Uint8Array[], rest: AsyncIterator<Uint8Array>, digests: BodyDigests): Promise<StagedBlob> {
    const tmpPath = this.tempPath();
    const sink = Bun.file(tmpPath).writer({ highWaterMark: WRITE_BUFFER });
    try {
      for (const chunk of held) {
        this.fault("write");
        const pending = sink.write(chunk);
        if (typeof pending !== "number") await pending;
      }
      for (let next = await rest.next(); !next.done; next = await rest.next()) {
        const chunk = next.value;
        const md5Behind = digests.update(chunk);
        this.fault("write");
        const pending = sink.write(chunk);
        if (typeof pending !== "number") await pending;
        if (md5Behind) await md5Behind;
      }
      await sink.end();
      if (this.fsync) await this.flush(tmpPath);
      return this.staged(tmpPath, await digests.digest());
    } catch (error) {
      // A client that hangs up mid-body lands here: the partial file never becomes visible.
      digests.cancel();
      await rest.return?.().catch(() => {});
      try { await sink.end(); } catch { /* already failed */ }
      await unlink(tmpPath).catch(() => {});
      throw error;
    }
  }

  /**
   * A small body held in memory, as a blob ready to publish in the database. Alone, it commits in a
   * transaction of its own; with its row (commitWith), in the row's, which the fault seam's commit
   * step guards. With --fsync the database commits with synchronous=FULL, as files are flushed.
   */
  private stagedInline(bytes: Uint8Array, digests: Digests): StagedBlob {
    const inline = this.inline!;
    return {
      ...digests,
      commit: async () => {
        this.fault("commit");
        inline.put(digests.sha256, bytes, Date.now());
      },
      commitWith: async (write) => {
        const written = inline.transaction(() => {
          inline.add(digests.sha256, bytes, Date.now());
          return write();
        });
        // The body in hand is what the next GET of it would read: kept, so that read finds it in memory.
        this.servedBodies.add(digests.sha256, bytes);
        return written;
      },
      discard: async () => {},
    };
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
    const append = async (chunk: Uint8Array) => {
      sha256.update(chunk);
      this.fault("write");
      await writeAll(out, chunk, tmpPath);
      size += chunk.length;
    };
    try {
      for (const source of sources) {
        if (options.stop?.()) throw new Error("stopped");
        const bytes = this.inline?.get(source.sha256);
        if (bytes) {
          await append(bytes);
          continue;
        }
        const input = await open(this.path(source.sha256), "r");
        try {
          for (;;) {
            if (options.stop?.()) throw new Error("stopped");
            const { bytesRead } = await input.read(buffer, 0, buffer.length, null);
            if (bytesRead === 0) break;
            await append(buffer.subarray(0, bytesRead));
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
    const commit = () => this.publish(tmpPath, digests.sha256).catch(async (error) => {
      await unlink(tmpPath).catch(() => {});
      throw error;
    });
    return {
      ...digests,
      commit,
      commitWith: async (write) => {
        await commit();
        return write();
      },
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
    const bytes = this.inline?.get(sha256);
    if (bytes) return { read: async (position, length) => bytes.subarray(position, position + length), close: async () => {} };
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

  async stat(sha256: string): Promise<BlobInfo | undefined> {
    return this.inline?.stat(sha256) ?? infoOf(this.path(sha256), sha256);
  }

  async touch(sha256: string): Promise<void> {
    const now = new Date();
    if (this.inline?.touch(sha256, now.getTime())) return;
    await utimes(this.path(sha256), now, now).catch(() => {});
  }

  /** Every blob file, in address order, then every inline blob, in address order. */
  async *list(): AsyncIterable<BlobInfo> {
    for (const a of await names(this.blobDir)) {
      for (const b of await names(join(this.blobDir, a))) {
        for (const name of await names(join(this.blobDir, a, b))) {
          const info = await infoOf(join(this.blobDir, a, b, name), name);
          if (info) yield info;
        }
      }
    }
    if (this.inline) yield* this.inline.list();
  }

  private asidePath(sha256: string): string {
    return join(this.tmpDir, ASIDE_PREFIX + sha256);
  }

  /**
   * An inline blob stays where it is: settleAside() decides about it in one transaction, which no
   * writer can interleave with (a body and its row commit together, or the body first).
   */
  async moveAside(sha256: string): Promise<boolean> {
    if (await rename(this.path(sha256), this.asidePath(sha256)).then(() => true, () => false)) return true;
    return this.inline?.stat(sha256) !== undefined;
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
    if (!info) return this.inline?.removeUnless(sha256, keep) ?? false;
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

  /** An inline blob's bytes are written out to quarantine/ as a file, then its row goes. */
  async quarantine(sha256: string): Promise<string> {
    mkdirSync(this.quarantineDir, { recursive: true });
    this.servedBodies.delete(sha256);
    const bytes = this.inline?.get(sha256);
    if (bytes) {
      await Bun.write(join(this.quarantineDir, sha256), bytes);
      this.inline!.removeUnless(sha256, () => false);
    } else {
      await rename(this.path(sha256), join(this.quarantineDir, sha256));
    }
    return this.quarantineDir;
  }
}

/** A body's chunks, whatever shape it came in. */
function chunksOf(body: StageBody): AsyncIterator<Uint8Array> {
  if (body instanceof ReadableStream) return body[Symbol.asyncIterator]();
  return (async function* () {
    if (body && body.length > 0) yield body;
  })();
}

/** write() may take less than it was given (a disk filling up); what it left must not go missing. */
async function writeAll(out: FileHandle, chunk: Uint8Array, path: string): Promise<void> {
  for (let written = 0; written < chunk.length;) {
    const { bytesWritten } = await out.write(chunk, written, chunk.length - written);
    if (bytesWritten === 0) throw new Error(`no progress writing ${path}`);
    written += bytesWritten;
  }
}

/** A folder's entries in name order; none when it is not there. */
const names = (dir: string) => readdir(dir).then((n) => n.sort(), () => [] as string[]);

async function infoOf(path: string, sha256: string): Promise<BlobInfo | undefined> {
  const info = await stat(path).catch(() => null);
  return info ? { sha256, size: info.size, mtimeMs: info.mtimeMs } : undefined;
}
