// Large bodies generated on the fly: distinct content in every MiB (so content addressing cannot fold
// parts together), never held in memory whole, hashed as they are produced or consumed.
import { Readable } from "node:stream";

const BLOCK = 1024 * 1024;

export interface GeneratedBody {
  /** For the SDK, which in Bun takes a Node stream for bodies of known length. */
  readable: Readable;
  /** SHA-256 (hex) of everything produced; valid once the stream has ended. */
  sha256(): string;
}

export function generatedBody(size: number, seed = 1): GeneratedBody {
  const base = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i += 65536) crypto.getRandomValues(base.subarray(i, i + 65536));
  const hasher = new Bun.CryptoHasher("sha256");
  let digest: string | undefined;
  async function* blocks() {
    for (let offset = 0, n = 0; offset < size; offset += BLOCK, n++) {
      const block = base.slice(0, Math.min(BLOCK, size - offset));
      const view = new DataView(block.buffer);
      for (let at = 0; at + 8 <= block.length; at += 65536) { view.setUint32(at, n); view.setUint32(at + 4, seed); }
      hasher.update(block);
      yield block;
    }
    digest = hasher.digest("hex");
  }
  return {
    readable: Readable.from(blocks(), { objectMode: false }),
    sha256: () => {
      if (digest === undefined) throw new Error("the body has not been fully read yet");
      return digest;
    },
  };
}

/** SHA-256 (hex) and length of a response body, read as a stream. */
export async function hashStream(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hasher = new Bun.CryptoHasher("sha256");
  let size = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    hasher.update(chunk);
    size += chunk.length;
  }
  return { sha256: hasher.digest("hex"), size };
}
