// Request headers (and POST form fields) for features s3lite does not have yet: server-side encryption outside the
// operations that implement it (SSE-C and SSE-KMS on object writes and reads), website redirects. A value that
// only restates what s3lite does anyway is accepted (sync tools and Terraform send `x-amz-acl: private`
// on every request); any other value is 501 NotImplemented naming the header, never a 200 that dropped it.
import { S3Error } from "../errors.ts";

/** Header → the values that restate the default; an empty list accepts no value at all. */
const DEFAULT_ONLY = new Map<string, readonly string[]>(Object.entries({
  "x-amz-server-side-encryption": ["AES256"],
  "x-amz-server-side-encryption-aws-kms-key-id": [],
  "x-amz-server-side-encryption-context": [],
  "x-amz-server-side-encryption-bucket-key-enabled": ["false"],
  "x-amz-server-side-encryption-customer-algorithm": [],
  "x-amz-server-side-encryption-customer-key": [],
  "x-amz-server-side-encryption-customer-key-md5": [],
  "x-amz-copy-source-server-side-encryption-customer-algorithm": [],
  "x-amz-copy-source-server-side-encryption-customer-key": [],
  "x-amz-copy-source-server-side-encryption-customer-key-md5": [],
  "x-amz-website-redirect-location": [],
}));

/** SSE-C (customer keys, see _sse-c.ts) is implemented for these operations only; elsewhere its headers stay 501. */
const SSE_C_OPERATIONS = new Set(["PutObject", "GetObject", "HeadObject", "GetObjectAttributes", "CopyObject", "CreateMultipartUpload", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload"]);
/** SSE-KMS and the encryption choice (ops/_encryption.ts checks their values): the writes that create an object or upload. */
const ENCRYPTING_OPERATIONS = new Set(["PutObject", "CopyObject", "CreateMultipartUpload", "PostObject"]);
/** Reads refuse x-amz-server-side-encryption themselves, with AWS's 400 (ops/objects.ts). */
const READS = new Set(["GetObject", "HeadObject"]);
const ENCRYPTION_CHOICE = new Set(["x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-context", "x-amz-server-side-encryption-bucket-key-enabled"]);
/** The copy-source key (x-amz-copy-source-server-side-encryption-customer-*): the copies' source. */
const SSE_C_COPY_OPERATIONS = new Set(["CopyObject", "UploadPartCopy"]);
const isSseCHeader = (name: string) => name.startsWith("x-amz-server-side-encryption-customer-");
const isCopySourceSseCHeader = (name: string) => name.startsWith("x-amz-copy-source-server-side-encryption-customer-");

/**
 * Throws NotImplemented for the first header (or form field, by its header name) that asks for
 * something s3lite would drop. One pass over what was sent: this runs on every request. `op` is the
 * operation the request resolved to (PostObject for a form upload's fields).
 */
export function refuseUnsupportedHeaders(sent: Iterable<[string, string]>, op?: string): void {
  const sseC = op !== undefined && SSE_C_OPERATIONS.has(op), copySseC = op !== undefined && SSE_C_COPY_OPERATIONS.has(op);
  const encrypting = op !== undefined && ENCRYPTING_OPERATIONS.has(op);
  for (const [name, value] of sent) {
    if ((sseC && isSseCHeader(name)) || (copySseC && isCopySourceSseCHeader(name)) || (encrypting && ENCRYPTION_CHOICE.has(name))) continue;
    if (name === "x-amz-server-side-encryption" && op !== undefined && READS.has(op)) continue;
    const accepted = DEFAULT_ONLY.get(name);
    if (accepted === undefined || accepted.includes(value.trim())) continue;
    throw new S3Error("NotImplemented", { message: `s3lite does not implement ${name}: ${value} yet; nothing was changed.`, Header: name });
  }
}
