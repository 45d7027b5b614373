// Signature Version 2 query-string auth (AWSAccessKeyId, Expires, Signature): what boto3's
// generate_presigned_url produces under signature_version "s3", and what older tools paste into
// browsers. Only the presigned form is accepted. Pure functions.
import { createHmac } from "node:crypto";

/** The query parameters S3 folds into the signed resource, as botocore's HmacV1Auth lists them. */
const SIGNED_SUBRESOURCES = new Set([
  "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory", "lifecycle", "location", "logging",
  "metrics", "notification", "object-lock", "partNumber", "policy", "replication", "requestPayment", "response-cache-control",
  "response-content-disposition", "response-content-encoding", "response-content-language", "response-content-type",
  "response-expires", "restore", "select", "select-type", "storageClass", "tagging", "torrent", "uploadId", "uploads",
  "versionId", "versioning", "versions", "website",
]);

export interface V2Request {
  method: string;
  /** The path-style resource as sent, percent-encoded: `/bucket/key`. */
  resourcePath: string;
  /** Query as sent, without `?`. */
  rawQuery: string;
  /** Header values by lower-case name; for presigned URLs, x-amz-*, Content-Type and Content-MD5 may come from the query. */
  header(name: string): string | undefined;
  /** Every x-amz-* header name (lower case) with its value. */
  amzHeaders: [string, string][];
  /** The Expires parameter, as sent. */
  expires: string;
}

/** The V2 string to sign: method, Content-MD5, Content-Type, Expires, x-amz-* headers, resource. */
export function stringToSignV2(r: V2Request): string {
  const amz = new Map<string, string[]>();
  for (const [name, value] of r.amzHeaders) amz.set(name, [...(amz.get(name) ?? []), value.trim()]);
  const amzLines = [...amz.keys()].sort().map((name) => `${name}:${amz.get(name)!.join(",")}\n`).join("");
  return `${r.method}\n${r.header("content-md5") ?? ""}\n${r.header("content-type") ?? ""}\n${r.expires}\n${amzLines}${canonicalResourceV2(r.resourcePath, r.rawQuery)}`;
}

/** The path plus the signed subresources, sorted, with values decoded. */
export function canonicalResourceV2(resourcePath: string, rawQuery: string): string {
  const params = rawQuery.split("&").filter(Boolean).map((pair) => {
    const eq = pair.indexOf("=");
    return eq < 0 ? [pair] : [pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, "%20"))];
  }).filter(([name]) => SIGNED_SUBRESOURCES.has(name!));
  if (params.length === 0) return resourcePath;
  params.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  return `${resourcePath}?${params.map((p) => p.join("=")).join("&")}`;
}

/** Base64 of HMAC-SHA1 over the string to sign. */
export const signV2 = (secret: string, toSign: string): string => createHmac("sha1", secret).update(toSign, "utf8").digest("base64");
