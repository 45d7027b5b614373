// The server-side encryption an object reports: the one rule every response that carries
// x-amz-server-side-encryption goes through. Pure: reads an object's (or upload's) stored headers only.
// SSE-S3 bytes are stored as they are; the header reports what AWS reports (every object is encrypted there).
export const SSE_HEADER = "x-amz-server-side-encryption";
/** The SSE-KMS encryption context a request gives (base64 JSON), as a header. */
export const CONTEXT_HEADER = "x-amz-server-side-encryption-context";
export const SSE_S3 = "AES256";
/** Stored by SSE-C writes (an internal header, never sent back): its presence marks a customer-keyed object. */
export const SSE_C_KEY_HMAC = "x-s3lite-sse-c-key-hmac";
/** Stored by SSE-KMS writes (internal): the ARN of the KMS key that wraps the object's data key. */
export const SSE_KMS_KEY_ARN = "x-s3lite-kms-key-arn";
export const SSE_KMS = "aws:kms";

/**
 * The encryption response headers of an object or upload, from its stored headers: SSE-C objects
 * answer with their customer-algorithm headers, SSE-KMS ones with aws:kms and their key, every other one with
 * `x-amz-server-side-encryption: AES256`, as AWS encrypts every object with SSE-S3 at least.
 */
export function encryptionHeaders(stored: Readonly<Record<string, string>>): Record<string, string> {
  if (stored[SSE_C_KEY_HMAC] !== undefined) {
    // SSE-C (see _sse-c.ts): the algorithm and the key's MD5 as the client sent it, never the key.
    return {
      "x-amz-server-side-encryption-customer-algorithm": stored["x-s3lite-sse-c-algorithm"] ?? SSE_S3,
      "x-amz-server-side-encryption-customer-key-md5": stored["x-s3lite-sse-c-key-md5"] ?? "",
    };
  }
  if (stored[SSE_KMS_KEY_ARN] !== undefined) {
    // SSE-KMS (see _sse-kms.ts): the key's ARN, and the bucket key when the write asked for one.
    const headers: Record<string, string> = { [SSE_HEADER]: SSE_KMS, "x-amz-server-side-encryption-aws-kms-key-id": stored[SSE_KMS_KEY_ARN]! };
    if (stored["x-s3lite-kms-bucket-key"] === "true") headers["x-amz-server-side-encryption-bucket-key-enabled"] = "true";
    return headers;
  }
  return { [SSE_HEADER]: SSE_S3 };
}
