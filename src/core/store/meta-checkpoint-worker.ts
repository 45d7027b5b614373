// The checkpointing thread of meta-checkpoint.ts: its own connection to the metadata database, a
// PASSIVE checkpoint every interval (it never waits for, nor blocks, the request thread's writes).
import { Database } from "bun:sqlite";

declare const self: Worker;

let db: Database | undefined;
let timer: Timer | undefined;

self.onmessage = (event: MessageEvent<{ path: string; synchronous: string; intervalMs: number } | "stop">) => {
  if (event.data === "stop") {
    clearInterval(timer);
    db?.close();
    db = undefined;
    process.exit(0);
  }
  const { path, synchronous, intervalMs } = event.data;
  let checkpoint: ReturnType<Database["query"]>;
  try {
    db = new Database(path, { readwrite: true, create: false });
    db.exec(`PRAGMA synchronous = ${synchronous}; PRAGMA busy_timeout = 0; PRAGMA wal_autocheckpoint = 0;`);
    checkpoint = db.query("PRAGMA wal_checkpoint(PASSIVE)");
  } catch {
    // The database went (a folder removed under a server stopping): the request thread's own checkpoints remain.
    db?.close();
    process.exit(0);
  }
  timer = setInterval(() => {
    try {
      checkpoint.get();
    } catch {
      // Busy or gone: the next tick tries again, and the request thread's backstop checkpoints meanwhile.
    }
  }, intervalMs);
};
