// startServer(): opens the store (a data folder, or memory) and serves the S3 app with Bun.serve. A
// thin wrapper: no S3 logic, apart from what a test suite needs around it (an ephemeral folder or a
// memory store, buckets made at start, reset() between tests).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newBucketConfigs } from "./access/bucket-access.ts";
import { buildIdentities } from "./access/identities.ts";
import { adminRoutes } from "./admin-routes.ts";
import { createApp } from "./app.ts";
import type { Config, Credential } from "./config.ts";
import { LifecycleSweeper, type LifecycleReport } from "./lifecycle.ts";
import type { FaultHook } from "./store/faults.ts";
import { collectGarbage } from "./store/gc.ts";
import { MemoryBlobStore } from "./store/memory-blobs.ts";
import { PartMerger } from "./store/merge-parts.ts";
import { openMemoryStore, openStore, type Store } from "./store/open.ts";
import { VERSION } from "./version.ts";

export interface RunningServer {
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
  /** Applies every bucket's lifecycle rules now, at the server's clock, after any sweep under way (the timer also does, every `--lifecycle-interval`). */
  runLifecycle(): Promise<LifecycleReport>;
  /** Empties every bucket (objects and uploads in progress) and reclaims their space; buckets stay. Call between tests. */
  reset(): Promise<void>;
  /** Stops listening (in-flight requests finish unless closeActiveConnections), closes the database, removes an ephemeral folder. */
  stop(closeActiveConnections?: boolean): Promise<void>;
}

/** aws-chunked framing adds ~90 bytes per chunk on top of the object; leave room for it. */
const FRAMING_ALLOWANCE = 256 * 1024 * 1024;

export interface ServerOptions {
  /** Clock override (epoch ms), for replaying signed requests from another time; lifecycle rules are applied at it too. */
  now?: () => number;
  /** Fault injection for tests: make a disk step fail (see store/faults.ts). */
  faults?: FaultHook;
  /** Enables POST /_s3lite/reset, /settle and /lifecycle for requests bearing this token (see admin-routes.ts). */
  adminToken?: string;
}

/** Starts s3lite on `config.host:config.port` (0 picks a free port). Throws if the port is taken. */
export function startServer(config: Config, options: ServerOptions = {}): RunningServer {
  const { store, removeFolder } = openConfiguredStore(config, options);
  const { meta, blobs } = store;
  // Buckets named at start belong to the first user and are made as CreateBucket would make them.
  const owner = buildIdentities(config.users).primary.canonicalId;
  for (const bucket of config.buckets) meta.createBucket(bucket, config.region, Date.now(), owner, newBucketConfigs(config.legacyBucketDefaults, undefined, undefined));
  const merger = new PartMerger(meta, blobs);
  const app = createApp({ config, meta, blobs, merger, now: options.now });
  let server;
  try {
    server = Bun.serve({
      hostname: config.host,
      port: config.port,
      maxRequestBodySize: config.maxObjectSize + FRAMING_ALLOWANCE,
      idleTimeout: config.idleTimeoutSeconds,
      routes: {
        // Bucket names cannot start with "_", so this never shadows a bucket.
        "/_s3lite/health": () => Response.json({ status: "ok", version: VERSION, region: config.region, pendingMerges: merger.pending, ...memoryUse(store) }),
        // The store is open before the server listens; 503 once stop() has begun to close it.
        "/_s3lite/ready": () => (stopped ? Response.json({ status: "stopping" }, { status: 503 }) : Response.json({ status: "ready" })),
        ...adminRoutes(options.adminToken, () => handle),
      },
      fetch: app,
    });
  } catch (error) {
    store.close();
    removeFolder();
    throw error;
  }
  merger.resume();
  const lifecycle = new LifecycleSweeper(meta, options.now ?? Date.now);
  lifecycle.start(config.lifecycleIntervalMs);
  let stopped: Promise<void> | undefined;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const handle: RunningServer = {
    url: `http://${host}:${server.port}`,
    port: server.port!,
    region: config.region,
    credentials: config.credentials[0]!,
    dataDir: store.dataDir,
    config,
    settled: () => merger.idle(),
    runLifecycle: () => lifecycle.run(),
    async reset() {
      await merger.idle();
      meta.clearObjects();
      await collectGarbage(meta, blobs, { dryRun: false, graceMs: 0, uploadMaxAgeMs: 0, now: Date.now() + 1000 });
    },
    stop(closeActiveConnections = false) {
      // A second call may only hurry the first along (cut the connections it is waiting for).
      if (stopped) {
        if (closeActiveConnections) void server.stop(true);
        return stopped;
      }
      stopped = (async () => {
        await server.stop(closeActiveConnections);
        await lifecycle.stop();
        await merger.stop();
        store.close();
        removeFolder();
      })();
      return stopped;
    },
  };
  return handle;
}

/** The store the config asks for, and how to remove an ephemeral folder once it is closed. */
function openConfiguredStore(config: Config, options: ServerOptions): { store: Store; removeFolder: () => void } {
  if (config.memory) return { store: openMemoryStore(config.memoryLimit, { faults: options.faults }), removeFolder: () => {} };
  const dataDir = config.ephemeral ? mkdtempSync(join(tmpdir(), "s3lite-")) : config.dataDir;
  const removeFolder = () => { if (config.ephemeral) rmSync(dataDir, { recursive: true, force: true }); };
  try {
    return { store: openStore(dataDir, { fsync: config.fsync, faults: options.faults }), removeFolder };
  } catch (error) {
    removeFolder();
    throw error;
  }
}

/** For the health answer: how much of its limit a memory store holds. */
function memoryUse(store: Store): { memory?: { usedBytes: number; limitBytes: number } } {
  return store.blobs instanceof MemoryBlobStore ? { memory: { usedBytes: store.blobs.usedBytes, limitBytes: store.blobs.limit } } : {};
}
