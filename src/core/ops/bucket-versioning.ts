// PutBucketVersioning / GetBucketVersioning. The status lives in the bucket's "versioning"
// configuration, where the object writes of store/meta-objects.ts read it inside their transactions.
// A bucket never returns to unversioned: once Enabled, it can only be Suspended, and with Object Lock not even that.
import { S3Error } from "../errors.ts";
import type { OperationName } from "../router.ts";
import type { VersioningStatus } from "../store/meta.ts";
import { parseXml, xmlResponse, type XmlObject } from "../xml.ts";
import { requireBucket, type Handler } from "./_context.ts";
import { lockConfigOf } from "./_object-lock.ts";
import { readSmallBody } from "./_payload.ts";

const MAX_BODY = 16 * 1024;
const STATUSES: readonly VersioningStatus[] = ["Enabled", "Suspended"];

const putBucketVersioning: Handler = async (ctx) => {
  const bucket = requireBucket(ctx).name;
  let doc: XmlObject | undefined;
  try {
    doc = parseXml(new TextDecoder().decode(await readSmallBody(ctx, MAX_BODY))).VersioningConfiguration as XmlObject | undefined;
  } catch (error) {
    if (error instanceof S3Error && error.code !== "MalformedXML") throw error;
    throw new S3Error("MalformedXML");
  }
  if (doc === undefined) throw new S3Error("MalformedXML");
  const config = typeof doc === "object" && doc !== null ? doc : {};
  // The schema's two elements; anything else is not a document S3 accepts.
  if (Object.keys(config).some((name) => name !== "Status" && name !== "MfaDelete")) throw new S3Error("MalformedXML");
  const status = typeof config.Status === "string" ? config.Status.trim() : config.Status;
  const mfaDelete = typeof config.MfaDelete === "string" ? config.MfaDelete.trim() : config.MfaDelete;
  if (status !== undefined && !STATUSES.includes(status as VersioningStatus)) throw new S3Error("MalformedXML");
  if (mfaDelete !== undefined && mfaDelete !== "Enabled" && mfaDelete !== "Disabled") throw new S3Error("MalformedXML");
  // MFA delete needs the device's code in x-amz-mfa, which s3lite has no device to check against.
  if (mfaDelete === "Enabled") {
    if (!ctx.req.headers.has("x-amz-mfa")) throw new S3Error("AccessDenied", { message: "Mfa Authentication must be used for this request" });
    throw new S3Error("NotImplemented", { message: "s3lite does not implement MFA delete; nothing was changed.", Header: "x-amz-mfa" });
  }
  // Object Lock needs every version kept: once on, versioning stays Enabled (Enabled again is a no-op).
  if (status === "Suspended" && lockConfigOf(ctx, bucket)) {
    throw new S3Error("InvalidBucketState", { message: "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed." });
  }
  if (status !== undefined) ctx.meta.setBucketConfig(bucket, "versioning", { Status: status });
  return new Response(null);
};

const getBucketVersioning: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  const status = ctx.meta.versioningStatus(bucket);
  return xmlResponse("VersioningConfiguration", status ? { Status: status } : {});
};

export const versioningHandlers: Partial<Record<OperationName, Handler>> = {
  PutBucketVersioning: putBucketVersioning,
  GetBucketVersioning: getBucketVersioning,
};
