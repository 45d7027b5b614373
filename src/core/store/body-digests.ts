// A body's digests as it streams in, for either store: SHA-256 (its address), MD5 (its ETag; on a
// worker for large bodies, see md5.ts) and the checksums asked for, with the size cap checked per chunk.
import { createChecksum, type ChecksumAlgorithm } from "../checksums.ts";
import type { StageOptions, StagedBlob } from "./blobs.ts";
import { BodyTooLarge } from "./errors.ts";
import { createMd5, type Md5 } from "./md5.ts";
import { countStreamed } from "./streamed-bytes.ts";

export type Digests = Pick<StagedBlob, "sha256" | "md5" | "size" | "checksums">;

export class BodyDigests {
  size = 0;
  private readonly sha256 = new Bun.CryptoHasher("sha256");
  private readonly md5: Md5;
  private readonly checksums: (readonly [ChecksumAlgorithm, ReturnType<typeof createChecksum>])[];

  /**
   * `streamed`: the body comes as a stream's chunks, which count toward serve's collections
   * (streamed-bytes.ts). A body read whole is one buffer the engine's own collections handle: counted,
   * a 4 KiB PUT load spent ~5% of its CPU in the collections it forced.
   */
  constructor(private readonly options: StageOptions, private readonly streamed = true) {
    this.md5 = createMd5(options.expectedSize);
    this.checksums = (options.checksums ?? []).map((algorithm) => [algorithm, createChecksum(algorithm)] as const);
  }

  /**
   * Adds a chunk; throws BodyTooLarge once the body passes maxSize. A promise means the MD5 worker is
   * behind: await it before the next chunk, and leave this chunk as it is until then.
   */
  update(chunk: Uint8Array): Promise<void> | undefined {
    this.size += chunk.length;
    if (this.size > this.options.maxSize) throw new BodyTooLarge(this.options.maxSize, this.size);
    const md5Behind = this.md5.update(chunk);
    this.sha256.update(chunk);
    for (const [, checksum] of this.checksums) checksum.update(chunk);
    if (this.streamed) countStreamed(chunk.length);
    return md5Behind;
  }

  async digest(): Promise<Digests> {
    return {
      md5: await this.md5.digest(),
      sha256: this.sha256.digest("hex"),
      size: this.size,
      checksums: Object.fromEntries(this.checksums.map(([algorithm, checksum]) => [algorithm, checksum.digest()])),
    };
  }

  /** The body failed: frees the MD5 worker. */
  cancel(): void {
    this.md5.cancel();
  }
}
