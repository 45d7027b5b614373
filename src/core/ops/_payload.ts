// Request bodies as handlers need them: aws-chunked decoded, size-capped, and checked against every
// digest the client declared (x-amz-content-sha256, Content-MD5, x-amz-checksum-* header or trailer).
import { AwsChunkedDecoder } from "../auth/chunked.ts";
import { STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, UNSIGNED_PAYLOAD } from "../auth/sigv4.ts";
import { CHECKSUM_ALGORITHMS, checksumHeader, createChecksum, parseChecksumAlgorithm, type ChecksumAlgorithm } from "../checksums.ts";
import { S3Error } from "../errors.ts";
import type { StagedBlob } from "../store/blobs.ts";
import { BodyTooLarge, StoreFull } from "../store/errors.ts";
import type { OpContext } from "./_context.ts";
import { encryptingStream } from "./_sse-c.ts";

/** Plain bodies of up to this many bytes (by their Content-Length) are read whole rather than streamed. */
const READ_WHOLE_MAX = 64 * 1024;

const isStreaming = (payloadHash: string) => payloadHash.startsWith("STREAMING-");
const isHexDigest = (payloadHash: string) => payloadHash.length === 64 && payloadHash !== UNSIGNED_PAYLOAD;

interface DecodedBody {
  stream: ReadableStream<Uint8Array> | null;
  decoder?: AwsChunkedDecoder;
}

/** What the signature says of the payload; a request no signature covers (a form upload) has it unsigned. */
const payloadHashOf = (ctx: OpContext) => ctx.auth?.payloadHash ?? UNSIGNED_PAYLOAD;

/** The payload bytes of the request, with aws-chunked framing removed and chunk signatures checked. */
function decodedBody(ctx: OpContext, maxSize: number): DecodedBody {
  const { req, auth } = ctx;
  const payloadHash = payloadHashOf(ctx);
  if (!isStreaming(payloadHash)) {
    const length = Number(req.headers.get("content-length") ?? 0);
    if (length > maxSize) throw new S3Error("EntityTooLarge", { MaxSizeAllowed: maxSize, ProposedSize: length });
    return { stream: req.body };
  }
  if (!req.headers.has("x-amz-decoded-content-length")) throw new S3Error("MissingContentLength", { message: "You must provide the x-amz-decoded-content-length header with aws-chunked bodies." });
  const signed = auth && (payloadHash === STREAMING_SIGNED || payloadHash === STREAMING_SIGNED_TRAILER);
  const decoder = new AwsChunkedDecoder(
    signed ? { key: auth.signingKey, amzDate: auth.amzDate, scope: auth.scope, seedSignature: auth.signature } : undefined,
    maxSize,
  );
  return { stream: req.body ? req.body.pipeThrough(decoder.stream) : null, decoder };
}

interface DeclaredChecksum {
  algorithm: ChecksumAlgorithm;
  /** From a header; undefined when it comes in the trailer or is only requested. */
  value?: string;
  inTrailer: boolean;
}

/** x-amz-checksum-* headers that carry no value of the body. */
const CHECKSUM_CONTROL_HEADERS = new Set(["x-amz-checksum-mode", "x-amz-checksum-algorithm", "x-amz-checksum-type"]);

/** The one flexible checksum the request declares, if any. */
export function declaredChecksum(headers: Headers): DeclaredChecksum | undefined {
  for (const [name] of headers) {
    if (name.startsWith("x-amz-checksum-") && !CHECKSUM_CONTROL_HEADERS.has(name) && !parseChecksumAlgorithm(name)) {
      throw new S3Error("InvalidRequest", { message: `The checksum in ${name} is not supported by s3lite.` });
    }
  }
  const present = CHECKSUM_ALGORITHMS.filter((a) => headers.has(checksumHeader(a)));
  if (present.length > 1) throw new S3Error("InvalidRequest", { message: "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed." });
  if (present.length === 1) return { algorithm: present[0]!, value: headers.get(checksumHeader(present[0]!))!, inTrailer: false };
  const trailer = headers.get("x-amz-trailer");
  if (trailer) {
    const algorithm = parseChecksumAlgorithm(trailer);
    if (!algorithm) throw new S3Error("InvalidRequest", { message: `The value specified in the x-amz-trailer header is not supported: ${trailer}` });
    return { algorithm, inTrailer: true };
  }
  const requested = headers.get("x-amz-sdk-checksum-algorithm");
  if (requested) {
    const algorithm = parseChecksumAlgorithm(requested);
    if (!algorithm) throw new S3Error("InvalidRequest", { message: `Checksum algorithm provided is unsupported: ${requested}` });
    return { algorithm, inTrailer: false };
  }
  return undefined;
}

function contentMd5(headers: Headers): string | undefined {
  const value = headers.get("content-md5");
  if (value === null) return undefined;
  const bytes = Buffer.from(value, "base64");
  if (bytes.length !== 16 || bytes.toString("base64") !== value.trim()) throw new S3Error("InvalidDigest", { "Content-MD5": value });
  return bytes.toString("hex");
}

/** A body's digests, computed on demand. */
interface Digests {
  sha256(): string;
  md5(): string;
  checksum(algorithm: ChecksumAlgorithm): string;
}

/**
 * Checks every digest the client declared against the body's, in S3's order: x-amz-content-sha256,
 * Content-MD5, then the flexible checksum (header or trailer). Returns that checksum as computed.
 */
function checkDigests(ctx: OpContext, md5: string | undefined, declared: DeclaredChecksum | undefined, decoder: AwsChunkedDecoder | undefined, digests: Digests): ObjectBody["checksum"] {
  const payloadHash = payloadHashOf(ctx);
  if (isHexDigest(payloadHash)) {
    const sha256 = digests.sha256();
    if (sha256 !== payloadHash) throw new S3Error("XAmzContentSHA256Mismatch", { ClientComputedContentSHA256: payloadHash, S3ComputedContentSHA256: sha256 });
  }
  if (md5 !== undefined && md5 !== digests.md5()) throw new S3Error("BadDigest", { message: "The Content-MD5 you specified did not match what we received." });
  if (!declared) return undefined;
  const claimed = declared.inTrailer ? decoder?.trailers.get(checksumHeader(declared.algorithm)) : declared.value;
  if (declared.inTrailer && claimed === undefined) {
    throw new S3Error("InvalidRequest", { message: `The x-amz-trailer header names ${checksumHeader(declared.algorithm)}, but the body has no such trailer.` });
  }
  const computed = digests.checksum(declared.algorithm);
  if (claimed !== undefined && claimed !== computed) throw new S3Error("BadDigest", { message: `The ${declared.algorithm} you specified did not match the calculated checksum.` });
  return { algorithm: declared.algorithm, value: computed };
}

/**
 * The store's own errors as S3 answers them. A store at its limit (memory) is 503 ServiceUnavailable,
 * as a full disk is: SDKs retry it, and room may come back (deletes, gc, reset()). Others pass through.
 */
export function rethrowStoreError(error: unknown): never {
  if (error instanceof BodyTooLarge) throw new S3Error("EntityTooLarge", { MaxSizeAllowed: error.maxSize, ProposedSize: error.size });
  if (error instanceof StoreFull) {
    throw new S3Error("ServiceUnavailable", { message: `s3lite's memory store is full (--memory-limit ${error.limit} bytes); nothing was stored. Delete objects or raise the limit, and retry.` });
  }
  throw error;
}

export interface ObjectBody extends StagedBlob {
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

export interface ReadBodyOptions {
  /** Computed even when the client declares no checksum (an upload's parts); the result carries it. */
  checksum?: ChecksumAlgorithm;
  /** SSE-C: the body is stored encrypted with AES-256-CTR; digests are checked on the plaintext. */
  encrypt?: { key: Buffer; iv: Buffer };
}

/**
 * Streams the body into a staged blob and checks it. On any mismatch the blob is discarded and the
 * S3 error thrown, so nothing of a rejected body is ever stored.
 */
export async function readObjectBody(ctx: OpContext, options: ReadBodyOptions = {}): Promise<ObjectBody> {
  const { headers } = ctx.req;
  const md5 = contentMd5(headers);
  const declared = declaredChecksum(headers);
  const algorithms = [...new Set([declared?.algorithm, options.checksum].filter((a) => a !== undefined))];
  const { stream: decoded, decoder } = decodedBody(ctx, ctx.config.maxObjectSize);
  const expectedSize = Number(headers.get(decoder ? "x-amz-decoded-content-length" : "content-length") ?? NaN);
  // SSE-C: the blob holds ciphertext (so its SHA-256 and MD5 are the ciphertext's); what the client
  // declared is checked against the plaintext's digests, taken before encryption.
  const encrypting = options.encrypt ? encryptingStream(options.encrypt.key, options.encrypt.iv, algorithms, { sha256: isHexDigest(payloadHashOf(ctx)), md5: md5 !== undefined }) : undefined;
  const stream = encrypting ? (decoded ?? new Blob([]).stream()).pipeThrough(encrypting.stream) : decoded;
  // A small plain body is read whole: reading 4 KiB at once is faster than streaming it (PERFORMANCE-FACTS.md).
  const body = stream === ctx.req.body && stream && expectedSize <= READ_WHOLE_MAX ? await ctx.req.bytes() : stream;
  const staged = await ctx.blobs.stage(body, { checksums: encrypting ? [] : algorithms, maxSize: ctx.config.maxObjectSize, expectedSize: Number.isNaN(expectedSize) ? undefined : expectedSize }).catch(rethrowStoreError);
  try {
    if (decoder) {
      const expected = Number(headers.get("x-amz-decoded-content-length"));
      if (decoder.decodedLength !== expected) {
        throw new S3Error("IncompleteBody", { message: `The aws-chunked body holds ${decoder.decodedLength} bytes; x-amz-decoded-content-length says ${expected}.` });
      }
    }
    const plain = encrypting ? encrypting.digests() : staged;
    let checksum = checkDigests(ctx, md5, declared, decoder, { sha256: () => plain.sha256!, md5: () => plain.md5!, checksum: (a) => plain.checksums[a]! });
    if (!checksum && options.checksum) checksum = { algorithm: options.checksum, value: plain.checksums[options.checksum]! };
    return { ...staged, checksum };
  } catch (error) {
    await staged.discard();
    throw error;
  }
}

export interface SmallBodyOptions {
  /** S3 refuses some operations (DeleteObjects) without Content-MD5 or an x-amz-checksum-*. */
  requireIntegrity?: boolean;
  /** False where x-amz-checksum-* describes something else (CompleteMultipartUpload: the object). */
  checksumOfBody?: boolean;
}

/** A small body (XML configuration) read whole, capped at `limit` bytes, with every declared digest checked. */
export async function readSmallBody(ctx: OpContext, limit: number, options: SmallBodyOptions = {}): Promise<Uint8Array> {
  const { headers } = ctx.req;
  const md5 = contentMd5(headers);
  const declared = options.checksumOfBody === false ? undefined : declaredChecksum(headers);
  if (options.requireIntegrity && md5 === undefined && declared === undefined) {
    throw new S3Error("InvalidRequest", { message: "Missing required header for this request: Content-MD5 OR x-amz-checksum-*" });
  }
  const parts: Uint8Array[] = [];
  let decoder: AwsChunkedDecoder | undefined;
  try {
    const decoded = decodedBody(ctx, limit);
    decoder = decoded.decoder;
    let size = 0;
    if (decoded.stream) {
      for await (const chunk of decoded.stream) {
        size += chunk.length;
        if (size > limit) throw new S3Error("MaxMessageLengthExceeded");
        parts.push(chunk);
      }
    }
  } catch (error) {
    // Too large for a request body, not for an object: S3 says so with its own code.
    if (error instanceof S3Error && error.code === "EntityTooLarge") throw new S3Error("MaxMessageLengthExceeded");
    throw error;
  }
  const body = Buffer.concat(parts);
  checkDigests(ctx, md5, declared, decoder, {
    sha256: () => new Bun.CryptoHasher("sha256").update(body).digest("hex"),
    md5: () => new Bun.CryptoHasher("md5").update(body).digest("hex"),
    checksum: (algorithm) => { const c = createChecksum(algorithm); c.update(body); return c.digest(); },
  });
  return body;
}
