// Access control lists as S3 has them: canned ACLs, x-amz-grant-* headers and AccessControlPolicy XML
// turned into grants (emails resolved to the canonical users they name), grants rendered back, and
// what a grant permits. Pure: identities come in as a lookup.
import { S3Error } from "../errors.ts";
import type { Grant, Grantee, Permission } from "../store/meta-rows.ts";
import { escapeXml, parseXml, S3_XMLNS, type XmlObject } from "../xml.ts";
import type { Identities, Principal } from "./identities.ts";

export const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
export const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
export const LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery";
const GROUPS = new Set([ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY]);
/** The canonical user aws-exec-read grants READ: Amazon EC2, which reads AMI bundles. */
const EC2_CANONICAL_ID = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c";
const PERMISSIONS = new Set<Permission>(["FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"]);

export const CANNED_ACLS = ["private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write"] as const;
export type CannedAcl = (typeof CANNED_ACLS)[number];

const user = (id: string): Grantee => ({ type: "CanonicalUser", id });
const group = (uri: string): Grantee => ({ type: "Group", uri });
const grant = (grantee: Grantee, permission: Permission): Grant => ({ grantee, permission });

/** Who a canned ACL is relative to: the resource's owner, and for objects the bucket's owner. */
export interface AclOwners { owner: string; bucketOwner: string }

/** A canned ACL's grants, as S3 expands it. The bucket-owner-* ACLs mean nothing on a bucket: there they are private. */
export function cannedGrants(name: CannedAcl, { owner, bucketOwner }: AclOwners, target: "bucket" | "object"): Grant[] {
  const full = grant(user(owner), "FULL_CONTROL");
  switch (name) {
    case "private": return [full];
    case "public-read": return [full, grant(group(ALL_USERS), "READ")];
    case "public-read-write": return [full, grant(group(ALL_USERS), "READ"), grant(group(ALL_USERS), "WRITE")];
    case "authenticated-read": return [full, grant(group(AUTHENTICATED_USERS), "READ")];
    case "aws-exec-read": return [full, grant(user(EC2_CANONICAL_ID), "READ")];
    case "log-delivery-write": return [full, grant(group(LOG_DELIVERY), "WRITE"), grant(group(LOG_DELIVERY), "READ_ACP")];
    case "bucket-owner-read":
      return target === "object" && bucketOwner !== owner ? [full, grant(user(bucketOwner), "READ")] : [full];
    case "bucket-owner-full-control":
      return target === "object" && bucketOwner !== owner ? [full, grant(user(bucketOwner), "FULL_CONTROL")] : [full];
  }
}

const GRANT_HEADERS: readonly [string, Permission][] = [
  ["x-amz-grant-full-control", "FULL_CONTROL"], ["x-amz-grant-read", "READ"], ["x-amz-grant-write", "WRITE"],
  ["x-amz-grant-read-acp", "READ_ACP"], ["x-amz-grant-write-acp", "WRITE_ACP"],
];

/** What a request asks of an ACL: a canned one, explicit grants, or nothing. */
export type AclRequest = { canned: CannedAcl } | { grants: Grant[] } | undefined;

/**
 * The ACL a request's headers (x-amz-acl, x-amz-grant-*) ask for. Both kinds at once is InvalidRequest,
 * as on S3. Grants name canonical IDs, emails of known users, or group URIs.
 */
export function aclFromHeaders(headers: Headers, identities: Identities): AclRequest {
  const canned = headers.get("x-amz-acl");
  const grants: Grant[] = [];
  for (const [name, permission] of GRANT_HEADERS) {
    const value = headers.get(name);
    if (value !== null) for (const grantee of parseGranteeList(value, name, identities)) grants.push(grant(grantee, permission));
  }
  const sentGrants = GRANT_HEADERS.some(([name]) => headers.has(name));
  if (canned !== null && sentGrants) throw new S3Error("InvalidRequest", { message: "Specifying both Canned ACLs and Header Grants is not allowed" });
  if (canned !== null) {
    const value = canned.trim() as CannedAcl;
    if (!CANNED_ACLS.includes(value)) throw new S3Error("InvalidArgument", { message: undefined, ArgumentName: "x-amz-acl", ArgumentValue: canned });
    return { canned: value };
  }
  return sentGrants ? { grants } : undefined;
}

/** `id="…", uri="…", emailAddress="…"`: a header's grantees. */
function parseGranteeList(value: string, header: string, identities: Identities): Grantee[] {
  const grantees: Grantee[] = [];
  const pattern = /\s*(id|uri|emailAddress)\s*=\s*"([^"]*)"\s*(,|$)/iy;
  let at = 0;
  while (at < value.length) {
    pattern.lastIndex = at;
    const m = pattern.exec(value);
    if (!m || m[0] === "") throw new S3Error("InvalidArgument", { message: "Invalid grant header format", ArgumentName: header, ArgumentValue: value });
    grantees.push(resolveGrantee(m[1]!.toLowerCase(), m[2]!, identities));
    at = pattern.lastIndex;
  }
  if (grantees.length === 0) throw new S3Error("InvalidArgument", { message: "Invalid grant header format", ArgumentName: header, ArgumentValue: value });
  return grantees;
}

function resolveGrantee(kind: string, value: string, identities: Identities): Grantee {
  if (kind === "uri") {
    if (!GROUPS.has(value)) throw new S3Error("InvalidArgument", { message: "Invalid group uri", ArgumentName: "uri", ArgumentValue: value });
    return group(value);
  }
  if (kind === "id") {
    if (value !== EC2_CANONICAL_ID && !identities.byCanonicalId(value)) throw new S3Error("InvalidArgument", { message: "Invalid id", ArgumentName: "CanonicalUser/ID", ArgumentValue: value });
    return user(value);
  }
  const found = identities.byEmail(value);
  if (!found) throw new S3Error("UnresolvableGrantByEmailAddress", { EmailAddress: value });
  return user(found.canonicalId);
}

/** The grants an ACL request stands for, relative to its owners; undefined asks for none (the default). */
export function resolveAcl(request: AclRequest, owners: AclOwners, target: "bucket" | "object"): Grant[] | undefined {
  if (request === undefined) return undefined;
  return "canned" in request ? cannedGrants(request.canned, owners, target) : request.grants;
}

/**
 * An AccessControlPolicy document (PutBucketAcl, PutObjectAcl): its grants, and the owner it names.
 * Anything that does not validate is MalformedACLError, as on S3.
 */
export function parseAccessControlPolicy(xml: string, identities: Identities): { owner?: string; grants: Grant[] } {
  const malformed = () => new S3Error("MalformedACLError");
  let doc: XmlObject;
  try {
    doc = parseXml(xml) as XmlObject;
  } catch {
    throw malformed();
  }
  const policy = doc.AccessControlPolicy as XmlObject | undefined;
  if (!policy || typeof policy !== "object") throw malformed();
  const ownerId = typeof policy.Owner === "object" ? (policy.Owner as XmlObject).ID : undefined;
  if (ownerId !== undefined && typeof ownerId !== "string") throw malformed();
  const list = policy.AccessControlList;
  const entries = list === undefined || list === "" ? [] : typeof list === "object" && !Array.isArray(list) ? [(list as XmlObject).Grant ?? []].flat() : null;
  if (entries === null) throw malformed();
  const grants = entries.map((entry) => {
    if (typeof entry !== "object" || entry === null) throw malformed();
    const { Grantee: g, Permission: p } = entry as XmlObject;
    if (typeof g !== "object" || g === null || typeof p !== "string" || !PERMISSIONS.has(p as Permission)) throw malformed();
    return grant(granteeFromXml(g as XmlObject, identities), p as Permission);
  });
  return { owner: ownerId?.trim(), grants };
}

/** A grantee element: xsi:type is an attribute our parser drops, so the child element says which kind it is. */
function granteeFromXml(g: XmlObject, identities: Identities): Grantee {
  const text = (name: string) => (typeof g[name] === "string" ? (g[name] as string).trim() : undefined);
  const id = text("ID");
  const uri = text("URI");
  const email = text("EmailAddress");
  if ([id, uri, email].filter((v) => v !== undefined).length !== 1) throw new S3Error("MalformedACLError");
  if (id !== undefined) return resolveGrantee("id", id, identities);
  if (uri !== undefined) return resolveGrantee("uri", uri, identities);
  return resolveGrantee("emailaddress", email!, identities);
}

/** GetBucketAcl / GetObjectAcl: the owner and grants as S3 writes them, display names included. */
export function renderAccessControlPolicy(owner: string, grants: readonly Grant[], identities: Identities): string {
  const person = (id: string) => {
    const name = id === EC2_CANONICAL_ID ? "za-team" : identities.byCanonicalId(id)?.name;
    return `<ID>${escapeXml(id)}</ID>${name ? `<DisplayName>${escapeXml(name)}</DisplayName>` : ""}`;
  };
  const xsi = `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`;
  const grantee = (g: Grantee) => (g.type === "Group"
    ? `<Grantee ${xsi} xsi:type="Group"><URI>${escapeXml(g.uri)}</URI></Grantee>`
    : `<Grantee ${xsi} xsi:type="CanonicalUser">${person(g.id)}</Grantee>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="${S3_XMLNS}"><Owner>${person(owner)}</Owner><AccessControlList>`
    + grants.map((g) => `<Grant>${grantee(g.grantee)}<Permission>${g.permission}</Permission></Grant>`).join("")
    + "</AccessControlList></AccessControlPolicy>";
}

/** The default ACL: the owner's FULL_CONTROL alone. */
export const ownerGrants = (owner: string): Grant[] => [grant(user(owner), "FULL_CONTROL")];

/** Grants to everyone or to every signed-in user: what Block Public Access refuses or ignores. */
export const isPublicGrant = (g: Grant) => g.grantee.type === "Group" && (g.grantee.uri === ALL_USERS || g.grantee.uri === AUTHENTICATED_USERS);

/** Whether an ACL is the one ACLs-disabled buckets still take: FULL_CONTROL for the bucket owner, nothing else. */
export const onlyOwnerFullControl = (grants: readonly Grant[], bucketOwner: string) =>
  grants.every((g) => g.grantee.type === "CanonicalUser" && g.grantee.id === bucketOwner && g.permission === "FULL_CONTROL");

/** Whether the grants give the principal this permission (FULL_CONTROL gives all). */
export function grantsPermit(grants: readonly Grant[], principal: Principal, permission: Permission, ignorePublic: boolean): boolean {
  return grants.some((g) => {
    if (g.permission !== permission && g.permission !== "FULL_CONTROL") return false;
    if (g.grantee.type === "CanonicalUser") return principal.kind === "user" && principal.canonicalId === g.grantee.id;
    if (ignorePublic && isPublicGrant(g)) return false;
    return g.grantee.uri === ALL_USERS || (g.grantee.uri === AUTHENTICATED_USERS && principal.kind === "user");
  });
}
