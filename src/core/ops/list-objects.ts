// Listing a bucket's objects: ListObjectsV2, ListObjects (v1) and ListObjectVersions (every version
// and delete marker). One paging algorithm serves all three.
import { uriEncode } from "../uri.ts";
import { S3Error } from "../errors.ts";
import { isVersionId, seqOfVersionId, type ObjectRow, type VersionCursor, type VersionRow } from "../store/meta.ts";
import { inOrder, xmlResponse, type XmlObject } from "../xml.ts";
import { requireBucket, type Handler, type OpContext } from "./_context.ts";
import { storageClassOf } from "./_object-headers.ts";
import { listingRestoreStatus } from "./_archive.ts";
import { listObjectPage, listPage, type ListingPage, type ListSource } from "./_listing.ts";
import { effectiveObjectOwner } from "../access/bucket-access.ts";
import { ownerElement } from "./_owner.ts";

function listingOptions(ctx: OpContext) {
  const q = ctx.parsed.query;
  const { encodingType, maxKeys } = ctx.params;
  const encode = encodingType === "url" ? (s: string) => uriEncode(s, true) : (s: string) => s;
  return { prefix: q.get("prefix") ?? "", delimiter: q.get("delimiter") ?? "", maxKeys: maxKeys!, encodingType, encode };
}

/** An object as both Contents (ListObjects) and Version (ListObjectVersions) entries describe it. */
/** How a listing names an object's owner: its effective owner (the bucket's, with ACLs disabled). */
type OwnerOf = (o: ObjectRow) => ReturnType<typeof ownerElement>;

function ownersOf(ctx: OpContext): OwnerOf {
  const bucket = ctx.access.bucket(ctx.parsed.bucket!);
  return (o) => ownerElement(bucket ? effectiveObjectOwner(bucket, o.owner, ctx.identities) : o.owner, ctx.identities);
}

type RestoreOf = ReturnType<typeof listingRestoreStatus>;

function objectEntry(o: ObjectRow, encode: (s: string) => string, ownerOf: OwnerOf | undefined, version?: XmlObject, restoreOf?: RestoreOf) {
  return {
    Key: encode(o.key),
    ...version,
    LastModified: new Date(o.lastModified).toISOString(),
    ETag: o.etag,
    ...(o.checksumAlgorithm ? { ChecksumAlgorithm: o.checksumAlgorithm, ChecksumType: o.checksumType ?? "FULL_OBJECT" } : {}),
    Size: o.size,
    ...(ownerOf ? { Owner: ownerOf(o) } : {}),
    StorageClass: storageClassOf(o.headers),
    ...(restoreOf ? { RestoreStatus: restoreOf(o) } : {}),
  };
}

function renderContents(page: ListingPage<ObjectRow>, encode: (s: string) => string, ownerOf: OwnerOf | undefined, restoreOf: RestoreOf) {
  return {
    Contents: page.contents.map((o) => objectEntry(o, encode, ownerOf, undefined, restoreOf)),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  };
}

export const listObjectsV2: Handler = (ctx) => {
  requireBucket(ctx);
  const q = ctx.parsed.query;
  const o = listingOptions(ctx);
  const token = q.get("continuation-token");
  let after = q.get("start-after") ?? "";
  if (token !== null) {
    const decoded = Buffer.from(token, "base64url").toString("utf8");
    if (token === "" || Buffer.from(decoded, "utf8").toString("base64url") !== token) {
      throw new S3Error("InvalidArgument", { message: "The continuation token provided is incorrect", ArgumentName: "continuation-token" });
    }
    after = decoded;
  }
  const page = listObjectPage(ctx.meta, ctx.parsed.bucket!, { prefix: o.prefix, delimiter: o.delimiter, after, maxKeys: o.maxKeys });
  return xmlResponse("ListBucketResult", {
    Name: ctx.parsed.bucket!,
    Prefix: o.encode(o.prefix),
    Delimiter: o.delimiter ? o.encode(o.delimiter) : undefined,
    MaxKeys: o.maxKeys,
    EncodingType: o.encodingType,
    KeyCount: page.contents.length + page.commonPrefixes.length,
    IsTruncated: page.isTruncated,
    ContinuationToken: token ?? undefined,
    NextContinuationToken: page.isTruncated && page.last !== undefined ? Buffer.from(page.last, "utf8").toString("base64url") : undefined,
    StartAfter: q.has("start-after") ? o.encode(q.get("start-after")!) : undefined,
    ...renderContents(page, o.encode, q.get("fetch-owner") === "true" ? ownersOf(ctx) : undefined, listingRestoreStatus(ctx)),
  });
};

export const listObjects: Handler = (ctx) => {
  requireBucket(ctx);
  const o = listingOptions(ctx);
  const marker = ctx.parsed.query.get("marker") ?? "";
  const page = listObjectPage(ctx.meta, ctx.parsed.bucket!, { prefix: o.prefix, delimiter: o.delimiter, after: marker, maxKeys: o.maxKeys });
  return xmlResponse("ListBucketResult", {
    Name: ctx.parsed.bucket!,
    Prefix: o.encode(o.prefix),
    Marker: o.encode(marker),
    // S3 sends NextMarker only with a delimiter; without one, clients continue from the last Key.
    NextMarker: o.delimiter && page.isTruncated && page.last !== undefined ? o.encode(page.last) : undefined,
    MaxKeys: o.maxKeys,
    Delimiter: o.delimiter ? o.encode(o.delimiter) : undefined,
    EncodingType: o.encodingType,
    IsTruncated: page.isTruncated,
    ...renderContents(page, o.encode, ownersOf(ctx), listingRestoreStatus(ctx)),
  });
};

export const listObjectVersions: Handler = (ctx) => {
  requireBucket(ctx);
  const bucket = ctx.parsed.bucket!;
  const q = ctx.parsed.query;
  const o = listingOptions(ctx);
  const keyMarker = q.get("key-marker") ?? "";
  const versionIdMarker = q.get("version-id-marker") || null;
  if (versionIdMarker !== null && keyMarker === "") {
    throw new S3Error("InvalidArgument", { message: "A version-id marker cannot be specified without a key marker.", ArgumentName: "version-id-marker", ArgumentValue: versionIdMarker });
  }
  const after: VersionCursor = { key: keyMarker, seq: versionIdMarker === null ? null : seqOf(ctx, bucket, keyMarker, versionIdMarker) };
  const source: ListSource<VersionRow, VersionCursor> = {
    fetch: (cursor, from, limit) => ctx.meta.listVersions(bucket, o.prefix, cursor, limit, from),
    cursorOf: (v) => ({ key: v.key, seq: v.seq }),
  };
  const page = listPage(source, { prefix: o.prefix, delimiter: o.delimiter, after, afterKey: keyMarker, maxKeys: o.maxKeys });
  const restoreOf = listingRestoreStatus(ctx);
  const ownerOf = ownersOf(ctx);
  // Versions and delete markers interleaved, in key order and newest first within a key, as S3 lists them.
  const entries = page.contents.map((v): [string, XmlObject] => v.deleteMarker
    ? ["DeleteMarker", { Key: o.encode(v.key), VersionId: v.versionId, IsLatest: v.isLatest, LastModified: new Date(v.lastModified).toISOString(), Owner: ownerOf(v) }]
    : ["Version", objectEntry(v, o.encode, ownerOf, { VersionId: v.versionId, IsLatest: v.isLatest }, restoreOf)]);
  return xmlResponse("ListVersionsResult", {
    Name: bucket,
    Prefix: o.encode(o.prefix),
    KeyMarker: o.encode(keyMarker),
    VersionIdMarker: versionIdMarker ?? "",
    NextKeyMarker: page.isTruncated && page.last !== undefined ? o.encode(page.last) : undefined,
    NextVersionIdMarker: page.isTruncated && page.lastRow !== undefined ? page.lastRow.versionId : undefined,
    MaxKeys: o.maxKeys,
    Delimiter: o.delimiter ? o.encode(o.delimiter) : undefined,
    EncodingType: o.encodingType,
    IsTruncated: page.isTruncated,
    ...inOrder(entries),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: o.encode(p) })),
  });
};

/**
 * Where a version-id-marker sits among its key's versions. Ids s3lite gives start with their order in
 * base 36, so a marker whose version was deleted since still places the page; "null" is looked up,
 * and if it is gone the key's versions are listed again rather than skipped.
 */
function seqOf(ctx: OpContext, bucket: string, key: string, versionId: string): number {
  if (!isVersionId(versionId)) throw new S3Error("InvalidArgument", { message: "Invalid version id specified", ArgumentName: "version-id-marker", ArgumentValue: versionId });
  return seqOfVersionId(versionId) ?? ctx.meta.getVersion(bucket, key, versionId)?.seq ?? Number.MAX_SAFE_INTEGER;
}
