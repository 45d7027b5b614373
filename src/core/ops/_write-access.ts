// The owner and ACL a write records, from the request's ACL headers (or a form's acl field) and the
// bucket's Object Ownership: shared by PutObject, PostObject, CopyObject and CreateMultipartUpload.
import { aclFromHeaders } from "../access/acl.ts";
import type { Principal } from "../access/identities.ts";
import { objectWriteAccess } from "../access/write-acl.ts";
import { S3Error } from "../errors.ts";
import type { Grant } from "../store/meta.ts";
import type { OpContext } from "./_context.ts";

export interface WriteAccess { owner: string; acl: Grant[] | null }

/** Who a delete marker is recorded as: the signed-in user, or for an anonymous request the bucket owner. */
export function writerOf(ctx: OpContext): string {
  if (ctx.principal.kind === "user") return ctx.principal.canonicalId;
  return ctx.access.bucket(ctx.parsed.bucket!)?.owner ?? "";
}

export function writeAccess(ctx: OpContext, bucketName: string, headers: Headers = ctx.req.headers, principal: Principal = ctx.principal): WriteAccess {
  const bucket = ctx.access.bucket(bucketName);
  if (!bucket) throw new S3Error("NoSuchBucket", { BucketName: bucketName });
  return objectWriteAccess(bucket, principal, aclFromHeaders(headers, ctx.identities));
}
