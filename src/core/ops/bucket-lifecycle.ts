// Put/Get/DeleteBucketLifecycleConfiguration, and the x-amz-expiration header object reads and writes
// carry. The rules live in bucket_configs "lifecycle" (checked in _lifecycle-config.ts); the sweeper in
// core/lifecycle.ts applies them. Nothing here deletes or changes an object.
import { S3Error } from "../errors.ts";
import { currentExpiration, expirationHeader, LIFECYCLE_CONFIG, type StoredLifecycle } from "../lifecycle-rules.ts";
import type { OperationName } from "../router.ts";
import type { ObjectRow } from "../store/meta.ts";
import { requireBucket, type Handler, type OpContext } from "./_context.ts";
import { MINIMUM_SIZE_HEADER, parseLifecycleConfiguration, readMinimumTransitionSize } from "./_lifecycle-config.ts";
import { readSmallBody } from "./_payload.ts";
import { documentResponse } from "./bucket-stored-schema.ts";

/** A thousand rules with filters, transitions and IDs of 255 characters fit in well under 2 MiB. */
const MAX_BODY = 2 * 1024 * 1024;

const putBucketLifecycleConfiguration: Handler = async (ctx) => {
  const bucket = requireBucket(ctx).name;
  const minimum = readMinimumTransitionSize(ctx.req.headers);
  // The model requires an integrity checksum (Content-MD5 or x-amz-checksum-*), as AWS does.
  const body = await readSmallBody(ctx, MAX_BODY, { requireIntegrity: true });
  const stored = parseLifecycleConfiguration(new TextDecoder().decode(body), minimum);
  ctx.meta.setBucketConfig(bucket, LIFECYCLE_CONFIG, stored satisfies StoredLifecycle);
  return new Response(null, { status: 200, headers: { [MINIMUM_SIZE_HEADER]: minimum } });
};

const getBucketLifecycleConfiguration: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  const stored = ctx.meta.getBucketConfig<StoredLifecycle>(bucket, LIFECYCLE_CONFIG);
  if (!stored) throw new S3Error("NoSuchLifecycleConfiguration", { BucketName: bucket });
  const response = documentResponse("LifecycleConfiguration", stored.xml);
  response.headers.set(MINIMUM_SIZE_HEADER, stored.minimumTransitionSize);
  return response;
};

/** Deleting a configuration the bucket does not have changes nothing and is 204 too, as on AWS. */
const deleteBucketLifecycle: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  ctx.meta.setBucketConfig(bucket, LIFECYCLE_CONFIG, undefined);
  return new Response(null, { status: 204 });
};

export const lifecycleHandlers: Partial<Record<OperationName, Handler>> = {
  PutBucketLifecycleConfiguration: putBucketLifecycleConfiguration,
  GetBucketLifecycleConfiguration: getBucketLifecycleConfiguration,
  DeleteBucketLifecycle: deleteBucketLifecycle,
};

/**
 * x-amz-expiration for a current version an enabled rule will expire: the earliest such rule's date
 * and ID, as AWS sends it on GetObject, HeadObject and PutObject. Empty for anything else.
 */
export function expirationHeaders(ctx: Pick<OpContext, "meta">, object: Pick<ObjectRow, "bucket" | "key" | "size" | "tags" | "lastModified">): Record<string, string> {
  const stored = ctx.meta.getBucketConfig<StoredLifecycle>(object.bucket, LIFECYCLE_CONFIG);
  const expiration = stored && currentExpiration(stored.rules, object);
  return expiration ? { "x-amz-expiration": expirationHeader(expiration) } : {};
}
