// Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, ListObjects(V2).
// Handlers read metadata only; no blob is touched here.
import { isValidBucketName } from "../bucket-names.ts";
import { S3Error } from "../errors.ts";
import { parseXml, xmlResponse, type XmlObject } from "../xml.ts";
import { requireBucket, type Handler } from "./_context.ts";
import { readSmallBody } from "./_payload.ts";

export const OWNER = { ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "s3lite" };
const MAX_CONFIG_BODY = 64 * 1024;


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
