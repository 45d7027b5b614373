// What authorization needs to know of a bucket, read in one lookup: its owner, Object Ownership,
// Block Public Access, policy (parsed once per distinct text) and ACL. Also the settings a new bucket
// starts with, as AWS has them since April 2023 or, with --legacy-bucket-defaults, as before.
import type { BucketRow, Grant, Metadata } from "../store/meta.ts";
import { ownerGrants } from "./acl.ts";
import type { Identities } from "./identities.ts";
import { isPublicPolicy, parsePolicy, type Policy } from "./policy.ts";

export type ObjectOwnership = "BucketOwnerEnforced" | "BucketOwnerPreferred" | "ObjectWriter";
export const OBJECT_OWNERSHIPS: readonly ObjectOwnership[] = ["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"];

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

/** Names of the bucket_configs rows that hold these settings. */
export const CONFIG = { ownership: "ownershipControls", publicAccessBlock: "publicAccessBlock", policy: "policy", acl: "acl" } as const;

const CONFIG_NAMES = Object.values(CONFIG);

export interface StoredOwnership { ObjectOwnership: ObjectOwnership }
export interface StoredPolicy { text: string }

export interface BucketAccess {
  row: BucketRow;
  /** The owner's canonical ID (rows from before owners were kept belong to the first user). */
  owner: string;
  /** What governs the bucket: without ownership controls set, ObjectWriter, as on AWS. */
  ownership: ObjectOwnership;
  ownershipSet: boolean;
  /** All false when none is set. */
  publicAccessBlock: PublicAccessBlock;
  publicAccessBlockSet: boolean;
  policy?: Policy;
  policyText?: string;
  policyIsPublic: boolean;
  /** The bucket's ACL grants (the owner's FULL_CONTROL when none was set). */
  acl: Grant[];
}

export const ALL_BLOCKED: PublicAccessBlock = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const NONE_BLOCKED: PublicAccessBlock = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

/** Parsed policies by text: each request of a bucket with a policy would otherwise parse it again. */
const parsedPolicies = new Map<string, Policy>();

function cachedPolicy(text: string, bucket: string, identities: Identities): Policy {
  const cacheKey = `${bucket}\0${text}`;
  let policy = parsedPolicies.get(cacheKey);
  if (!policy) {
    if (parsedPolicies.size > 512) parsedPolicies.clear();
    policy = parsePolicy(text, bucket, identities);
    parsedPolicies.set(cacheKey, policy);
  }
  return policy;
}

export function loadBucketAccess(meta: Metadata, name: string, identities: Identities): BucketAccess | undefined {
  const row = meta.getBucket(name);
  if (!row) return undefined;
  const configs = meta.getBucketConfigs(name, CONFIG_NAMES);
  const owner = row.owner || identities.primary.canonicalId;
  const ownership = configs[CONFIG.ownership] as StoredOwnership | undefined;
  const block = configs[CONFIG.publicAccessBlock] as PublicAccessBlock | undefined;
  const stored = configs[CONFIG.policy] as StoredPolicy | undefined;
  // A stored policy was valid when written; one naming a user since removed from the config no longer parses, and then grants nothing.
  let policy: Policy | undefined;
  try {
    policy = stored ? cachedPolicy(stored.text, name, identities) : undefined;
  } catch {
    policy = undefined;
  }
  return {
    row,
    owner,
    ownership: ownership?.ObjectOwnership ?? "ObjectWriter",
    ownershipSet: ownership !== undefined,
    publicAccessBlock: block ?? NONE_BLOCKED,
    publicAccessBlockSet: block !== undefined,
    policy,
    policyText: stored?.text,
    policyIsPublic: policy ? isPublicPolicy(policy) : false,
    acl: (configs[CONFIG.acl] as Grant[] | undefined) ?? ownerGrants(owner),
  };
}

/** The configurations a new bucket is created with. */
export function newBucketConfigs(legacy: boolean, ownership: ObjectOwnership | undefined, acl: Grant[] | undefined): Record<string, unknown> {
  const chosen = ownership ?? (legacy ? undefined : "BucketOwnerEnforced");
  return {
    [CONFIG.ownership]: chosen ? ({ ObjectOwnership: chosen } satisfies StoredOwnership) : undefined,
    [CONFIG.publicAccessBlock]: legacy ? undefined : ALL_BLOCKED,
    [CONFIG.acl]: acl,
  };
}

/** The owner of an object as the bucket's setting makes it: with ACLs disabled, always the bucket owner. */
export function effectiveObjectOwner(bucket: BucketAccess, storedOwner: string, identities: Identities): string {
  if (bucket.ownership === "BucketOwnerEnforced") return bucket.owner;
  return storedOwner || identities.primary.canonicalId;
}
