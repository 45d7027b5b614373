// The MD5 of a body, which S3 gives as a single-part object's ETag. MD5 is the slowest hash on the
// write path (~630 MiB/s on one core of a small machine, against ~1.5 GiB/s for SHA-256), so with
// both on the request's thread a single large PUT cannot pass ~400 MiB/s. Large bodies hash their
// MD5 on a worker thread instead, on the other core; small ones stay inline, where a message to a
// worker would cost more than the hash.

const MiB = 1024 * 1024;
export interface Md5 {
  /** Adds a chunk. A promise means the worker is behind: await it before the next chunk. */
  update(chunk: Uint8Array): Promise<void> | undefined;
  /** The hex digest of everything added. */
  digest(): Promise<string>;
  /** Drops the hash (the body failed). */
  cancel(): void;
}

/** Bodies declared at least this large hash their MD5 on the worker. */
const OFFLOAD_FROM = 8 * MiB;
/** Chunks are copied into batches of this size, and each batch is handed over (not copied) to the worker. */
const BATCH = 1 * MiB;
/** Batches a body may have at the worker before it waits: bounds memory to a few MiB per body. */
const MAX_IN_FLIGHT = 4;

/** An MD5 for a body of `expectedSize` bytes (undefined: not known in advance). */
export function createMd5(expectedSize: number | undefined): Md5 {
  return expectedSize !== undefined && expectedSize >= OFFLOAD_FROM ? new WorkerMd5() : new InlineMd5();
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

/** Messages to the worker (md5-worker.ts) and back. */
export type ToWorker = { id: number; type: "data"; batch: Uint8Array<ArrayBuffer>; length: number } | { id: number; type: "end" | "cancel" };
export type FromWorker = { id: number; type: "ack"; batch: Uint8Array<ArrayBuffer> } | { id: number; type: "digest"; digest: string };

let worker: Worker | undefined;
let nextId = 1;
const bodies = new Map<number, WorkerMd5>();

function md5Worker(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL("./md5-worker.ts", import.meta.url).href);
  // Idle, it must not keep a process alive that has nothing else to do.
  started.unref();
  started.onmessage = (event: MessageEvent<FromWorker>) => bodies.get(event.data.id)?.receive(event.data);
  started.onerror = (event) => {
    worker = undefined;
    const error = new Error(`the MD5 worker failed: ${event.message}`);
    for (const body of bodies.values()) body.fail(error);
  };
  return (worker = started);
}

class WorkerMd5 implements Md5 {
  private readonly id = nextId++;
  private readonly worker = md5Worker();
  /** Batches back from the worker, reused: a large body allocates MAX_IN_FLIGHT + 1 of them in all. */
  private readonly spare: Uint8Array<ArrayBuffer>[] = [];
  private batch = new Uint8Array(BATCH);
  private filled = 0;
  private inFlight = 0;
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
      this.batch.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === BATCH) this.send();
    }
    if (this.inFlight < MAX_IN_FLIGHT) return undefined;
    return new Promise((resolve) => { this.resume = resolve; });
  }

  digest(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.filled > 0) this.send();
    return new Promise((resolve, reject) => {
      this.result = { resolve, reject };
      this.post({ id: this.id, type: "end" });
    });
  }

  cancel(): void {
    bodies.delete(this.id);
    this.post({ id: this.id, type: "cancel" });
  }

  receive(message: FromWorker): void {
    if (message.type === "ack") {
      this.inFlight--;
      this.spare.push(message.batch);
      if (this.inFlight < MAX_IN_FLIGHT && this.resume) {
        const resume = this.resume;
        this.resume = undefined;
        resume();
      }
    } else {
      bodies.delete(this.id);
      this.result?.resolve(message.digest);
    }
  }

  fail(error: Error): void {
    bodies.delete(this.id);
    this.failure = error;
    this.result?.reject(error);
    this.resume?.();
  }

  private send(): void {
    this.post({ id: this.id, type: "data", batch: this.batch, length: this.filled }, [this.batch.buffer]);
    this.inFlight++;
    this.batch = this.spare.pop() ?? new Uint8Array(BATCH);
    this.filled = 0;
  }

  private post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }
}
