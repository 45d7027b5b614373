// How a write is encrypted: the request's SSE-C key or SSE-KMS headers, else the bucket's default
// encryption, else SSE-S3 (stored as it is, see _sse.ts). One decision for PutObject, CopyObject,
// CreateMultipartUpload and PostObject, with AWS's errors for headers that contradict each other.
import { S3Error, invalidArgument } from "../errors.ts";
import type { OpContext } from "./_context.ts";
import { readCustomerKey, refuseMixedEncryption, sseCHeaders, SSE_C_IV } from "./_sse-c.ts";
import { newDataKey, readEncryptionContext, requireSigV4ForKms, resolveKmsKey } from "./_sse-kms.ts";
import { SSE_HEADER, SSE_KMS, SSE_S3, CONTEXT_HEADER } from "./_sse.ts";

/** A bucket's default encryption as bucket_configs "encryption" keeps it (no algorithm: SSE-S3). */
export interface EncryptionRule {
  algorithm?: typeof SSE_KMS;
  kmsKeyId?: string;
  bucketKeyEnabled: boolean;
  /** It named BlockedEncryptionTypes NONE, returned as written. */
  blocksNone?: true;
}
export const ENCRYPTION_CONFIG = "encryption";

export const defaultEncryptionOf = (ctx: OpContext, bucket: string): EncryptionRule | undefined => ctx.meta.getBucketConfig<EncryptionRule>(bucket, ENCRYPTION_CONFIG);

export interface WriteEncryption {
  /** The AES-256-CTR key the bytes are stored under: the customer's (SSE-C) or a fresh data key (SSE-KMS). */
  key: Buffer;
  /** The internal headers the object or upload keeps; `iv` for a body stored as one blob. */
  stored(iv?: Buffer): Record<string, string>;
  /** Response headers only the write itself answers (the encryption context it was given). */
  answered: Record<string, string>;
}

const KMS_KEY_HEADER = "x-amz-server-side-encryption-aws-kms-key-id";
const BUCKET_KEY_HEADER = "x-amz-server-side-encryption-bucket-key-enabled";


/**
 * A write's encryption, or undefined for SSE-S3. `headers` are the request's (a form upload's fields, as
 * headers); `signatureVersion` the form's signature, where the request itself carries none.
 */
export function writeEncryption(ctx: OpContext, headers: Headers, bucket: string, signatureVersion = ctx.auth?.signatureVersion): WriteEncryption | undefined {
  const customer = readCustomerKey(headers);
  if (customer) {
    refuseMixedEncryption(headers);
    // A customer key and a KMS key are two encryptions: AWS takes neither.
    for (const name of [KMS_KEY_HEADER, CONTEXT_HEADER, BUCKET_KEY_HEADER]) {
      const value = headers.get(name);
      if (value !== null) throw invalidArgument("Server Side Encryption with Customer provided key is incompatible with the encryption method specified", name, value);
    }
    return { key: customer.key, stored: (iv) => sseCHeaders(ctx, customer, iv), answered: {} };
  }
  const named = headers.get(SSE_HEADER)?.trim();
  const keyId = headers.get(KMS_KEY_HEADER), contextValue = headers.get(CONTEXT_HEADER);
  const bucketKey = headers.get(BUCKET_KEY_HEADER)?.trim().toLowerCase();
  if (named !== undefined && named !== SSE_S3 && named !== SSE_KMS) {
    if (named === "aws:kms:dsse") throw new S3Error("NotImplemented", { message: `s3lite does not implement ${SSE_HEADER}: aws:kms:dsse yet; nothing was changed.`, Header: SSE_HEADER });
    throw invalidArgument("The encryption method specified is not supported", SSE_HEADER, named);
  }
  if (bucketKey !== undefined && bucketKey !== "true" && bucketKey !== "false") throw invalidArgument("Invalid value for the bucket key flag", BUCKET_KEY_HEADER, bucketKey);
  const rule = defaultEncryptionOf(ctx, bucket);
  const byDefault = rule?.algorithm === SSE_KMS ? rule : undefined;
  // A key ID or a context is the request's own choice of SSE-KMS: it must say so, whatever the bucket's default.
  if ((keyId !== null || contextValue !== null) && named !== SSE_KMS) {
    throw invalidArgument(`Server Side Encryption with AWS KMS managed key requires HTTP header ${SSE_HEADER} : ${SSE_KMS}`, named === undefined ? KMS_KEY_HEADER : SSE_HEADER, named ?? keyId ?? contextValue ?? "");
  }
  const context = readEncryptionContext(contextValue);
  const kms = named === SSE_KMS || (named === undefined && byDefault !== undefined);
  if (!kms) {
    if (bucketKey === "true") throw new S3Error("NotImplemented", { message: `s3lite does not implement ${BUCKET_KEY_HEADER}: true without SSE-KMS yet; nothing was changed.`, Header: BUCKET_KEY_HEADER });
    return undefined;
  }
  requireSigV4ForKms(signatureVersion);
  // The request's key, else the bucket default's when the request named no encryption, else aws/s3
  // (AWS: aws:kms without a key ID is the AWS managed key). The bucket key as the request says, else the default's.
  const key = resolveKmsKey(ctx, keyId ?? (named === undefined ? byDefault?.kmsKeyId : undefined));
  const write = newDataKey(key, context, bucketKey === undefined ? byDefault?.bucketKeyEnabled ?? false : bucketKey === "true");
  return {
    key: write.dataKey,
    stored: (iv) => ({ ...write.stored, ...(iv ? { [SSE_C_IV]: iv.toString("hex") } : {}) }),
    answered: context !== undefined ? { [CONTEXT_HEADER]: context } : {},
  };
}
