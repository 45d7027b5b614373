// Conditional writes (PutObject, CopyObject, CompleteMultipartUpload): If-None-Match: * refuses to
// replace an existing key, If-Match replaces only the version with that ETag. The check runs inside
// the transaction that writes the row, so two racing writers cannot both pass it.
import { S3Error } from "../errors.ts";
import type { ObjectRow } from "../store/meta.ts";
import { normalizeETag, wholeSeconds } from "./_etags.ts";

export type WriteCondition = (current: ObjectRow | undefined) => void;

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

/** What a conditional delete may require of the current object (DeleteObject headers, DeleteObjects elements). */
export interface DeleteRequirement {
  etag?: string;
  /** Epoch ms; compared in whole seconds, as HTTP dates carry them. */
  lastModified?: number;
  size?: number;
}

/**
 * Whether a delete may go ahead: If-Match needs the object to exist (NoSuchKey) and to match
 * (PreconditionFailed; `*` matches any); the modification time and size need only match when the object exists.
 */
export function checkDeleteRequirement(required: DeleteRequirement, current: ObjectRow | undefined, key: string): void {
  if (required.etag !== undefined) {
    if (!current) throw new S3Error("NoSuchKey", { Key: key });
    if (required.etag.trim() !== "*" && normalizeETag(required.etag) !== normalizeETag(current.etag)) throw new S3Error("PreconditionFailed", { Condition: "If-Match" });
  }
  if (!current) return;
  if (required.lastModified !== undefined && wholeSeconds(required.lastModified) !== wholeSeconds(current.lastModified)) {
    throw new S3Error("PreconditionFailed", { Condition: "x-amz-if-match-last-modified-time" });
  }
  if (required.size !== undefined && required.size !== current.size) throw new S3Error("PreconditionFailed", { Condition: "x-amz-if-match-size" });
}

/** DeleteObject's conditions from its headers; undefined when it has none. */
export function deleteRequirement(headers: Headers): DeleteRequirement | undefined {
  const etag = headers.get("if-match") ?? undefined;
  const time = headers.get("x-amz-if-match-last-modified-time");
  const size = headers.get("x-amz-if-match-size");
  if (etag === undefined && time === null && size === null) return undefined;
  const lastModified = time === null ? undefined : Date.parse(time);
  if (Number.isNaN(lastModified)) throw new S3Error("InvalidArgument", { message: "Invalid x-amz-if-match-last-modified-time header.", ArgumentName: "x-amz-if-match-last-modified-time", ArgumentValue: time! });
  if (size !== null && !/^\d+$/.test(size.trim())) throw new S3Error("InvalidArgument", { message: "Invalid x-amz-if-match-size header.", ArgumentName: "x-amz-if-match-size", ArgumentValue: size });
  return { etag, lastModified, size: size === null ? undefined : Number(size) };
}
