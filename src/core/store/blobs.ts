// The blob store contract: bodies content-addressed by SHA-256 (never by MD5), staged while they
// stream in and published under their address only once checked. fs-blobs.ts keeps them in the data
// folder (small ones inside its database), memory-blobs.ts in the process. Ops, gc, fsck and the part
// merger see only this.
import type { ChecksumAlgorithm } from "../checksums.ts";

/** A body received and hashed, not yet visible under its address. */
export interface StagedBlob {
  sha256: string;
  /** Hex MD5, the single-part ETag ("" for concatenated blobs, which keep their multipart ETag). */
  md5: string;
  size: number;
  /** Base64 digests of the checksum algorithms asked for. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
  /** Publishes the blob under its address (kept as is, and marked fresh, when that content is already there). */
  commit(): Promise<void>;
  /**
   * Publishes the blob, then runs `write` (the row that uses it) and returns what it returns. A blob
   * kept inline in the metadata database commits in the same transaction as that row, so a write
   * that throws publishes nothing; a file blob is published first and stays for gc.
   */
  commitWith<T>(write: () => T): Promise<T>;
  /** Drops the staged bytes. */
  discard(): Promise<void>;
}

/** A body already read whole (a small one): staged without a stream. */
export type StageBody = ReadableStream<Uint8Array> | Uint8Array | null;

export interface StageOptions {
  checksums?: readonly ChecksumAlgorithm[];
  /** Bytes beyond this fail the write with BodyTooLarge. */
  maxSize: number;
  /** The size the client declared, when it did: a large body hashes its MD5 on another core (see md5.ts). */
  expectedSize?: number;
}

export interface BlobInfo {
  sha256: string;
  size: number;
  /** Last written or marked fresh: gc keeps blobs younger than its grace period. */
  mtimeMs: number;
}

/** Bytes of an interrupted write, named by the store. */
export interface TempInfo {
  name: string;
  size: number;
  mtimeMs: number;
}

/** Positioned reads of one blob. */
export interface BlobReader {
  /** Up to `length` bytes from `position`; fewer only at the end of the blob. */
  read(position: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface BlobStore {
  /**
   * Receives a body while hashing it. Throws BodyTooLarge past `maxSize`, StoreFull when the store
   * has no room, or what the body's stream threw; nothing of a failed body stays behind.
   */
  stage(body: StageBody, options: StageOptions): Promise<StagedBlob>;
  /** Stages the blobs given, one after another, as one new blob; `stop` is asked between chunks and aborts when true. */
  concatenate(sources: readonly Pick<StagedBlob, "sha256">[], options?: { stop?: () => boolean }): Promise<StagedBlob>;
  /** The blob, to answer with (a Response body) or slice for a range; always read from where it is stored. */
  file(sha256: string): Blob;
  /**
   * The blob of an object of `size` bytes, as a client's read answers it: small ones may come from
   * memory (served-bodies.ts). Not for checking what is stored (fsck): that reads file().
   */
  served(sha256: string, size: number): Blob;
  open(sha256: string): Promise<BlobReader>;
  /** Undefined when the blob is not there. */
  stat(sha256: string): Promise<BlobInfo | undefined>;
  /** Marks a blob fresh, so gc's grace period covers readers that found it just before it lost its last row. */
  touch(sha256: string): Promise<void>;
  /** Every published blob. */
  list(): AsyncIterable<BlobInfo>;

  // gc removes a blob in two steps, so that a writer publishing the same content meanwhile keeps it:
  /**
   * Takes the blob out of its address; false when it was not there. A blob the store settles in one
   * step beside the rows (an inline one, in the metadata database) stays where it is until settleAside().
   */
  moveAside(sha256: string): Promise<boolean>;
  /** Blobs moved aside and not settled yet, e.g. by a gc that was interrupted. */
  listAside(): AsyncIterable<BlobInfo>;
  /**
   * Decides about a blob moved aside: put back when `keep` (which sees it as it is now) says so (or
   * dropped, when a writer published it again meanwhile), else removed. Returns whether it was kept.
   */
  settleAside(sha256: string, keep: (aside: BlobInfo) => boolean): Promise<boolean>;

  /** Bytes of writes that never finished. */
  listTemp(): AsyncIterable<TempInfo>;
  removeTemp(name: string): Promise<void>;
  /** Takes a corrupt blob out of service; returns where it was kept, or undefined when it was dropped. */
  quarantine(sha256: string): Promise<string | undefined>;
}
