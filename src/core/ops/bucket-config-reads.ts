// The configuration reads tools make on every run (Terraform's aws_s3_bucket reads twelve on each
// refresh), answered as AWS answers a bucket that has none of them set: s3lite cannot set these yet,
// so the default is the truth. Each is a "not configured" error where AWS gives one, else AWS's
// default document. Deleting a configuration that cannot exist changes nothing and says so with 204.
import { S3Error, type ErrorCode } from "../errors.ts";
import { escapeXml, S3_XMLNS, xmlResponse } from "../xml.ts";
import { requireBucket, requireObject, type Handler } from "./_context.ts";
import { OWNER } from "./_owner.ts";

/** Reads whose unset state AWS reports as an error. */
const notConfigured = (code: ErrorCode): Handler => (ctx) => {
  throw new S3Error(code, { BucketName: requireBucket(ctx).name });
};

/** Reads whose unset state AWS reports as a document. */
const defaultDocument = (root: string, body: Parameters<typeof xmlResponse>[1]): Handler => (ctx) => {
  requireBucket(ctx);
  return xmlResponse(root, body);
};

/** Deletes of configurations that no bucket here can have. */
const nothingToDelete: Handler = (ctx) => {
  requireBucket(ctx);
  return new Response(null, { status: 204 });
};

export const getBucketPolicy = notConfigured("NoSuchBucketPolicy");
export const getBucketPolicyStatus = notConfigured("NoSuchBucketPolicy");
export const getBucketLifecycleConfiguration = notConfigured("NoSuchLifecycleConfiguration");
export const getBucketWebsite = notConfigured("NoSuchWebsiteConfiguration");
export const getBucketReplication = notConfigured("ReplicationConfigurationNotFoundError");
export const getObjectLockConfiguration = notConfigured("ObjectLockConfigurationNotFoundError");
export const getBucketTagging = notConfigured("NoSuchTagSet");

export const getBucketVersioning = defaultDocument("VersioningConfiguration", {});
export const getBucketAccelerateConfiguration = defaultDocument("AccelerateConfiguration", {});
export const getBucketLogging = defaultDocument("BucketLoggingStatus", {});
export const getBucketNotificationConfiguration = defaultDocument("NotificationConfiguration", {});
export const getBucketRequestPayment = defaultDocument("RequestPaymentConfiguration", { Payer: "BucketOwner" });
// New buckets on AWS since 2023: SSE-S3 by default, ACLs disabled, public access blocked.
export const getBucketEncryption = defaultDocument("ServerSideEncryptionConfiguration", {
  Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false },
});
export const getBucketOwnershipControls = defaultDocument("OwnershipControls", { Rule: { ObjectOwnership: "BucketOwnerEnforced" } });
export const getPublicAccessBlock = defaultDocument("PublicAccessBlockConfiguration", {
  BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true,
});

export const deleteBucketPolicy = nothingToDelete;
export const deleteBucketLifecycle = nothingToDelete;
export const deleteBucketWebsite = nothingToDelete;
export const deleteBucketReplication = nothingToDelete;
export const deleteBucketTagging = nothingToDelete;

/** The owner's FULL_CONTROL grant: the one ACL a bucket or object has with ACLs disabled. */
function ownerOnlyAcl(): Response {
  const owner = `<ID>${escapeXml(OWNER.ID)}</ID><DisplayName>${escapeXml(OWNER.DisplayName)}</DisplayName>`;
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="${S3_XMLNS}"><Owner>${owner}</Owner><AccessControlList><Grant>`
    + `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">${owner}</Grantee>`
    + "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>";
  return new Response(body, { headers: { "content-type": "application/xml" } });
}

export const getBucketAcl: Handler = (ctx) => {
  requireBucket(ctx);
  return ownerOnlyAcl();
};

export const getObjectAcl: Handler = (ctx) => {
  requireObject(ctx);
  return ownerOnlyAcl();
};
