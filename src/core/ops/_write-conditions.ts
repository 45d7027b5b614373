// Conditional writes (PutObject, CopyObject, CompleteMultipartUpload): If-None-Match: * refuses to
// replace an existing key, If-Match replaces only the version with that ETag. The check runs inside
// the transaction that writes the row, so two racing writers cannot both pass it.
import { S3Error } from "../errors.ts";
import type { ObjectRow } from "../store/meta.ts";

export type WriteCondition = (current: ObjectRow | undefined) => void;

const normalizeETag = (etag: string) => etag.trim().replace(/^"|"$/g, "").toLowerCase();

/** The request's write condition, or undefined when it has none. */
export function writeConditions(headers: Headers, key: string): WriteCondition | undefined {
  const ifNoneMatch = headers.get("if-none-match");
  const ifMatch = headers.get("if-match");
  if (ifNoneMatch === null && ifMatch === null) return undefined;
  if (ifNoneMatch !== null && ifNoneMatch.trim() !== "*") throw new S3Error("NotImplemented", { message: "If-None-Match on a write accepts only *." });
  return (current) => {
    if (ifNoneMatch !== null && current) throw new S3Error("PreconditionFailed", { Condition: "If-None-Match" });
    if (ifMatch !== null) {
      if (!current) throw new S3Error("NoSuchKey", { Key: key });
      if (ifMatch.trim() !== "*" && normalizeETag(ifMatch) !== normalizeETag(current.etag)) throw new S3Error("PreconditionFailed", { Condition: "If-Match" });
    }
  };
}
