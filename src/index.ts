// The library entry: what a test suite imports to run s3lite in-process.
//
//   import { startServer } from "s3lite";
//   const s3 = await startServer();           // port 0, a temp folder removed by stop()
//   const s3 = await startServer({ memory: true });  // or nothing on disk at all
//   new S3Client({ endpoint: s3.url, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
//   await s3.reset();                          // between tests
//   await s3.stop();
import { resolveConfig, type Credential, type UserSpec } from "./core/config.ts";
import { setLogLevel } from "./core/log.ts";
import { startServer as startWithConfig, type RunningServer } from "./core/server.ts";
import type { FaultHook } from "./core/store/faults.ts";

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
  /** How long RestoreObject of an archived object takes, in ms or as "30s"; 0 (at once) by default. */
  restoreDelay?: number | string;
  region?: string;
  /** Buckets to create at start. */
  buckets?: string[];
  /** Base domains for virtual-hosted style besides localhost (`bucket.<domain>`). */
  domains?: string[];
  /** Allow every origin where a bucket has no CORS configuration; true by default. */
  cors?: boolean;
  /** Defaults to "error": a test run stays quiet unless something breaks. */
  logLevel?: "silent" | "error" | "info" | "debug";
  /** The clock signatures are checked against (epoch ms), to test expiry and skew. */
  now?: () => number;
  /** Flush every write to the disk before answering (power-loss durability); off by default. */
  fsync?: boolean;
  /** Serve the built-in credentials on a non-loopback host anyway. */
  allowDefaultCredentials?: boolean;
  /** Fault injection: called before each disk step (and each metadata commit); throw to make it fail (see store/faults.ts). */
  faults?: FaultHook;
}

export type S3liteServer = RunningServer;

/** A key pair, and the user it belongs to (its own key by default). */
export type KeyPair = Credential & { user?: string };

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

export async function startServer(options: StartOptions = {}): Promise<S3liteServer> {
  setLogLevel(options.logLevel ?? "error");
  const config = resolveConfig({
    port: options.port ?? 0,
    host: options.host,
    data: options.dataDir,
    userList: usersOf(options),
    "legacy-bucket-defaults": options.legacyBucketDefaults,
    "restore-delay": options.restoreDelay === undefined ? undefined : typeof options.restoreDelay === "number" ? `${options.restoreDelay}ms` : options.restoreDelay,
    region: options.region,
    bucket: options.buckets,
    ephemeral: !options.memory && options.dataDir === undefined,
    memory: options.memory,
    "memory-limit": options.memoryLimit === undefined ? undefined : String(options.memoryLimit),
    domain: options.domains,
    cors: options.cors,
    fsync: options.fsync,
    "allow-default-credentials": options.allowDefaultCredentials,
  }, {});
  return startWithConfig(config, { now: options.now, faults: options.faults });
}

export { resolveConfig, type Config, type Credential, type UserSpec } from "./core/config.ts";
export type { RunningServer } from "./core/server.ts";
export { ioError, type FaultHook, type IoStep } from "./core/store/faults.ts";
