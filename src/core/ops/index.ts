// The handler table: AWS operation name → handler, keyed by the router's operation names, so a
// misspelt or unrouted key fails to compile. An operation the router knows but this table lacks
// answers 501 NotImplemented. Also what app.ts needs of ops/ besides handlers.
import type { OperationName } from "../router.ts";
import type { Handler } from "./_context.ts";
import { deleteBucketCors, getBucketCors, preflightRequest, putBucketCors } from "./bucket-cors.ts";
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from "./buckets.ts";
import { listObjects, listObjectsV2, listObjectVersions } from "./list-objects.ts";
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, uploadPart, uploadPartCopy } from "./multipart.ts";
import { listMultipartUploads, listParts } from "./multipart-lists.ts";
import { copyObject } from "./copy-object.ts";
import { deleteObjects } from "./delete-objects.ts";
import { getObjectAttributes } from "./object-attributes.ts";
import { deleteObject, getObject, headObject, putObject } from "./objects.ts";
import { postObject } from "./post-object.ts";
import { renameObject } from "./rename-object.ts";
import { restoreObject } from "./restore-object.ts";
import { storedConfigHandlers } from "./bucket-stored-configs.ts";
import { accessHandlers } from "./bucket-access.ts";
import { versioningHandlers } from "./bucket-versioning.ts";
import { lifecycleHandlers } from "./bucket-lifecycle.ts";
import { objectLockHandlers } from "./object-lock.ts";
import { bucketTaggingHandlers } from "./bucket-tagging.ts";
import { bucketEncryptionHandlers } from "./bucket-encryption.ts";
import { objectTaggingHandlers } from "./object-tagging.ts";

export type { Handler, OpContext } from "./_context.ts";
export { addCorsHeaders } from "./bucket-cors.ts";
export { refuseUnsupportedHeaders } from "./_unsupported-headers.ts";

export const handlers: Partial<Record<OperationName, Handler>> = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  GetBucketLocation: getBucketLocation,
  PutBucketCors: putBucketCors,
  GetBucketCors: getBucketCors,
  DeleteBucketCors: deleteBucketCors,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListObjectVersions: listObjectVersions,
  PutObject: putObject,
  PostObject: postObject,
  CopyObject: copyObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
  DeleteObjects: deleteObjects,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
  ListMultipartUploads: listMultipartUploads,
  GetObjectAttributes: getObjectAttributes,
  RenameObject: renameObject,
  RestoreObject: restoreObject,
  PreflightRequest: preflightRequest,
  ...storedConfigHandlers,
  ...accessHandlers,
  ...versioningHandlers,
  ...lifecycleHandlers,
  ...objectLockHandlers,
  ...bucketTaggingHandlers,
  ...bucketEncryptionHandlers,
  ...objectTaggingHandlers,
};
