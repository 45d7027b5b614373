// What every handler receives, and the small lookups most of them start with.
import type { Authorizer, RequestFacts } from "../access/authorize.ts";
import type { Identities, Principal } from "../access/identities.ts";
import type { AuthResult, CredentialStore } from "../auth/verify.ts";
import type { Config } from "../config.ts";
import { S3Error } from "../errors.ts";
import type { ParsedRequest } from "../request.ts";
import type { OpParams } from "../router.ts";
import type { BlobStore } from "../store/blobs.ts";
import type { PartMerger } from "../store/merge-parts.ts";
import type { BucketRow, Metadata, ObjectRow, UploadRow } from "../store/meta.ts";

export interface OpContext {
  req: Request;
  parsed: ParsedRequest;
  /** The route's parameters, parsed and checked before the handler runs. */
  params: OpParams;
  /** The signature that proved the request; undefined for anonymous requests, form uploads and preflights. */
  auth?: AuthResult;
  /** Who sent it: a user, or anonymous. A form upload learns its own from the form (PostObject). */
  principal: Principal;
  /** What authorization weighed; handlers that authorize per key (DeleteObjects) or late (PostObject) pass it back. */
  facts: RequestFacts;
  access: Authorizer;
  identities: Identities;
  meta: Metadata;
  blobs: BlobStore;
  merger: PartMerger;
  config: Config;
  /** The accepted keys, for handlers that check a signature themselves (PostObject). */
  credentials: CredentialStore;
  now: number;
}

export type Handler = (ctx: OpContext) => Promise<Response> | Response;

export function requireBucket(ctx: OpContext): BucketRow {
  const bucket = ctx.meta.getBucket(ctx.parsed.bucket!);
  if (!bucket) throw new S3Error("NoSuchBucket", { BucketName: ctx.parsed.bucket });
  return bucket;
}

export function requireObject(ctx: OpContext): ObjectRow {
  const { bucketExists, object } = ctx.meta.findObject(ctx.parsed.bucket!, ctx.parsed.key!);
  if (!bucketExists) throw new S3Error("NoSuchBucket", { BucketName: ctx.parsed.bucket });
  if (!object) throw new S3Error("NoSuchKey", { Key: ctx.parsed.key });
  return object;
}

/** The upload the request names, when it is in progress for this bucket and key. */
export function requireUpload(ctx: OpContext): UploadRow {
  requireBucket(ctx);
  const uploadId = ctx.params.uploadId!;
  const upload = ctx.meta.getUpload(uploadId);
  if (!upload || upload.bucket !== ctx.parsed.bucket || upload.key !== ctx.parsed.key) throw new S3Error("NoSuchUpload", { UploadId: uploadId });
  return upload;
}
