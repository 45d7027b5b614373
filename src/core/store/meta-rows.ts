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
  /** "null" for the version written while the bucket was unversioned or suspended; else the id it was given. */
  versionId: string;
  /** Its tag set, in the order written; absent or empty for none. */
  tags?: ObjectTag[];
  /** Object Lock retention; absent for none. */
  lock?: ObjectLock;
  /** Object Lock legal hold: absent if the version never had one, false once it was turned OFF. */
  legalHold?: boolean;
}

export interface ObjectTag { Key: string; Value: string }
export interface ObjectLock { mode: "GOVERNANCE" | "COMPLIANCE"; retainUntil: number }

/** What a write hands metadata: the version id is metadata's to give, as the bucket's versioning says. */
export type NewObjectRow = Omit<ObjectRow, "versionId"> & { versionId?: string };

/** A version as ListObjectVersions and reads by version id see it: an object version or a delete marker. */
export interface VersionRow extends ObjectRow {
  deleteMarker: boolean;
  isLatest: boolean;
  /** Orders a key's versions, newest first; the cursor of a versions listing. */
  seq: number;
}

/** What a delete did: the version it removed or the marker it added. */
export interface DeleteOutcome {
  /** Whether anything changed (a version went or a marker was added). */
  changed: boolean;
  versionId?: string;
  deleteMarker: boolean;
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
export interface UploadRow extends Pick<ObjectRow, "bucket" | "key" | "contentType" | "headers" | "metadata" | "checksumAlgorithm" | "checksumType" | "owner" | "acl" | "tags" | "lock" | "legalHold"> {
  /** Who started the upload (canonical ID); owner is who will own the object. */
  initiator: string;
  uploadId: string;
  createdAt: number;
}

/** What a completed upload answered: enough to answer a retry of its completion the same way. */
export type CompletedUpload = Pick<ObjectRow, "bucket" | "key" | "etag" | "checksumAlgorithm" | "checksumValue" | "checksumType" | "versionId"> & { uploadId: string };

/** An object or upload that relies on a blob, as gc and fsck name it. */
export interface BlobUser {
  bucket: string;
  key: string;
  /** A noncurrent version's id (a current version is named by its key alone). */
  versionId?: string;
  uploadId?: string;
}
