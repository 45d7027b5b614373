// What a write records of access: the owner and ACL a new object or bucket gets from the request's
// ACL headers and the bucket's Object Ownership, with S3's refusals — ACLs on a bucket that has
// them disabled (AccessControlListNotSupported), public ACLs under Block Public Access (AccessDenied).
import { S3Error } from "../errors.ts";
import type { Grant } from "../store/meta.ts";
import { isPublicGrant, onlyOwnerFullControl, resolveAcl, type AclRequest } from "./acl.ts";
import { ALL_BLOCKED, OBJECT_OWNERSHIPS, type BucketAccess, type ObjectOwnership } from "./bucket-access.ts";
import type { Principal } from "./identities.ts";

/** Who writes: a user's canonical ID; an anonymous write (to a public-write bucket) is recorded as the bucket owner's. */
const writerOf = (principal: Principal, bucket: BucketAccess) => (principal.kind === "user" ? principal.canonicalId : bucket.owner);

/** The owner and ACL of an object a request writes into the bucket. */
export function objectWriteAccess(bucket: BucketAccess, principal: Principal, request: AclRequest): { owner: string; acl: Grant[] | null } {
  const writer = writerOf(principal, bucket);
  if (bucket.ownership === "BucketOwnerEnforced") {
    // Only "bucket owner full control ACLs" pass: canned ACLs are read as the writer sends them, so
    // another account's `private` (its own FULL_CONTROL) is refused and its bucket-owner-full-control taken.
    const grants = resolveAcl(request, { owner: writer, bucketOwner: bucket.owner }, "object");
    if (grants && !givesBucketOwnerFullControl(grants, bucket.owner, writer)) throw new S3Error("AccessControlListNotSupported");
    return { owner: bucket.owner, acl: null };
  }
  const ownerFull = request !== undefined && "canned" in request && request.canned === "bucket-owner-full-control";
  const owner = bucket.ownership === "BucketOwnerPreferred" && ownerFull ? bucket.owner : writer;
  const grants = resolveAcl(request, { owner, bucketOwner: bucket.owner }, "object");
  refusePublic(bucket, grants);
  return { owner, acl: grants && !onlyOwnerFullControl(grants, owner) ? grants : null };
}

/** The bucket owner's FULL_CONTROL, beside at most the writer's own: what an ACLs-disabled bucket still takes on a write. */
const givesBucketOwnerFullControl = (grants: readonly Grant[], bucketOwner: string, writer: string) =>
  grants.some((g) => g.grantee.type === "CanonicalUser" && g.grantee.id === bucketOwner && g.permission === "FULL_CONTROL")
  && grants.every((g) => g.grantee.type === "CanonicalUser" && (g.grantee.id === bucketOwner || g.grantee.id === writer) && g.permission === "FULL_CONTROL");

/**
 * Whether a PutObjectAcl or PutBucketAcl may set these grants. With ACLs disabled none may, whatever
 * it asks ("Requests to set ACLs or update ACLs fail and return the AccessControlListNotSupported
 * error code"; Terraform's acl = "private" is refused so); else public grants under BlockPublicAcls.
 */
export function checkAclWrite(bucket: BucketAccess, grants: Grant[]): Grant[] {
  if (bucket.ownership === "BucketOwnerEnforced") throw new S3Error("AccessControlListNotSupported");
  refusePublic(bucket, grants);
  return grants;
}

function refusePublic(bucket: BucketAccess, grants: readonly Grant[] | undefined): void {
  if (grants?.some(isPublicGrant) && bucket.publicAccessBlock.BlockPublicAcls) throw new S3Error("AccessDenied");
}

/** x-amz-object-ownership on CreateBucket. */
export function readObjectOwnership(value: string | null): ObjectOwnership | undefined {
  if (value === null) return undefined;
  if (!OBJECT_OWNERSHIPS.includes(value.trim() as ObjectOwnership)) {
    throw new S3Error("InvalidArgument", { message: "Invalid x-amz-object-ownership header", ArgumentName: "x-amz-object-ownership", ArgumentValue: value });
  }
  return value.trim() as ObjectOwnership;
}

/**
 * The ACL a new bucket gets (undefined for the default), refused as S3 refuses it: any ACL but the
 * owner's FULL_CONTROL with ACLs disabled, a public one while public access is blocked.
 */
export function newBucketAcl(owner: string, request: AclRequest, ownership: ObjectOwnership | undefined, legacy: boolean): Grant[] | undefined {
  const grants = resolveAcl(request, { owner, bucketOwner: owner }, "bucket");
  if (!grants || onlyOwnerFullControl(grants, owner)) return undefined;
  if ((ownership ?? (legacy ? "ObjectWriter" : "BucketOwnerEnforced")) === "BucketOwnerEnforced") throw new S3Error("InvalidBucketAclWithObjectOwnership");
  if (!legacy && ALL_BLOCKED.BlockPublicAcls && grants.some(isPublicGrant)) throw new S3Error("InvalidBucketAclWithBlockPublicAccessError");
  return grants;
}
