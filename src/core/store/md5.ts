// The MD5 of a body, which S3 gives as a single-part object's ETag. MD5 is the slowest hash on the
// write path (~630 MiB/s on one core of a small machine, against ~1.5 GiB/s for SHA-256), so with
// both on the request's thread a single large PUT cannot pass ~400 MiB/s. Large bodies hash their
// MD5 on a worker thread instead, on the other core; small ones stay inline, where a message to a
// worker would cost more than the hash.

const MiB = 1024 * 1024;

export interface Md5 {
  /**
   * Adds a chunk. A promise means the worker is behind and part of the chunk is still to be taken:
   * await it before the next chunk, and leave the chunk as it is until then.
   */
  update(chunk: Uint8Array): Promise<void> | undefined;
  /** The hex digest of everything added. */
  digest(): Promise<string>;
  /** Drops the hash (the body failed). */
  cancel(): void;
}

/** Bodies declared at least this large hash their MD5 on the worker. */
const OFFLOAD_FROM = 8 * MiB;
/** Chunks are copied into batches of this size in memory the worker reads. */
const BATCH = 1 * MiB;
/** Batches per body: one being filled while the others are hashed; with all at the worker, the body waits. */
const SLOTS = 3;

/**
 * Large bodies hashed on the worker at once, each with a lane of its own (SLOTS × BATCH bytes). A
 * transfer manager sends four parts at a time: with one of them on the worker, the request's thread
 * hashed the other three's MD5 beside every SHA-256, and a 1 GiB upload of 16 MiB parts ran at ~205
 * MiB/s, slower than one stream; with all four there, 257–289. The worker's messages interleave the
 * bodies; one it is behind on waits for its slots, and its client with it (TCP's own backpressure).
 */
const WORKER_BODIES = 4;

/** An MD5 for a body of `expectedSize` bytes (undefined: not known in advance). */
export function createMd5(expectedSize: number | undefined): Md5 {
  const large = expectedSize !== undefined && expectedSize >= OFFLOAD_FROM;
  return large && bodies.size < WORKER_BODIES ? new WorkerMd5() : new InlineMd5();
}

class InlineMd5 implements Md5 {
  private readonly hasher = new Bun.CryptoHasher("md5");
  update(chunk: Uint8Array): undefined {
    this.hasher.update(chunk);
    return undefined;
  }
  digest(): Promise<string> {
    return Promise.resolve(this.hasher.digest("hex"));
  }
  cancel(): void {}
}

/**
 * Memory shared with the worker: SLOTS batches that a body fills in turn. A body holds a lane from
 * start to digest, and lanes are reused, so hashing allocates nothing per body or per batch.
 */
interface Lane { id: number; memory: SharedArrayBuffer }

/** Messages to the worker (md5-worker.ts) and back. */
export type ToWorker =
  | { type: "lane"; lane: number; memory: SharedArrayBuffer }
  | { type: "data"; id: number; lane: number; slot: number; offset: number; length: number }
  | { type: "end"; id: number }
  | { type: "cancel"; id: number; lane: number };
export type FromWorker = { type: "ack"; id: number; slot: number } | { type: "digest"; id: number; digest: string };

/** An idle worker is stopped after this long: its engine and lanes (3 MiB per body it hashed at once) hold 8–17 MiB a server may want back. */
const IDLE_MS = 2000;

let worker: Worker | undefined;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let nextId = 1;
const bodies = new Map<number, WorkerMd5>();
const freeLanes: Lane[] = [];
let lanes = 0;

function md5Worker(): Worker {
  clearTimeout(idleTimer);
  if (worker) return worker;
  const started = new Worker(new URL("./md5-worker.ts", import.meta.url).href);
  // Idle, it must not keep a process alive that has nothing else to do.
  started.unref();
  started.onmessage = (event: MessageEvent<FromWorker>) => bodies.get(event.data.id)?.receive(event.data);
  started.onerror = (event) => {
    worker = undefined;
    freeLanes.length = 0; // the next worker has never seen them
    const error = new Error(`the MD5 worker failed: ${event.message}`);
    for (const body of bodies.values()) body.fail(error);
  };
  return (worker = started);
}

/** Whether the worker thread is running, for tests of its idle stop. */
export const isMd5WorkerRunning = (): boolean => worker !== undefined;

/** Called when a body is done with the worker: stops it once nothing has used it for IDLE_MS. */
function release(): void {
  if (bodies.size > 0 || !worker) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (bodies.size > 0 || !worker) return;
    void worker.terminate();
    worker = undefined;
    freeLanes.length = 0;
  }, IDLE_MS);
  idleTimer.unref();
}

function takeLane(worker: Worker): Lane {
  const reused = freeLanes.pop();
  if (reused) return reused;
  const lane = { id: ++lanes, memory: new SharedArrayBuffer(SLOTS * BATCH) };
  worker.postMessage({ type: "lane", lane: lane.id, memory: lane.memory } satisfies ToWorker);
  return lane;
}

class WorkerMd5 implements Md5 {
  private readonly id = nextId++;
  private readonly worker = md5Worker();
  private readonly lane = takeLane(this.worker);
  private readonly free: number[] = Array.from({ length: SLOTS }, (_, slot) => slot);
  private slot = this.free.pop()!;
  private filled = 0;
  private resume: (() => void) | undefined;
  private result: { resolve(digest: string): void; reject(error: Error): void } | undefined;
  private failure: Error | undefined;

  constructor() {
    bodies.set(this.id, this);
  }

  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    for (let offset = 0; offset < chunk.length;) {
      const n = Math.min(BATCH - this.filled, chunk.length - offset);
      new Uint8Array(this.lane.memory, this.slot * BATCH + this.filled, n).set(chunk.subarray(offset, offset + n));
      this.filled += n;
      offset += n;
      if (this.filled === BATCH && !this.send()) {
        // Every slot is at the worker: the rest of this chunk waits for one to come back.
        const rest = chunk.subarray(offset);
        return new Promise<void>((resolve) => { this.resume = resolve; }).then(() => this.update(rest));
      }
    }
    return undefined;
  }

  digest(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.result = { resolve, reject };
      if (this.filled > 0) this.send();
      this.post({ type: "end", id: this.id });
    });
  }

  cancel(): void {
    // Hashed already: its lane may be another body's by now.
    if (!bodies.has(this.id)) return;
    // The lane is dropped on both sides, not reused: the worker may still be reading a batch of this body.
    bodies.delete(this.id);
    this.post({ type: "cancel", id: this.id, lane: this.lane.id });
    release();
  }

  receive(message: FromWorker): void {
    if (message.type === "ack") {
      this.free.push(message.slot);
      if (this.resume && this.takeSlot()) {
        const resume = this.resume;
        this.resume = undefined;
        resume();
      }
    } else {
      bodies.delete(this.id);
      freeLanes.push(this.lane);
      this.result?.resolve(message.digest);
      release();
    }
  }

  fail(error: Error): void {
    bodies.delete(this.id);
    this.failure = error;
    this.result?.reject(error);
    this.resume?.();
  }

  /** Hands the filled slot to the worker and moves to a free one; false when none is free yet. */
  private send(): boolean {
    this.post({ type: "data", id: this.id, lane: this.lane.id, slot: this.slot, offset: this.slot * BATCH, length: this.filled });
    this.slot = -1;
    this.filled = 0;
    return this.takeSlot();
  }

  private takeSlot(): boolean {
    if (this.slot >= 0) return true;
    const slot = this.free.pop();
    if (slot === undefined) return false;
    this.slot = slot;
    return true;
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }
}
