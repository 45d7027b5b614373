// resolveConfig(): flags > S3LITE_* environment > defaults, turned once into a Config. Pure.
// Nothing else in core reads process.env.
import { readFileSync } from "node:fs";
import { isValidBucketName } from "./bucket-names.ts";
import { KmsKeysError, parseKmsKeyList, parseKmsKeys, type KmsKeySpec } from "./kms-keys.ts";

export const DEFAULT_CREDENTIALS = { accessKeyId: "s3lite", secretAccessKey: "s3lite-secret" } as const;
export const DEFAULT_PORT = 9000;
export const DEFAULT_DATA_DIR = "./s3lite-data";
export const DEFAULT_REGION = "us-east-1";
/** S3's limit for one PUT. */
export const MAX_OBJECT_SIZE = 5 * 1024 ** 3;
/** Bun's maximum: slow clients may pause this long between packets. */
export const IDLE_TIMEOUT_SECONDS = 255;
/** What a memory store may hold of object bodies, unless told otherwise. */
export const DEFAULT_MEMORY_LIMIT = "512MiB";
/** gc and fsck: what is younger than this is left alone; uploads older than the other are abandoned. */
export const DEFAULT_GRACE = "15m";
export const DEFAULT_UPLOAD_AGE = "7d";
/** How often the server applies lifecycle rules: AWS runs its sweep about once a day; an hour keeps tests of days-old rules short. */
export const DEFAULT_LIFECYCLE_INTERVAL = "1h";

export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A user of this server: who owns buckets and objects, and whom ACLs and policies name. */
export interface UserSpec {
  name: string;
  keys: Credential[];
  /** 64 hex digits; derived from the name unless given. */
  canonicalId?: string;
  /** 12 digits, what x-amz-expected-bucket-owner and policy ARNs name; derived from the name unless given. */
  accountId?: string;
  /** For ACL grants by email address. */
  email?: string;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  region: string;
  credentials: Credential[];
  /** Every user, each with its keys (credentials lists the same keys, the first user's first). */
  users: UserSpec[];
  /** True when the built-in development pair is in use (the only secret ever printed). */
  usesDefaultCredentials: boolean;
  maxObjectSize: number;
  idleTimeoutSeconds: number;
  /** Serve from a new temp folder, removed when the server stops (dataDir is then ignored). */
  ephemeral: boolean;
  /** Buckets created at start if missing. */
  buckets: string[];
  logFormat: "text" | "json";
  /** Base domains for virtual-hosted style: `bucket.<domain>` names the bucket. Always has "localhost". */
  domains: string[];
  /** Without a bucket CORS configuration, answer every origin (the development default). */
  permissiveCors: boolean;
  /** Flush blobs, their folders and each metadata commit to the disk: writes survive a power cut, not only a crash. */
  fsync: boolean;
  /** Keep metadata and blobs in the process and write nothing to the file system (dataDir and ephemeral are then ignored). */
  memory: boolean;
  /** With `memory`: the bytes of object bodies it may hold at once. */
  memoryLimit: number;
  /**
   * New buckets as AWS made them before April 2023 (and Ceph and MinIO still do): ObjectWriter
   * ownership, ACLs enabled, no public access block. Off: BucketOwnerEnforced and public access blocked.
   */
  legacyBucketDefaults: boolean;
  /** How long a RestoreObject of an archived object takes; 0 completes it at once. */
  restoreDelayMs: number;
  /** How often buckets' lifecycle rules are applied (also once at start); 0 never applies them. */
  lifecycleIntervalMs: number;
  /** Serve the web console at /_s3lite/console/ and redirect browsers opening / there. */
  console: boolean;
  /** The local KMS keys SSE-KMS requests may name (the AWS managed alias/aws/s3 key always exists besides). */
  kmsKeys: KmsKeySpec[];
}

export interface ConfigFlags {
  host?: string;
  port?: string | number;
  data?: string;
  credentials?: string;
  region?: string;
  ephemeral?: boolean;
  bucket?: string | string[];
  "log-format"?: string;
  domain?: string | string[];
  cors?: boolean;
  fsync?: boolean;
  "allow-default-credentials"?: boolean;
  memory?: boolean;
  "memory-limit"?: string;
  users?: string;
  /** Users given in code (the library's startServer): instead of parsing --credentials. */
  userList?: UserSpec[];
  "legacy-bucket-defaults"?: boolean;
  "restore-delay"?: string;
  "lifecycle-interval"?: string;
  console?: boolean;
  "kms-keys"?: string;
  /** KMS keys given in code (the library's startServer), as a keys file lists them: instead of reading --kms-keys. */
  kmsKeyList?: readonly unknown[];
}

/** What resolveConfig reads beyond flags and environment: the users file. */
export interface ConfigIo {
  readText(path: string): string;
}

export class ConfigError extends Error {}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "15m", "2h", "7d", "250ms" or a bare number of seconds → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new ConfigError(`Invalid duration "${text}": expected a number with ms, s, m, h or d, e.g. 15m`);
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2] ?? "s"]!);
}

const SIZE_UNITS: Record<string, number> = {
  b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tib: 1024 ** 4,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
};

/** "64MiB", "2GiB", "1.5G" (K, M, G, T: powers of 1024, as KiB…), "500MB" (powers of 1000) or a bare number of bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = SIZE_UNITS[(m?.[2] || "b").toLowerCase()];
  const bytes = m && unit ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!(bytes > 0)) throw new ConfigError(`Invalid size "${text}": expected a number with B, KiB, MiB, GiB, TiB (or KB, MB, GB, TB), e.g. 512MiB`);
  return bytes;
}

/** A flag when given, else the environment variable, else undefined. */
function pick(flag: string | number | undefined, env: Record<string, string | undefined>, name: string): string | undefined {
  return flag !== undefined && flag !== "" ? String(flag) : env[name] || undefined;
}

/** Parses `AK:SK[:name][,AK:SK[:name]…]` into users (a user's name defaults to its key), in order. */
export function parseCredentials(text: string): UserSpec[] {
  const users: UserSpec[] = [];
  for (const entry of text.split(",").map((pair) => pair.trim()).filter(Boolean)) {
    const [accessKeyId, secretAccessKey, name, ...rest] = entry.split(":");
    if (!accessKeyId || !secretAccessKey || rest.length > 0 || name === "") {
      throw new ConfigError(`Invalid credentials "${accessKeyId ?? ""}:…": expected ACCESS_KEY:SECRET_KEY or ACCESS_KEY:SECRET_KEY:USER_NAME (a secret with a colon goes in a --users file)`);
    }
    addKey(users, name ?? accessKeyId, { accessKeyId, secretAccessKey });
  }
  return users;
}

function addKey(users: UserSpec[], name: string, key: Credential): void {
  const user = users.find((u) => u.name === name);
  if (user) user.keys.push(key);
  else users.push({ name, keys: [key] });
}

/**
 * A users file: JSON, an array of users (or `{ "users": [...] }`), each
 * `{ "name", "keys": [{ "accessKeyId", "secretAccessKey" }] or ["AK:SK"], "canonicalId"?, "accountId"?, "email"? }`.
 */
export function parseUsersFile(text: string, path: string): UserSpec[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Users file ${path} is not JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { users?: unknown } | null)?.users;
  if (!Array.isArray(list)) throw new ConfigError(`Users file ${path}: expected an array of users or { "users": [...] }`);
  return list.map((entry, i): UserSpec => {
    const where = `Users file ${path}, user ${i + 1}`;
    const u = entry as Record<string, unknown>;
    if (typeof u?.name !== "string" || !/^[\w+=,.@-]{1,64}$/.test(u.name)) throw new ConfigError(`${where}: "name" must be 1 to 64 of letters, digits and _+=,.@-`);
    if (!Array.isArray(u.keys) || u.keys.length === 0) throw new ConfigError(`${where} (${u.name}): "keys" must list at least one key`);
    const keys = u.keys.map((k): Credential => {
      if (typeof k === "string") {
        const colon = k.indexOf(":");
        if (colon > 0 && colon < k.length - 1) return { accessKeyId: k.slice(0, colon), secretAccessKey: k.slice(colon + 1) };
      } else if (typeof k?.accessKeyId === "string" && typeof k?.secretAccessKey === "string" && k.accessKeyId && k.secretAccessKey) {
        return { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey };
      }
      throw new ConfigError(`${where} (${u.name}): each key is "AK:SK" or { "accessKeyId", "secretAccessKey" }`);
    });
    if (u.canonicalId !== undefined && (typeof u.canonicalId !== "string" || !/^[0-9a-f]{64}$/.test(u.canonicalId))) throw new ConfigError(`${where} (${u.name}): "canonicalId" must be 64 lower-case hex digits`);
    if (u.accountId !== undefined && (typeof u.accountId !== "string" || !/^\d{12}$/.test(u.accountId))) throw new ConfigError(`${where} (${u.name}): "accountId" must be 12 digits`);
    if (u.email !== undefined && (typeof u.email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(u.email))) throw new ConfigError(`${where} (${u.name}): "email" must be an email address`);
    return { name: u.name, keys, canonicalId: u.canonicalId as string | undefined, accountId: u.accountId as string | undefined, email: u.email as string | undefined };
  });
}

/** --credentials users, then the users file's (a name in both is one user with both's keys); every key once. */
function mergeUsers(fromFlags: UserSpec[], fromFile: UserSpec[]): UserSpec[] {
  const users = fromFlags.map((u) => ({ ...u, keys: [...u.keys] }));
  for (const u of fromFile) {
    const same = users.find((x) => x.name === u.name);
    if (same) Object.assign(same, { ...u, keys: [...same.keys, ...u.keys] });
    else users.push(u);
  }
  const seen = new Map<string, string>();
  for (const u of users) {
    for (const k of u.keys) {
      const other = seen.get(k.accessKeyId);
      if (other !== undefined) throw new ConfigError(`Access key ${k.accessKeyId} is given to ${other === u.name ? `${u.name} twice` : `both ${other} and ${u.name}`}`);
      seen.set(k.accessKeyId, u.name);
    }
  }
  for (const field of ["canonicalId", "accountId", "email"] as const) {
    const values = users.map((u) => u[field]).filter((v) => v !== undefined);
    if (new Set(values).size !== values.length) throw new ConfigError(`Two users have the same ${field}`);
  }
  return users;
}

const defaultIo: ConfigIo = { readText: (path) => readFileSync(path, "utf8") };

export function resolveConfig(flags: ConfigFlags, env: Record<string, string | undefined>, io: ConfigIo = defaultIo): Config {
  const portText = pick(flags.port, env, "S3LITE_PORT") ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new ConfigError(`Invalid port "${portText}": expected 0..65535`);
  const credentialsText = flags.userList ? "" : pick(flags.credentials, env, "S3LITE_CREDENTIALS");
  const usersPath = pick(flags.users, env, "S3LITE_USERS");
  let usersText: string | undefined;
  if (usersPath) {
    try {
      usersText = io.readText(usersPath);
    } catch (error) {
      throw new ConfigError(`Cannot read the users file ${usersPath}: ${(error as Error).message}`);
    }
  }
  const fromFile = usersText === undefined ? [] : parseUsersFile(usersText, usersPath!);
  // A copy of the default pair: clients such as the SDK tag the object they are given.
  const fromFlags = flags.userList ?? (credentialsText ? parseCredentials(credentialsText) : fromFile.length ? [] : [{ name: DEFAULT_CREDENTIALS.accessKeyId, keys: [{ ...DEFAULT_CREDENTIALS }] }]);
  const users = mergeUsers(fromFlags, fromFile);
  const credentials = users.flatMap((u) => u.keys);
  if (credentials.length === 0) throw new ConfigError("No credentials given");
  const buckets = [flags.bucket ?? env.S3LITE_BUCKETS?.split(",") ?? []].flat().map((b) => b.trim()).filter(Boolean);
  for (const bucket of buckets) if (!isValidBucketName(bucket)) throw new ConfigError(`Invalid bucket name "${bucket}"`);
  const logFormat = pick(flags["log-format"], env, "S3LITE_LOG_FORMAT") ?? "text";
  if (logFormat !== "text" && logFormat !== "json") throw new ConfigError(`Invalid log format "${logFormat}": expected text or json`);
  const domains = [flags.domain ?? env.S3LITE_DOMAIN?.split(",") ?? []].flat().map((d) => d.trim().toLowerCase().replace(/^\.|\.$/g, "")).filter(Boolean);
  for (const domain of domains) if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(domain)) throw new ConfigError(`Invalid domain "${domain}": expected a host name such as s3.test`);
  const host = pick(flags.host, env, "S3LITE_HOST") ?? "127.0.0.1";
  const allowDefault = flags["allow-default-credentials"] ?? env.S3LITE_ALLOW_DEFAULT_CREDENTIALS === "1";
  if (credentialsText === undefined && !usersPath && !isLoopback(host) && !allowDefault) {
    throw new ConfigError(`Refusing to listen on ${host} with the built-in credentials, which everyone knows: anyone who reaches this address could read and write. `
      + "Set your own with --credentials AK:SK (S3LITE_CREDENTIALS), bind to 127.0.0.1, or pass --allow-default-credentials if this network is yours alone.");
  }
  const kmsKeys = resolveKmsKeys(flags, env, io);
  const memory = flags.memory ?? env.S3LITE_MEMORY === "1";
  const memoryLimit = parseSize(pick(flags["memory-limit"], env, "S3LITE_MEMORY_LIMIT") ?? DEFAULT_MEMORY_LIMIT);
  checkStoreFlags(flags, memory);
  return {
    host,
    port,
    dataDir: resolveDataDir(flags, env),
    region: pick(flags.region, env, "S3LITE_REGION") ?? DEFAULT_REGION,
    credentials,
    users,
    usesDefaultCredentials: credentialsText === undefined && usersPath === undefined,
    maxObjectSize: MAX_OBJECT_SIZE,
    idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS,
    ephemeral: !memory && (flags.ephemeral ?? env.S3LITE_EPHEMERAL === "1"),
    buckets: [...new Set(buckets)],
    logFormat,
    domains: [...new Set(["localhost", ...domains])],
    permissiveCors: flags.cors ?? env.S3LITE_CORS !== "0",
    fsync: flags.fsync ?? env.S3LITE_FSYNC === "1",
    memory,
    memoryLimit,
    legacyBucketDefaults: flags["legacy-bucket-defaults"] ?? env.S3LITE_LEGACY_BUCKET_DEFAULTS === "1",
    restoreDelayMs: parseDuration(pick(flags["restore-delay"], env, "S3LITE_RESTORE_DELAY") ?? "0"),
    lifecycleIntervalMs: parseDuration(pick(flags["lifecycle-interval"], env, "S3LITE_LIFECYCLE_INTERVAL") ?? DEFAULT_LIFECYCLE_INTERVAL),
    console: flags.console ?? env.S3LITE_CONSOLE !== "0",
    kmsKeys,
  };
}

/** The KMS key table: the library's list, else the --kms-keys (S3LITE_KMS_KEYS) file, else none. */
function resolveKmsKeys(flags: ConfigFlags, env: Record<string, string | undefined>, io: ConfigIo): KmsKeySpec[] {
  const path = pick(flags["kms-keys"], env, "S3LITE_KMS_KEYS");
  try {
    if (flags.kmsKeyList) return parseKmsKeyList(flags.kmsKeyList, "kmsKeys");
    if (!path) return [];
    let text: string;
    try {
      text = io.readText(path);
    } catch (error) {
      throw new ConfigError(`Cannot read the KMS keys file ${path}: ${(error as Error).message}`);
    }
    return parseKmsKeys(text, path);
  } catch (error) {
    throw error instanceof KmsKeysError ? new ConfigError(error.message) : error;
  }
}

/** Flags given together that ask for two different stores. */
function checkStoreFlags(flags: ConfigFlags, memory: boolean): void {
  if (memory) {
    const disk = (["data", "ephemeral", "fsync"] as const).filter((name) => flags[name]);
    if (disk.length) {
      throw new ConfigError(`--memory keeps everything in the process; --${disk.join(" and --")} ${disk.length > 1 ? "are" : "is"} about a data folder and cannot go with it.`);
    }
  } else if (flags["memory-limit"]) {
    throw new ConfigError("--memory-limit applies to a memory store: add --memory.");
  }
}

const resolveDataDir = (flags: { data?: string }, env: Record<string, string | undefined>) => pick(flags.data, env, "S3LITE_DATA") ?? DEFAULT_DATA_DIR;

export interface MaintenanceFlags {
  data?: string;
  grace?: string;
  "upload-age"?: string;
}

/** What gc and fsck work on: a data folder, and the ages that decide what is left alone. */
export interface MaintenanceConfig {
  dataDir: string;
  /** Anything modified within this many ms is left alone (a running server may be writing it). */
  graceMs: number;
  /** Multipart uploads started longer ago than this many ms count as abandoned. */
  uploadMaxAgeMs: number;
}

export function resolveMaintenanceConfig(flags: MaintenanceFlags, env: Record<string, string | undefined>): MaintenanceConfig {
  return {
    dataDir: resolveDataDir(flags, env),
    graceMs: parseDuration(flags.grace || DEFAULT_GRACE),
    uploadMaxAgeMs: parseDuration(flags["upload-age"] || DEFAULT_UPLOAD_AGE),
  };
}

/** Addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}
