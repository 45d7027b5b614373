// The library entry: what a test suite imports to run s3lite in-process.
//
//   import { startServer } from "s3lite";
//   const s3 = await startServer();           // port 0, a temp folder removed by stop()
//   const s3 = await startServer({ memory: true });  // or nothing on disk at all
//   new S3Client({ endpoint: s3.url, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
//   await s3.reset();                          // between tests
//   await s3.stop();
import { resolveConfig, type Credential } from "./core/config.ts";
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
  /** The key pair (or pairs) to accept; defaults to s3lite / s3lite-secret. */
  credentials?: Credential | Credential[];
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

export async function startServer(options: StartOptions = {}): Promise<S3liteServer> {
  setLogLevel(options.logLevel ?? "error");
  const credentials = options.credentials && [options.credentials].flat();
  const config = resolveConfig({
    port: options.port ?? 0,
    host: options.host,
    data: options.dataDir,
    credentials: credentials ? credentials.map((c) => `${c.accessKeyId}:${c.secretAccessKey}`).join(",") : undefined,
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

export { resolveConfig, type Config, type Credential } from "./core/config.ts";
export type { RunningServer } from "./core/server.ts";
export { ioError, type FaultHook, type IoStep } from "./core/store/faults.ts";
