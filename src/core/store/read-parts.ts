// Reading a byte range of an object stored as parts, part by part on demand, so memory stays flat
// whatever the size. Used by GET before the parts are merged, and by UploadPartCopy.
import type { BlobReader, BlobStore } from "./blobs.ts";
import type { PartRow } from "./meta.ts";
import { countStreamed } from "./streamed-bytes.ts";

const CHUNK = 256 * 1024;

type Parts = readonly Pick<PartRow, "sha256" | "size">[];
interface Segment { sha256: string; from: number; to: number; part: number }

/**
 * Turns each part's bytes as they are read (SSE-C decrypts them), made per part from the offset
 * its read starts at, and fed that part's bytes in order.
 */
export type PartTransform = (part: number, from: number) => (bytes: Uint8Array) => Uint8Array;

/** The stretch of each part that bytes start..end (inclusive) cover, in order. */
function segmentsOf(parts: Parts, start: number, end: number): Segment[] {
  const segments: Segment[] = [];
  let offset = 0;
  parts.forEach((part, index) => {
    const from = Math.max(start, offset), to = Math.min(end + 1, offset + part.size);
    if (from < to) segments.push({ sha256: part.sha256, from: from - offset, to: to - offset, part: index });
    offset += part.size;
  });
  return segments;
}

const sliceOf = (blobs: BlobStore, s: Segment): Blob => blobs.file(s.sha256).slice(s.from, s.to);

/** Bytes start..end as a slice of one part's blob (a file slice Bun sends with its length), when one part holds them all. */
export function onePartSlice(blobs: BlobStore, parts: Parts, start: number, end: number): Blob | undefined {
  const segments = segmentsOf(parts, start, end);
  return segments.length === 1 ? sliceOf(blobs, segments[0]!) : undefined;
}

/**
 * Bytes start..end (inclusive) across `parts` in order. Bytes within one part are that part's blob
 * slice (a file slice Bun sends with sendfile, on disk) with a Content-Length; anything wider is a stream.
 */
export function readParts(blobs: BlobStore, parts: Parts, start: number, end: number, transform?: PartTransform): Blob | ReadableStream<Uint8Array> {
  const segments = segmentsOf(parts, start, end);
  if (segments.length === 1 && !transform) return sliceOf(blobs, segments[0]!);
  // Positioned reads, one 256 KiB buffer per pull and none ahead of the client: with Bun's file
  // streams (which read ahead) or 1 MiB buffers a 5 GiB read from parts peaked ~10 MiB higher. A part
  // found shorter than its row fails the transfer: a stream that ended early would look complete to
  // a client, which gets no Content-Length here.
  let next = 0;
  let current: { reader: BlobReader; position: number; remaining: number; sha256: string; turn?: (bytes: Uint8Array) => Uint8Array } | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (!current) {
          const segment = segments[next++];
          if (!segment) return controller.close();
          current = {
            reader: await blobs.open(segment.sha256), position: segment.from, remaining: segment.to - segment.from, sha256: segment.sha256,
            turn: transform?.(segment.part, segment.from),
          };
        }
        if (current.remaining > 0) {
          const bytes = await current.reader.read(current.position, Math.min(CHUNK, current.remaining));
          // A part shorter than its row says: fail the transfer rather than send a short body unnoticed.
          if (bytes.length === 0) {
            await current.reader.close();
            throw new Error(`blob ${current.sha256} is shorter than its part`);
          }
          current.position += bytes.length;
          current.remaining -= bytes.length;
          countStreamed(bytes.length);
          return controller.enqueue(current.turn ? current.turn(bytes) : bytes);
        }
        await current.reader.close();
        current = undefined;
      }
    },
    async cancel() {
      await current?.reader.close();
    },
  }, { highWaterMark: 0 });
}

/** The same bytes as a stream, whatever their shape. */
export function readPartsStream(blobs: BlobStore, parts: Parts, start: number, end: number, transform?: PartTransform): ReadableStream<Uint8Array> {
  const body = readParts(blobs, parts, start, end, transform);
  return body instanceof Blob ? body.stream() : body;
}
