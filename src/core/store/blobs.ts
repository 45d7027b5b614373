// Content-addressed blob files: <data>/blobs/ab/cd/<sha256>, written through <data>/tmp/ and renamed.
// Never addressed by MD5. It never deletes a published blob on the request path: gc does that in batches.
import { mkdirSync, existsSync, rmSync, utimesSync } from "node:fs";
import { open, readdir, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { BunFile } from "bun";
import { createChecksum, type ChecksumAlgorithm } from "../checksums.ts";
import { S3Error } from "../errors.ts";
import type { FaultHook } from "./faults.ts";
import { createMd5 } from "./md5.ts";
import { countStreamed } from "./streamed-bytes.ts";

/** A body written to a temp file and hashed, not yet visible under its address. */
export interface StagedBlob {
  sha256: string;
  /** Hex MD5, the single-part ETag ("" for concatenated blobs, which keep their multipart ETag). */
  md5: string;
  size: number;
  /** Base64 digests of the checksum algorithms asked for. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
  /** Publishes the blob under its address (kept as is when that content is already there); on failure the temp file is removed. */
  commit(): Promise<void>;
  /** Drops the temp file. */
  discard(): Promise<void>;
}

export interface StageOptions {
  checksums?: readonly ChecksumAlgorithm[];
  /** Bytes beyond this fail the write with EntityTooLarge. */
  maxSize: number;
  /** The size the client declared, when it did: a large body hashes its MD5 on another core (see md5.ts). */
  expectedSize?: number;
}

export interface BlobInfo {
  sha256: string;
  size: number;
  mtimeMs: number;
}

export interface BlobStore {
  stage(body: ReadableStream<Uint8Array> | null, options: StageOptions): Promise<StagedBlob>;
  file(sha256: string): BunFile;
  path(sha256: string): string;
  remove(sha256: string): Promise<void>;
  list(): AsyncIterable<BlobInfo>;
}

export interface BlobStoreOptions {
  /** Flush each blob and its folder to the disk before it is published (power-loss durability). */
  fsync?: boolean;
  /** Fault injection for tests (see faults.ts). */
  faults?: FaultHook;
}

const WRITE_BUFFER = 1024 * 1024;
/** concatenate()'s one buffer: large enough that a read and a write per chunk cost little. */
const COPY_BUFFER = 1024 * 1024;

export class FsBlobStore implements BlobStore {
  readonly blobDir: string;
  readonly tmpDir: string;
  private readonly madeDirs = new Set<string>();
  private readonly fsync: boolean;
  private readonly fault: FaultHook;

  constructor(dataDir: string, options: BlobStoreOptions = {}) {
    this.fsync = options.fsync ?? false;
    this.fault = options.faults ?? (() => {});
    this.blobDir = join(dataDir, "blobs");
    this.tmpDir = join(dataDir, "tmp");
    mkdirSync(this.blobDir, { recursive: true });
    mkdirSync(this.tmpDir, { recursive: true });
  }

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
    const sha256 = new Bun.CryptoHasher("sha256");
    const md5 = createMd5(options.expectedSize);
    const checksums = (options.checksums ?? []).map((algorithm) => [algorithm, createChecksum(algorithm)] as const);
    const sink = Bun.file(tmpPath).writer({ highWaterMark: WRITE_BUFFER });
    let size = 0;
    let md5Hex: string;
    try {
      if (body) {
        for await (const chunk of body) {
          size += chunk.length;
          if (size > options.maxSize) throw new S3Error("EntityTooLarge", { MaxSizeAllowed: options.maxSize, ProposedSize: size });
          const md5Behind = md5.update(chunk);
          sha256.update(chunk);
          for (const [, checksum] of checksums) checksum.update(chunk);
          this.fault("write");
          countStreamed(chunk.length);
          const pending = sink.write(chunk);
          if (typeof pending !== "number") await pending;
          if (md5Behind) await md5Behind;
        }
      }
      await sink.end();
      if (this.fsync) await this.flush(tmpPath);
      md5Hex = await md5.digest();
    } catch (error) {
      // A client that hangs up mid-body lands here: the partial file never becomes visible.
      md5.cancel();
      try { await sink.end(); } catch { /* already failed */ }
      await unlink(tmpPath).catch(() => {});
      throw error;
    }
    return this.staged(tmpPath, sha256.digest("hex"), size, {
      md5: md5Hex,
      checksums: Object.fromEntries(checksums.map(([algorithm, checksum]) => [algorithm, checksum.digest()])),
    });
  }

  /**
   * Stages the blobs given, one after another, as a new blob (a multipart object's parts merged).
   * One buffer is read into and written from throughout: nothing is allocated per chunk, so memory
   * stays flat and the copy runs near disk speed. `stop` is asked before each chunk; when it returns
   * true the temp file is removed and the call throws.
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
    return this.staged(tmpPath, sha256.digest("hex"), size, { md5: "", checksums: {} });
  }

  /** A temp file written and hashed, as a blob ready to publish. */
  private staged(tmpPath: string, sha256: string, size: number, digests: Pick<StagedBlob, "md5" | "checksums">): StagedBlob {
    return {
      sha256,
      size,
      ...digests,
      commit: () => this.publish(tmpPath, sha256).catch(async (error) => {
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

  async remove(sha256: string): Promise<void> {
    rmSync(this.path(sha256), { force: true });
  }

  /** Every blob file, in address order. */
  async *list(): AsyncIterable<BlobInfo> {
    const names = (dir: string) => readdir(dir).then((n) => n.sort(), () => [] as string[]);
    for (const a of await names(this.blobDir)) {
      for (const b of await names(join(this.blobDir, a))) {
        for (const name of await names(join(this.blobDir, a, b))) {
          const info = await stat(join(this.blobDir, a, b, name)).catch(() => null);
          if (info) yield { sha256: name, size: info.size, mtimeMs: info.mtimeMs };
        }
      }
    }
  }
}
