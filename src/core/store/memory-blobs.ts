// Blobs held in the process (serve --memory): addressed by SHA-256, staged and published like the
// data folder's, removed by the same gc protocol, and bounded by a limit. Nothing here touches the file system.
import type { BlobInfo, BlobReader, BlobStore, StageBody, StageOptions, StagedBlob, TempInfo } from "./blobs.ts";
import { BodyDigests, type Digests } from "./body-digests.ts";
import { BodyTooLarge, StoreFull } from "./errors.ts";

interface Entry { blob: Blob; mtimeMs: number }

/** concatenate() hashes its sources this much at a time, asking `stop` between. */
const HASH_CHUNK = 1024 * 1024;

/**
 * Every byte held counts against `limit`: published blobs, blobs gc moved aside, bodies being received
 * (counted as they arrive, released when discarded) and merges under way. When a body would pass the
 * limit, `reclaim` is asked once for room; without enough the body fails with StoreFull and nothing of
 * it stays. A body larger than the whole limit is BodyTooLarge.
 */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Entry>();
  private readonly aside = new Map<string, Entry>();
  private used = 0;
  private reclaiming: Promise<unknown> | undefined;
  /** Asked for room when the limit is reached: removes what no row uses. Concurrent callers share one run. */
  reclaim: (() => Promise<unknown>) | undefined;

  constructor(readonly limit: number) {}

  /** Bytes held now, against `limit`. */
  get usedBytes(): number {
    return this.used;
  }

  async stage(body: StageBody, options: StageOptions): Promise<StagedBlob> {
    const maxSize = Math.min(options.maxSize, this.limit);
    // A body declared larger than the store can ever hold fails before a byte is read.
    if (options.expectedSize !== undefined && options.expectedSize > maxSize) throw new BodyTooLarge(maxSize, options.expectedSize);
    // The declared size is reserved up front, so a body without room fails before it is read.
    let reserved = options.expectedSize ?? 0;
    await this.reserve(reserved);
    const digests = new BodyDigests({ ...options, maxSize }, body instanceof ReadableStream);
    const chunks: Uint8Array[] = [];
    try {
      if (body) {
        for await (const chunk of body instanceof ReadableStream ? body : [body]) {
          const md5Behind = digests.update(chunk);
          if (digests.size > reserved) {
            const waiting = this.reserve(digests.size - reserved);
            if (waiting) await waiting;
            reserved = digests.size;
          }
          chunks.push(chunk);
          if (md5Behind) await md5Behind;
        }
      }
      const result = await digests.digest();
      this.release(reserved - result.size);
      reserved = result.size;
      // One copy into a single Blob; the chunks die with this call.
      return this.staged(new Blob(chunks), result);
    } catch (error) {
      digests.cancel();
      this.release(reserved);
      throw error;
    }
  }

  async concatenate(sources: readonly Pick<StagedBlob, "sha256">[], options: { stop?: () => boolean } = {}): Promise<StagedBlob> {
    // Held from here on: a gc meanwhile may drop the parts from the map, not from this merge.
    const parts = sources.map((s) => this.entry(s.sha256).blob);
    const size = parts.reduce((sum, part) => sum + part.size, 0);
    await this.reserve(size);
    try {
      const sha256 = new Bun.CryptoHasher("sha256");
      for (const part of parts) {
        for (let offset = 0; offset < part.size; offset += HASH_CHUNK) {
          if (options.stop?.()) throw new Error("stopped");
          sha256.update(await part.slice(offset, offset + HASH_CHUNK).bytes());
        }
      }
      return this.staged(new Blob(parts), { sha256: sha256.digest("hex"), size, md5: "", checksums: {} });
    } catch (error) {
      this.release(size);
      throw error;
    }
  }

  /** A body held and counted, as a blob ready to publish. It is released once, whichever comes first. */
  private staged(blob: Blob, digests: Digests): StagedBlob {
    let settled = false;
    const settle = () => {
      const first = !settled;
      settled = true;
      return first;
    };
    const commit = async () => {
      if (!settle()) return;
      const existing = this.blobs.get(digests.sha256);
      if (!existing) {
        this.blobs.set(digests.sha256, { blob, mtimeMs: Date.now() });
        return;
      }
      // Same content already held: keep that one, marked fresh so gc's grace period covers the new row.
      existing.mtimeMs = Date.now();
      this.release(blob.size);
    };
    return {
      ...digests,
      commit,
      commitWith: async (write) => {
        await commit();
        return write();
      },
      discard: async () => {
        if (settle()) this.release(blob.size);
      },
    };
  }

  /**
   * Counts `bytes` against the limit. Within it, at once (undefined: nothing to wait for, as for most
   * chunks); past it, after asking for room, and StoreFull when there is still none.
   */
  private reserve(bytes: number): Promise<void> | undefined {
    if (this.used + bytes <= this.limit) {
      this.used += bytes;
      return undefined;
    }
    this.reclaiming ??= (this.reclaim?.() ?? Promise.resolve()).finally(() => { this.reclaiming = undefined; });
    // A reclaim that failed freed nothing; the answer is the same as for one that found nothing.
    const claim = () => {
      if (this.used + bytes > this.limit) throw new StoreFull(this.limit);
      this.used += bytes;
    };
    return this.reclaiming.then(claim, claim);
  }

  private release(bytes: number): void {
    this.used -= bytes;
  }

  /** A published blob, or one gc holds aside for the moment (a row may have just come to use it). */
  private entry(sha256: string): Entry {
    const entry = this.blobs.get(sha256) ?? this.aside.get(sha256);
    if (!entry) throw new Error(`blob ${sha256} is not in memory`);
    return entry;
  }

  file(sha256: string): Blob {
    return this.entry(sha256).blob;
  }

  served(sha256: string): Blob {
    return this.entry(sha256).blob;
  }

  async open(sha256: string): Promise<BlobReader> {
    const { blob } = this.entry(sha256);
    return {
      read: (position, length) => blob.slice(position, position + length).bytes(),
      close: async () => {},
    };
  }

  async stat(sha256: string): Promise<BlobInfo | undefined> {
    const entry = this.blobs.get(sha256);
    return entry && infoOf(sha256, entry);
  }

  async touch(sha256: string): Promise<void> {
    const entry = this.blobs.get(sha256);
    if (entry) entry.mtimeMs = Date.now();
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const [sha256, entry] of this.blobs) yield infoOf(sha256, entry);
  }

  async moveAside(sha256: string): Promise<boolean> {
    const entry = this.blobs.get(sha256);
    if (!entry) return false;
    this.blobs.delete(sha256);
    this.aside.set(sha256, entry);
    return true;
  }

  async *listAside(): AsyncIterable<BlobInfo> {
    for (const [sha256, entry] of this.aside) yield infoOf(sha256, entry);
  }

  async settleAside(sha256: string, keep: (aside: BlobInfo) => boolean): Promise<boolean> {
    const entry = this.aside.get(sha256);
    if (!entry) return false;
    this.aside.delete(sha256);
    const kept = keep(infoOf(sha256, entry));
    // A writer may have published the same content meanwhile; then this copy is redundant.
    if (kept && !this.blobs.has(sha256)) this.blobs.set(sha256, entry);
    else this.release(entry.blob.size);
    return kept;
  }

  /** Nothing outlives its request here: a body that fails is released at once, and a crash takes all. */
  async *listTemp(): AsyncIterable<TempInfo> {}

  async removeTemp(): Promise<void> {}

  /** Dropped: a process's memory is no place to keep bad bytes for inspection. */
  async quarantine(sha256: string): Promise<undefined> {
    const entry = this.blobs.get(sha256);
    if (!entry) return;
    this.blobs.delete(sha256);
    this.release(entry.blob.size);
  }
}

const infoOf = (sha256: string, entry: Entry): BlobInfo => ({ sha256, size: entry.blob.size, mtimeMs: entry.mtimeMs });
