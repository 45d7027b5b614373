// Merging a completed multipart object's parts into one blob, in the background, one object at a time.
// Completion stays a metadata write; the merge lets GET answer with one file and a Content-Length
// (Bun.serve drops Content-Length on stream bodies, oven-sh/bun#10507) and gives fsck one SHA-256
// per object. Until it lands, reads stream the parts; a crash leaves a temp file and the parts.
import { utimes } from "node:fs/promises";
import { logger } from "../log.ts";
import type { FsBlobStore } from "./blobs.ts";
import type { Metadata } from "./meta.ts";

const log = logger("merge");

export class PartMerger {
  private readonly queue: { bucket: string; key: string }[] = [];
  private draining: Promise<void> | undefined;
  private merging = 0;
  private stopping = false;

  constructor(private readonly meta: Metadata, private readonly blobs: FsBlobStore) {}

  /** Queues every multipart object not merged yet, e.g. those a restart interrupted. */
  resume(): void {
    for (const o of this.meta.unmergedObjects()) this.schedule(o.bucket, o.key);
  }

  schedule(bucket: string, key: string): void {
    if (this.stopping) return;
    this.queue.push({ bucket, key });
    this.draining ??= this.drain().finally(() => { this.draining = undefined; });
  }

  /** Objects queued or being merged. */
  get pending(): number {
    return this.queue.length + this.merging;
  }

  /** Resolves when the queue is empty: for tests and benchmarks that want a settled store. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Abandons the object being merged (its temp file is removed) and drops the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.queue.length = 0;
    await this.draining;
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next && !this.stopping; next = this.queue.shift()) {
      this.merging = 1;
      try {
        await this.merge(next.bucket, next.key);
      } catch (error) {
        if (!this.stopping) {
          log.warn(`could not merge the parts of ${next.bucket}/${next.key} (${(error as Error).message}); it stays readable from its parts`);
          log.debug(error);
        }
      } finally {
        this.merging = 0;
      }
    }
  }

  private async merge(bucket: string, key: string): Promise<void> {
    const object = this.meta.getObject(bucket, key);
    if (!object || object.sha256 !== "") return;
    const parts = this.meta.getObjectParts(bucket, key);
    const staged = await this.blobs.concatenate(parts, { stop: () => this.stopping });
    if (staged.size !== object.size) {
      await staged.discard();
      throw new Error(`the parts hold ${staged.size} bytes, the object ${object.size}`);
    }
    await staged.commit();
    if (!this.meta.mergeObject(object, staged.sha256)) return;
    log.debug(`merged ${parts.length} parts of ${bucket}/${key}`);
    // The parts are unreferenced now, but a GET that started before may still be reading them:
    // a fresh mtime gives it gc's grace period.
    const now = new Date();
    for (const part of parts) await utimes(this.blobs.path(part.sha256), now, now).catch(() => {});
  }
}
