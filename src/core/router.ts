// The operation table: method, target, subresource, and a telling header or query parameter → the AWS operation name. Pure, no I/O.
// Known operations without a handler still resolve here, so the client gets 501 NotImplemented by name.
import { S3Error } from "./errors.ts";
import type { ParsedRequest } from "./request.ts";

export type Method = "GET" | "HEAD" | "PUT" | "POST" | "DELETE";
export type Target = "service" | "bucket" | "object";
export type OperationName = string;

export interface Route {
  method: Method;
  target: Target;
  /** Subresource keyword that must be present (`uploads`, `acl`, …); a row without one matches only requests without any. */
  query?: string;
  /** Header whose presence selects this row over the bare one (`x-amz-copy-source`). */
  header?: string;
  /** Query parameters, not keywords, that must all be present: `id` selects GetBucketAnalyticsConfiguration over the List… row. */
  params?: readonly string[];
  op: OperationName;
}

/** Subresource families from the S3 model that share one keyword: method → operation. */
const BUCKET_SUBRESOURCES: Record<string, Partial<Record<Method, OperationName>>> = {
  abac: { GET: "GetBucketAbac", PUT: "PutBucketAbac" },
  accelerate: { GET: "GetBucketAccelerateConfiguration", PUT: "PutBucketAccelerateConfiguration" },
  acl: { GET: "GetBucketAcl", PUT: "PutBucketAcl" },
  analytics: { GET: "ListBucketAnalyticsConfigurations", PUT: "PutBucketAnalyticsConfiguration", DELETE: "DeleteBucketAnalyticsConfiguration" },
  cors: { GET: "GetBucketCors", PUT: "PutBucketCors", DELETE: "DeleteBucketCors" },
  delete: { POST: "DeleteObjects" },
  encryption: { GET: "GetBucketEncryption", PUT: "PutBucketEncryption", DELETE: "DeleteBucketEncryption" },
  "intelligent-tiering": { GET: "ListBucketIntelligentTieringConfigurations", PUT: "PutBucketIntelligentTieringConfiguration", DELETE: "DeleteBucketIntelligentTieringConfiguration" },
  inventory: { GET: "ListBucketInventoryConfigurations", PUT: "PutBucketInventoryConfiguration", DELETE: "DeleteBucketInventoryConfiguration" },
  lifecycle: { GET: "GetBucketLifecycleConfiguration", PUT: "PutBucketLifecycleConfiguration", DELETE: "DeleteBucketLifecycle" },
  "list-type": { GET: "ListObjectsV2" },
  location: { GET: "GetBucketLocation" },
  logging: { GET: "GetBucketLogging", PUT: "PutBucketLogging" },
  metadataAnnotationTable: { PUT: "UpdateBucketMetadataAnnotationTableConfiguration" },
  metadataConfiguration: { GET: "GetBucketMetadataConfiguration", POST: "CreateBucketMetadataConfiguration", DELETE: "DeleteBucketMetadataConfiguration" },
  metadataInventoryTable: { PUT: "UpdateBucketMetadataInventoryTableConfiguration" },
  metadataJournalTable: { PUT: "UpdateBucketMetadataJournalTableConfiguration" },
  metadataTable: { GET: "GetBucketMetadataTableConfiguration", POST: "CreateBucketMetadataTableConfiguration", DELETE: "DeleteBucketMetadataTableConfiguration" },
  metrics: { GET: "ListBucketMetricsConfigurations", PUT: "PutBucketMetricsConfiguration", DELETE: "DeleteBucketMetricsConfiguration" },
  notification: { GET: "GetBucketNotificationConfiguration", PUT: "PutBucketNotificationConfiguration" },
  "object-lock": { GET: "GetObjectLockConfiguration", PUT: "PutObjectLockConfiguration" },
  ownershipControls: { GET: "GetBucketOwnershipControls", PUT: "PutBucketOwnershipControls", DELETE: "DeleteBucketOwnershipControls" },
  policy: { GET: "GetBucketPolicy", PUT: "PutBucketPolicy", DELETE: "DeleteBucketPolicy" },
  policyStatus: { GET: "GetBucketPolicyStatus" },
  publicAccessBlock: { GET: "GetPublicAccessBlock", PUT: "PutPublicAccessBlock", DELETE: "DeletePublicAccessBlock" },
  replication: { GET: "GetBucketReplication", PUT: "PutBucketReplication", DELETE: "DeleteBucketReplication" },
  requestPayment: { GET: "GetBucketRequestPayment", PUT: "PutBucketRequestPayment" },
  session: { GET: "CreateSession" },
  tagging: { GET: "GetBucketTagging", PUT: "PutBucketTagging", DELETE: "DeleteBucketTagging" },
  uploads: { GET: "ListMultipartUploads" },
  versioning: { GET: "GetBucketVersioning", PUT: "PutBucketVersioning" },
  versions: { GET: "ListObjectVersions" },
  website: { GET: "GetBucketWebsite", PUT: "PutBucketWebsite", DELETE: "DeleteBucketWebsite" },
};

const OBJECT_SUBRESOURCES: Record<string, Partial<Record<Method, OperationName>>> = {
  acl: { GET: "GetObjectAcl", PUT: "PutObjectAcl" },
  annotation: { GET: "ListObjectAnnotations", PUT: "PutObjectAnnotation", DELETE: "DeleteObjectAnnotation" },
  attributes: { GET: "GetObjectAttributes" },
  encryption: { PUT: "UpdateObjectEncryption" },
  "legal-hold": { GET: "GetObjectLegalHold", PUT: "PutObjectLegalHold" },
  renameObject: { PUT: "RenameObject" },
  restore: { POST: "RestoreObject" },
  retention: { GET: "GetObjectRetention", PUT: "PutObjectRetention" },
  select: { POST: "SelectObjectContent" },
  tagging: { GET: "GetObjectTagging", PUT: "PutObjectTagging", DELETE: "DeleteObjectTagging" },
  torrent: { GET: "GetObjectTorrent" },
  uploads: { POST: "CreateMultipartUpload" },
  uploadId: { GET: "ListParts", POST: "CompleteMultipartUpload", DELETE: "AbortMultipartUpload" },
};

const expand = (target: Target, families: typeof BUCKET_SUBRESOURCES): Route[] =>
  Object.entries(families).flatMap(([query, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method as Method, target, query, op: op! })));

/** A GET that names one configuration (`?analytics&id=…`) rather than listing them all. */
const getOne = (target: Target, query: string, param: string, op: OperationName): Route => ({ method: "GET", target, query, params: [param], op });

/** Guarded rows (header, params) precede the bare rows they refine. */
export const ROUTES: readonly Route[] = [
  { method: "GET", target: "service", op: "ListBuckets" },
  { method: "PUT", target: "bucket", op: "CreateBucket" },
  { method: "HEAD", target: "bucket", op: "HeadBucket" },
  { method: "DELETE", target: "bucket", op: "DeleteBucket" },
  { method: "GET", target: "bucket", op: "ListObjects" },
  { method: "POST", target: "bucket", op: "PostObject" },
  getOne("bucket", "analytics", "id", "GetBucketAnalyticsConfiguration"),
  getOne("bucket", "intelligent-tiering", "id", "GetBucketIntelligentTieringConfiguration"),
  getOne("bucket", "inventory", "id", "GetBucketInventoryConfiguration"),
  getOne("bucket", "metrics", "id", "GetBucketMetricsConfiguration"),
  ...expand("bucket", BUCKET_SUBRESOURCES),
  { method: "PUT", target: "object", query: "uploadId", header: "x-amz-copy-source", op: "UploadPartCopy" },
  { method: "PUT", target: "object", query: "uploadId", op: "UploadPart" },
  { method: "PUT", target: "object", header: "x-amz-copy-source", op: "CopyObject" },
  { method: "PUT", target: "object", op: "PutObject" },
  { method: "GET", target: "object", op: "GetObject" },
  { method: "HEAD", target: "object", op: "HeadObject" },
  { method: "DELETE", target: "object", op: "DeleteObject" },
  getOne("object", "annotation", "annotationName", "GetObjectAnnotation"),
  ...expand("object", OBJECT_SUBRESOURCES),
];

const KEYWORDS: Record<Target, ReadonlySet<string>> = {
  service: new Set(),
  bucket: new Set(Object.keys(BUCKET_SUBRESOURCES)),
  object: new Set(Object.keys(OBJECT_SUBRESOURCES)),
};

const refinementsMet = (route: Route, req: ParsedRequest): boolean =>
  (!route.header || req.headers.has(route.header)) && (route.params ?? []).every((name) => req.query.has(name));

/** The AWS operation a request names. Throws MethodNotAllowed, or InvalidArgument for two subresources at once. */
export function resolveOperation(req: ParsedRequest): OperationName {
  const target: Target = req.bucket === undefined ? "service" : req.key === undefined ? "bucket" : "object";
  const keywords = [...req.query.keys()].filter((name) => KEYWORDS[target].has(name));
  // UploadPart and friends carry partNumber beside uploadId; only the subresource keywords count.
  if (new Set(keywords).size > 1) {
    throw new S3Error("InvalidArgument", { message: `Conflicting query string parameters: ${keywords.join(", ")}`, ArgumentName: "ResourceType", ArgumentValue: keywords.join(",") });
  }
  const keyword = keywords[0];
  const candidates = ROUTES.filter((r) => r.target === target && r.query === keyword);
  const route = candidates.find((r) => r.method === req.method && refinementsMet(r, req));
  if (route) return route.op;
  throw new S3Error("MethodNotAllowed", {
    Method: req.method,
    ResourceType: target === "service" ? "SERVICE" : target === "bucket" ? "BUCKET" : "OBJECT",
  }, { allow: [...new Set(candidates.map((r) => r.method))].join(", ") });
}
