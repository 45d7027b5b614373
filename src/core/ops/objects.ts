// Object operations: PutObject, GetObject, HeadObject, DeleteObject.
// Writes are blob first, row second; reads stream the blob file and never buffer an object.
import { checksumHeader } from "../checksums.ts";
import { S3Error } from "../errors.ts";
import type { BlobStore } from "../store/blobs.ts";
import type { ObjectRow, PartRow } from "../store/meta.ts";
import { requireBucket, requireObject, type Handler, type OpContext } from "./_context.ts";
import { DEFAULT_CONTENT_TYPE, META_PREFIX, readStoredHeaders, readUserMetadata, validateKey } from "./_object-headers.ts";
import { readObjectBody } from "./_payload.ts";

export const putObject: Handler = async (ctx) => {
  const key = ctx.parsed.key!;
  validateKey(key);
  requireBucket(ctx);
  const headers = ctx.req.headers;
  const metadata = readUserMetadata(headers);
  const stored = readStoredHeaders(headers);
  const body = await readObjectBody(ctx);
  const row: ObjectRow = {
    bucket: ctx.parsed.bucket!, key, sha256: body.sha256, size: body.size, etag: `"${body.md5}"`,
    lastModified: Date.now(), contentType: headers.get("content-type") ?? DEFAULT_CONTENT_TYPE, headers: stored, metadata,
    checksumAlgorithm: body.checksum?.algorithm ?? null, checksumValue: body.checksum?.value ?? null, partsCount: 0,
  };
  await body.commit();
  try {
    ctx.meta.putObject(row);
  } catch (error) {
    // The bucket was deleted while the body streamed in: the row's foreign key no longer holds.
    // The published blob stays unreferenced until gc.
    if (String(error).includes("FOREIGN KEY")) throw new S3Error("NoSuchBucket", { BucketName: ctx.parsed.bucket });
    throw error;
  }
  const response = new Headers({ etag: row.etag });
  if (body.checksum) {
    response.set(checksumHeader(body.checksum.algorithm), body.checksum.value);
    response.set("x-amz-checksum-type", "FULL_OBJECT");
  }
  return new Response(null, { headers: response });
};

export const deleteObject: Handler = (ctx) => {
  requireBucket(ctx);
  // The blob stays: another object may share it, and gc reclaims it off the request path.
  ctx.meta.deleteObject(ctx.parsed.bucket!, ctx.parsed.key!);
  return new Response(null, { status: 204 });
};

export const getObject: Handler = (ctx) => readObject(ctx, true);
export const headObject: Handler = (ctx) => readObject(ctx, false);

function readObject(ctx: OpContext, withBody: boolean): Response {
  const object = requireObject(ctx);
  const headers = objectHeaders(object);
  const notModified = checkPreconditions(ctx.req.headers, object);
  if (notModified) return new Response(null, { status: 304, headers: pick(headers, ["etag", "last-modified"]) });
  const range = parseRange(ctx.req.headers.get("range"), object.size);
  if (range) {
    headers.set("content-range", `bytes ${range.start}-${range.end}/${object.size}`);
    headers.set("content-length", String(range.end - range.start + 1));
  } else {
    headers.set("content-length", String(object.size));
    // A checksum covers the whole object: never sent with a part of it.
    if (ctx.req.headers.get("x-amz-checksum-mode")?.toUpperCase() === "ENABLED" && object.checksumAlgorithm) {
      headers.set(checksumHeader(object.checksumAlgorithm), object.checksumValue!);
      headers.set("x-amz-checksum-type", "FULL_OBJECT");
    }
  }
  const status = range ? 206 : 200;
  if (!withBody || object.size === 0) return new Response(null, { status, headers });
  if (object.partsCount > 0) {
    const parts = ctx.meta.getObjectParts(object.bucket, object.key);
    return new Response(partsBody(ctx.blobs, parts, range?.start ?? 0, range?.end ?? object.size - 1), { status, headers });
  }
  const file = ctx.blobs.file(object.sha256);
  return new Response(range ? file.slice(range.start, range.end + 1) : file, { status, headers });
}

/**
 * Bytes start..end (inclusive) of an object stored as parts. Bytes within one part are that part's
 * file slice, which Bun sends with sendfile and a Content-Length. Bytes across parts are read part
 * by part on demand, so memory stays flat whatever the size.
 * Deviation: Bun.serve drops a handler's Content-Length for stream bodies (oven-sh/bun#10507), so
 * those responses go out chunked, without Content-Length. HeadObject still reports the size.
 */
function partsBody(blobs: BlobStore, parts: readonly PartRow[], start: number, end: number): Blob | ReadableStream<Uint8Array> {
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
        if (!done) return controller.enqueue(value!);
        reader = undefined;
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  });
}

function objectHeaders(object: ObjectRow): Headers {
  const headers = new Headers({
    "content-type": object.contentType,
    etag: object.etag,
    "last-modified": new Date(object.lastModified).toUTCString(),
    "accept-ranges": "bytes",
  });
  for (const [name, value] of Object.entries(object.headers)) headers.set(name, value);
  for (const [name, value] of Object.entries(object.metadata)) headers.set(META_PREFIX + name, value);
  return headers;
}

function pick(headers: Headers, names: string[]): Headers {
  return new Headers(names.flatMap((n) => (headers.has(n) ? [[n, headers.get(n)!] as [string, string]] : [])));
}

const etagMatches = (condition: string, etag: string): boolean =>
  condition.split(",").some((c) => { const t = c.trim(); return t === "*" || t === etag || `"${t}"` === etag; });

/** Whole seconds, as HTTP dates carry them. */
const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * GetObject/HeadObject conditions with S3's precedence: If-Match outranks If-Unmodified-Since (412),
 * If-None-Match outranks If-Modified-Since (304). Returns true for 304 Not Modified.
 */
function checkPreconditions(h: Headers, object: ObjectRow): boolean {
  const ifMatch = h.get("if-match");
  const ifUnmodifiedSince = Date.parse(h.get("if-unmodified-since") ?? "");
  if (ifMatch !== null ? !etagMatches(ifMatch, object.etag) : seconds(object.lastModified) > seconds(ifUnmodifiedSince)) {
    throw new S3Error("PreconditionFailed", { Condition: ifMatch !== null ? "If-Match" : "If-Unmodified-Since" });
  }
  const ifNoneMatch = h.get("if-none-match");
  if (ifNoneMatch !== null) return etagMatches(ifNoneMatch, object.etag);
  const ifModifiedSince = Date.parse(h.get("if-modified-since") ?? "");
  return !Number.isNaN(ifModifiedSince) && seconds(object.lastModified) <= seconds(ifModifiedSince);
}

/**
 * One byte range: `bytes=a-b`, `bytes=a-` or `bytes=-n`. As S3 does, a header it cannot parse, or one
 * with several ranges, is ignored and the whole object sent; a range past the end is 416 InvalidRange.
 */
export function parseRange(header: string | null, size: number): { start: number; end: number } | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number, end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) throw new S3Error("InvalidRange", { RangeRequested: header!, ActualObjectSize: size });
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== "" && Number(m[2]) < start) return undefined;
  }
  if (start >= size) throw new S3Error("InvalidRange", { RangeRequested: header!, ActualObjectSize: size });
  return { start, end };
}
