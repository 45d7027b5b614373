// Multipart upload: CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts.
// Parts are blobs like any other; completion writes rows only, so it copies no bytes whatever the size.
import { createHash } from "node:crypto";
import { uriEncode } from "../auth/sigv4.ts";
import { checksumHeader, parseChecksumAlgorithm } from "../checksums.ts";
import { S3Error } from "../errors.ts";
import type { PartRow, UploadRow } from "../store/meta.ts";
import { parseXml, xmlResponse, type XmlObject } from "../xml.ts";
import { requireBucket, type Handler, type OpContext } from "./_context.ts";
import { DEFAULT_CONTENT_TYPE, readStoredHeaders, readUserMetadata, validateKey } from "./_object-headers.ts";
import { readObjectBody, readSmallBody } from "./_payload.ts";

const MAX_PART_NUMBER = 10_000;
/** S3's minimum size of every part but the last. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_COMPLETE_BODY = 10_000 * 256;
const DEFAULT_MAX_PARTS = 1000;

function requireUpload(ctx: OpContext): UploadRow {
  requireBucket(ctx);
  const uploadId = ctx.parsed.query.get("uploadId") ?? "";
  const upload = ctx.meta.getUpload(uploadId);
  if (!upload || upload.bucket !== ctx.parsed.bucket || upload.key !== ctx.parsed.key) throw new S3Error("NoSuchUpload", { UploadId: uploadId });
  return upload;
}

function parsePartNumber(text: string | null): number {
  const n = text !== null && /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_PART_NUMBER)) {
    throw new S3Error("InvalidArgument", { message: `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, ArgumentName: "partNumber", ArgumentValue: text ?? "" });
  }
  return n;
}

/** The ETag of a multipart object: MD5 of the parts' binary MD5s, then "-" and the part count. */
export function multipartETag(partETags: readonly string[]): string {
  const md5 = createHash("md5");
  for (const etag of partETags) md5.update(Buffer.from(etag.replace(/"/g, ""), "hex"));
  return `"${md5.digest("hex")}-${partETags.length}"`;
}

export const createMultipartUpload: Handler = (ctx) => {
  const key = ctx.parsed.key!;
  validateKey(key);
  requireBucket(ctx);
  const headers = ctx.req.headers;
  const requested = headers.get("x-amz-checksum-algorithm");
  const checksumAlgorithm = requested === null ? null : parseChecksumAlgorithm(requested) ?? null;
  if (requested !== null && checksumAlgorithm === null) throw new S3Error("InvalidRequest", { message: `Checksum algorithm provided is unsupported: ${requested}` });
  const uploadId = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
  ctx.meta.createUpload({
    uploadId, bucket: ctx.parsed.bucket!, key, createdAt: ctx.now, contentType: headers.get("content-type") ?? DEFAULT_CONTENT_TYPE,
    headers: readStoredHeaders(headers), metadata: readUserMetadata(headers), checksumAlgorithm,
  });
  const response = xmlResponse("InitiateMultipartUploadResult", { Bucket: ctx.parsed.bucket!, Key: key, UploadId: uploadId });
  if (checksumAlgorithm) response.headers.set("x-amz-checksum-algorithm", checksumAlgorithm);
  return response;
};

export const uploadPart: Handler = async (ctx) => {
  const partNumber = parsePartNumber(ctx.parsed.query.get("partNumber"));
  const upload = requireUpload(ctx);
  const body = await readObjectBody(ctx);
  await body.commit();
  const part: PartRow = { partNumber, sha256: body.sha256, size: body.size, etag: `"${body.md5}"`, lastModified: Date.now(), checksumValue: body.checksum?.value ?? null };
  // The upload may have been completed or aborted while this part streamed in.
  if (!ctx.meta.getUpload(upload.uploadId)) throw new S3Error("NoSuchUpload", { UploadId: upload.uploadId });
  ctx.meta.putUploadPart(upload.uploadId, part);
  const headers = new Headers({ etag: part.etag });
  if (body.checksum) headers.set(checksumHeader(body.checksum.algorithm), body.checksum.value);
  return new Response(null, { headers });
};

/** The part list of a CompleteMultipartUpload body, as given. */
function parseCompletedParts(text: string): { partNumber: number; etag: string }[] {
  const root = parseXml(text).CompleteMultipartUpload as XmlObject | undefined;
  const parts = root && typeof root === "object" ? (root.Part as XmlObject[] | undefined) : undefined;
  if (!parts || parts.length === 0) throw new S3Error("MalformedXML");
  return parts.map((p) => {
    const partNumber = Number(p.PartNumber);
    if (!Number.isInteger(partNumber) || typeof p.ETag !== "string") throw new S3Error("MalformedXML");
    return { partNumber, etag: p.ETag };
  });
}

const normalizeETag = (etag: string) => etag.trim().replace(/^"|"$/g, "").toLowerCase();

export const completeMultipartUpload: Handler = async (ctx) => {
  const upload = requireUpload(ctx);
  const requested = parseCompletedParts(new TextDecoder().decode(await readSmallBody(ctx, MAX_COMPLETE_BODY)));
  const stored = new Map(ctx.meta.getUploadParts(upload.uploadId).map((p) => [p.partNumber, p]));
  const parts: PartRow[] = [];
  for (const [i, r] of requested.entries()) {
    if (i > 0 && r.partNumber <= requested[i - 1]!.partNumber) throw new S3Error("InvalidPartOrder", { UploadId: upload.uploadId });
    const part = stored.get(r.partNumber);
    if (!part || normalizeETag(part.etag) !== normalizeETag(r.etag)) throw new S3Error("InvalidPart", { UploadId: upload.uploadId, PartNumber: r.partNumber, ETag: r.etag });
    parts.push(part);
  }
  for (const part of parts.slice(0, -1)) {
    if (part.size < MIN_PART_SIZE) {
      throw new S3Error("EntityTooSmall", { ProposedSize: part.size, MinSizeAllowed: MIN_PART_SIZE, PartNumber: part.partNumber, ETag: part.etag });
    }
  }
  const etag = multipartETag(parts.map((p) => p.etag));
  ctx.meta.completeUpload(upload.uploadId, {
    bucket: upload.bucket, key: upload.key, sha256: "", size: parts.reduce((sum, p) => sum + p.size, 0), etag,
    lastModified: Date.now(), contentType: upload.contentType, headers: upload.headers, metadata: upload.metadata,
    checksumAlgorithm: null, checksumValue: null, partsCount: parts.length,
  }, parts);
  return xmlResponse("CompleteMultipartUploadResult", {
    Location: `${new URL(ctx.req.url).origin}/${ctx.parsed.bucket}/${uriEncode(upload.key, true)}`,
    Bucket: upload.bucket,
    Key: upload.key,
    ETag: etag,
  });
};

export const abortMultipartUpload: Handler = (ctx) => {
  const upload = requireUpload(ctx);
  ctx.meta.deleteUpload(upload.uploadId);
  return new Response(null, { status: 204 });
};

export const listParts: Handler = (ctx) => {
  const upload = requireUpload(ctx);
  const q = ctx.parsed.query;
  const marker = Number(q.get("part-number-marker") ?? 0) || 0;
  const maxParts = Math.min(Number(q.get("max-parts") ?? DEFAULT_MAX_PARTS) || DEFAULT_MAX_PARTS, DEFAULT_MAX_PARTS);
  const after = ctx.meta.getUploadParts(upload.uploadId).filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  const owner = { ID: ctx.auth.accessKeyId, DisplayName: ctx.auth.accessKeyId };
  return xmlResponse("ListPartsResult", {
    Bucket: upload.bucket,
    Key: upload.key,
    UploadId: upload.uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
    MaxParts: maxParts,
    IsTruncated: after.length > page.length,
    ...(upload.checksumAlgorithm ? { ChecksumAlgorithm: upload.checksumAlgorithm } : {}),
    Initiator: owner,
    Owner: owner,
    StorageClass: "STANDARD",
    Part: page.map((p) => ({ PartNumber: p.partNumber, LastModified: new Date(p.lastModified).toISOString(), ETag: p.etag, Size: p.size })),
  });
};
