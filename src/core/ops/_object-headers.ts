// What PutObject and CreateMultipartUpload both take from request headers: key limits, content
// headers and user metadata, with S3's size limits.
import { S3Error } from "../errors.ts";
import { metadataFromWire } from "./_metadata-values.ts";

export const MAX_KEY_BYTES = 1024;
const MAX_METADATA_BYTES = 2048;
export const META_PREFIX = "x-amz-meta-";
export const DEFAULT_CONTENT_TYPE = "binary/octet-stream";
/** Content headers stored with an object and returned as they were sent. */
const STORED_HEADERS = ["cache-control", "content-disposition", "content-encoding", "content-language", "expires"] as const;

/** Storage classes whose objects read back at once: stored and reported, as AWS reports them. */
const INSTANT_STORAGE_CLASSES = new Set(["STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "EXPRESS_ONEZONE"]);
/** Archive classes: an object in one is read only after RestoreObject (see _archive.ts). */
export const ARCHIVE_STORAGE_CLASSES: ReadonlySet<string> = new Set(["GLACIER", "DEEP_ARCHIVE"]);
export const STORAGE_CLASS_HEADER = "x-amz-storage-class";

/** The x-amz-storage-class to store with an object: undefined for STANDARD (AWS leaves it out then). */
export function readStorageClass(headers: Headers): string | undefined {
  const value = headers.get(STORAGE_CLASS_HEADER)?.trim();
  if (value === undefined || value === "STANDARD") return undefined;
  if (!INSTANT_STORAGE_CLASSES.has(value) && !ARCHIVE_STORAGE_CLASSES.has(value)) throw new S3Error("InvalidStorageClass", { StorageClassRequested: value });
  return value;
}

/** What listings and attributes report. */
export const storageClassOf = (stored: Record<string, string>): string => stored[STORAGE_CLASS_HEADER] ?? "STANDARD";

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
    const text = metadataFromWire(value);
    metadata[short] = text;
    // AWS counts the UTF-8 bytes of names and values.
    size += Buffer.byteLength(short) + Buffer.byteLength(text);
  }
  if (size > MAX_METADATA_BYTES) throw new S3Error("MetadataTooLarge", { Size: size, MaxSizeAllowed: MAX_METADATA_BYTES });
  return metadata;
}

function withoutAwsChunked(value: string): string | null {
  const rest = value.split(",").filter((token) => token.trim().toLowerCase() !== "aws-chunked");
  const joined = rest.join(",").trim();
  return joined === "" ? null : joined;
}

export function readStoredHeaders(headers: Headers): Record<string, string> {
  const stored: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    let value = headers.get(name);
    // aws-chunked describes the upload's framing, not the object: S3 drops it from Content-Encoding
    // and keeps the rest as sent ("deflate, gzip" stays "deflate, gzip").
    if (name === "content-encoding" && value !== null && /aws-chunked/i.test(value)) value = withoutAwsChunked(value);
    if (value !== null) stored[name] = value;
  }
  const storageClass = readStorageClass(headers);
  if (storageClass) stored[STORAGE_CLASS_HEADER] = storageClass;
  return stored;
}
