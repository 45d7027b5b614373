// Configurations s3lite stores, checks as AWS does and returns as written, but does not act on: website,
// logging, notification, replication, transfer acceleration and request payment (no website endpoint,
// log delivery, events, replication, accelerate endpoint or requester billing). The id-keyed ones
// (analytics, metrics, inventory, intelligent tiering) are in bucket-stored-ids.ts.
import { S3Error, invalidArgument } from "../errors.ts";
import type { OperationName } from "../router.ts";
import type { BucketRow } from "../store/meta.ts";
import { xmlResponse } from "../xml.ts";
import { requireBucket, type Handler, type OpContext } from "./_context.ts";
import { readSmallBody } from "./_payload.ts";
import { documentResponse, parseDocument, renderMembers, type Doc, type Structure } from "./bucket-stored-schema.ts";
import { ACCELERATE, LOGGING, NOTIFICATION, NOTIFICATION_DESTINATIONS, NOTIFICATION_EVENTS, REPLICATION, REQUEST_PAYMENT, WEBSITE } from "./bucket-stored-shapes.ts";
import { idConfigHandlers } from "./bucket-stored-ids.ts";

/** What bucket_configs holds for each: the checked document's members, rendered once when written. */
export interface StoredDocument {
  xml: string;
}

/** PutBucketWebsite's documented limit; 1 MiB holds a thousand replication rules. */
const MAX_WEBSITE_BODY = 128 * 1024;
const MAX_CONFIG_BODY = 1024 * 1024;

interface SingleConfiguration {
  /** Its bucket_configs name. */
  name: string;
  root: string;
  shape: Structure;
  maxBody?: number;
  /** AWS's checks beyond the schema, in its order; may complete the document. False: it sets nothing (logging off). */
  check?: (doc: Doc, ctx: OpContext, bucket: BucketRow) => boolean | void;
  /** The answer for a bucket that has none: AWS's error or its default document. */
  unset: (bucket: BucketRow) => Response;
}

const notConfigured = (code: "NoSuchWebsiteConfiguration" | "ReplicationConfigurationNotFoundError") => (bucket: BucketRow): never => {
  throw new S3Error(code, { BucketName: bucket.name });
};

const putConfiguration = (c: SingleConfiguration): Handler => async (ctx) => {
  const bucket = requireBucket(ctx);
  const body = new TextDecoder().decode(await readSmallBody(ctx, c.maxBody ?? MAX_CONFIG_BODY));
  const doc = parseDocument(body, c.root, c.shape);
  const sets = c.check?.(doc, ctx, bucket) ?? true;
  ctx.meta.setBucketConfig(bucket.name, c.name, sets ? ({ xml: renderMembers(c.shape, doc) } satisfies StoredDocument) : undefined);
  return new Response(null, { status: 200 });
};

const getConfiguration = (c: SingleConfiguration): Handler => (ctx) => {
  const bucket = requireBucket(ctx);
  const stored = ctx.meta.getBucketConfig<StoredDocument>(bucket.name, c.name);
  return stored ? documentResponse(c.root, stored.xml) : c.unset(bucket);
};

/** Deleting a configuration the bucket does not have changes nothing and is 204 too, as on AWS. */
const deleteConfiguration = (c: SingleConfiguration): Handler => (ctx) => {
  const bucket = requireBucket(ctx);
  ctx.meta.setBucketConfig(bucket.name, c.name, undefined);
  return new Response(null, { status: 204 });
};

const invalidRequest = (message: string) => new S3Error("InvalidRequest", { message });

function checkProtocol(protocol: unknown): void {
  if (protocol !== undefined && protocol !== "http" && protocol !== "https") {
    throw invalidRequest("Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.");
  }
}

/** PutBucketWebsite: every request redirected elsewhere, or an index document with optional error document and routing rules. */
function checkWebsite(doc: Doc): void {
  const redirectAll = doc.RedirectAllRequestsTo as Doc | undefined;
  if (redirectAll) {
    if (Object.keys(doc).length > 1) throw invalidArgument("RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.", "RedirectAllRequestsTo", "not null");
    checkProtocol(redirectAll.Protocol);
    return;
  }
  const index = doc.IndexDocument as Doc | undefined;
  if (!index) throw invalidArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty", "IndexDocument", "null");
  const suffix = index.Suffix as string | undefined;
  if (!suffix || suffix.includes("/")) throw invalidArgument("The IndexDocument Suffix is not well formed", "IndexDocument", suffix || undefined);
  if (doc.ErrorDocument && (doc.ErrorDocument as Doc).Key === "") throw new S3Error("MalformedXML");
  for (const rule of (doc.RoutingRules as Doc[] | undefined) ?? []) {
    const redirect = rule.Redirect as Doc;
    if (redirect.ReplaceKeyPrefixWith !== undefined && redirect.ReplaceKeyWith !== undefined) throw invalidRequest("You can only define ReplaceKeyPrefix or ReplaceKey but not both.");
    if (rule.Condition && Object.keys(rule.Condition).length === 0) {
      throw invalidRequest("Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.");
    }
    checkProtocol(redirect.Protocol);
  }
}

/** PutBucketLogging: an empty BucketLoggingStatus turns logging off; a target must be a bucket that exists; no TargetPrefix is "". */
function checkLogging(doc: Doc, ctx: OpContext): boolean {
  const enabled = doc.LoggingEnabled as Doc | undefined;
  if (!enabled) return false;
  const target = enabled.TargetBucket as string;
  if (!ctx.meta.getBucket(target)) throw new S3Error("InvalidTargetBucketForLogging", { message: "The target bucket for logging does not exist", TargetBucket: target });
  enabled.TargetPrefix ??= "";
  return true;
}

/**
 * PutBucketNotificationConfiguration: events and filter rule names are InvalidArgument, a configuration
 * without an Id gets one, as AWS assigns it. s3lite cannot reach SNS, SQS or Lambda, so it does not test
 * the destinations AWS would (as with x-amz-skip-destination-validation: true). An empty document clears it.
 */
function checkNotification(doc: Doc): boolean {
  for (const kind of Object.keys(NOTIFICATION_DESTINATIONS)) {
    for (const target of (doc[kind] as Doc[] | undefined) ?? []) {
      for (const event of target.Event as string[]) if (!NOTIFICATION_EVENTS.has(event)) throw invalidArgument("The event is not supported for notifications");
      const rules = (((target.Filter as Doc | undefined)?.S3Key as Doc | undefined)?.FilterRule as Doc[] | undefined) ?? [];
      const seen = new Set<string>();
      for (const rule of rules) {
        const name = typeof rule.Name === "string" ? rule.Name.toLowerCase() : "";
        if (name !== "prefix" && name !== "suffix") throw invalidArgument("filter rule name must be either prefix or suffix");
        if (seen.has(name)) throw invalidArgument(`Cannot specify more than one ${name} rule in a filter.`);
        seen.add(name);
        // AWS takes either case and answers with a capital.
        rule.Name = name === "prefix" ? "Prefix" : "Suffix";
      }
      if (!target.Id) target.Id = Buffer.from(crypto.randomUUID()).toString("base64");
    }
  }
  return Object.keys(doc).length > 0;
}

/**
 * The bucket's versioning state as PutBucketVersioning stores it (`{ Status: "Enabled" | "Suspended" }`
 * under "versioning"); a bucket whose versioning was never set has none.
 */
export function versioningStatus(ctx: OpContext): "Enabled" | "Suspended" | undefined {
  return ctx.meta.getBucketConfig<{ Status?: "Enabled" | "Suspended" }>(ctx.parsed.bucket!, "versioning")?.Status;
}

/** PutBucketReplication: the document is checked first, then the bucket must keep versions. */
function checkReplication(_doc: Doc, ctx: OpContext, bucket: BucketRow): void {
  if (versioningStatus(ctx) !== "Enabled") {
    throw new S3Error("InvalidRequest", { message: "Versioning must be 'Enabled' on the bucket to apply a replication configuration", BucketName: bucket.name });
  }
}

/** PutBucketAccelerateConfiguration: accelerated endpoints are virtual-hosted, which a name with dots cannot be under TLS. */
function checkAccelerate(_doc: Doc, _ctx: OpContext, bucket: BucketRow): void {
  if (bucket.name.includes(".")) throw invalidRequest("Amazon S3 Transfer Acceleration is not supported for buckets with periods (.) in their names.");
}

const WEBSITE_CONFIG: SingleConfiguration = {
  name: "website", root: "WebsiteConfiguration", shape: WEBSITE, maxBody: MAX_WEBSITE_BODY, check: checkWebsite, unset: notConfigured("NoSuchWebsiteConfiguration"),
};
const LOGGING_CONFIG: SingleConfiguration = {
  name: "logging", root: "BucketLoggingStatus", shape: LOGGING, check: checkLogging, unset: () => xmlResponse("BucketLoggingStatus", {}),
};
const NOTIFICATION_CONFIG: SingleConfiguration = {
  name: "notification", root: "NotificationConfiguration", shape: NOTIFICATION, check: checkNotification, unset: () => xmlResponse("NotificationConfiguration", {}),
};
const REPLICATION_CONFIG: SingleConfiguration = {
  name: "replication", root: "ReplicationConfiguration", shape: REPLICATION, check: checkReplication, unset: notConfigured("ReplicationConfigurationNotFoundError"),
};
const ACCELERATE_CONFIG: SingleConfiguration = {
  name: "accelerate", root: "AccelerateConfiguration", shape: ACCELERATE, check: checkAccelerate, unset: () => xmlResponse("AccelerateConfiguration", {}),
};
// Unset, the bucket owner pays: AWS's default.
const REQUEST_PAYMENT_CONFIG: SingleConfiguration = {
  name: "requestPayment", root: "RequestPaymentConfiguration", shape: REQUEST_PAYMENT, unset: () => xmlResponse("RequestPaymentConfiguration", { Payer: "BucketOwner" }),
};

export const storedConfigHandlers: Partial<Record<OperationName, Handler>> = {
  PutBucketWebsite: putConfiguration(WEBSITE_CONFIG),
  GetBucketWebsite: getConfiguration(WEBSITE_CONFIG),
  DeleteBucketWebsite: deleteConfiguration(WEBSITE_CONFIG),
  PutBucketLogging: putConfiguration(LOGGING_CONFIG),
  GetBucketLogging: getConfiguration(LOGGING_CONFIG),
  PutBucketNotificationConfiguration: putConfiguration(NOTIFICATION_CONFIG),
  GetBucketNotificationConfiguration: getConfiguration(NOTIFICATION_CONFIG),
  PutBucketReplication: putConfiguration(REPLICATION_CONFIG),
  GetBucketReplication: getConfiguration(REPLICATION_CONFIG),
  DeleteBucketReplication: deleteConfiguration(REPLICATION_CONFIG),
  PutBucketAccelerateConfiguration: putConfiguration(ACCELERATE_CONFIG),
  GetBucketAccelerateConfiguration: getConfiguration(ACCELERATE_CONFIG),
  PutBucketRequestPayment: putConfiguration(REQUEST_PAYMENT_CONFIG),
  GetBucketRequestPayment: getConfiguration(REQUEST_PAYMENT_CONFIG),
  ...idConfigHandlers,
};
