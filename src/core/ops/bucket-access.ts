// Access configuration: bucket and object ACLs, Object Ownership, Block Public Access and the bucket
// policy, stored and read as S3 has them. Whether a request may use them is authorization's; what
// they refuse (ACLs while disabled, public ACLs or policies while blocked) is checked here on write.
import { aclFromHeaders, ownerGrants, parseAccessControlPolicy, renderAccessControlPolicy, resolveAcl, onlyOwnerFullControl } from "../access/acl.ts";
import { CONFIG, effectiveObjectOwner, OBJECT_OWNERSHIPS, type BucketAccess, type ObjectOwnership, type PublicAccessBlock, type StoredOwnership, type StoredPolicy } from "../access/bucket-access.ts";
import { isPublicPolicy, parsePolicy } from "../access/policy.ts";
import { checkAclWrite } from "../access/write-acl.ts";
import { S3Error } from "../errors.ts";
import type { OperationName } from "../router.ts";
import type { Grant } from "../store/meta.ts";
import { parseXml, xmlResponse, type XmlObject } from "../xml.ts";
import { requireCurrentObject, requireObject, type Handler, type OpContext } from "./_context.ts";
import { readSmallBody } from "./_payload.ts";

const MAX_ACL_BODY = 64 * 1024;
/** AWS's limit for a bucket policy. */
const MAX_POLICY_BYTES = 20 * 1024;

function requireAccess(ctx: OpContext): BucketAccess {
  const bucket = ctx.access.bucket(ctx.parsed.bucket!);
  if (!bucket) throw new S3Error("NoSuchBucket", { BucketName: ctx.parsed.bucket });
  return bucket;
}

const bodyText = async (ctx: OpContext, limit: number) => new TextDecoder().decode(await readSmallBody(ctx, limit));

function aclResponse(ctx: OpContext, owner: string, grants: readonly Grant[]): Response {
  return new Response(renderAccessControlPolicy(owner, grants, ctx.identities), { headers: { "content-type": "application/xml" } });
}

/** The grants a PutBucketAcl or PutObjectAcl asks for: by headers or by an AccessControlPolicy body, not both. */
async function requestedGrants(ctx: OpContext, owner: string, bucketOwner: string, target: "bucket" | "object"): Promise<Grant[]> {
  const fromHeaders = aclFromHeaders(ctx.req.headers, ctx.identities);
  const body = await bodyText(ctx, MAX_ACL_BODY);
  if (fromHeaders) {
    if (body.trim() !== "") throw new S3Error("UnexpectedContent", { message: "This request does not support content" });
    return resolveAcl(fromHeaders, { owner, bucketOwner }, target)!;
  }
  if (body.trim() === "") throw new S3Error("MissingSecurityHeader", { message: "Your request was missing a required header", MissingHeaderName: "x-amz-acl" });
  const policy = parseAccessControlPolicy(body, ctx.identities);
  // The document restates the owner; it cannot hand the resource to someone else.
  if (policy.owner !== undefined && policy.owner !== owner) throw new S3Error("AccessDenied");
  return policy.grants;
}

const getBucketAcl: Handler = (ctx) => {
  const bucket = requireAccess(ctx);
  // With ACLs disabled, reads show the owner's FULL_CONTROL whatever was set before.
  return aclResponse(ctx, bucket.owner, bucket.ownership === "BucketOwnerEnforced" ? ownerGrants(bucket.owner) : bucket.acl);
};

const putBucketAcl: Handler = async (ctx) => {
  const bucket = requireAccess(ctx);
  const grants = checkAclWrite(bucket, await requestedGrants(ctx, bucket.owner, bucket.owner, "bucket"));
  ctx.meta.setBucketConfig(bucket.row.name, CONFIG.acl, onlyOwnerFullControl(grants, bucket.owner) ? undefined : grants);
  return new Response(null);
};

const getObjectAcl: Handler = (ctx) => {
  const bucket = requireAccess(ctx);
  const object = requireObject(ctx);
  const owner = effectiveObjectOwner(bucket, object.owner, ctx.identities);
  return aclResponse(ctx, owner, bucket.ownership === "BucketOwnerEnforced" ? ownerGrants(owner) : object.acl ?? ownerGrants(owner));
};

const putObjectAcl: Handler = async (ctx) => {
  const bucket = requireAccess(ctx);
  const object = requireCurrentObject(ctx, "PutObjectAcl");
  const owner = effectiveObjectOwner(bucket, object.owner, ctx.identities);
  const grants = checkAclWrite(bucket, await requestedGrants(ctx, owner, bucket.owner, "object"));
  const stored = onlyOwnerFullControl(grants, owner) ? null : grants;
  if (!ctx.meta.setObjectAcl(object.bucket, object.key, object.etag, stored)) throw new S3Error("NoSuchKey", { Key: object.key });
  return new Response(null);
};

/** One element of a small configuration document, or MalformedXML. */
function documentRoot(text: string, root: string): XmlObject {
  let doc: Record<string, unknown>;
  try {
    doc = parseXml(text);
  } catch {
    throw new S3Error("MalformedXML");
  }
  const element = doc[root];
  if (typeof element !== "object" || element === null || Array.isArray(element)) throw new S3Error("MalformedXML");
  return element as XmlObject;
}

const putBucketOwnershipControls: Handler = async (ctx) => {
  const bucket = requireAccess(ctx);
  const rule = documentRoot(await bodyText(ctx, MAX_ACL_BODY), "OwnershipControls").Rule;
  const value = typeof rule === "object" && rule !== null && !Array.isArray(rule) ? (rule as XmlObject).ObjectOwnership : undefined;
  if (typeof value !== "string" || !OBJECT_OWNERSHIPS.includes(value.trim() as ObjectOwnership)) throw new S3Error("MalformedXML");
  const ownership = value.trim() as ObjectOwnership;
  // ACLs can be disabled only once the bucket's ACL grants no one but its owner.
  if (ownership === "BucketOwnerEnforced" && !onlyOwnerFullControl(bucket.acl, bucket.owner)) throw new S3Error("InvalidBucketAclWithObjectOwnership");
  ctx.meta.setBucketConfig(bucket.row.name, CONFIG.ownership, { ObjectOwnership: ownership } satisfies StoredOwnership);
  return new Response(null);
};

const getBucketOwnershipControls: Handler = (ctx) => {
  const bucket = requireAccess(ctx);
  if (!bucket.ownershipSet) throw new S3Error("OwnershipControlsNotFoundError", { BucketName: bucket.row.name });
  return xmlResponse("OwnershipControls", { Rule: { ObjectOwnership: bucket.ownership } });
};

const deleteBucketOwnershipControls: Handler = (ctx) => {
  const bucket = requireAccess(ctx);
  ctx.meta.setBucketConfig(bucket.row.name, CONFIG.ownership, undefined);
  return new Response(null, { status: 204 });
};

const BLOCK_FIELDS = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] as const;

const putPublicAccessBlock: Handler = async (ctx) => {
  const bucket = requireAccess(ctx);
  const doc = documentRoot(await bodyText(ctx, MAX_ACL_BODY), "PublicAccessBlockConfiguration");
  const block = {} as PublicAccessBlock;
  for (const field of BLOCK_FIELDS) {
    const value = doc[field];
    if (value !== undefined && (typeof value !== "string" || !/^\s*(true|false)\s*$/i.test(value))) throw new S3Error("MalformedXML");
    block[field] = typeof value === "string" && value.trim().toLowerCase() === "true";
  }
  ctx.meta.setBucketConfig(bucket.row.name, CONFIG.publicAccessBlock, block);
  return new Response(null);
};

const getPublicAccessBlock: Handler = (ctx) => {
  const bucket = requireAccess(ctx);
  if (!bucket.publicAccessBlockSet) throw new S3Error("NoSuchPublicAccessBlockConfiguration", { BucketName: bucket.row.name });
  return xmlResponse("PublicAccessBlockConfiguration", { ...bucket.publicAccessBlock });
};

const deletePublicAccessBlock: Handler = (ctx) => {
  const bucket = requireAccess(ctx);
  ctx.meta.setBucketConfig(bucket.row.name, CONFIG.publicAccessBlock, undefined);
  return new Response(null, { status: 204 });
};

const putBucketPolicy: Handler = async (ctx) => {
  const bucket = requireAccess(ctx);
  const text = await bodyText(ctx, MAX_POLICY_BYTES * 4);
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) throw new S3Error("MalformedPolicy", { message: "Policies must be less than 20 KB" });
  const policy = parsePolicy(text, bucket.row.name, ctx.identities);
  if (bucket.publicAccessBlock.BlockPublicPolicy && isPublicPolicy(policy)) throw new S3Error("AccessDenied");
  ctx.meta.setBucketConfig(bucket.row.name, CONFIG.policy, { text } satisfies StoredPolicy);
  return new Response(null, { status: 204 });
};

const getBucketPolicy: Handler = (ctx) => {
  const bucket = requireAccess(ctx);
  if (bucket.policyText === undefined) throw new S3Error("NoSuchBucketPolicy", { BucketName: bucket.row.name });
  return new Response(bucket.policyText, { headers: { "content-type": "application/json" } });
};

const deleteBucketPolicy: Handler = (ctx) => {
  const bucket = requireAccess(ctx);
  ctx.meta.setBucketConfig(bucket.row.name, CONFIG.policy, undefined);
  return new Response(null, { status: 204 });
};

const getBucketPolicyStatus: Handler = (ctx) => {
  const bucket = requireAccess(ctx);
  if (bucket.policyText === undefined) throw new S3Error("NoSuchBucketPolicy", { BucketName: bucket.row.name });
  return xmlResponse("PolicyStatus", { IsPublic: bucket.policyIsPublic });
};

export const accessHandlers: Partial<Record<OperationName, Handler>> = {
  GetBucketAcl: getBucketAcl,
  PutBucketAcl: putBucketAcl,
  GetObjectAcl: getObjectAcl,
  PutObjectAcl: putObjectAcl,
  PutBucketOwnershipControls: putBucketOwnershipControls,
  GetBucketOwnershipControls: getBucketOwnershipControls,
  DeleteBucketOwnershipControls: deleteBucketOwnershipControls,
  PutPublicAccessBlock: putPublicAccessBlock,
  GetPublicAccessBlock: getPublicAccessBlock,
  DeletePublicAccessBlock: deletePublicAccessBlock,
  PutBucketPolicy: putBucketPolicy,
  GetBucketPolicy: getBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
  GetBucketPolicyStatus: getBucketPolicyStatus,
};
