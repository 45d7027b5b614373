// The operation table: method, target, subresource, and a telling header or query parameter → the AWS
// operation, how its caller is authenticated, and the query parameters it takes. Pure, no I/O.
// Known operations without a handler still resolve here, so the client gets 501 NotImplemented by name.
import { S3Error } from "./errors.ts";
import type { ParsedRequest } from "./request.ts";

export type Method = "GET" | "HEAD" | "PUT" | "POST" | "DELETE" | "OPTIONS";
export type Target = "service" | "bucket" | "object";
/**
 * How a route's caller is proven: "signed" by SigV4 or SigV2, checked before the handler runs; "form"
 * by the signed policy inside a browser's POST form, which only the handler reads; "none" for a CORS
 * preflight, which S3 answers without credentials.
 */
export type Auth = "signed" | "form" | "none";

/** A route's parameters, parsed and checked once; handlers read them here rather than from the query. */
export interface OpParams {
  bucket?: string;
  key?: string;
  /** The upload a multipart request names ("" when the query gives it no value). */
  uploadId?: string;
  /** 1..10,000: the part to store, or the part of an object to read. */
  partNumber?: number;
  /** Page sizes, 1000 when absent and never more; ListBuckets pages by max-buckets, 1..10,000. */
  maxKeys?: number;
  maxUploads?: number;
  maxParts?: number;
  maxBuckets?: number;
  partNumberMarker?: number;
  encodingType?: "url";
  /** A version to read or delete: "null" (the version written while unversioned or suspended) or an id versioning gave. */
  versionId?: string;
}
type ParamName = Exclude<keyof OpParams, "bucket" | "key">;

interface RouteRow {
  method: Method;
  target: Target;
  /** Subresource keyword that must be present (`uploads`, `acl`, …); a row without one matches only requests without any. */
  query?: string;
  /** Matches whatever subresource the request names: a preflight asks about a resource, not an operation. */
  anyQuery?: true;
  /** Header whose presence selects this row over the bare one (`x-amz-copy-source`). */
  header?: string;
  /** Query parameters, not keywords, that must all be present: `id` selects GetBucketAnalyticsConfiguration over the List… row. */
  requires?: readonly string[];
  op: string;
  auth: Auth;
  /** The parameters the operation takes, checked in this order; a required one that is absent reads as empty. */
  params?: { readonly [P in ParamName]?: "required" | "optional" };
}

type Families = { readonly [keyword: string]: { readonly [M in Method]?: string } };
type FamilyOp<F extends Families> = { [K in keyof F]: Exclude<F[K][keyof F[K]], undefined> }[keyof F];

/** Subresource families from the S3 model that share one keyword: method → operation. */
const BUCKET_SUBRESOURCES = {
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
  versioning: { GET: "GetBucketVersioning", PUT: "PutBucketVersioning" },
  website: { GET: "GetBucketWebsite", PUT: "PutBucketWebsite", DELETE: "DeleteBucketWebsite" },
} as const satisfies Families;

const OBJECT_SUBRESOURCES = {
  acl: { GET: "GetObjectAcl", PUT: "PutObjectAcl" },
  annotation: { GET: "ListObjectAnnotations", PUT: "PutObjectAnnotation", DELETE: "DeleteObjectAnnotation" },
  attributes: { GET: "GetObjectAttributes" },
  encryption: { PUT: "UpdateObjectEncryption" },
  renameObject: { PUT: "RenameObject" },
  restore: { POST: "RestoreObject" },
  select: { POST: "SelectObjectContent" },
  tagging: { GET: "GetObjectTagging", PUT: "PutObjectTagging", DELETE: "DeleteObjectTagging" },
  torrent: { GET: "GetObjectTorrent" },
  uploads: { POST: "CreateMultipartUpload" },
} as const satisfies Families;

/** A family's rows: signed, and taking no parameters. */
function expand<F extends Families>(target: Target, families: F) {
  return Object.entries(families).flatMap(([query, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method as Method, target, query, op: op as FamilyOp<F>, auth: "signed" as const })));
}

/** A GET that names one configuration (`?analytics&id=…`) rather than listing them all. */
const getOne = <const Op extends string>(target: Target, query: string, param: string, op: Op) =>
  ({ method: "GET", target, query, requires: [param], op, auth: "signed" }) as const;

const LISTING = { encodingType: "optional", maxKeys: "optional" } as const;
const PART_UPLOAD = { partNumber: "required", uploadId: "required" } as const;
const UPLOAD = { uploadId: "required" } as const;
const VERSIONED = { versionId: "optional" } as const;
const preflight = (target: Target) => ({ method: "OPTIONS", target, anyQuery: true, op: "PreflightRequest", auth: "none" }) as const;

/** Guarded rows (header, requires) precede the bare rows they refine. */
const ROWS = [
  { method: "GET", target: "service", op: "ListBuckets", auth: "signed", params: { maxBuckets: "optional" } },
  { method: "PUT", target: "bucket", op: "CreateBucket", auth: "signed" },
  { method: "HEAD", target: "bucket", op: "HeadBucket", auth: "signed" },
  { method: "DELETE", target: "bucket", op: "DeleteBucket", auth: "signed" },
  { method: "GET", target: "bucket", op: "ListObjects", auth: "signed", params: LISTING },
  { method: "GET", target: "bucket", query: "list-type", op: "ListObjectsV2", auth: "signed", params: LISTING },
  { method: "GET", target: "bucket", query: "versions", op: "ListObjectVersions", auth: "signed", params: LISTING },
  { method: "GET", target: "bucket", query: "uploads", op: "ListMultipartUploads", auth: "signed", params: { encodingType: "optional", maxUploads: "optional" } },
  { method: "POST", target: "bucket", op: "PostObject", auth: "form" },
  getOne("bucket", "analytics", "id", "GetBucketAnalyticsConfiguration"),
  getOne("bucket", "intelligent-tiering", "id", "GetBucketIntelligentTieringConfiguration"),
  getOne("bucket", "inventory", "id", "GetBucketInventoryConfiguration"),
  getOne("bucket", "metrics", "id", "GetBucketMetricsConfiguration"),
  ...expand("bucket", BUCKET_SUBRESOURCES),
  { method: "PUT", target: "object", query: "uploadId", header: "x-amz-copy-source", op: "UploadPartCopy", auth: "signed", params: PART_UPLOAD },
  { method: "PUT", target: "object", query: "uploadId", op: "UploadPart", auth: "signed", params: PART_UPLOAD },
  { method: "GET", target: "object", query: "uploadId", op: "ListParts", auth: "signed", params: { uploadId: "required", partNumberMarker: "optional", maxParts: "optional" } },
  { method: "POST", target: "object", query: "uploadId", op: "CompleteMultipartUpload", auth: "signed", params: UPLOAD },
  { method: "DELETE", target: "object", query: "uploadId", op: "AbortMultipartUpload", auth: "signed", params: UPLOAD },
  { method: "PUT", target: "object", header: "x-amz-copy-source", op: "CopyObject", auth: "signed" },
  { method: "PUT", target: "object", op: "PutObject", auth: "signed" },
  { method: "GET", target: "object", op: "GetObject", auth: "signed", params: { partNumber: "optional", versionId: "optional" } },
  { method: "HEAD", target: "object", op: "HeadObject", auth: "signed", params: { partNumber: "optional", versionId: "optional" } },
  { method: "DELETE", target: "object", op: "DeleteObject", auth: "signed", params: { versionId: "optional" } },
  // Object Lock's settings belong to one version, the current one unless versionId names another.
  { method: "GET", target: "object", query: "legal-hold", op: "GetObjectLegalHold", auth: "signed", params: VERSIONED },
  { method: "PUT", target: "object", query: "legal-hold", op: "PutObjectLegalHold", auth: "signed", params: VERSIONED },
  { method: "GET", target: "object", query: "retention", op: "GetObjectRetention", auth: "signed", params: VERSIONED },
  { method: "PUT", target: "object", query: "retention", op: "PutObjectRetention", auth: "signed", params: VERSIONED },
  getOne("object", "annotation", "annotationName", "GetObjectAnnotation"),
  ...expand("object", OBJECT_SUBRESOURCES),
  preflight("service"),
  preflight("bucket"),
  preflight("object"),
] as const satisfies readonly RouteRow[];

/** Every operation the table names, so a handler table keyed by anything else fails to compile. */
export type OperationName = (typeof ROWS)[number]["op"];

export interface Route extends RouteRow {
  op: OperationName;
  /** The IAM action a policy would name; for now the operation's own name, which authorization will refine. */
  action: `s3:${OperationName}`;
}

export const ROUTES: readonly Route[] = ROWS.map((row): Route => ({ ...row, action: `s3:${row.op}` }));

const MAX_PAGE = 1000;
const MAX_BUCKETS = 10_000;
/** Part numbers run 1..10,000 in uploads and in partNumber reads. */
const MAX_PART_NUMBER = 10_000;

const integer = (name: string, text: string): number => {
  if (!/^\d+$/.test(text)) throw new S3Error("InvalidArgument", { message: `Provided ${name} not an integer or within integer range`, ArgumentName: name, ArgumentValue: text });
  return Number(text);
};

/** 1..max, or InvalidArgument in S3's words for that parameter. */
function oneTo(max: number, name: string, text: string, message: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (n >= 1 && n <= max) return n;
  throw new S3Error("InvalidArgument", { message, ArgumentName: name, ArgumentValue: text });
}

const pageSize = (query: string) => ({ query, read: (text: string | null) => (text === null ? MAX_PAGE : Math.min(integer(query, text), MAX_PAGE)) });

/** Each parameter's name in the query, and how its text (null when absent) becomes its value. */
const PARAMS: { [P in ParamName]-?: { query: string; read: (text: string | null) => OpParams[P] } } = {
  uploadId: { query: "uploadId", read: (text) => text ?? "" },
  partNumber: {
    query: "partNumber",
    read: (text) => (text === null ? undefined : oneTo(MAX_PART_NUMBER, "partNumber", text, `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`)),
  },
  maxKeys: pageSize("max-keys"),
  maxUploads: pageSize("max-uploads"),
  maxParts: pageSize("max-parts"),
  maxBuckets: {
    query: "max-buckets",
    read: (text) => (text === null ? MAX_BUCKETS : oneTo(MAX_BUCKETS, "max-buckets", text, `Argument max-buckets must be an integer between 1 and ${MAX_BUCKETS}`)),
  },
  partNumberMarker: { query: "part-number-marker", read: (text) => (text === null ? 0 : integer("part-number-marker", text)) },
  // Any id but "" may name a version; one that names none is the handler's NoSuchVersion.
  versionId: {
    query: "versionId",
    read(text) {
      if (text === null || text !== "") return text ?? undefined;
      throw new S3Error("InvalidArgument", { message: "Version id cannot be the empty string", ArgumentName: "versionId", ArgumentValue: text });
    },
  },
  encodingType: {
    query: "encoding-type",
    read(text) {
      if (text === null || text === "url") return text ?? undefined;
      throw new S3Error("InvalidArgument", { message: "Invalid Encoding Method specified in Request", ArgumentName: "encoding-type", ArgumentValue: text });
    },
  },
};

const KEYWORDS = {} as Record<Target, Set<string>>;
/** Per target: the rows for each keyword ("" for none), and the rows that take any. */
const INDEX = {} as Record<Target, { byKeyword: Map<string, Route[]>; anyQuery: Route[] }>;
for (const target of ["service", "bucket", "object"] as const) {
  const rows = ROUTES.filter((r) => r.target === target);
  KEYWORDS[target] = new Set(rows.flatMap((r) => (r.query ? [r.query] : [])));
  INDEX[target] = { byKeyword: Map.groupBy(rows.filter((r) => !r.anyQuery), (r) => r.query ?? ""), anyQuery: rows.filter((r) => r.anyQuery) };
}

const refinementsMet = (route: Route, req: ParsedRequest): boolean =>
  (!route.header || req.headers.has(route.header)) && (!route.requires || route.requires.every((name) => req.query.has(name)));

/**
 * The route a request names. Throws MethodNotAllowed, or InvalidArgument for two subresources at once.
 * Its parameters are read apart (resolveParams), once the caller is authenticated: S3 answers an
 * unauthenticated request AccessDenied whatever its arguments.
 */
export function resolveOperation(req: ParsedRequest): Route {
  const target: Target = req.bucket === undefined ? "service" : req.key === undefined ? "bucket" : "object";
  const index = INDEX[target];
  for (const route of index.anyQuery) if (route.method === req.method) return route;
  const candidates = index.byKeyword.get(subresourceOf(req, target) ?? "") ?? [];
  for (const route of candidates) if (route.method === req.method && refinementsMet(route, req)) return route;
  throw new S3Error("MethodNotAllowed", {
    Method: req.method,
    ResourceType: target === "service" ? "SERVICE" : target === "bucket" ? "BUCKET" : "OBJECT",
  }, { allow: [...new Set(candidates.map((r) => r.method))].join(", ") });
}

/** The subresource keyword among the query's names; UploadPart's partNumber beside uploadId is no keyword. */
function subresourceOf(req: ParsedRequest, target: Target): string | undefined {
  if (req.rawQuery === "") return undefined;
  const keywords = KEYWORDS[target];
  let found: string | undefined;
  for (const name of req.query.keys()) {
    if (!keywords.has(name) || name === found) continue;
    if (found !== undefined) {
      const all = [...req.query.keys()].filter((n) => keywords.has(n));
      throw new S3Error("InvalidArgument", { message: `Conflicting query string parameters: ${all.join(", ")}`, ArgumentName: "ResourceType", ArgumentValue: all.join(",") });
    }
    found = name;
  }
  return found;
}

/** The route's parameters from the request, each checked as S3 checks it. */
export function resolveParams(route: Route, req: ParsedRequest): OpParams {
  const params: OpParams = { bucket: req.bucket, key: req.key };
  const declared = route.params;
  if (!declared) return params;
  for (const name in declared) {
    const param = PARAMS[name as ParamName];
    const text = req.query.get(param.query);
    // S3 says the same of a required parameter that is missing as of one sent empty.
    (params as Record<string, unknown>)[name] = param.read(text === null && declared[name as ParamName] === "required" ? "" : text);
  }
  return params;
}
