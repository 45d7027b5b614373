// Owner elements as listings and ACLs show them: the canonical ID and, where S3 still shows one, the display name.
import type { Identities } from "../access/identities.ts";

/** An owner's ID and display name (its user name here); rows from before owners were kept are the first user's. */
export function ownerElement(canonicalId: string, identities: Identities): { ID: string; DisplayName?: string } {
  const id = canonicalId || identities.primary.canonicalId;
  return { ID: id, DisplayName: identities.byCanonicalId(id)?.name };
}
