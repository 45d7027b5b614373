// fetch() signed by the AWS SDK's own SigV4 signer, for requests the S3 client would not send as is.
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import { TEST_CREDENTIALS } from "../setup.ts";

export interface SignedFetchInit {
  method?: string;
  headers?: Record<string, string>;
  /** A ReadableStream goes out with Transfer-Encoding: chunked and no Content-Length. */
  body?: string | Uint8Array | ReadableStream<Uint8Array>;
  /** Defaults to UNSIGNED-PAYLOAD; "sha256" signs the body's hash. */
  payload?: "unsigned" | "sha256" | string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  signingDate?: Date;
  /** Connect to this origin instead of the URL's, keeping the URL's host as the signed Host (a DNS shim). */
  connectTo?: string;
  /** Send this Host header instead of the one signed. */
  sendHost?: string;
  /** Edits the signed headers before sending: to add headers outside the signature, or rewrite Authorization. */
  afterSigning?: (headers: Record<string, string>) => void;
}

const toBytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === "string" ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** The SDK's hash interface over node:crypto (HMAC when given a secret). */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac("sha256", toBytes(secret)) : createHash("sha256");
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void { this.hash.update(toBytes(data)); }
  async digest(): Promise<Uint8Array> { return new Uint8Array(this.hash.digest()); }
}

type Credentials = { accessKeyId: string; secretAccessKey: string };

const signerFor = (credentials: Credentials = TEST_CREDENTIALS) =>
  new SignatureV4({ service: "s3", region: "us-east-1", credentials, sha256: Sha256, uriEscapePath: false, applyChecksum: false });

export async function fetchSigned(url: string, init: SignedFetchInit = {}): Promise<Response> {
  const u = new URL(url);
  const body = init.body;
  const headers: Record<string, string> = { host: u.host, ...init.headers };
  if (init.payload === "sha256" && body instanceof ReadableStream) throw new Error("cannot hash a stream up front");
  headers["x-amz-content-sha256"] = init.payload === undefined || init.payload === "unsigned"
    ? "UNSIGNED-PAYLOAD"
    : init.payload === "sha256" ? new Bun.CryptoHasher("sha256").update((body as string | Uint8Array | undefined) ?? "").digest("hex") : init.payload;
  // The payload hash is fixed by the header above, so the signer never reads the body.
  const request = new HttpRequest({
    method: init.method ?? "GET", protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: rawPath(url),
    query: Object.fromEntries(u.searchParams), headers,
  });
  const signed = await signerFor(init.credentials).sign(request, { signingDate: init.signingDate });
  if (init.sendHost) signed.headers.host = init.sendHost;
  init.afterSigning?.(signed.headers);
  const target = init.connectTo ? new URL(u.pathname + u.search, init.connectTo).href : url;
  return fetch(target, { method: signed.method, headers: signed.headers, body });
}

/** Presigns a URL with the SDK's signer, over UNSIGNED-PAYLOAD as the S3 presigner does. */
export async function presign(url: string, options: { method?: string; expiresIn?: number; signingDate?: Date; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): Promise<string> {
  const u = new URL(url);
  const request = new HttpRequest({
    method: options.method ?? "GET", protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: rawPath(url),
    query: Object.fromEntries(u.searchParams), headers: { host: u.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  });
  const signed = await signerFor(options.credentials).presign(request, { expiresIn: options.expiresIn ?? 900, signingDate: options.signingDate });
  const query = Object.entries(signed.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
  return `${u.protocol}//${u.host}${rawPath(url)}?${query}`;
}

/** The path exactly as written in `url`, not re-encoded. */
function rawPath(url: string): string {
  const afterHost = url.slice(url.indexOf("/", url.indexOf("//") + 2));
  const q = afterHost.indexOf("?");
  return q < 0 ? afterHost : afterHost.slice(0, q);
}
