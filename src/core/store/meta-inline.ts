// Inline blobs on SQLite: small bodies kept in the metadata database (inline_blobs), addressed by
// SHA-256 like blob files and found by rows the same way. fs-blobs.ts uses these statements; they
// run inside the caller's transaction when there is one (a PutObject's row), else each alone.
import type { Database } from "bun:sqlite";
import type { BlobInfo } from "./blobs.ts";

export interface InlineBlobs {
  /** The bytes; undefined when no inline blob has this address. */
  get(sha256: string): Uint8Array | undefined;
  stat(sha256: string): BlobInfo | undefined;
  /** Stores the bytes, or (same content already there) marks the blob fresh. */
  put(sha256: string, bytes: Uint8Array, now: number): void;
  /**
   * Stores the bytes unless the same content is there, leaving that one as it is: for a blob whose row
   * is written in the same transaction, which gc's grace period need not cover (and an unchanged row costs nothing to write).
   */
  add(sha256: string, bytes: Uint8Array, now: number): void;
  /** Marks a blob fresh; false when there is none. */
  touch(sha256: string, now: number): boolean;
  /** Every inline blob, in address order. */
  list(): IterableIterator<BlobInfo>;
  /**
   * Removes the blob unless `keep` (which sees it as it is now) says otherwise, in one transaction that
   * holds the write lock from its start (gc runs beside the server, in another process). Returns whether it stayed.
   */
  removeUnless(sha256: string, keep: (info: BlobInfo) => boolean): boolean;
  /** `body` in one transaction (a savepoint inside one already open). */
  transaction<T>(body: () => T): T;
}

const LIST_PAGE = 1000;

interface InlineRecord { sha256: string; size: number; mtime: number }

const toInfo = (r: InlineRecord): BlobInfo => ({ sha256: r.sha256, size: r.size, mtimeMs: r.mtime });

export function inlineBlobs(db: Database): InlineBlobs {
  const stmt = {
    get: db.query<{ body: Uint8Array }, [string]>("SELECT body FROM inline_blobs WHERE sha256 = ?"),
    stat: db.query<InlineRecord, [string]>("SELECT sha256, length(body) AS size, mtime FROM inline_blobs WHERE sha256 = ?"),
    // An identical body already stored is not rewritten: only its mtime changes.
    put: db.query<unknown, [string, Uint8Array, number]>(
      "INSERT INTO inline_blobs (sha256, body, mtime) VALUES (?1, ?2, ?3) ON CONFLICT (sha256) DO UPDATE SET mtime = excluded.mtime"),
    add: db.query<unknown, [string, Uint8Array, number]>("INSERT OR IGNORE INTO inline_blobs (sha256, body, mtime) VALUES (?, ?, ?)"),
    touch: db.query<unknown, [number, string]>("UPDATE inline_blobs SET mtime = ? WHERE sha256 = ?"),
    page: db.query<InlineRecord, [string, number]>("SELECT sha256, length(body) AS size, mtime FROM inline_blobs WHERE sha256 > ? ORDER BY sha256 LIMIT ?"),
    remove: db.query<unknown, [string]>("DELETE FROM inline_blobs WHERE sha256 = ?"),
  };
  const transaction = <T>(body: () => T): T => db.transaction(body)();
  return {
    get: (sha256) => stmt.get.get(sha256)?.body,
    stat(sha256) {
      const r = stmt.stat.get(sha256);
      return r ? toInfo(r) : undefined;
    },
    put: (sha256, bytes, now) => { stmt.put.run(sha256, bytes, now); },
    add: (sha256, bytes, now) => { stmt.add.run(sha256, bytes, now); },
    touch: (sha256, now) => stmt.touch.run(now, sha256).changes > 0,
    // In pages, no statement held open between them: gc removes blobs as it goes, and others write meanwhile.
    *list() {
      for (let after = "", page = stmt.page.all(after, LIST_PAGE); page.length > 0; page = stmt.page.all(after, LIST_PAGE)) {
        for (const r of page) yield toInfo(r);
        after = page[page.length - 1]!.sha256;
      }
    },
    removeUnless: (sha256, keep) => db.transaction(() => {
      const r = stmt.stat.get(sha256);
      if (!r) return false;
      if (keep(toInfo(r))) return true;
      stmt.remove.run(sha256);
      return false;
    }).immediate(),
    transaction,
  };
}
