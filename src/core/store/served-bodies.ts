// Inline bodies lately written or answered, as the Blobs responses are made of, by address. Bytes
// under an address never change, so an entry cannot go stale, only unused: the oldest go first once
// the bytes held pass the bound. A 4 KiB GET finds its body here instead of reading it out of SQLite
// with its row (a copy, an allocation, ~3.5 µs of the lookup) and wrapping it in a new Blob each
// time; one not here (written before a restart, or pushed out) is a second lookup, by address.

/** Enough for the few thousand small objects a test suite reads again and again, and no more. */
export const SERVED_BODIES_BYTES = 4 * 1024 * 1024;

export class ServedBodies {
  private readonly blobs = new Map<string, Blob>();
  private bytes = 0;

  constructor(private readonly limit = SERVED_BODIES_BYTES) {}

  get(sha256: string): Blob | undefined {
    return this.blobs.get(sha256);
  }

  /**
   * Keeps `bytes` as the body for `sha256`, replacing any held, and returns it. The caller vouches that
   * they hash to `sha256` (a body just hashed as it was written, or one read back and checked).
   */
  add(sha256: string, bytes: Uint8Array): Blob {
    const blob = new Blob([bytes]);
    if (blob.size > this.limit) return blob;
    this.delete(sha256);
    this.blobs.set(sha256, blob);
    this.bytes += blob.size;
    // Map keeps insertion order: the first keys are the oldest.
    for (const [oldest, old] of this.blobs) {
      if (this.bytes <= this.limit) break;
      this.blobs.delete(oldest);
      this.bytes -= old.size;
    }
    return blob;
  }

  /** Forgets a body (quarantined: the bytes it was made of are suspect). */
  delete(sha256: string): void {
    const blob = this.blobs.get(sha256);
    if (!blob) return;
    this.blobs.delete(sha256);
    this.bytes -= blob.size;
  }

  get size(): number {
    return this.bytes;
  }
}
