// Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, ListObjects(V2).
// Handlers read metadata only; no blob is touched here.
import { isValidBucketName } from "../bucket-names.ts";
import { S3Error } from "../errors.ts";
import { parseXml, xmlResponse, type XmlObject } from "../xml.ts";
import { requireBucket, type Handler } from "./_context.ts";
import { aclFromHeaders } from "../access/acl.ts";
import { newBucketConfigs } from "../access/bucket-access.ts";
import type { User } from "../access/identities.ts";
import { newBucketAcl, readObjectOwnership } from "../access/write-acl.ts";
import { newBucketLockConfigs } from "./_object-lock.ts";
import { ownerElement } from "./_owner.ts";
import { readSmallBody } from "./_payload.ts";
import { validateTags } from "./_tags.ts";
import type { ObjectTag } from "../store/meta.ts";

const MAX_CONFIG_BODY = 64 * 1024;

/** ListBuckets, paginated as AWS does it: `max-buckets`, an opaque `continuation-token`, `prefix`, `bucket-region`. */
export const listBuckets: Handler = (ctx) => {
  const q = ctx.parsed.query;
  const max = ctx.params.maxBuckets!;
  const token = q.get("continuation-token");
  const after = token === null ? undefined : decodeToken(token);
  const prefix = q.get("prefix") ?? undefined;
  // One more than asked for says whether there is a next page.
  // A user lists the buckets it owns; the first user also owns those made before owners were kept.
  const user = ctx.principal as User;
  const owners = user.canonicalId === ctx.identities.primary.canonicalId ? [user.canonicalId, ""] : [user.canonicalId];
  const buckets = ctx.meta.listBuckets({ after, prefix, region: q.get("bucket-region") ?? undefined, owners, limit: max + 1 });
  const page = buckets.slice(0, max);
  return xmlResponse("ListAllMyBucketsResult", {
    Owner: ownerElement(user.canonicalId, ctx.identities),
    Buckets: { Bucket: page.map((b) => ({ Name: b.name, CreationDate: new Date(b.createdAt).toISOString(), BucketRegion: b.region })) },
    ContinuationToken: buckets.length > max ? Buffer.from(page.at(-1)!.name).toString("base64url") : undefined,
    Prefix: prefix,
  });
};

/** A continuation token is the last name of the previous page, base64url; anything else is InvalidArgument. */
function decodeToken(token: string): string {
  const name = Buffer.from(token, "base64url").toString();
  if (token === "" || Buffer.from(name).toString("base64url") !== token) {
    throw new S3Error("InvalidArgument", { message: "The continuation token provided is incorrect", ArgumentName: "continuation-token", ArgumentValue: token });
  }
  return name;
}

export const createBucket: Handler = async (ctx) => {
  const name = ctx.parsed.bucket!;
  if (!isValidBucketName(name)) throw new S3Error("InvalidBucketName", { BucketName: name });
  const body = new TextDecoder().decode(await readSmallBody(ctx, MAX_CONFIG_BODY));
  let region = ctx.config.region;
  let tags: ObjectTag[] | undefined;
  if (body.trim() !== "") {
    const config = parseXml(body).CreateBucketConfiguration as XmlObject | undefined;
    if (config === undefined || typeof config !== "object") throw new S3Error("MalformedXML");
    if (Object.keys(config).some((name) => !CONFIGURATION_ELEMENTS.has(name))) throw new S3Error("MalformedXML");
    // Location and Bucket describe directory buckets (S3 Express), which s3lite does not make.
    if (config.Location !== undefined || config.Bucket !== undefined) {
      throw new S3Error("NotImplemented", { message: "s3lite does not implement directory buckets (CreateBucketConfiguration Location and Bucket); nothing was created." });
    }
    // Whitespace around a region name is the body's layout, not the name.
    const constraint = typeof config.LocationConstraint === "string" ? config.LocationConstraint.trim() : "";
    if (constraint !== "") region = constraint;
    if (config.Tags !== undefined) tags = tagsOf(config.Tags);
  }
  const owner = (ctx.principal as User).canonicalId;
  const headers = ctx.req.headers;
  // A CreateBucket naming the canned ACL `private` and no Object Ownership gets BucketOwnerPreferred on AWS,
  // not the BucketOwnerEnforced of a bare CreateBucket (rclone and older Terraform providers send it).
  const cannedPrivate = headers.get("x-amz-acl")?.trim() === "private" && ![...headers.keys()].some((name) => name.startsWith("x-amz-grant-"));
  const ownership = readObjectOwnership(headers.get("x-amz-object-ownership")) ?? (cannedPrivate && !ctx.config.legacyBucketDefaults ? "BucketOwnerPreferred" : undefined);
  const existing = ctx.access.bucket(name);
  if (existing) throw new S3Error(existing.owner === owner ? "BucketAlreadyOwnedByYou" : "BucketAlreadyExists", { BucketName: name });
  const acl = newBucketAcl(owner, aclFromHeaders(headers, ctx.identities), ownership, ctx.config.legacyBucketDefaults);
  const configs = { ...newBucketConfigs(ctx.config.legacyBucketDefaults, ownership, acl), ...newBucketLockConfigs(headers), tagging: tags?.length ? tags : undefined };
  if (!ctx.meta.createBucket(name, region, ctx.now, owner, configs)) {
    throw new S3Error(ctx.access.bucket(name)?.owner === owner ? "BucketAlreadyOwnedByYou" : "BucketAlreadyExists", { BucketName: name });
  }
  return new Response(null, { headers: { location: `/${name}` } });
};

const CONFIGURATION_ELEMENTS = new Set(["LocationConstraint", "Location", "Bucket", "Tags"]);

/** CreateBucketConfiguration's Tags: the bucket's first tag set, held to PutBucketTagging's rules. */
function tagsOf(element: unknown): ObjectTag[] {
  if (element === "") return [];
  if (typeof element !== "object" || element === null || Array.isArray(element)) throw new S3Error("MalformedXML");
  const tags = [(element as XmlObject).Tag ?? []].flat().map((t) => {
    const { Key: key, Value: value } = (t ?? {}) as XmlObject;
    if (typeof key !== "string" || (value !== undefined && typeof value !== "string")) throw new S3Error("MalformedXML");
    return { Key: key, Value: value ?? "" };
  });
  validateTags(tags, "bucket");
  return tags;
}

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
