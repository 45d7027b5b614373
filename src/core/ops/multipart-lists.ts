// ListParts and ListMultipartUploads: the uploads in progress and their parts, paginated as S3 does.
import { uriEncode } from "../uri.ts";
import type { UploadRow } from "../store/meta.ts";
import { xmlResponse } from "../xml.ts";
import { requireBucket, requireUpload, type Handler, type OpContext } from "./_context.ts";
import { storageClassOf } from "./_object-headers.ts";
import { listPage, type ListSource } from "./_listing.ts";
import { ownerElement } from "./_owner.ts";

/** An upload's initiator and the owner its object will have. */
const people = (ctx: OpContext, u: UploadRow) => ({ Initiator: ownerElement(u.initiator, ctx.identities), Owner: ownerElement(u.owner, ctx.identities) });

export const listParts: Handler = (ctx) => {
  const upload = requireUpload(ctx);
  const marker = ctx.params.partNumberMarker!, maxParts = ctx.params.maxParts!;
  const after = ctx.meta.getUploadParts(upload.uploadId).filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  const algorithm = upload.checksumAlgorithm;
  return xmlResponse("ListPartsResult", {
    Bucket: upload.bucket,
    Key: upload.key,
    UploadId: upload.uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
    MaxParts: maxParts,
    IsTruncated: after.length > page.length,
    Part: page.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: new Date(p.lastModified).toISOString(),
      ETag: p.etag,
      Size: p.size,
      ...(algorithm && p.checksumValue ? { [`Checksum${algorithm}`]: p.checksumValue } : {}),
    })),
    ...people(ctx, upload),
    StorageClass: storageClassOf(upload.headers),
    ...(algorithm ? { ChecksumAlgorithm: algorithm, ChecksumType: upload.checksumType } : {}),
  });
};

/** Where a page of uploads continues: after this upload of this key, or (uploadId null) after all of the key's. */
interface UploadCursor { key: string; uploadId: string | null }

export const listMultipartUploads: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  const q = ctx.parsed.query;
  const { encodingType } = ctx.params;
  const encode = encodingType === "url" ? (s: string) => uriEncode(s, true) : (s: string) => s;
  const prefix = q.get("prefix") ?? "", delimiter = q.get("delimiter") ?? "";
  const keyMarker = q.get("key-marker") ?? "";
  // S3 ignores upload-id-marker without key-marker.
  const uploadIdMarker = keyMarker ? q.get("upload-id-marker") || null : null;
  const maxUploads = ctx.params.maxUploads!;
  const source: ListSource<UploadRow, UploadCursor> = {
    fetch: (after, from, limit) => ctx.meta.listUploads(bucket, prefix, after, limit, from),
    cursorOf: (u) => ({ key: u.key, uploadId: u.uploadId }),
  };
  const page = listPage(source, { prefix, delimiter, after: { key: keyMarker, uploadId: uploadIdMarker }, afterKey: keyMarker, maxKeys: maxUploads });
  return xmlResponse("ListMultipartUploadsResult", {
    Bucket: bucket,
    KeyMarker: encode(keyMarker),
    UploadIdMarker: uploadIdMarker ?? "",
    NextKeyMarker: page.isTruncated && page.last !== undefined ? encode(page.last) : undefined,
    Prefix: encode(prefix),
    Delimiter: delimiter ? encode(delimiter) : undefined,
    NextUploadIdMarker: page.isTruncated && page.lastRow ? page.lastRow.uploadId : undefined,
    MaxUploads: maxUploads,
    EncodingType: encodingType,
    IsTruncated: page.isTruncated,
    Upload: page.contents.map((u) => ({
      Key: encode(u.key),
      UploadId: u.uploadId,
      ...people(ctx, u),
      StorageClass: storageClassOf(u.headers),
      Initiated: new Date(u.createdAt).toISOString(),
      ...(u.checksumAlgorithm ? { ChecksumAlgorithm: u.checksumAlgorithm, ChecksumType: u.checksumType } : {}),
    })),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  });
};
