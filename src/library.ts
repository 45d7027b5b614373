// What the library's startServer() takes and gives, and how its options become a Config: shared by the
// in-process server (index.ts, under Bun) and the child process (node/, under Node). It names no Bun or
// Node type, so the published .d.ts files need neither @types/bun nor @types/node; index.ts checks that
// these types still describe the server core/ makes.
import { resolveConfig, type Config, type Credential, type UserSpec } from "./core/config.ts";
import type { KmsKeySpec } from "./core/kms-keys.ts";
import { ioError as makeIoError } from "./core/store/faults.ts";

export { resolveConfig, type Config, type Credential, type KmsKeySpec, type UserSpec };

export interface StartOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** A data folder to keep; by default a temp folder is used and removed by stop(). */
  dataDir?: string;
  /** Keep everything in the process and write no file or folder at all; dataDir and fsync do not apply. */
  memory?: boolean;
  /** With `memory`: bytes of object bodies it may hold, as a number or a size such as "64MiB"; "512MiB" by default. */
  memoryLimit?: number | string;
  /**
   * The key pair (or pairs) to accept; defaults to s3lite / s3lite-secret. Each pair is a user of its
   * own (named by its key) unless it names its `user`: pairs of one user share its buckets.
   */
  credentials?: KeyPair | KeyPair[];
  /** More users, each with its keys and optionally its canonical ID, account ID and email (what --users reads). */
  users?: UserSpec[];
  /** New buckets as on AWS before April 2023 (and on MinIO, Ceph): ACLs enabled, public access not blocked. */
  legacyBucketDefaults?: boolean;
  /** Local KMS keys SSE-KMS requests may name (what --kms-keys reads); alias/aws/s3 exists besides. */
  kmsKeys?: { id?: string; aliases?: string[]; material?: string }[];
  /** How long RestoreObject of an archived object takes, in ms or as "30s"; 0 (at once) by default. */
  restoreDelay?: number | string;
  /** How often lifecycle rules are applied (also once at start), in ms or as "1h" (the default); 0 only when runLifecycle() asks. */
  lifecycleInterval?: number | string;
  region?: string;
  /** Buckets to create at start. */
  buckets?: string[];
  /** Base domains for virtual-hosted style besides localhost (`bucket.<domain>`). */
  domains?: string[];
  /** Allow every origin where a bucket has no CORS configuration; true by default. */
  cors?: boolean;
  /** Serve the web console at /_s3lite/console/; true by default. */
  console?: boolean;
  /** Defaults to "error": a test run stays quiet unless something breaks. */
  logLevel?: "silent" | "error" | "info" | "debug";
  /** The clock signatures are checked against (epoch ms), to test expiry and skew. In-process (Bun) only. */
  now?: () => number;
  /** Flush every write to the disk before answering (power-loss durability); off by default. */
  fsync?: boolean;
  /** Serve the built-in credentials on a non-loopback host anyway. */
  allowDefaultCredentials?: boolean;
  /** Fault injection: called before each disk step (and each metadata commit); throw to make it fail. In-process (Bun) only. */
  faults?: FaultHook;
}

/** A key pair, and the user it belongs to (its own key by default). */
export type KeyPair = Credential & { user?: string };

/** write: a chunk of a body to its temp file; fsync: a file or folder flushed; rename: a temp file published; commit: a metadata transaction. */
export type IoStep = "write" | "fsync" | "rename" | "commit";

export type FaultHook = (step: IoStep) => void;

/** What one application of the buckets' lifecycle rules did. */
export interface LifecycleReport {
  /** Buckets with a lifecycle configuration. */
  buckets: number;
  /** Current versions removed (unversioned buckets). */
  expired: number;
  /** Current versions covered by a delete marker (versioned and suspended buckets). */
  deleteMarkersAdded: number;
  /** Noncurrent versions (and noncurrent delete markers) removed for good. */
  noncurrentExpired: number;
  /** Expired object delete markers removed: the only version left of their key. */
  deleteMarkersRemoved: number;
  uploadsAborted: number;
  /** Storage class changes, current and noncurrent versions. */
  transitioned: number;
}

/** A running s3lite, in this process (Bun) or in a child process (Node): the same handle either way. */
export interface S3liteServer {
  url: string;
  port: number;
  region: string;
  /** The first accepted key pair: what a client of this server should use. */
  credentials: Credential;
  /** The data folder in use (a temp folder when ephemeral); undefined for a memory store, which has none. */
  dataDir: string | undefined;
  config: Config;
  /** Resolves once background work (merging multipart objects into one blob) has caught up. */
  settled(): Promise<void>;
  /** Applies every bucket's lifecycle rules now, at the server's clock, after any sweep under way (the timer also does, every `lifecycleInterval`). */
  runLifecycle(): Promise<LifecycleReport>;
  /** Empties every bucket (objects and uploads in progress) and reclaims their space; buckets stay. Call between tests. */
  reset(): Promise<void>;
  /** Stops listening (in-flight requests finish unless closeActiveConnections), closes the database, removes an ephemeral folder. */
  stop(closeActiveConnections?: boolean): Promise<void>;
}

/** The handle's former name. */
export type RunningServer = S3liteServer;

/** An error shaped like the one Node's fs raises, for a FaultHook to throw: ENOSPC and EDQUOT answer 503, EIO 500. */
export const ioError: (code: "ENOSPC" | "EIO" | "EDQUOT", step: IoStep) => Error & { code?: string; syscall?: string } = makeIoError;

/** The Config a server started with these options runs with: the same flags > defaults as `s3lite serve`, no environment. */
export function resolveStartConfig(options: StartOptions): Config {
  return resolveConfig({
    port: options.port ?? 0,
    host: options.host,
    data: options.dataDir,
    userList: usersOf(options),
    "legacy-bucket-defaults": options.legacyBucketDefaults,
    kmsKeyList: options.kmsKeys,
    "restore-delay": duration(options.restoreDelay),
    "lifecycle-interval": duration(options.lifecycleInterval),
    region: options.region,
    bucket: options.buckets,
    ephemeral: !options.memory && options.dataDir === undefined,
    memory: options.memory,
    "memory-limit": options.memoryLimit === undefined ? undefined : String(options.memoryLimit),
    domain: options.domains,
    cors: options.cors,
    console: options.console,
    fsync: options.fsync,
    "allow-default-credentials": options.allowDefaultCredentials,
  }, {});
}

const duration = (value: number | string | undefined) => (typeof value === "number" ? `${value}ms` : value);

/** The users the options name: those of `credentials` (grouped by user), then `users`, one entry per name. */
function usersOf(options: StartOptions): UserSpec[] | undefined {
  if (!options.credentials && !options.users) return undefined;
  const users: UserSpec[] = [];
  for (const { user, ...key } of [options.credentials ?? []].flat()) {
    const name = user ?? key.accessKeyId;
    const found = users.find((u) => u.name === name);
    if (found) found.keys.push(key);
    else users.push({ name, keys: [key] });
  }
  // A user named in both is one user: its keys from both, its other fields from `users`.
  for (const u of options.users ?? []) {
    const found = users.find((x) => x.name === u.name);
    if (found) Object.assign(found, { ...u, keys: [...found.keys, ...u.keys] });
    else users.push({ ...u, keys: [...u.keys] });
  }
  return users;
}
