// aws-chunked body decoder: strips the framing, verifies each chunk signature (signed modes) and
// collects trailers, verifying the trailer signature when there is one. Only decoded bytes leave it.
import { createHash } from "node:crypto";
import { S3Error } from "../errors.ts";
import { EMPTY_SHA256, chunkStringToSign, signature, signaturesEqual, trailerStringToSign } from "./sigv4.ts";

export interface ChunkSigning {
  key: Uint8Array;
  amzDate: string;
  scope: string;
  /** The request's own signature: the first chunk's signature chains on it. */
  seedSignature: string;
}

const MAX_LINE = 4096;
const TRAILER_SIGNATURE = "x-amz-trailer-signature";
const enum State { ChunkHeader, Data, DataEnd, Trailer, Done }

const malformed = (message: string) => new S3Error("InvalidRequest", { message: `Malformed aws-chunked body: ${message}` });

/** A TransformStream from aws-chunked bytes to payload bytes. `trailers` is filled once the stream ends. */
export class AwsChunkedDecoder {
  readonly trailers = new Map<string, string>();
  decodedLength = 0;
  readonly stream: TransformStream<Uint8Array, Uint8Array>;

  private state = State.ChunkHeader;
  private line = new Uint8Array(0);
  private remaining = 0;
  private crlfSeen = 0;
  private chunkSignature = "";
  private previousSignature: string;
  private chunkHash: ReturnType<typeof createHash> | undefined;
  private readonly trailerLines: string[] = [];
  private trailerSignature: string | undefined;

  constructor(private readonly signing: ChunkSigning | undefined, private readonly maxDecodedLength: number) {
    this.previousSignature = signing?.seedSignature ?? "";
    this.stream = new TransformStream({
      transform: (chunk, controller) => this.push(chunk, (piece) => controller.enqueue(piece)),
      flush: () => {
        if (this.state !== State.Done) throw new S3Error("IncompleteBody", { message: "The aws-chunked body ended before its final chunk and trailer." });
      },
    });
  }

  private push(buf: Uint8Array, emit: (piece: Uint8Array) => void): void {
    let off = 0;
    while (off < buf.length) {
      switch (this.state) {
        case State.ChunkHeader:
        case State.Trailer: {
          const nl = buf.indexOf(0x0a, off);
          if (nl < 0) { this.appendLine(buf.subarray(off)); return; }
          this.appendLine(buf.subarray(off, nl + 1));
          off = nl + 1;
          const text = new TextDecoder().decode(this.line);
          this.line = new Uint8Array(0);
          if (!text.endsWith("\r\n")) throw malformed("line does not end with CRLF");
          const line = text.slice(0, -2);
          if (this.state === State.ChunkHeader) this.readChunkHeader(line);
          else this.readTrailerLine(line);
          break;
        }
        case State.Data: {
          const n = Math.min(this.remaining, buf.length - off);
          const piece = buf.subarray(off, off + n);
          this.chunkHash?.update(piece);
          this.decodedLength += n;
          if (this.decodedLength > this.maxDecodedLength) throw new S3Error("EntityTooLarge", { MaxSizeAllowed: this.maxDecodedLength });
          emit(piece);
          this.remaining -= n;
          off += n;
          if (this.remaining === 0) this.state = State.DataEnd;
          break;
        }
        case State.DataEnd: {
          const expected = this.crlfSeen === 0 ? 0x0d : 0x0a;
          if (buf[off] !== expected) throw malformed("chunk data is not followed by CRLF");
          off++;
          if (++this.crlfSeen === 2) {
            this.crlfSeen = 0;
            this.verifyChunk(this.chunkHash?.digest("hex"));
            this.state = State.ChunkHeader;
          }
          break;
        }
        case State.Done:
          throw malformed("bytes after the final CRLF");
      }
    }
  }

  private appendLine(bytes: Uint8Array): void {
    if (this.line.length + bytes.length > MAX_LINE) throw malformed("chunk header or trailer line too long");
    const joined = new Uint8Array(this.line.length + bytes.length);
    joined.set(this.line);
    joined.set(bytes, this.line.length);
    this.line = joined;
  }

  private readChunkHeader(line: string): void {
    const [sizeText, ...extensions] = line.split(";");
    if (!sizeText || !/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw malformed(`invalid chunk size "${sizeText ?? ""}"`);
    const size = parseInt(sizeText, 16);
    const sig = extensions.find((e) => e.startsWith("chunk-signature="))?.slice("chunk-signature=".length);
    if (this.signing) {
      if (!sig) throw new S3Error("SignatureDoesNotMatch", { message: "A chunk of the aws-chunked body carries no chunk-signature." });
      this.chunkSignature = sig;
    }
    if (size === 0) {
      this.verifyChunk(EMPTY_SHA256);
      this.state = State.Trailer;
      return;
    }
    this.remaining = size;
    this.chunkHash = this.signing ? createHash("sha256") : undefined;
    this.state = State.Data;
  }

  private verifyChunk(chunkSha256: string | undefined): void {
    if (!this.signing || chunkSha256 === undefined) return;
    const { key, amzDate, scope } = this.signing;
    const expected = signature(key, chunkStringToSign(amzDate, scope, this.previousSignature, chunkSha256));
    if (!signaturesEqual(expected, this.chunkSignature)) {
      throw new S3Error("SignatureDoesNotMatch", { message: "The chunk signature we calculated does not match the signature you provided." });
    }
    this.previousSignature = expected;
  }

  private readTrailerLine(line: string): void {
    if (line === "") { this.finishTrailer(); return; }
    const colon = line.indexOf(":");
    if (colon <= 0) throw malformed(`invalid trailer line "${line.slice(0, 64)}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === TRAILER_SIGNATURE) { this.trailerSignature = value; return; }
    this.trailers.set(name, value);
    this.trailerLines.push(`${name}:${value}\n`);
  }

  private finishTrailer(): void {
    // Only the signed-trailer mode signs its trailer; signed chunks without trailers end here too.
    if (this.signing && (this.trailerLines.length > 0 || this.trailerSignature !== undefined)) {
      const { key, amzDate, scope } = this.signing;
      const expected = signature(key, trailerStringToSign(amzDate, scope, this.previousSignature, this.trailerLines.join("")));
      if (this.trailerSignature === undefined || !signaturesEqual(expected, this.trailerSignature)) {
        throw new S3Error("SignatureDoesNotMatch", { message: "The trailer signature we calculated does not match the signature you provided." });
      }
    }
    this.state = State.Done;
  }
}

