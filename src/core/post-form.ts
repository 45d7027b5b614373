// A streaming multipart/form-data reader for browser POST uploads. S3 takes the form fields that come
// before the `file` field and ignores any after it, so the fields are read into memory (capped) and
// the file's bytes are handed on as a stream: memory does not grow with the upload.
import { S3Error } from "./errors.ts";

export interface PostForm {
  /** Form fields before the file, by lower-case name (S3 matches field names case-insensitively). */
  fields: Map<string, string>;
  file: { filename: string; contentType?: string; stream: ReadableStream<Uint8Array> };
}

/** S3 caps the non-file part of a POST; generous here, but bounded. */
const MAX_FIELDS_BYTES = 64 * 1024;
const CRLF2 = Buffer.from("\r\n\r\n");

/** The boundary of a multipart/form-data Content-Type, or undefined. */
export function formBoundary(contentType: string | null): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** What this module needs of a body reader (Bun's and Node's reader types differ in extras). */
interface BodyReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

const malformed = (message: string) => new S3Error("MalformedPOSTRequest", { message });
const tooLarge = () => new S3Error("MaxPostPreDataLengthExceeded");

/** Reads fields up to the `file` part; the returned file stream yields that part's bytes only. */
export async function readPostForm(body: ReadableStream<Uint8Array>, boundary: string): Promise<PostForm> {
  const reader = body.getReader();
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The body starts with "--boundary"; prefixing CRLF lets one delimiter pattern find every boundary.
  let buffer: Buffer = Buffer.from("\r\n");
  let done = false;
  const more = async (): Promise<boolean> => {
    if (done) return false;
    // Asked for more while already holding the cap's worth without finding a boundary: too large.
    // (One read may also bring in much of the file; that is not counted against the fields.)
    if (buffer.length > MAX_FIELDS_BYTES) throw tooLarge();
    const next = await reader.read();
    if (next.done) { done = true; return false; }
    buffer = Buffer.concat([buffer, next.value]);
    return true;
  };
  const fields = new Map<string, string>();
  let fieldBytes = 0;
  for (;;) {
    let at: number;
    while ((at = buffer.indexOf(delimiter)) < 0) if (!(await more())) throw malformed("The body of your POST request is not well-formed multipart/form-data.");
    buffer = buffer.subarray(at + delimiter.length);
    while (buffer.length < 2) if (!(await more())) throw malformed("The body of your POST request is not well-formed multipart/form-data.");
    if (buffer.subarray(0, 2).toString() === "--") throw malformed("Bucket POST must contain a field named 'file'.");
    let end: number;
    while ((end = buffer.indexOf(CRLF2)) < 0) if (!(await more())) throw malformed("The body of your POST request is not well-formed multipart/form-data.");
    const head = parsePartHeaders(buffer.subarray(0, end).toString("utf8"));
    buffer = buffer.subarray(end + CRLF2.length);
    if (head.name.toLowerCase() === "file") {
      const stream = fileStream(buffer, reader, delimiter);
      return { fields, file: { filename: head.filename ?? "", contentType: head.contentType, stream } };
    }
    let valueEnd: number;
    while ((valueEnd = buffer.indexOf(delimiter)) < 0) if (!(await more())) throw malformed("The body of your POST request is not well-formed multipart/form-data.");
    fieldBytes += valueEnd;
    if (fieldBytes > MAX_FIELDS_BYTES) throw tooLarge();
    fields.set(head.name.toLowerCase(), buffer.subarray(0, valueEnd).toString("utf8"));
    buffer = buffer.subarray(valueEnd);
  }
}

async function drain(reader: BodyReader): Promise<void> {
  try {
    while (!(await reader.read()).done);
  } catch { /* the client went away: nothing left to drop */ }
}

function parsePartHeaders(text: string): { name: string; filename?: string; contentType?: string } {
  let name: string | undefined, filename: string | undefined, contentType: string | undefined;
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const header = line.slice(0, colon).trim().toLowerCase(), value = line.slice(colon + 1).trim();
    if (header === "content-disposition") {
      name = /(?:^|;)\s*name="([^"]*)"/i.exec(value)?.[1];
      filename = /(?:^|;)\s*filename="([^"]*)"/i.exec(value)?.[1];
    } else if (header === "content-type") contentType = value;
  }
  if (name === undefined) throw malformed("A part of the form has no name.");
  return { name, filename, contentType };
}

/**
 * The file part's bytes: everything up to the next delimiter. A tail as long as the delimiter is held
 * back between chunks, since a delimiter may straddle two of them.
 */
function fileStream(initial: Buffer, reader: BodyReader, delimiter: Buffer): ReadableStream<Uint8Array> {
  let pending: Buffer = initial;
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const at = pending.indexOf(delimiter);
        if (at >= 0) {
          if (at > 0) controller.enqueue(new Uint8Array(pending.subarray(0, at)));
          finished = true;
          controller.close();
          // S3 ignores fields after the file. The rest is read and dropped rather than cancelled, so the
          // client, still sending the closing boundary, is not cut off before it reads the response.
          void drain(reader);
          return;
        }
        const safe = pending.length - (delimiter.length - 1);
        if (safe > 0) {
          controller.enqueue(new Uint8Array(pending.subarray(0, safe)));
          pending = pending.subarray(safe);
          return;
        }
        const next = await reader.read();
        if (next.done || !next.value) {
          controller.error(malformed("The body of your POST request ended inside the file."));
          return;
        }
        pending = pending.length ? Buffer.concat([pending, next.value]) : Buffer.from(next.value);
      }
    },
    cancel() {
      if (!finished) void reader.cancel().catch(() => {});
    },
  });
}
