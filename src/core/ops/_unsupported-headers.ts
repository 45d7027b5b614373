// Request headers (and POST form fields) for features s3lite does not have yet: server-side encryption, website redirects. A value that
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

/**
 * Throws NotImplemented for the first header (or form field, by its header name) that asks for
 * something s3lite would drop. One pass over what was sent: this runs on every request.
 */
export function refuseUnsupportedHeaders(sent: Iterable<[string, string]>): void {
  for (const [name, value] of sent) {
    const accepted = DEFAULT_ONLY.get(name);
    if (accepted === undefined || accepted.includes(value.trim())) continue;
    throw new S3Error("NotImplemented", { message: `s3lite does not implement ${name}: ${value} yet; nothing was changed.`, Header: name });
  }
}
