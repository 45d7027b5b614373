// PostObject: a browser's HTML form upload. The form carries its own signature (over the policy
// document), so its route is authenticated "form" and the checks happen here, before any byte of the
// file is stored: signature, policy expiry, every condition, then the size range as the file streams
// into a staged blob.
import type { RequestFacts } from "../access/authorize.ts";
import { ANONYMOUS } from "../access/identities.ts";
import { verifyPostSignature } from "../auth/verify.ts";
import { uriEncode } from "../uri.ts";
import { checksumHeader } from "../checksums.ts";
import { S3Error } from "../errors.ts";
import { formBoundary, readPostForm, type PostForm } from "../post-form.ts";
import { checkPolicy, parsePolicy } from "../post-policy.ts";
import type { ObjectRow, ObjectTag } from "../store/meta.ts";
import { renderXml } from "../xml.ts";
import { requireBucket, versionHeader, type Handler, type OpContext } from "./_context.ts";
import { META_PREFIX, validateKey } from "./_object-headers.ts";
import { describeObject, objectChecksum, singlePartRow, storeRow } from "./_object-rows.ts";
import { LEGAL_HOLD_HEADER, lockFields, MODE_HEADER, requireLockIntegrity, resolveObjectLock, UNTIL_HEADER } from "./_object-lock.ts";
import { declaredChecksum, rethrowStoreError } from "./_payload.ts";
import { writeEncryption } from "./_encryption.ts";
import { encryptingStream, newIv } from "./_sse-c.ts";
import { encryptionHeaders } from "./_sse.ts";
import { parseTaggingDocument, validateTags } from "./_tags.ts";
import { refuseUnsupportedHeaders } from "./_unsupported-headers.ts";
import { writeAccess } from "./_write-access.ts";

/** Form fields that become the object's headers, or say of it what a PutObject's headers would (its MD5, its Object Lock). */
const HEADER_FIELDS = new Set([
  "content-type", "cache-control", "content-disposition", "content-encoding", "content-language", "expires", "x-amz-storage-class",
  "content-md5", MODE_HEADER, UNTIL_HEADER, LEGAL_HOLD_HEADER,
]);

/** The Content-MD5 field as hex, checked against the file once it is read. */
function formMd5(value: string | null): string | undefined {
  if (value === null) return undefined;
  const bytes = Buffer.from(value, "base64");
  if (bytes.length !== 16 || bytes.toString("base64") !== value.trim()) throw new S3Error("InvalidDigest", { "Content-MD5": value });
  return bytes.toString("hex");
}

export const postObject: Handler = async (ctx) => {
  const bucket = requireBucket(ctx).name;
  const boundary = formBoundary(ctx.req.headers.get("content-type"));
  if (!boundary || !ctx.req.body) {
    throw new S3Error("PreconditionFailed", { Condition: "Bucket POST must be of the enclosure-type multipart/form-data" });
  }
  const form = await readPostForm(ctx.req.body, boundary);
  try {
    return await store(ctx, bucket, form);
  } finally {
    // Refused before the file was read, or failed midway: stop reading it. A no-op once it is read.
    await form.file.stream.cancel().catch(() => {});
  }
};

async function store(ctx: OpContext, bucket: string, form: PostForm): Promise<Response> {
  const { fields, file } = form;
  const signed = verifyPostSignature(fields, ctx.credentials);
  const principal = signed ? ctx.identities.byAccessKey(signed.accessKeyId)! : ANONYMOUS;
  const policy = signed ? parsePolicy(fields.get("policy")!) : undefined;
  const keyField = fields.get("key");
  if (keyField === undefined) {
    throw new S3Error("InvalidArgument", { message: "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", ArgumentName: "key", ArgumentValue: "" });
  }
  const key = keyField.replaceAll("${filename}", file.filename);
  if (key === "") throw new S3Error("InvalidArgument", { message: "User key must have a length greater than 0.", ArgumentName: "key", ArgumentValue: "" });
  validateKey(key);
  // Conditions see the key after ${filename} is filled in, and the bucket from the URL.
  const values = new Map(fields);
  values.set("key", key);
  values.set("bucket", bucket);
  const range = policy ? checkPolicy(policy, values, ctx.now) : undefined;
  // A form names the canned ACL `acl` and the tag set `tagging`; the rest as headers.
  const asHeaders: [string, string][] = [...fields].map(([name, value]) => [name === "acl" ? "x-amz-acl" : name, value]);
  refuseUnsupportedHeaders(asHeaders, "PostObject");
  const tags = formTags(fields.get("tagging"));
  // Who may write here is known only now that the form has said who signed it.
  const facts: RequestFacts = { ...ctx.facts, principal, form: signed ? { signatureVersion: signed.signatureVersion } : undefined, requestTags: tags };
  const bucketAccess = ctx.access.bucket(bucket);
  if (!bucketAccess) throw new S3Error("NoSuchBucket", { BucketName: bucket });
  if (!ctx.access.allows(bucketAccess, "s3:PutObject", key, facts)) throw new S3Error("AccessDenied");
  const access = writeAccess(ctx, bucket, aclHeaders(asHeaders), principal);

  const headers = objectHeaders(fields);
  const described = describeObject(headers);
  const declared = declaredChecksum(headers);
  const md5 = formMd5(headers.get("content-md5"));
  const lock = resolveObjectLock(ctx, bucket, key, headers, { facts, signatureVersion: signed?.signatureVersion });
  if (lock.hasParameters) requireLockIntegrity(headers, "Put Object");
  const maxSize = Math.min(ctx.config.maxObjectSize, range?.max ?? Infinity);
  // SSE-KMS (the form's fields or the bucket's default): stored as ciphertext, checked on the plaintext.
  const encryption = writeEncryption(ctx, encryptionFields(asHeaders), bucket, signed?.signatureVersion);
  const iv = encryption ? newIv() : undefined;
  const encrypting = encryption ? encryptingStream(encryption.key, iv!, declared ? [declared.algorithm] : [], { md5: md5 !== undefined }) : undefined;
  const stream = encrypting ? file.stream.pipeThrough(encrypting.stream) : file.stream;
  const staged = await ctx.blobs.stage(stream, { checksums: declared && !encrypting ? [declared.algorithm] : [], maxSize }).catch(rethrowStoreError);
  const plain = encrypting ? encrypting.digests() : staged;
  try {
    if (range && staged.size < range.min) {
      throw new S3Error("EntityTooSmall", { message: "Your proposed upload is smaller than the minimum allowed size", ProposedSize: staged.size, MinSizeAllowed: range.min });
    }
    if (md5 !== undefined && md5 !== plain.md5) throw new S3Error("BadDigest", { message: "The Content-MD5 you specified did not match what we received." });
    if (declared?.value !== undefined && declared.value !== plain.checksums[declared.algorithm]) {
      throw new S3Error("BadDigest", { message: `The ${declared.algorithm} you specified did not match the calculated checksum.` });
    }
  } catch (error) {
    await staged.discard();
    throw error;
  }
  const checksum = declared ? { algorithm: declared.algorithm, value: plain.checksums[declared.algorithm]! } : undefined;
  const row = singlePartRow(bucket, key, staged, described, checksum, access);
  if (encryption) Object.assign(row.headers, encryption.stored(iv));
  if (tags) row.tags = tags;
  Object.assign(row, lockFields(lock));
  await staged.commit();
  const versionId = storeRow(ctx, row);
  return respond(ctx, fields, { ...row, versionId });
}

/** The form's `tagging` field: a Tagging document, as PutObjectTagging takes; empty or absent for none. */
function formTags(field: string | undefined): ObjectTag[] | undefined {
  if (field === undefined || field.trim() === "") return undefined;
  const tags = parseTaggingDocument(field);
  validateTags(tags, "object");
  return tags.length > 0 ? tags : undefined;
}

/** The form's encryption fields (x-amz-server-side-encryption and its KMS companions), as headers. */
function encryptionFields(fields: readonly [string, string][]): Headers {
  const headers = new Headers();
  for (const [name, value] of fields) if (name.startsWith("x-amz-server-side-encryption")) headers.set(name, value);
  return headers;
}

/** The form's ACL fields, as the headers a PutObject would carry them in. */
function aclHeaders(fields: readonly [string, string][]): Headers {
  const headers = new Headers();
  for (const [name, value] of fields) if (name === "x-amz-acl" || name.startsWith("x-amz-grant-")) headers.set(name, value);
  return headers;
}

/** The object's headers from the form: content headers, x-amz-meta-*, x-amz-checksum-*, Content-MD5 and x-amz-object-lock-*. */
function objectHeaders(fields: ReadonlyMap<string, string>): Headers {
  const headers = new Headers();
  for (const [name, value] of fields) {
    if (!HEADER_FIELDS.has(name) && !name.startsWith(META_PREFIX) && !name.startsWith("x-amz-checksum-")) continue;
    try {
      headers.set(name, value);
    } catch {
      throw new S3Error("InvalidArgument", { message: `The value of the form field ${name} is not a valid header value.`, ArgumentName: name, ArgumentValue: value });
    }
  }
  return headers;
}

/** success_action_redirect → 303 there; else success_action_status 200, 201 (with XML) or 204. */
function respond(ctx: OpContext, fields: ReadonlyMap<string, string>, row: ObjectRow): Response {
  const origin = new URL(ctx.req.url).origin;
  const location = ctx.parsed.hostStyle ? `${origin}/${uriEncode(row.key, true)}` : `${origin}/${uriEncode(row.bucket)}/${uriEncode(row.key, true)}`;
  const headers = new Headers({ etag: row.etag, location, ...versionHeader(ctx, row.bucket, row.versionId), ...encryptionHeaders(row.headers) });
  const checksum = objectChecksum(row);
  if (checksum) headers.set(checksumHeader(checksum.algorithm), checksum.value);
  const redirect = redirectUrl(fields.get("success_action_redirect") ?? fields.get("redirect"));
  if (redirect) {
    redirect.searchParams.set("bucket", row.bucket);
    redirect.searchParams.set("key", row.key);
    redirect.searchParams.set("etag", row.etag);
    headers.set("location", redirect.href);
    return new Response(null, { status: 303, headers });
  }
  const status = fields.get("success_action_status");
  if (status === "201") {
    headers.set("content-type", "application/xml");
    const body = renderXml("PostResponse", { Location: location, Bucket: row.bucket, Key: row.key, ETag: row.etag }, { namespace: false });
    return new Response(body, { status: 201, headers });
  }
  return new Response(null, { status: status === "200" ? 200 : 204, headers });
}

/** Only an absolute http(s) URL redirects; anything else falls back to the status, as in S3. */
function redirectUrl(text: string | undefined): URL | undefined {
  if (!text) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}
