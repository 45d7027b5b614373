// The rows metadata hands out and takes in: what callers see of buckets, objects, parts and uploads.
// Plain data, no SQL: the tables' own column layouts stay in the meta-*.ts file of each table.
import type { ChecksumAlgorithm } from "../checksums.ts";
import type { ChecksumType } from "../multipart-checksums.ts";

export interface BucketRow {
  name: string;
  region: string;
  createdAt: number;
  /** The owner's canonical ID; '' for buckets made before owners were kept (the first configured user's). */
  owner: string;
}

export type Permission = "FULL_CONTROL" | "READ" | "WRITE" | "READ_ACP" | "WRITE_ACP";
/** Grants by email are stored as the canonical user the address names. */
export type Grantee = { type: "CanonicalUser"; id: string } | { type: "Group"; uri: string };
export interface Grant { grantee: Grantee; permission: Permission }

export interface ObjectRow {
  bucket: string;
  key: string;
  sha256: string;
  size: number;
  /** Quoted, as sent in the ETag header. */
  etag: string;
  lastModified: number;
  contentType: string;
  /** Stored content headers (content-encoding, cache-control, …), lower-case names. */
  headers: Record<string, string>;
  /** User metadata, names without the x-amz-meta- prefix. */
  metadata: Record<string, string>;
  checksumAlgorithm: ChecksumAlgorithm | null;
  /** For multipart objects with a COMPOSITE checksum, "<digest>-N". */
  checksumValue: string | null;
  checksumType: ChecksumType | null;
  /** 0 for an object written in one piece; N for a completed multipart upload of N parts. */
  partsCount: number;
  /** Who owns it (canonical ID); '' for objects written before owners were kept (the first configured user's). */
  owner: string;
  /** Its ACL's grants; null for the default, the owner's FULL_CONTROL alone. */
  acl: Grant[] | null;
}

/** One stored part of a multipart object or of an upload in progress. */
export interface PartRow {
  partNumber: number;
  /** The part's blob; '' once the object's parts were merged into one blob (objects.sha256). */
  sha256: string;
  size: number;
  /** Quoted MD5 of the part. */
  etag: string;
  lastModified: number;
  checksumValue: string | null;
}

/** An upload in progress: what CreateMultipartUpload was told, applied to the object on completion. */
export interface UploadRow extends Pick<ObjectRow, "bucket" | "key" | "contentType" | "headers" | "metadata" | "checksumAlgorithm" | "checksumType" | "owner" | "acl"> {
  /** Who started the upload (canonical ID); owner is who will own the object. */
  initiator: string;
  uploadId: string;
  createdAt: number;
}

/** What a completed upload answered: enough to answer a retry of its completion the same way. */
export type CompletedUpload = Pick<ObjectRow, "bucket" | "key" | "etag" | "checksumAlgorithm" | "checksumValue" | "checksumType"> & { uploadId: string };

/** An object or upload that relies on a blob, as gc and fsck name it. */
export interface BlobUser {
  bucket: string;
  key: string;
  uploadId?: string;
}
