// Bucket policies: PutBucketPolicy's validation (with AWS's MalformedPolicy reasons), the decision for
// one request, and Block Public Access's "is this policy public". Pure: no I/O and no Request; the caller
// says who asks and supplies the condition keys. Patterns and Condition operators: policy-conditions.ts.
import type { Identities, Principal } from "./identities.ts";
import {
  compileCondition, compilePattern, malformed, parseNetwork, parseOperator,
  type Condition, type Pattern, type PolicyContext,
} from "./policy-conditions.ts";

/** "Bucket policies are limited to 20 KB in size." */
const MAX_POLICY_BYTES = 20 * 1024;
/** A policy without Version is read as 2008-10-17, which has no policy variables (IAM "Version"). */
const VERSIONS = ["2012-10-17", "2008-10-17"] as const;
const POLICY_FIELDS = new Set(["Version", "Id", "Statement"]);
const STATEMENT_FIELDS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);
const S3_ARN_PREFIX = "arn:aws:s3:::";

// AWS's reasons as its PutBucketPolicy returns them; SYNTAX is IAM's wording, used where S3's is unknown.
const INVALID_JSON = "This policy contains invalid Json";
const FIRST_BYTE = "Policies must be valid JSON and the first byte must be '{'";
const SYNTAX = "Syntax errors in policy.";
const INVALID_PRINCIPAL = "Invalid principal in policy";
const INVALID_ACTION = "Policy has invalid action";
const INVALID_RESOURCE = "Policy has invalid resource";

/** Who a statement names: `everyone` is "*" or {"AWS": "*"}, anonymous requests included. */
export interface PolicyPrincipals {
  readonly everyone: boolean;
  readonly accounts: ReadonlySet<string>;
  readonly userArns: ReadonlySet<string>;
  readonly canonicalIds: ReadonlySet<string>;
  /** Accepted as AWS does; no request here comes from an AWS service, so they never match. */
  readonly services: readonly string[];
}

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  /** With `notPrincipal` (likewise `notAction`, `notResource`) the list is the Not… element's. */
  readonly principals: PolicyPrincipals;
  readonly notPrincipal: boolean;
  readonly actions: readonly Pattern[];
  readonly notAction: boolean;
  readonly resources: readonly Pattern[];
  readonly notResource: boolean;
  /** Every key of every operator, ANDed. */
  readonly conditions: readonly Condition[];
}

export interface Policy {
  readonly version: (typeof VERSIONS)[number];
  readonly id?: string;
  readonly statements: readonly PolicyStatement[];
}

/** What evaluation needs about one request. */
export interface PolicyRequest {
  principal: Principal;
  action: string;
  resource: string;
  /** Condition keys, names in lower case (aws:sourceip, s3:prefix, aws:username, ...); absent keys are missing. */
  context: PolicyContext;
}

export type PolicyDecision = "Deny" | "Allow" | "NotApplicable";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
const isObject = (value: Json | undefined): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

interface Scope { bucket: string; identities: Identities; variables: boolean }

/** Parses and validates a bucket policy for `bucket`; throws S3Error("MalformedPolicy", { message }) with AWS's reason. */
export function parsePolicy(text: string, bucket: string, identities: Identities): Policy {
  // Deviation: AWS's code for an oversized policy is unconfirmed, so this stays MalformedPolicy.
  if (Buffer.byteLength(text, "utf8") > MAX_POLICY_BYTES) throw malformed("Policies must be less than 20 KB");
  const document = parseDocument(text);
  checkFields(document, POLICY_FIELDS);
  const { Version: version = "2008-10-17", Id: id, Statement: statement } = document;
  if (typeof version !== "string" || !(VERSIONS as readonly string[]).includes(version)) throw malformed("The policy must contain a valid version string");
  if (id !== undefined && typeof id !== "string") throw malformed(SYNTAX);
  if (statement === undefined || statement === null) throw malformed("Missing required field Statement");
  const list = Array.isArray(statement) ? statement : [statement];
  if (list.length === 0) throw malformed("Could not parse the policy: Statement is empty!");
  const scope: Scope = { bucket, identities, variables: version === "2012-10-17" };
  const statements = list.map((s) => parseStatement(s, scope));
  const sids = statements.flatMap((s) => (s.sid === undefined ? [] : [s.sid]));
  if (new Set(sids).size !== sids.length) throw malformed("Statement IDs (SID) in a single policy must be unique");
  return { version: version as Policy["version"], id, statements };
}

function parseDocument(text: string): JsonObject {
  if (!text.trimStart().startsWith("{")) throw malformed(FIRST_BYTE);
  try {
    return JSON.parse(text) as JsonObject;
  } catch {
    throw malformed(INVALID_JSON);
  }
}

function checkFields(object: JsonObject, known: ReadonlySet<string>): void {
  const unknown = Object.keys(object).find((name) => !known.has(name));
  if (unknown !== undefined) throw malformed(`Unknown field ${unknown}`);
}

function parseStatement(value: Json, scope: Scope): PolicyStatement {
  if (!isObject(value)) throw malformed(SYNTAX);
  checkFields(value, STATEMENT_FIELDS);
  const { Sid: sid, Effect: effect, Condition: condition } = value;
  if (sid !== undefined && typeof sid !== "string") throw malformed(SYNTAX);
  if (effect === undefined) throw malformed("Missing required field Effect");
  if (effect !== "Allow" && effect !== "Deny") throw malformed(`Invalid effect: ${typeof effect === "string" ? effect : JSON.stringify(effect)}`);
  const [principal, notPrincipal] = pickElement(value, "Principal");
  const principals = parsePrincipals(principal, scope.identities);
  const [action, notAction] = pickElement(value, "Action");
  const actionList = stringList(action, INVALID_ACTION);
  const actions = actionList.map(parseAction);
  const [resource, notResource] = pickElement(value, "Resource");
  const resourceList = stringList(resource, INVALID_RESOURCE);
  const resources = resourceList.map((r) => parseResource(r, scope));
  const conditions = condition === undefined ? [] : parseConditions(condition, scope.variables);
  if (!notAction && !notResource) checkActionsApply(actionList, resourceList);
  return { sid, effect, principals, notPrincipal, actions, notAction, resources, notResource, conditions };
}

/** Exactly one of X and NotX; returns its value and whether it was the Not… form. */
function pickElement(statement: JsonObject, name: "Principal" | "Action" | "Resource"): [Json, boolean] {
  const plain = statement[name];
  const not = statement[`Not${name}`];
  if (plain !== undefined && not !== undefined) throw malformed(`Statement/policy already has instance of ${name}`);
  if (plain === undefined && not === undefined) throw malformed(`Missing required field ${name}`);
  return plain !== undefined ? [plain, false] : [not!, true];
}

function stringList(value: Json, invalid: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((item) => typeof item === "string")) throw malformed(SYNTAX);
  if (list.length === 0) throw malformed(invalid);
  return list as string[];
}

function parsePrincipals(value: Json, identities: Identities): PolicyPrincipals {
  const accounts = new Set<string>();
  const userArns = new Set<string>();
  const canonicalIds = new Set<string>();
  const services: string[] = [];
  let everyone = value === "*";
  if (!everyone && (!isObject(value) || Object.keys(value).length === 0)) throw malformed(INVALID_PRINCIPAL);
  for (const [type, entry] of Object.entries(isObject(value) ? value : {})) {
    const ids = Array.isArray(entry) ? entry : [entry];
    if (ids.length === 0) throw malformed(INVALID_PRINCIPAL);
    for (const id of ids) {
      if (typeof id !== "string") throw malformed(INVALID_PRINCIPAL);
      const account = /^(\d{12})$|^arn:aws:iam::(\d{12}):root$/.exec(id)?.slice(1).find(Boolean);
      if (type === "AWS" && id === "*") everyone = true;
      else if (type === "AWS" && account && identities.byAccountId(account)) accounts.add(account);
      else if (type === "AWS" && identities.users.some((u) => u.arn === id)) userArns.add(id);
      else if (type === "CanonicalUser" && identities.byCanonicalId(id)) canonicalIds.add(id);
      else if (type === "Service" && id !== "") services.push(id);
      // Unknown accounts, users, roles, other principal types: AWS refuses what it cannot resolve.
      else throw malformed(INVALID_PRINCIPAL);
    }
  }
  return { everyone, accounts, userArns, canonicalIds, services };
}

function principalMatches(principals: PolicyPrincipals, who: Principal): boolean {
  if (principals.everyone) return true;
  if (who.kind !== "user") return false;
  return principals.accounts.has(who.accountId) || principals.userArns.has(who.arn) || principals.canonicalIds.has(who.canonicalId);
}

function parseAction(action: string): Pattern {
  const name = /^s3:([a-z0-9*?]+)$/i.exec(action)?.[1];
  if (action !== "*" && name === undefined) throw malformed(INVALID_ACTION);
  if (name !== undefined && !/[*?]/.test(name) && !S3_ACTIONS.has(name.toLowerCase())) throw malformed(INVALID_ACTION);
  return compilePattern(action, { wildcards: true, variables: false, ignoreCase: true });
}

// A bucket policy speaks only of its own bucket and the objects in it.
function parseResource(resource: string, scope: Scope): Pattern {
  const path = resource.startsWith(S3_ARN_PREFIX) ? resource.slice(S3_ARN_PREFIX.length) : undefined;
  if (path !== scope.bucket && !path?.startsWith(scope.bucket + "/")) throw malformed(INVALID_RESOURCE);
  return compilePattern(resource, { wildcards: true, variables: scope.variables });
}

function parseConditions(value: Json, variables: boolean): Condition[] {
  if (!isObject(value)) throw malformed(SYNTAX);
  return Object.entries(value).flatMap(([name, block]) => {
    const operator = parseOperator(name);
    if (!operator) throw malformed(`Invalid Condition type : ${name}`);
    if (!isObject(block)) throw malformed(SYNTAX);
    return Object.entries(block).map(([key, raw]) => {
      if (!isConditionKey(key)) throw malformed("Policy has an invalid condition key");
      const values = (Array.isArray(raw) ? raw : [raw]).map((v) => {
        if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
        throw malformed(SYNTAX);
      });
      return compileCondition(operator, key, values, variables);
    });
  });
}

/** Explicit Deny wins over Allow; with neither, the policy has nothing to say. */
export function evaluatePolicy(policy: Policy, request: PolicyRequest): PolicyDecision {
  let decision: PolicyDecision = "NotApplicable";
  for (const statement of policy.statements) {
    if (!statementApplies(statement, request)) continue;
    if (statement.effect === "Deny") return "Deny";
    decision = "Allow";
  }
  return decision;
}

function statementApplies(s: PolicyStatement, { principal, action, resource, context }: PolicyRequest): boolean {
  return principalMatches(s.principals, principal) !== s.notPrincipal
    && s.actions.some((p) => p.matches(action, context)) !== s.notAction
    && s.resources.some((p) => p.matches(resource, context)) !== s.notResource
    && s.conditions.every((c) => c.holds(context));
}

/** Whether AWS would call the policy public (Block Public Access, GetBucketPolicyStatus). */
export function isPublicPolicy(policy: Policy): boolean {
  return policy.statements.some(isPublicStatement);
}

// "The Meaning of Public": an Allow for everyone is public unless a condition pins it to fixed values
// (no wildcard, no policy variable) of one of these keys. One public statement makes the policy public.
function isPublicStatement(s: PolicyStatement): boolean {
  if (s.effect !== "Allow") return false;
  // NotPrincipal grants everyone but the few it names, anonymous requests included.
  if (s.notPrincipal) return !s.principals.everyone;
  return s.principals.everyone && !s.conditions.some(isPinnedToFixedValues);
}

const PINNING_KEYS = new Set([
  "aws:sourceip", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner", "aws:sourceaccount", "aws:userid",
  "aws:principalorgid", "aws:principalaccount", "aws:principalarn", "s3:x-amz-server-side-encryption-aws-kms-key-id",
  "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
]);
/** Operators that hold only when the request's value is one of the listed ones. */
const PINNING_OPERATORS = new Set(["StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress"]);
// "can contain a wildcard for the access point name ... as long as the account ID is fixed".
const ACCESS_POINT_ARN = /^arn:aws[a-z-]*:s3:[a-z0-9-]+:\d{12}:accesspoint\/[^$]+$/;

function isPinnedToFixedValues({ operator, key, values }: Condition): boolean {
  // IfExists and ForAllValues hold for a request without the key, so they pin nothing.
  if (operator.ifExists || operator.qualifier === "ForAllValues" || !PINNING_OPERATORS.has(operator.base)) return false;
  return PINNING_KEYS.has(key) && values.length > 0 && values.every((value) => isFixedValue(key, value));
}

function isFixedValue(key: string, value: string): boolean {
  if (key === "s3:dataaccesspointarn" && ACCESS_POINT_ARN.test(value)) return true;
  if (/[*?]|\$\{/.test(value)) return false;
  if (key !== "aws:sourceip") return true;
  // "values broader than /8 for IPv4 and /32 for IPv6" are public (RFC 1918 blocks are all /8 or narrower).
  const network = parseNetwork(value);
  return network !== undefined && network.prefix >= (network.bits === 32 ? 8 : 32);
}

// ── Action and condition-key catalogues (Service Authorization Reference for Amazon S3) ─────────────

type ActionScope = "object" | "bucket" | "account";
const catalogue = (scope: ActionScope, names: string) => names.trim().split(/\s+/).map((n) => [n.toLowerCase(), scope] as const);
const S3_ACTIONS = new Map<string, ActionScope>([
  ...catalogue("object", `AbortMultipartUpload BypassGovernanceRetention DeleteObject DeleteObjectTagging DeleteObjectVersion
    DeleteObjectVersionTagging GetObject GetObjectAcl GetObjectAttributes GetObjectLegalHold GetObjectRetention GetObjectTagging
    GetObjectTorrent GetObjectVersion GetObjectVersionAcl GetObjectVersionAttributes GetObjectVersionForReplication
    GetObjectVersionTagging GetObjectVersionTorrent InitiateReplication ListMultipartUploadParts ObjectOwnerOverrideToBucketOwner
    PutObject PutObjectAcl PutObjectLegalHold PutObjectRetention PutObjectTagging PutObjectVersionAcl PutObjectVersionTagging
    ReplicateDelete ReplicateObject ReplicateTags RestoreObject`),
  ...catalogue("bucket", `CreateBucket DeleteBucket DeleteBucketOwnershipControls DeleteBucketPolicy DeleteBucketWebsite
    GetAccelerateConfiguration GetAnalyticsConfiguration GetBucketAcl GetBucketCORS GetBucketLocation GetBucketLogging
    GetBucketNotification GetBucketObjectLockConfiguration GetBucketOwnershipControls GetBucketPolicy GetBucketPolicyStatus
    GetBucketPublicAccessBlock GetBucketRequestPayment GetBucketTagging GetBucketVersioning GetBucketWebsite GetEncryptionConfiguration
    GetIntelligentTieringConfiguration GetInventoryConfiguration GetLifecycleConfiguration GetMetricsConfiguration
    GetReplicationConfiguration ListBucket ListBucketMultipartUploads ListBucketVersions PutAccelerateConfiguration
    PutAnalyticsConfiguration PutBucketAcl PutBucketCORS PutBucketLogging PutBucketNotification PutBucketObjectLockConfiguration
    PutBucketOwnershipControls PutBucketPolicy PutBucketPublicAccessBlock PutBucketRequestPayment PutBucketTagging
    PutBucketVersioning PutBucketWebsite PutEncryptionConfiguration PutIntelligentTieringConfiguration PutInventoryConfiguration
    PutLifecycleConfiguration PutMetricsConfiguration PutReplicationConfiguration CreateBucketMetadataTableConfiguration
    GetBucketMetadataTableConfiguration DeleteBucketMetadataTableConfiguration`),
  ...catalogue("account", `ListAllMyBuckets GetAccountPublicAccessBlock PutAccountPublicAccessBlock ListAccessPoints ListJobs CreateJob`),
]);

const NO_CONTEXT: PolicyContext = new Map();

// "Action does not apply to any resource(s) in statement": e.g. s3:ListBucket with only object ARNs.
// Actions outside the catalogue (wildcards matching nothing) are let through rather than guessed at.
function checkActionsApply(actions: readonly string[], resources: readonly string[]): void {
  const scopes = new Set<ActionScope>(resources.map((r) => (r.slice(S3_ARN_PREFIX.length).includes("/") ? "object" : "bucket")));
  for (const action of actions) {
    const pattern = compilePattern(action, { wildcards: true, variables: false, ignoreCase: true });
    const matched = [...S3_ACTIONS].filter(([name]) => pattern.matches(`s3:${name}`, NO_CONTEXT));
    if (matched.length > 0 && !matched.some(([, scope]) => scopes.has(scope))) throw malformed("Action does not apply to any resource(s) in statement");
  }
}

const CONDITION_KEYS = new Set(`aws:calledvia aws:calledviafirst aws:calledvialast aws:currenttime aws:epochtime
  aws:federatedprovider aws:multifactorauthage aws:multifactorauthpresent aws:principalaccount aws:principalarn
  aws:principalisawsservice aws:principalorgid aws:principalorgpaths aws:principalservicename aws:principalservicenameslist
  aws:principaltype aws:referer aws:requestedregion aws:resourceaccount aws:resourceorgid aws:resourceorgpaths
  aws:securetransport aws:sourceaccount aws:sourcearn aws:sourceidentity aws:sourceip aws:sourceorgid aws:sourceorgpaths
  aws:sourcevpc aws:sourcevpce aws:sourcevpcarn aws:tagkeys aws:tokenissuetime aws:useragent aws:userid aws:username
  aws:viaawsservice aws:vpcsourceip aws:ec2instancesourcevpc aws:ec2instancesourceprivateipv4
  s3:accessgrantsinstancearn s3:accesspointnetworkorigin s3:authtype s3:dataaccesspointaccount s3:dataaccesspointarn
  s3:delimiter s3:existingjoboperation s3:existingjobpriority s3:if-match s3:if-none-match
  s3:inventoryaccessibleoptionalfields s3:jobsuspendedcause s3:locationconstraint s3:max-keys s3:object-lock-legal-hold
  s3:object-lock-mode s3:object-lock-remaining-retention-days s3:object-lock-retain-until-date s3:objectcreationoperation
  s3:prefix s3:requestjoboperation s3:requestjobpriority s3:requestobjecttagkeys s3:resourceaccount s3:signatureage
  s3:signatureversion s3:tlsversion s3:versionid s3:x-amz-acl s3:x-amz-content-sha256 s3:x-amz-copy-source
  s3:x-amz-grant-full-control s3:x-amz-grant-read s3:x-amz-grant-read-acp s3:x-amz-grant-write s3:x-amz-grant-write-acp
  s3:x-amz-metadata-directive s3:x-amz-object-ownership s3:x-amz-server-side-encryption
  s3:x-amz-server-side-encryption-aws-kms-key-id s3:x-amz-server-side-encryption-customer-algorithm s3:x-amz-storage-class
  s3:x-amz-website-redirect-location`.split(/\s+/));
const TAGGED_KEY = /^(aws:(principaltag|requesttag|resourcetag)|s3:(existingobjecttag|requestobjecttag|buckettag))\/.+$/;

/** Condition key names are case-insensitive; unknown ones are "Policy has an invalid condition key". */
const isConditionKey = (key: string) => CONDITION_KEYS.has(key.toLowerCase()) || TAGGED_KEY.test(key.toLowerCase());
