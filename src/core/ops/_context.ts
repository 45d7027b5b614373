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
import { isVersionId, type BucketRow, type Metadata, type ObjectRow, type UploadRow } from "../store/meta.ts";

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
  /** This request's id, which every response carries (see stampHeaders). */
  requestId: string;
}

/** The headers every response carries: its request id and the server's name. */
export const stampHeaders = (requestId: string): Record<string, string> => ({ "x-amz-request-id": requestId, "x-amz-id-2": requestId, server: "s3lite" });

/**
 * Responses built with stampHeaders() among their headers, which app.ts then leaves as they are: a
 * small GET's headers given at once cost less than three set() calls on the Response after.
 */
export const stampedResponses = new WeakSet<Response>();

/** A response with the headers every response carries given with the others. */
export function stampedResponse(ctx: Pick<OpContext, "requestId">, body: Blob | null, init: { status: number; headers: Record<string, string> }): Response {
  const response = new Response(body, { status: init.status, headers: Object.assign(init.headers, stampHeaders(ctx.requestId)) });
  stampedResponses.add(response);
  return response;
}

export type Handler = (ctx: OpContext) => Promise<Response> | Response;

export function requireBucket(ctx: OpContext): BucketRow {
  const bucket = ctx.meta.getBucket(ctx.parsed.bucket!);
  if (!bucket) throw new S3Error("NoSuchBucket", { BucketName: ctx.parsed.bucket });
  return bucket;
}

/** The version a request names (`versionId`), if it names one. */
export function requestedVersion(ctx: OpContext): string | undefined {
  const versionId = ctx.params.versionId ?? ctx.parsed.query.get("versionId") ?? undefined;
  if (versionId !== undefined && !isVersionId(versionId)) throw new S3Error("InvalidArgument", { message: "Invalid version id specified", ArgumentName: "versionId", ArgumentValue: versionId });
  return versionId;
}

/**
 * The object a read names: its current version, or the version its `versionId` names. As on S3, a key
 * whose latest version is a delete marker is NoSuchKey with x-amz-delete-marker, and a delete marker
 * named by id is 405 MethodNotAllowed.
 */
export function requireObject(ctx: OpContext): ObjectRow {
  const bucket = ctx.parsed.bucket!, key = ctx.parsed.key!;
  const versionId = requestedVersion(ctx);
  if (versionId === undefined) {
    const { bucketExists, object } = ctx.meta.findObject(bucket, key);
    if (!bucketExists) throw new S3Error("NoSuchBucket", { BucketName: bucket });
    if (object) return object;
    const marker = ctx.meta.latestDeleteMarker(bucket, key);
    throw new S3Error("NoSuchKey", { Key: key }, marker ? { "x-amz-delete-marker": "true", "x-amz-version-id": marker.versionId } : {});
  }
  if (!ctx.meta.getBucket(bucket)) throw new S3Error("NoSuchBucket", { BucketName: bucket });
  const version = ctx.meta.getVersion(bucket, key, versionId);
  if (!version) throw new S3Error("NoSuchVersion", { Key: key, VersionId: versionId });
  if (version.deleteMarker) {
    throw new S3Error("MethodNotAllowed", { Method: ctx.req.method, ResourceType: "DeleteMarker" }, { "x-amz-delete-marker": "true", "x-amz-version-id": versionId, allow: "DELETE" });
  }
  return version;
}

/** For writes to an object's subresources, which s3lite makes on the current version only. */
export function requireCurrentObject(ctx: OpContext, what: string): ObjectRow {
  const object = requireObject(ctx);
  const current = ctx.meta.getObject(object.bucket, object.key);
  if (current?.versionId !== object.versionId) throw new S3Error("NotImplemented", { message: `s3lite does not implement ${what} of a noncurrent version yet; nothing was changed.` });
  return object;
}

/** The x-amz-version-id a response carries: on a bucket that has had versioning, or where the request named the version. */
export function versionHeader(ctx: OpContext, bucket: string, versionId: string, named = false): Record<string, string> {
  return named || ctx.meta.versioningStatus(bucket) !== undefined ? { "x-amz-version-id": versionId } : {};
}

/** The upload the request names, when it is in progress for this bucket and key. */
export function requireUpload(ctx: OpContext): UploadRow {
  requireBucket(ctx);
  const uploadId = ctx.params.uploadId!;
  const upload = ctx.meta.getUpload(uploadId);
  if (!upload || upload.bucket !== ctx.parsed.bucket || upload.key !== ctx.parsed.key) throw new S3Error("NoSuchUpload", { UploadId: uploadId });
  return upload;
}
