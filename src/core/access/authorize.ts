// Authorization: may this principal take this action on this bucket or object? Called once per
// request by app.ts from the route's action (and per key by DeleteObjects, whose keys are resources
// of their own); handlers never decide it themselves. Evaluation as AWS's for a bucket policy and
// ACLs: an explicit Deny wins; then the owner, an Allow of the policy, or an ACL grant allows;
// nothing else does. Each user here is an account of its own.
import { S3Error } from "../errors.ts";
import { parseCopySource } from "../ops/_copy-source.ts";
import { readableTaggingHeader, TAGGING_HEADER } from "../ops/_tags.ts";
import type { ParsedRequest } from "../request.ts";
import type { OperationName } from "../router.ts";
import type { Metadata, ObjectTag } from "../store/meta.ts";
import type { AuthResult } from "../auth/verify.ts";
import { grantsPermit, ownerGrants } from "./acl.ts";
import { ACTIONS, BUCKET_ACL_PERMISSIONS, OBJECT_ACTIONS, OWNER_ONLY_ACTIONS } from "./actions.ts";
import { effectiveObjectOwner, loadBucketAccess, type BucketAccess } from "./bucket-access.ts";
import type { Identities, Principal } from "./identities.ts";
import { evaluatePolicy } from "./policy.ts";

/** What a request says about itself that policies' conditions may ask. */
export interface RequestFacts {
  principal: Principal;
  parsed: ParsedRequest;
  /** The signature that proved the principal; undefined for anonymous requests and form uploads. */
  auth?: AuthResult;
  /** A form upload's signature version, when it had one. */
  form?: { signatureVersion: AuthResult["signatureVersion"] };
  clientIp?: string;
  now: number;
  /** The tags a request puts on an object where they are not in x-amz-tagging: PutObjectTagging's body, a form's tagging field. */
  requestTags?: readonly ObjectTag[];
}

/** Request headers whose values policies can condition on, as s3:<header>. */
const HEADER_KEYS = [
  "x-amz-acl", "x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp",
  "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-storage-class", "x-amz-copy-source",
  "x-amz-metadata-directive", "x-amz-content-sha256", "x-amz-object-ownership", "x-amz-website-redirect-location",
];
const LISTING_KEYS = [["prefix", "s3:prefix"], ["delimiter", "s3:delimiter"], ["max-keys", "s3:max-keys"]] as const;

/** The IAM action for the same operation on a version named by id. */
const VERSION_ACTIONS: Record<string, string> = {
  "s3:GetObject": "s3:GetObjectVersion", "s3:DeleteObject": "s3:DeleteObjectVersion", "s3:GetObjectAcl": "s3:GetObjectVersionAcl",
  "s3:PutObjectAcl": "s3:PutObjectVersionAcl", "s3:GetObjectAttributes": "s3:GetObjectVersionAttributes", "s3:GetObjectTagging": "s3:GetObjectVersionTagging",
  "s3:PutObjectTagging": "s3:PutObjectVersionTagging", "s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
};
/**
 * The actions s3:ExistingObjectTag applies to: reads of an object and its subresources, and tagging.
 * Not PutObject or DeleteObject: "you cannot create a policy to grant or deny a user permissions to
 * delete or overwrite an object based on its existing tags".
 */
const EXISTING_TAG_ACTIONS: ReadonlySet<string> = new Set([
  ...OBJECT_ACTIONS.keys(), "s3:GetObjectVersionTagging", "s3:PutObjectVersionTagging", "s3:DeleteObjectVersionTagging",
]);
const versionAction = (action: string | null) => (action === null ? null : VERSION_ACTIONS[action] ?? action);

const TAGGING_WRITES = new Set<OperationName>(["PutObject", "CopyObject", "CreateMultipartUpload"]);

export class Authorizer {
  constructor(private readonly meta: Metadata, private readonly identities: Identities) {}

  bucket(name: string): BucketAccess | undefined {
    return loadBucketAccess(this.meta, name, this.identities);
  }

  /** Throws AccessDenied unless the request may go on. Buckets that do not exist are the handler's to report. */
  authorizeRequest(op: OperationName, facts: RequestFacts): void {
    // A request that names a version needs the action's …Version form (s3:GetObjectVersion, …).
    const action = facts.parsed.query.has("versionId") ? versionAction(ACTIONS[op]) : ACTIONS[op];
    if (action === null) return;
    const { principal, parsed } = facts;
    if (op === "ListBuckets" || op === "CreateBucket") {
      if (principal.kind === "anonymous") throw new S3Error("AccessDenied");
      return;
    }
    const bucket = this.bucket(parsed.bucket!);
    if (!bucket) return;
    this.checkExpectedOwner(bucket, parsed.headers.get("x-amz-expected-bucket-owner"));
    // DeleteObjects names its keys in its body: each is weighed on its own there (see deleteObjects).
    // PutObjectTagging's tags, which s3:RequestObjectTag conditions weigh, are in its body: its handler authorizes it once they are read.
    if (op === "DeleteObjects" || op === "PutObjectTagging") return;
    const initiator = op === "ListParts" || op === "AbortMultipartUpload" ? this.uploadInitiator(parsed) : undefined;
    if (!this.allows(bucket, action, parsed.key, facts, initiator)) throw new S3Error("AccessDenied");
    // A write that tags its object needs s3:PutObjectTagging as well, as on AWS.
    if (TAGGING_WRITES.has(op) && parsed.headers.get("x-amz-tagging") && !this.allows(bucket, "s3:PutObjectTagging", parsed.key, facts)) throw new S3Error("AccessDenied");
    if (op === "CopyObject" || op === "UploadPartCopy") this.authorizeCopySource(facts);
    if (op === "RenameObject") this.authorizeRenameSource(bucket, facts);
  }

  /**
   * Whether the principal may take the action on the bucket, or on one of its keys. Object actions
   * (reads of an object and its subresources) consult the object's owner and ACL where ACLs count.
   * The policy's own operations, allowed to another account, throw MethodNotAllowed as S3 answers them.
   * `initiator`: who started the multipart upload the request names, which it may list and abort.
   */
  allows(bucket: BucketAccess, action: string, key: string | undefined, facts: RequestFacts, initiator?: string): boolean {
    const { principal } = facts;
    const isOwner = principal.kind === "user" && principal.canonicalId === bucket.owner;
    let policyAllows = false;
    if (bucket.policy) {
      const resource = key === undefined ? `arn:aws:s3:::${bucket.row.name}` : `arn:aws:s3:::${bucket.row.name}/${key}`;
      const decision = evaluatePolicy(bucket.policy, { principal, action, resource, context: this.conditionContext(bucket, facts, action, key) });
      // The owner may always manage the policy itself, so that no policy locks it out.
      if (decision === "Deny" && !(isOwner && OWNER_ONLY_ACTIONS.has(action))) return false;
      policyAllows = decision === "Allow";
      // RestrictPublicBuckets: a public policy lets in no one outside the owner's account.
      if (policyAllows && bucket.policyIsPublic && bucket.publicAccessBlock.RestrictPublicBuckets && !isOwner) policyAllows = false;
    }
    // "Multipart upload API and permissions": the initiator of an upload may list its parts and abort it.
    if (initiator !== undefined && principal.kind === "user" && principal.canonicalId === initiator) return true;
    if (OWNER_ONLY_ACTIONS.has(action)) {
      // PutBucketPolicy and its kin: "If you have the correct permissions, but you're not using an identity
      // that belongs to the bucket owner's account, Amazon S3 returns a 405 Method Not Allowed error."
      if (!isOwner && policyAllows) throw new S3Error("MethodNotAllowed");
      return isOwner;
    }
    const aclsCount = bucket.ownership !== "BucketOwnerEnforced";
    const ignorePublic = bucket.publicAccessBlock.IgnorePublicAcls;
    if (key !== undefined && OBJECT_ACTIONS.has(action) && aclsCount) {
      const object = this.meta.getObject(bucket.row.name, key);
      // A missing object is the handler's 404, or 403 where listing is denied too (see hidesMissingKey).
      if (object) {
        const objectOwner = effectiveObjectOwner(bucket, object.owner, this.identities);
        if (principal.kind === "user" && principal.canonicalId === objectOwner) return true;
        // A bucket's policy and its owner speak for the objects the bucket owner owns, not for others'.
        if ((policyAllows || isOwner) && objectOwner === bucket.owner) return true;
        const permission = OBJECT_ACTIONS.get(action);
        return permission != null && grantsPermit(object.acl ?? ownerGrants(objectOwner), principal, permission, ignorePublic);
      }
    }
    if (isOwner || policyAllows) return true;
    const permission = BUCKET_ACL_PERMISSIONS.get(action);
    return aclsCount && permission !== undefined && grantsPermit(bucket.acl, principal, permission, ignorePublic);
  }

  /**
   * S3 answers a missing key 404 only to those who may list the bucket; to anyone else it is 403,
   * so that a denied caller learns nothing of which keys exist.
   */
  hidesMissingKey(bucketName: string, facts: RequestFacts): boolean {
    const bucket = this.bucket(bucketName);
    return bucket !== undefined && !this.allows(bucket, "s3:ListBucket", undefined, facts);
  }

  /** The initiator of the upload a request names, when that upload is in progress for its bucket and key. */
  private uploadInitiator(parsed: ParsedRequest): string | undefined {
    const uploadId = parsed.query.get("uploadId");
    const upload = uploadId ? this.meta.getUpload(uploadId) : undefined;
    return upload && upload.bucket === parsed.bucket && upload.key === parsed.key ? upload.initiator || undefined : undefined;
  }

  private checkExpectedOwner(bucket: BucketAccess, expected: string | null): void {
    if (expected === null) return;
    if (!/^\d{12}$/.test(expected.trim())) throw new S3Error("InvalidArgument", { message: "Expected bucket owner must be an AWS account ID", ArgumentName: "x-amz-expected-bucket-owner", ArgumentValue: expected });
    const owner = this.identities.byCanonicalId(bucket.owner);
    if (owner?.accountId !== expected.trim()) throw new S3Error("AccessDenied");
  }

  /** A copy reads its source: s3:GetObject there, under the source bucket's own policy and ACLs. */
  private authorizeCopySource(facts: RequestFacts): void {
    const header = facts.parsed.headers.get("x-amz-copy-source");
    if (header === null) return;
    const source = parseCopySource(header);
    const bucket = this.bucket(source.bucket);
    if (!bucket) return;
    this.checkExpectedOwner(bucket, facts.parsed.headers.get("x-amz-source-expected-bucket-owner"));
    if (!this.allows(bucket, "s3:GetObject", source.key, facts)) throw new S3Error("AccessDenied");
    if (!this.meta.getObject(source.bucket, source.key) && !this.allows(bucket, "s3:ListBucket", undefined, facts)) throw new S3Error("AccessDenied");
  }

  /** A rename deletes its source key. */
  private authorizeRenameSource(bucket: BucketAccess, facts: RequestFacts): void {
    const header = facts.parsed.headers.get("x-amz-rename-source");
    if (header === null) return;
    let key: string;
    try {
      key = parseCopySource(header).key;
    } catch {
      return; // the handler reports the malformed header
    }
    if (!this.allows(bucket, "s3:DeleteObject", key, facts)) throw new S3Error("AccessDenied");
  }

  /** The condition keys of the request, lower-cased as policies are matched. */
  private conditionContext(bucket: BucketAccess, facts: RequestFacts, action: string, key: string | undefined): Map<string, string | readonly string[]> {
    const { principal, parsed, auth } = facts;
    const context = new Map<string, string | readonly string[]>();
    const set = (name: string, value: string | null | undefined) => { if (value !== null && value !== undefined) context.set(name, value); };
    set("aws:currenttime", new Date(facts.now).toISOString().replace(/\.\d{3}Z$/, "Z"));
    set("aws:epochtime", String(Math.floor(facts.now / 1000)));
    set("aws:securetransport", parsed.secure ? "true" : "false");
    set("aws:sourceip", facts.clientIp);
    set("aws:useragent", parsed.headers.get("user-agent"));
    set("aws:referer", parsed.headers.get("referer"));
    if (principal.kind === "user") {
      set("aws:principaltype", "User");
      set("aws:username", principal.name);
      set("aws:userid", principal.canonicalId);
      set("aws:principalarn", principal.arn);
      set("aws:principalaccount", principal.accountId);
    } else {
      set("aws:principaltype", "Anonymous");
      set("aws:userid", "anonymous");
    }
    set("s3:authtype", auth?.authType ?? (facts.form ? "POST" : undefined));
    set("s3:signatureversion", auth?.signatureVersion ?? facts.form?.signatureVersion);
    set("s3:resourceaccount", this.identities.byCanonicalId(bucket.owner)?.accountId);
    for (const name of HEADER_KEYS) set(`s3:${name}`, parsed.headers.get(name));
    set("s3:object-lock-mode", parsed.headers.get("x-amz-object-lock-mode"));
    set("s3:object-lock-retain-until-date", parsed.headers.get("x-amz-object-lock-retain-until-date"));
    set("s3:object-lock-legal-hold", parsed.headers.get("x-amz-object-lock-legal-hold"));
    if (parsed.key === undefined) for (const [query, key] of LISTING_KEYS) set(key, parsed.query.get(query));
    set("s3:versionid", parsed.query.get("versionId"));
    // The tags the request puts on an object (x-amz-tagging, or what its handler read from the body),
    // and those of the object it acts on. Tag keys are matched lower-cased, as every condition key here.
    const requestTags = facts.requestTags ?? readableTaggingHeader(parsed.headers.get(TAGGING_HEADER));
    if (requestTags) {
      context.set("s3:requestobjecttagkeys", requestTags.map((t) => t.Key));
      for (const { Key, Value } of requestTags) set(`s3:requestobjecttag/${Key.toLowerCase()}`, Value);
    }
    if (key !== undefined && EXISTING_TAG_ACTIONS.has(action)) {
      for (const { Key, Value } of this.existingTags(bucket.row.name, key, parsed) ?? []) set(`s3:existingobjecttag/${Key.toLowerCase()}`, Value);
    }
    return context;
  }

  /** The tags of the object a request acts on: a copy's source version, the version it names, or the current one. */
  private existingTags(bucket: string, key: string, parsed: ParsedRequest): readonly ObjectTag[] | undefined {
    let versionId: string | undefined;
    const copySource = parsed.headers.get("x-amz-copy-source");
    let source: ReturnType<typeof parseCopySource> | undefined;
    try {
      source = copySource === null ? undefined : parseCopySource(copySource);
    } catch {
      source = undefined; // the handler reports the malformed header
    }
    if (source && source.bucket === bucket && source.key === key) versionId = source.versionId;
    else if (bucket === parsed.bucket && key === parsed.key) versionId = parsed.query.get("versionId") ?? undefined;
    const object = versionId === undefined ? this.meta.getObject(bucket, key) : this.meta.getVersion(bucket, key, versionId);
    return object && !("deleteMarker" in object && object.deleteMarker) ? object.tags : undefined;
  }
}
