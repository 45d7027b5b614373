// PutBucketEncryption, GetBucketEncryption, DeleteBucketEncryption: the bucket's default encryption, in
// bucket_configs "encryption", applied by ops/_encryption.ts to writes that name none. SSE-S3 (AES256) and
// SSE-KMS (aws:kms, with or without a KMSMasterKeyID) can be set; DSSE-KMS and blocking SSE-C are 501,
// never a 200 that dropped them. A bucket with none set answers AWS's default since 2023: SSE-S3.
import { S3Error } from "../errors.ts";
import type { OperationName } from "../router.ts";
import { parseXml, xmlResponse, type XmlObject } from "../xml.ts";
import { requireBucket, type Handler } from "./_context.ts";
import { readSmallBody } from "./_payload.ts";
import { ENCRYPTION_CONFIG, type EncryptionRule } from "./_encryption.ts";
import { SSE_KMS, SSE_S3 } from "./_sse.ts";

const MAX_BODY = 16 * 1024;
/** The values of the model's ServerSideEncryption enum that a bucket default may name. */
const KNOWN_ALGORITHMS = [SSE_S3, SSE_KMS, "aws:kms:dsse", "aws:fsx"];
const DEFAULT_RULE: EncryptionRule = { bucketKeyEnabled: false };

const notImplemented = (what: string): S3Error =>
  new S3Error("NotImplemented", { message: `s3lite does not implement ${what} yet; nothing was changed.` });

const isObject = (value: unknown): value is XmlObject => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === "string" ? value.trim() : undefined);

/** The ServerSideEncryptionConfiguration document, validated against the model's shape. */
function parseEncryptionConfiguration(body: string): EncryptionRule {
  const root = parseXml(body).ServerSideEncryptionConfiguration;
  if (!isObject(root) || Object.keys(root).some((name) => name !== "Rule")) throw new S3Error("MalformedXML");
  // Rules is required, and S3 keeps one rule per bucket.
  const rule = root.Rule;
  if (!isObject(rule)) throw new S3Error("MalformedXML");
  if (Object.keys(rule).some((name) => !["ApplyServerSideEncryptionByDefault", "BucketKeyEnabled", "BlockedEncryptionTypes"].includes(name))) throw new S3Error("MalformedXML");
  let bucketKeyEnabled = false;
  if (rule.BucketKeyEnabled !== undefined) {
    const flag = text(rule.BucketKeyEnabled);
    if (flag !== "true" && flag !== "false") throw new S3Error("MalformedXML");
    bucketKeyEnabled = flag === "true";
  }
  const byDefault = rule.ApplyServerSideEncryptionByDefault;
  if (!isObject(byDefault) || Object.keys(byDefault).some((name) => name !== "SSEAlgorithm" && name !== "KMSMasterKeyID")) throw new S3Error("MalformedXML");
  const algorithm = text(byDefault.SSEAlgorithm);
  if (algorithm === undefined || !KNOWN_ALGORITHMS.includes(algorithm)) throw new S3Error("MalformedXML");
  if (algorithm !== SSE_S3 && algorithm !== SSE_KMS) throw notImplemented(`a default encryption of ${algorithm}`);
  const kmsKeyId = text(byDefault.KMSMasterKeyID);
  if (kmsKeyId !== undefined && algorithm !== SSE_KMS) {
    throw new S3Error("InvalidArgument", { message: "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse", ArgumentName: "ApplyServerSideEncryptionByDefault" });
  }
  // As on AWS, the key is not looked up here: a write that uses a key this server lacks is KMS.NotFoundException.
  const kms = algorithm === SSE_KMS ? { algorithm: SSE_KMS, ...(kmsKeyId ? { kmsKeyId } : {}) } as const : {};
  if (rule.BlockedEncryptionTypes !== undefined) {
    const blocked = isObject(rule.BlockedEncryptionTypes) ? rule.BlockedEncryptionTypes : {};
    const types = [blocked.EncryptionType ?? []].flat().map(text);
    if (Object.keys(blocked).some((name) => name !== "EncryptionType") || types.some((t) => t !== "NONE" && t !== "SSE-C")) throw new S3Error("MalformedXML");
    // Blocking SSE-C would have to refuse later writes; NONE blocks nothing, which is s3lite's behaviour anyway.
    if (types.includes("SSE-C")) throw notImplemented("BlockedEncryptionTypes SSE-C");
    if (types.length > 0) return { ...kms, bucketKeyEnabled, blocksNone: true };
  }
  return { ...kms, bucketKeyEnabled };
}

// AWS requires Content-MD5 or an x-amz-checksum-* (httpChecksum requestChecksumRequired) and answers 200.
const putBucketEncryption: Handler = async (ctx) => {
  const bucket = requireBucket(ctx).name;
  const body = new TextDecoder().decode(await readSmallBody(ctx, MAX_BODY, { requireIntegrity: true }));
  if (body.trim() === "") throw new S3Error("MissingRequestBodyError");
  ctx.meta.setBucketConfig(bucket, ENCRYPTION_CONFIG, parseEncryptionConfiguration(body));
  return new Response(null);
};

const getBucketEncryption: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  const rule = ctx.meta.getBucketConfig<EncryptionRule>(bucket, ENCRYPTION_CONFIG) ?? DEFAULT_RULE;
  return xmlResponse("ServerSideEncryptionConfiguration", {
    Rule: {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: rule.algorithm ?? SSE_S3, ...(rule.kmsKeyId ? { KMSMasterKeyID: rule.kmsKeyId } : {}) },
      BucketKeyEnabled: rule.bucketKeyEnabled,
      ...(rule.blocksNone ? { BlockedEncryptionTypes: { EncryptionType: "NONE" } } : {}),
    },
  });
};

// "Resets the default encryption for the bucket as server-side encryption with Amazon S3 managed keys (SSE-S3)."
const deleteBucketEncryption: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  ctx.meta.setBucketConfig(bucket, ENCRYPTION_CONFIG, undefined);
  return new Response(null, { status: 204 });
};

export const bucketEncryptionHandlers: Partial<Record<OperationName, Handler>> = {
  PutBucketEncryption: putBucketEncryption,
  GetBucketEncryption: getBucketEncryption,
  DeleteBucketEncryption: deleteBucketEncryption,
};
