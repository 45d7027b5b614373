// DeleteObjects: up to 1000 keys from one XML body, in one transaction, with a result per key.
import { S3Error } from "../errors.ts";
import { parseXml, xmlResponse, type XmlObject } from "../xml.ts";
import { requireBucket, type Handler } from "./_context.ts";
import { MAX_KEY_BYTES } from "./_object-headers.ts";
import { readSmallBody } from "./_payload.ts";

const MAX_KEYS = 1000;
/** 1000 keys of 1024 bytes, escaped, with their element tags, fit well inside this. */
const MAX_BODY = 8 * 1024 * 1024;

interface Target { key: string; versionId?: string }

function parseDelete(text: string): { targets: Target[]; quiet: boolean } {
  const root = parseXml(text).Delete;
  if (!root || typeof root !== "object") throw new S3Error("MalformedXML");
  const { Object: objects, Quiet: quiet } = root as XmlObject;
  if (!Array.isArray(objects) || objects.length === 0 || objects.length > MAX_KEYS) throw new S3Error("MalformedXML");
  const targets = objects.map((o) => {
    if (!o || typeof o !== "object" || Array.isArray(o) || typeof o.Key !== "string") throw new S3Error("MalformedXML");
    return { key: o.Key, versionId: typeof o.VersionId === "string" ? o.VersionId : undefined };
  });
  return { targets, quiet: typeof quiet === "string" && quiet.trim().toLowerCase() === "true" };
}

export const deleteObjects: Handler = async (ctx) => {
  const bucket = requireBucket(ctx).name;
  const body = await readSmallBody(ctx, MAX_BODY, { requireIntegrity: true });
  const { targets, quiet } = parseDelete(new TextDecoder().decode(body));
  const deleted: XmlObject[] = [];
  const errors: XmlObject[] = [];
  const keys: string[] = [];
  for (const { key, versionId } of targets) {
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
      errors.push({ Key: key, Code: "KeyTooLongError", Message: "Your key is too long" });
    } else if (versionId !== undefined && versionId !== "null") {
      // Buckets here are unversioned: "null" is the only version id there is.
      errors.push({ Key: key, VersionId: versionId, Code: "NoSuchVersion", Message: "The specified version does not exist." });
    } else {
      keys.push(key);
      // Quiet mode reports errors only.
      if (!quiet) deleted.push(versionId === undefined ? { Key: key } : { Key: key, VersionId: versionId });
    }
  }
  ctx.meta.deleteObjects(bucket, keys);
  return xmlResponse("DeleteResult", { Deleted: deleted, Error: errors });
};
