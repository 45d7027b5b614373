// The local KMS key table (--kms-keys FILE, S3LITE_KMS_KEYS, the library's kmsKeys): which key IDs
// and aliases SSE-KMS requests may name. Pure parsing at start-up; the key material generated for
// keys that bring none lives in the data folder (see ops/_sse-kms.ts).
import { createHash } from "node:crypto";

export interface KmsKeySpec {
  /** The key ID an ARN ends with (arn:aws:kms:REGION:ACCOUNT:key/ID); a UUID derived from the first alias when not given. */
  id: string;
  /** `alias/NAME` names of the key. */
  aliases: string[];
  /** Base64 of 32 bytes; generated once and kept in the data folder when not given. */
  material?: string;
}

/** What AWS names the key S3 uses when a request asks for SSE-KMS without naming one. */
export const DEFAULT_KMS_ALIAS = "alias/aws/s3";

export class KmsKeysError extends Error {}

/** KMS's key IDs: a UUID, or mrk- and 32 hex digits for a multi-Region key. */
const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const FIELDS = new Set(["id", "alias", "aliases", "material"]);
const ALIAS = /^alias\/[A-Za-z0-9/_-]{1,250}$/;

/** A UUID-shaped ID, stable per alias, for keys the file names only by alias. */
export function keyIdForAlias(alias: string): string {
  const hex = createHash("sha256").update(`s3lite kms key ${alias}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A KMS keys file: JSON, an array (or `{ "keys": [...] }`) whose entries are a key ID, an `alias/NAME`,
 * or `{ "id"?, "alias"? | "aliases"?, "material"? }`. `where` names the file in errors.
 */
export function parseKmsKeys(text: string, where: string): KmsKeySpec[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new KmsKeysError(`KMS keys file ${where} is not JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new KmsKeysError(`KMS keys file ${where}: expected an array of keys or { "keys": [...] }`);
  return parseKmsKeyList(list, `KMS keys file ${where}`);
}

/** Keys as the file lists them (or the library's kmsKeys option gives them); `where` names them in errors. */
export function parseKmsKeyList(list: readonly unknown[], where: string): KmsKeySpec[] {
  return checkKmsKeys(list.map((entry, i) => kmsKeyEntry(entry, `${where}, key ${i + 1}`)));
}

function kmsKeyEntry(entry: unknown, where: string): KmsKeySpec {
  if (typeof entry === "string") return entry.startsWith("alias/") ? kmsKeyEntry({ alias: entry }, where) : kmsKeyEntry({ id: entry }, where);
  const e = entry as Record<string, unknown> | null;
  if (typeof e !== "object" || e === null || Array.isArray(e)) throw new KmsKeysError(`${where}: expected a key ID, "alias/NAME" or { "id", "aliases", "material" }`);
  const unknown = Object.keys(e).find((name) => !FIELDS.has(name));
  if (unknown !== undefined) throw new KmsKeysError(`${where}: unknown field "${unknown}" (a key has "id", "aliases" and "material")`);
  const aliases = [e.alias ?? [], e.aliases ?? []].flat();
  for (const alias of aliases) {
    if (typeof alias !== "string" || !ALIAS.test(alias)) throw new KmsKeysError(`${where}: an alias is "alias/" then letters, digits, /, _ and - (got ${JSON.stringify(alias)})`);
    if (alias.startsWith("alias/aws/")) throw new KmsKeysError(`${where}: ${alias}: aliases beginning alias/aws/ are reserved for AWS managed keys`);
  }
  if (e.id !== undefined && (typeof e.id !== "string" || !KEY_ID.test(e.id))) throw new KmsKeysError(`${where}: "id" must be a key ID as KMS makes them, a lower-case UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab (or mrk- and 32 hex digits); name keys with aliases`);
  if (e.id === undefined && aliases.length === 0) throw new KmsKeysError(`${where}: give an "id", an "alias", or both`);
  if (e.material !== undefined && (typeof e.material !== "string" || Buffer.from(e.material, "base64").length !== 32)) {
    throw new KmsKeysError(`${where}: "material" must be the base64 of 32 bytes (openssl rand -base64 32)`);
  }
  return { id: (e.id as string | undefined) ?? keyIdForAlias(aliases[0] as string), aliases: aliases as string[], ...(e.material ? { material: e.material as string } : {}) };
}

/** Every key ID and alias once across the table. */
function checkKmsKeys(keys: KmsKeySpec[]): KmsKeySpec[] {
  const seen = new Set<string>();
  for (const name of keys.flatMap((k) => [k.id, ...k.aliases])) {
    if (seen.has(name)) throw new KmsKeysError(`KMS keys: ${name} is named twice`);
    seen.add(name);
  }
  return keys;
}
