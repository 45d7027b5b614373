// Merging a completed multipart object's parts into one blob, in the background, one object at a time.
// Completion stays a metadata write; the merge lets GET answer with one file and a Content-Length
// (Bun.serve drops Content-Length on stream bodies, oven-sh/bun#10507) and gives fsck one SHA-256
// per object. A read that needs more than one part and comes before the merge asks for it at once
// (mergeNow) and waits; a crash leaves a temp file and the parts, and the merge resumes at start.
import { logger } from "../log.ts";
import type { BlobStore } from "./blobs.ts";
import type { Metadata } from "./meta.ts";

/** Mark SSE-C and SSE-KMS objects (ops/_sse-c.ts, ops/_sse-kms.ts); store code names them here rather than import from ops. */
const SSE_C_KEY_HMAC = "x-s3lite-sse-c-key-hmac";
const SSE_KMS_KEY_ARN = "x-s3lite-kms-key-arn";

const log = logger("merge");

export class PartMerger {
  private readonly queue: { bucket: string; key: string }[] = [];
  private draining: Promise<void> | undefined;
  /** Merges running, by bucket and key: the queue's one and any a read asked for. */
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(private readonly meta: Metadata, private readonly blobs: BlobStore) {}

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
    return this.queue.length + this.running.size;
  }

  /**
   * Merges an object now, ahead of the queue, or joins its merge already running. Resolves once the
   * object is one blob (or needs no merge); rejects when the merge failed.
   */
  mergeNow(bucket: string, key: string): Promise<void> {
    const id = `${bucket}\0${key}`;
    let merge = this.running.get(id);
    if (!merge) {
      merge = this.merge(bucket, key).finally(() => this.running.delete(id));
      this.running.set(id, merge);
    }
    return merge;
  }

  /** Resolves when the queue is empty: for tests and benchmarks that want a settled store. */
  async idle(): Promise<void> {
    while (this.draining || this.running.size > 0) await (this.draining ?? Promise.allSettled(this.running.values()));
  }

  /** Abandons the objects being merged (their temp files are removed) and drops the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.queue.length = 0;
    await this.draining;
    await Promise.allSettled(this.running.values());
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next && !this.stopping; next = this.queue.shift()) {
      try {
        await this.mergeNow(next.bucket, next.key);
      } catch (error) {
        if (!this.stopping) {
          log.warn(`could not merge the parts of ${next.bucket}/${next.key} (${(error as Error).message}); it stays readable from its parts`);
          log.debug(error);
        }
      }
    }
  }

  private async merge(bucket: string, key: string): Promise<void> {
    const object = this.meta.getObject(bucket, key);
    // Encrypted objects stay as their parts: each part is encrypted with its own IV, so their ciphertexts
    // concatenated would not decrypt as one (see ops/_sse-c.ts). Reads decrypt them part by part.
    if (!object || object.sha256 !== "" || object.headers[SSE_C_KEY_HMAC] !== undefined || object.headers[SSE_KMS_KEY_ARN] !== undefined) return;
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
    // marking them fresh gives it gc's grace period.
    for (const part of parts) await this.blobs.touch(part.sha256);
  }
}
