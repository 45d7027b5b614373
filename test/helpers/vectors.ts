// Loads the checked-in AWS signing vectors and parses their raw HTTP requests.
import vectors from "../fixtures/sigv4/vectors.json";
import { credentialScope, signingKey } from "../../src/core/auth/sigv4.ts";

export { vectors };

type ChunkedVector = (typeof vectors.chunked)[number];
const encode = (s: string) => new TextEncoder().encode(s);

/** The wire body of one of AWS's signed aws-chunked examples (chunks of repeated bytes, optional trailer). */
export function signedChunkedBody(c: ChunkedVector): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const chunk of c.chunks!) {
    parts.push(encode(chunk.chunk_header + "\r\n"));
    if (chunk.size > 0) parts.push(new Uint8Array(chunk.size).fill(chunk.byte.charCodeAt(0)), encode("\r\n"));
  }
  parts.push(encode(c.trailer ? c.trailer.wire + "\r\n" : "\r\n"));
  return Buffer.concat(parts);
}

/** What the decoder needs to check that example's chunk signatures. */
export function chunkSigningOf(c: ChunkedVector) {
  const date = c.datetime.slice(0, 8);
  return { key: signingKey(c.credentials.secret_key, date, c.region, c.service), amzDate: c.datetime, scope: credentialScope(date, c.region, c.service), seedSignature: c.seed_signature! };
}

export interface RawRequest {
  method: string;
  path: string;
  query: string;
  headers: Map<string, string[]>;
  body: string;
}

/** Parses a vector's request text: a request line (the target may hold spaces), headers with obs-folds, body. */
export function parseRawRequest(raw: string): RawRequest {
  const text = raw.replace(/\r\n/g, "\n");
  const split = text.indexOf("\n\n");
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? "" : text.slice(split + 2);
  const [requestLine, ...lines] = head.split("\n");
  const words = requestLine!.split(" ");
  const target = words.slice(1, words.length - 1).join(" ");
  const q = target.indexOf("?");
  const headers = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last) { last[last.length - 1] += " " + line.trim(); continue; }
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    if (!headers.has(name)) headers.set(name, []);
    last = headers.get(name)!;
    last.push(line.slice(colon + 1));
  }
  return { method: words[0]!, path: q < 0 ? target : target.slice(0, q), query: q < 0 ? "" : target.slice(q + 1), headers, body };
}
