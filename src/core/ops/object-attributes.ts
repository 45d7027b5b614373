// GetObjectAttributes: what x-amz-object-attributes asks for, without the body. For multipart objects
// the parts, paginated by x-amz-max-parts and x-amz-part-number-marker, with their checksums.
import { S3Error } from "../errors.ts";
import type { XmlObject } from "../xml.ts";
import { xmlResponse } from "../xml.ts";
import { requestedVersion, requireObject, versionHeader, type Handler } from "./_context.ts";
import { storageClassOf } from "./_object-headers.ts";
import { requireObjectKey } from "./_sse-c.ts";

const ATTRIBUTES = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"] as const;
const MAX_PARTS = 1000;

function intHeader(headers: Headers, name: string, fallback: number): number {
  const text = headers.get(name);
  if (text === null) return fallback;
  if (!/^\d+$/.test(text.trim())) throw new S3Error("InvalidArgument", { message: `Provided ${name} not an integer or within integer range`, ArgumentName: name, ArgumentValue: text });
  return Number(text);
}

export const getObjectAttributes: Handler = (ctx) => {
  const object = requireObject(ctx);
  // SSE-C: AWS asks for the object's key here too (nothing is decrypted; the key is only checked).
  requireObjectKey(ctx, object, undefined, { unwrapKms: false });
  const headers = ctx.req.headers;
  const requested = (headers.get("x-amz-object-attributes") ?? "").split(",").map((a) => a.trim()).filter((a) => a !== "");
  if (requested.length === 0) throw new S3Error("InvalidArgument", { message: "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty", ArgumentName: "x-amz-object-attributes" });
  const unknown = requested.find((a) => !(ATTRIBUTES as readonly string[]).includes(a));
  if (unknown !== undefined) throw new S3Error("InvalidArgument", { message: "Invalid attribute name specified.", ArgumentName: "x-amz-object-attributes", ArgumentValue: unknown });
  const want = new Set(requested);
  const body: XmlObject = {};
  // S3 sends the ETag here without its quotes.
  if (want.has("ETag")) body.ETag = object.etag.replace(/"/g, "");
  if (want.has("Checksum") && object.checksumAlgorithm && object.checksumValue) {
    body.Checksum = { [`Checksum${object.checksumAlgorithm}`]: object.checksumValue, ChecksumType: object.checksumType ?? "FULL_OBJECT" };
  }
  if (want.has("ObjectParts") && object.partsCount > 0) {
    const marker = intHeader(headers, "x-amz-part-number-marker", 0);
    const maxParts = Math.min(intHeader(headers, "x-amz-max-parts", MAX_PARTS), MAX_PARTS);
    const after = ctx.meta.getObjectParts(object.bucket, object.key).filter((p) => p.partNumber > marker);
    const page = after.slice(0, maxParts);
    body.ObjectParts = {
      PartsCount: object.partsCount,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
      MaxParts: maxParts,
      IsTruncated: after.length > page.length,
      // As S3 does for general purpose buckets: parts are listed only for objects with a checksum.
      Part: object.checksumAlgorithm ? page.map((p) => ({ PartNumber: p.partNumber, Size: p.size, [`Checksum${object.checksumAlgorithm}`]: p.checksumValue })) : undefined,
    };
  }
  if (want.has("StorageClass")) body.StorageClass = storageClassOf(object.headers);
  if (want.has("ObjectSize")) body.ObjectSize = object.size;
  const response = xmlResponse("GetObjectAttributesResponse", body);
  response.headers.set("last-modified", new Date(object.lastModified).toUTCString());
  for (const [name, value] of Object.entries(versionHeader(ctx, object.bucket, object.versionId, requestedVersion(ctx) !== undefined))) response.headers.set(name, value);
  return response;
};
