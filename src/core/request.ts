// parseRequest(): the request target as sent → bucket, key and query, path-style.
// Bucket and key come from the raw target, percent-decoded once; nothing here checks auth or names.
import { S3Error } from "./errors.ts";
import { percentDecode } from "./auth/sigv4.ts";

export interface ParsedRequest {
  method: string;
  /** Path as sent (percent-encoded), e.g. `/bucket/some%20key`. */
  rawPath: string;
  /** Query as sent, without `?`. */
  rawQuery: string;
  /** Decoded query parameters; a bare `?acl` maps to "". */
  query: URLSearchParams;
  headers: Headers;
  bucket?: string;
  key?: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Splits a request into path-style bucket and key. Bun has already resolved `.` and `..` segments in
 * `request.url` (even as %2E), so keys with such segments cannot be addressed; see README.
 */
export function parseRequest(req: Request): ParsedRequest {
  const url = req.url;
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  const target = pathStart < 0 ? "/" : url.slice(pathStart);
  const q = target.indexOf("?");
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? "" : target.slice(q + 1);
  const parsed: ParsedRequest = { method: req.method, rawPath, rawQuery, query: new URLSearchParams(rawQuery), headers: req.headers };
  const path = rawPath.slice(1);
  if (path === "") return parsed;
  const slash = path.indexOf("/");
  parsed.bucket = decodeSegment(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 ? "" : decodeSegment(path.slice(slash + 1));
  if (key !== "") parsed.key = key;
  return parsed;
}

function decodeSegment(raw: string): string {
  const bytes = percentDecode(raw);
  if (!bytes) throw new S3Error("InvalidURI");
  try {
    return utf8.decode(bytes);
  } catch {
    throw new S3Error("InvalidURI", { message: "Couldn't parse the specified URI: it is not valid UTF-8." });
  }
}
