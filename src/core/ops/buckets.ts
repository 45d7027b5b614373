// Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, ListObjects(V2).
// Handlers read metadata only; no blob is touched here.
import { uriEncode } from "../auth/sigv4.ts";
import { isValidBucketName } from "../bucket-names.ts";
import { S3Error } from "../errors.ts";
import { parseXml, xmlResponse, type XmlObject } from "../xml.ts";
import type { ObjectRow } from "../store/meta.ts";
import { listObjectPage, type ListingPage } from "./_listing.ts";
import { requireBucket, type Handler, type OpContext } from "./_context.ts";
import { readSmallBody } from "./_payload.ts";

const OWNER = { ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "s3lite" };
const MAX_CONFIG_BODY = 64 * 1024;
const DEFAULT_MAX_KEYS = 1000;


export const listBuckets: Handler = (ctx) => {
  const buckets = ctx.meta.listBuckets();
  return xmlResponse("ListAllMyBucketsResult", {
    Owner: OWNER,
    Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: new Date(b.createdAt).toISOString(), BucketRegion: b.region })) },
  });
};

export const createBucket: Handler = async (ctx) => {
  const name = ctx.parsed.bucket!;
  if (!isValidBucketName(name)) throw new S3Error("InvalidBucketName", { BucketName: name });
  const body = new TextDecoder().decode(await readSmallBody(ctx, MAX_CONFIG_BODY));
  let region = ctx.config.region;
  if (body.trim() !== "") {
    const config = parseXml(body).CreateBucketConfiguration as XmlObject | undefined;
    if (config === undefined || typeof config !== "object") throw new S3Error("MalformedXML");
    const constraint = config.LocationConstraint;
    if (typeof constraint === "string" && constraint !== "") region = constraint;
  }
  if (!ctx.meta.createBucket(name, region, ctx.now)) throw new S3Error("BucketAlreadyOwnedByYou", { BucketName: name });
  return new Response(null, { headers: { location: `/${name}` } });
};

export const headBucket: Handler = (ctx) => {
  const bucket = requireBucket(ctx);
  return new Response(null, { headers: { "x-amz-bucket-region": bucket.region } });
};

export const deleteBucket: Handler = (ctx) => {
  requireBucket(ctx);
  if (!ctx.meta.isBucketEmpty(ctx.parsed.bucket!)) throw new S3Error("BucketNotEmpty", { BucketName: ctx.parsed.bucket });
  ctx.meta.deleteBucket(ctx.parsed.bucket!);
  return new Response(null, { status: 204 });
};

export const getBucketLocation: Handler = (ctx) => {
  const bucket = requireBucket(ctx);
  // us-east-1 is spelled as an empty LocationConstraint, as S3 does for its oldest region.
  return xmlResponse("LocationConstraint", bucket.region === "us-east-1" ? "" : bucket.region);
};

function parseMaxKeys(ctx: OpContext): number {
  const text = ctx.parsed.query.get("max-keys");
  if (text === null) return DEFAULT_MAX_KEYS;
  if (!/^\d+$/.test(text)) throw new S3Error("InvalidArgument", { message: "Provided max-keys not an integer or within integer range", ArgumentName: "max-keys", ArgumentValue: text });
  return Math.min(Number(text), DEFAULT_MAX_KEYS);
}

function listingOptions(ctx: OpContext) {
  const q = ctx.parsed.query;
  const encodingType = q.get("encoding-type");
  if (encodingType !== null && encodingType !== "url") {
    throw new S3Error("InvalidArgument", { message: "Invalid Encoding Method specified in Request", ArgumentName: "encoding-type", ArgumentValue: encodingType });
  }
  const encode = encodingType === "url" ? (s: string) => uriEncode(s, true) : (s: string) => s;
  return { prefix: q.get("prefix") ?? "", delimiter: q.get("delimiter") ?? "", maxKeys: parseMaxKeys(ctx), encodingType: encodingType ?? undefined, encode };
}

function renderContents(page: ListingPage<ObjectRow>, encode: (s: string) => string, withOwner: boolean) {
  return {
    Contents: page.contents.map((o) => ({
      Key: encode(o.key),
      LastModified: new Date(o.lastModified).toISOString(),
      ETag: o.etag,
      ...(o.checksumAlgorithm ? { ChecksumAlgorithm: o.checksumAlgorithm, ChecksumType: o.checksumType ?? "FULL_OBJECT" } : {}),
      Size: o.size,
      ...(withOwner ? { Owner: OWNER } : {}),
      StorageClass: "STANDARD",
    })),
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
    ...renderContents(page, o.encode, q.get("fetch-owner") === "true"),
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
    ...renderContents(page, o.encode, true),
  });
};
