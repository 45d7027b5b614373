// The row of an object written in one piece, how it is stored, and the checksum a response reports for
// it: shared by PutObject, PostObject, CopyObject and the reads.
import type { ChecksumAlgorithm } from "../checksums.ts";
import { S3Error } from "../errors.ts";
import type { ChecksumType } from "../multipart-checksums.ts";
import type { StagedBlob } from "../store/blobs.ts";
import type { NewObjectRow, ObjectRow } from "../store/meta.ts";
import type { OpContext } from "./_context.ts";
import { DEFAULT_CONTENT_TYPE, readStoredHeaders, readUserMetadata } from "./_object-headers.ts";
import type { WriteCondition } from "./_write-conditions.ts";
import type { WriteAccess } from "./_write-access.ts";

/** What the request's headers say of an object written in one piece, read (and refused) before its body is. */
export interface ObjectDescription {
  contentType: string;
  headers: Record<string, string>;
  metadata: Record<string, string>;
}

export const describeObject = (headers: Headers): ObjectDescription =>
  ({ contentType: headers.get("content-type") ?? DEFAULT_CONTENT_TYPE, headers: readStoredHeaders(headers), metadata: readUserMetadata(headers) });

/** The row of an object written in one piece (PutObject, PostObject): its blob, and what the request said of it. */
export function singlePartRow(
  bucket: string, key: string, blob: Pick<StagedBlob, "sha256" | "size" | "md5">, described: ObjectDescription,
  checksum: { algorithm: ChecksumAlgorithm; value: string } | undefined, access: WriteAccess,
): NewObjectRow {
  return {
    bucket, key, sha256: blob.sha256, size: blob.size, etag: `"${blob.md5}"`, lastModified: Date.now(), ...described,
    checksumAlgorithm: checksum?.algorithm ?? null, checksumValue: checksum?.value ?? null, checksumType: checksum ? "FULL_OBJECT" : null, partsCount: 0,
    ...access,
  };
}

/** Writes the row of a blob already published; returns the version id it was given. */
export function storeRow(ctx: OpContext, row: NewObjectRow, condition?: WriteCondition): string {
  try {
    return ctx.meta.putObject(row, [], condition);
  } catch (error) {
    // The bucket was deleted while the body streamed in: the row's foreign key no longer holds.
    // The published blob stays unreferenced until gc.
    if (String(error).includes("FOREIGN KEY")) throw new S3Error("NoSuchBucket", { BucketName: row.bucket });
    throw error;
  }
}

export interface ResponseChecksum { algorithm: ChecksumAlgorithm; value: string; type: ChecksumType }

export const objectChecksum = (o: ObjectRow): ResponseChecksum | undefined =>
  o.checksumAlgorithm && o.checksumValue ? { algorithm: o.checksumAlgorithm, value: o.checksumValue, type: o.checksumType ?? "FULL_OBJECT" } : undefined;
