// Who a request comes from: each access key belongs to a user (canonical ID, account ID, ARN, display
// name, optional email); requests without credentials come from the anonymous principal. Built once
// from the config; lookups by key, canonical ID and email.
import { createHash } from "node:crypto";
import type { UserSpec } from "../config.ts";

export interface User {
  kind: "user";
  name: string;
  canonicalId: string;
  accountId: string;
  /** arn:aws:iam::<account>:user/<name>, as policies name IAM users. */
  arn: string;
  email?: string;
}

export interface Anonymous {
  kind: "anonymous";
}

export type Principal = User | Anonymous;

export const ANONYMOUS: Anonymous = { kind: "anonymous" };

export interface Identities {
  /** The first configured user: owner of buckets made at start and of rows written before owners were kept. */
  readonly primary: User;
  readonly users: readonly User[];
  byAccessKey(accessKeyId: string): User | undefined;
  byCanonicalId(id: string): User | undefined;
  byEmail(email: string): User | undefined;
  /** A policy principal's account: the 12-digit ID, or an ARN of that account (root or user). */
  byAccountId(accountId: string): User | undefined;
  /** Secret keys by access key id, for signature checks. */
  readonly secrets: ReadonlyMap<string, string>;
}

const digest = (text: string) => createHash("sha256").update(text).digest("hex");

/** Stable per name, so a data folder keeps its owners across restarts without a users file. */
export const canonicalIdFor = (name: string) => digest(`s3lite canonical user ${name}`);
export const accountIdFor = (name: string) => (BigInt(`0x${digest(`s3lite account ${name}`).slice(0, 15)}`) % 10n ** 12n).toString().padStart(12, "0");

export function buildIdentities(specs: readonly UserSpec[]): Identities {
  const users = specs.map((s): User => {
    const accountId = s.accountId ?? accountIdFor(s.name);
    return { kind: "user", name: s.name, canonicalId: s.canonicalId ?? canonicalIdFor(s.name), accountId, arn: `arn:aws:iam::${accountId}:user/${s.name}`, email: s.email };
  });
  const byKey = new Map<string, User>();
  const secrets = new Map<string, string>();
  specs.forEach((s, i) => {
    for (const k of s.keys) {
      byKey.set(k.accessKeyId, users[i]!);
      secrets.set(k.accessKeyId, k.secretAccessKey);
    }
  });
  const byId = new Map(users.map((u) => [u.canonicalId, u]));
  const byEmail = new Map(users.flatMap((u) => (u.email ? [[u.email.toLowerCase(), u] as const] : [])));
  const byAccount = new Map(users.map((u) => [u.accountId, u]));
  return {
    primary: users[0]!,
    users,
    byAccessKey: (k) => byKey.get(k),
    byCanonicalId: (id) => byId.get(id),
    byEmail: (email) => byEmail.get(email.toLowerCase()),
    byAccountId: (id) => byAccount.get(id),
    secrets,
  };
}
