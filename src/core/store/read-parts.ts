// Reading a byte range of an object stored as parts, part by part on demand, so memory stays flat
// whatever the size. Used by GET before the parts are merged, by UploadPartCopy, and by the merge.
import type { BlobStore } from "./blobs.ts";
import type { PartRow } from "./meta.ts";
import { countStreamed } from "./streamed-bytes.ts";

/**
 * Bytes start..end (inclusive) across `parts` in order. Bytes within one part are that part's file
 * slice, which Bun sends with sendfile and a Content-Length; anything wider is a stream.
 */
export function readParts(blobs: BlobStore, parts: readonly Pick<PartRow, "sha256" | "size">[], start: number, end: number): Blob | ReadableStream<Uint8Array> {
  const segments: { sha256: string; from: number; to: number }[] = [];
  let offset = 0;
  for (const part of parts) {
    const from = Math.max(start, offset), to = Math.min(end + 1, offset + part.size);
    if (from < to) segments.push({ sha256: part.sha256, from: from - offset, to: to - offset });
    offset += part.size;
  }
  const sliceOf = (s: (typeof segments)[number]) => blobs.file(s.sha256).slice(s.from, s.to);
  if (segments.length === 1) return sliceOf(segments[0]!);
  let next = 0;
  let reader: { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(reason?: unknown): Promise<void> } | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (!reader) {
          const segment = segments[next++];
          if (!segment) return controller.close();
          reader = sliceOf(segment).stream().getReader();
        }
        const { done, value } = await reader!.read();
        if (!done) {
          countStreamed(value!.length);
          return controller.enqueue(value!);
        }
        reader = undefined;
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  });
}

/** The same bytes as a stream, whatever their shape. */
export function readPartsStream(blobs: BlobStore, parts: readonly Pick<PartRow, "sha256" | "size">[], start: number, end: number): ReadableStream<Uint8Array> {
  const body = readParts(blobs, parts, start, end);
  return body instanceof Blob ? body.stream() : body;
}
