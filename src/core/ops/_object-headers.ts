// What PutObject and CreateMultipartUpload both take from request headers: key limits, content
// headers and user metadata, with S3's size limits.
import { S3Error } from "../errors.ts";

export const MAX_KEY_BYTES = 1024;
const MAX_METADATA_BYTES = 2048;
export const META_PREFIX = "x-amz-meta-";
export const DEFAULT_CONTENT_TYPE = "binary/octet-stream";
/** Content headers stored with an object and returned as they were sent. */
const STORED_HEADERS = ["cache-control", "content-disposition", "content-encoding", "content-language", "expires"] as const;

export function validateKey(key: string): void {
  const size = Buffer.byteLength(key);
  if (size > MAX_KEY_BYTES) throw new S3Error("KeyTooLongError", { Size: size, MaxSizeAllowed: MAX_KEY_BYTES });
}

export function readUserMetadata(headers: Headers): Record<string, string> {
  const metadata: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of headers) {
    if (!name.startsWith(META_PREFIX)) continue;
    const short = name.slice(META_PREFIX.length);
    metadata[short] = value;
    size += Buffer.byteLength(short) + Buffer.byteLength(value);
  }
  if (size > MAX_METADATA_BYTES) throw new S3Error("MetadataTooLarge", { Size: size, MaxSizeAllowed: MAX_METADATA_BYTES });
  return metadata;
}

export function readStoredHeaders(headers: Headers): Record<string, string> {
  const stored: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    let value = headers.get(name);
    // aws-chunked describes the upload's framing, not the object: S3 drops it from Content-Encoding.
    if (name === "content-encoding" && value !== null) {
      value = value.split(",").map((v) => v.trim()).filter((v) => v !== "" && v !== "aws-chunked").join(",") || null;
    }
    if (value !== null) stored[name] = value;
  }
  return stored;
}
