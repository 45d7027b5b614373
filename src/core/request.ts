// parseRequest(): the request as sent → bucket, key and query. Virtual-hosted style
// (`bucket.localhost:9000/key`, or under a configured base domain) or path style (`host/bucket/key`).
// Bucket and key come from the raw target, percent-decoded once; nothing here checks auth or names.
import { S3Error } from "./errors.ts";
import { percentDecode, percentDecodeText } from "./uri.ts";

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
  /** The bucket came from the Host header (virtual-hosted style). */
  hostStyle?: boolean;
  /** Sent over TLS (aws:SecureTransport): s3lite serves plain HTTP, but a TLS proxy in front may say so. */
  secure?: boolean;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

const sentHeaders = new WeakMap<Headers, Record<string, string>>();

/**
 * Every header sent, lower-case name → value, made once per Headers and shared by the checks that
 * walk them all (size, unsigned x-amz-*, unsupported): Bun's toJSON walks them in a third of the time
 * entries() takes, and three walks of a small GET's headers were ~4% of its time.
 */
export function headersSent(headers: Headers): Readonly<Record<string, string>> {
  let sent = sentHeaders.get(headers);
  if (!sent) {
    sent = headers.toJSON() as Record<string, string>;
    // toJSON gives set-cookie, alone of all headers, as an array of its values.
    const cookies: unknown = sent["set-cookie"];
    if (Array.isArray(cookies)) sent["set-cookie"] = cookies.join(", ");
    sentHeaders.set(headers, sent);
  }
  return sent;
}

/**
 * Splits a request into bucket and key: from the Host header when it names a bucket under one of
 * `domains`, else from the path. Bun has already resolved `.` and `..` segments in
 * `request.url` (even as %2E), so keys with such segments cannot be addressed; see README.
 */
export function parseRequest(req: Request, domains: readonly string[] = []): ParsedRequest {
  const url = req.url;
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  const target = pathStart < 0 ? "/" : url.slice(pathStart);
  const q = target.indexOf("?");
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? "" : target.slice(q + 1);
  const parsed: ParsedRequest = { method: req.method, rawPath, rawQuery, query: new URLSearchParams(rawQuery), headers: req.headers, secure: url.startsWith("https:") };
  const path = rawPath.slice(1);
  const hostBucket = bucketFromHost(req.headers.get("host"), domains);
  if (hostBucket !== undefined) {
    parsed.bucket = hostBucket;
    parsed.hostStyle = true;
    const key = decodeSegment(path);
    if (key !== "") parsed.key = key;
    return parsed;
  }
  if (path === "") return parsed;
  const slash = path.indexOf("/");
  parsed.bucket = decodeSegment(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 ? "" : decodeSegment(path.slice(slash + 1));
  if (key !== "") parsed.key = key;
  return parsed;
}

function decodeSegment(raw: string): string {
  const text = percentDecodeText(raw);
  if (text !== undefined) return text;
  // Not UTF-8, or a malformed escape: decoded byte by byte to say which.
  const bytes = percentDecode(raw);
  if (!bytes) throw new S3Error("InvalidURI");
  try {
    return utf8.decode(bytes);
  } catch {
    throw new S3Error("InvalidURI", { message: "Couldn't parse the specified URI: it is not valid UTF-8." });
  }
}

/** "photos.localhost:9000" → "photos" when "localhost" is one of the domains; IP hosts never match. */
export function bucketFromHost(host: string | null, domains: readonly string[]): string | undefined {
  if (!host) return undefined;
  const name = host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  for (const domain of domains) {
    if (name.length > domain.length + 1 && name.endsWith(`.${domain}`)) return name.slice(0, -(domain.length + 1));
  }
  return undefined;
}
