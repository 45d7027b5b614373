// startTestServer(): a real s3lite on a random port over a fresh data folder (or, with
// S3LITE_TEST_STORE=memory, over a memory store), plus SDK clients for it.
import { tmpdir } from "node:os";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { startServer, type KeyPair, type S3liteServer, type StartOptions } from "../../src/index.ts";
import { TEST_CREDENTIALS } from "../setup.ts";

export type StoreKind = "disk" | "memory";

/** The store suites run on unless a test needs a data folder: S3LITE_TEST_STORE=memory runs them on a memory store. */
export const TEST_STORE: StoreKind = process.env.S3LITE_TEST_STORE === "memory" ? "memory" : "disk";

export interface TestServer {
  url: string;
  server: S3liteServer;
  store: StoreKind;
  /** The data folder. A memory store has none: a test that reads the folder must run on disk (see `store`). */
  dataDir: string;
  /** SDK client on its default checksum settings (CRC32, aws-chunked trailers for streams). */
  client: S3Client;
  /** Same, computing checksums only where an operation requires one. */
  whenRequiredClient: S3Client;
  makeClient(overrides?: Partial<S3ClientConfig>): S3Client;
  /** What the store holds now: bytes of blobs in memory, or of blob files on disk (undefined there). */
  heldBytes(): Promise<number | undefined>;
  /** Environment for the AWS CLI and boto3 subprocesses. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

type TestServerOptions = { now?: () => number; extraCredentials?: KeyPair[]; store?: StoreKind } & Pick<StartOptions, "fsync" | "faults" | "dataDir" | "memoryLimit" | "users" | "legacyBucketDefaults" | "restoreDelay" | "kmsKeys">;

/**
 * Through the public library API, as a user's test suite would: port 0, a temp folder, TEST_CREDENTIALS.
 * A data folder, fsync or disk faults ask for the disk store whatever S3LITE_TEST_STORE says.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const needsDisk = options.dataDir !== undefined || options.fsync !== undefined || options.faults !== undefined;
  const store: StoreKind = options.store ?? (needsDisk ? "disk" : TEST_STORE);
  const start: StartOptions = {
    credentials: [TEST_CREDENTIALS, ...(options.extraCredentials ?? [])],
    now: options.now,
    fsync: options.fsync,
    faults: options.faults,
    dataDir: options.dataDir,
    memory: store === "memory",
    memoryLimit: options.memoryLimit,
    users: options.users,
    legacyBucketDefaults: options.legacyBucketDefaults,
    restoreDelay: options.restoreDelay,
    kmsKeys: options.kmsKeys,
    logLevel: process.env.S3LITE_TEST_LOG === "debug" ? "debug" : "silent",
  };
  const server = await startServer(start);
  const makeClient = (overrides: Partial<S3ClientConfig> = {}) => new S3Client({
    endpoint: server.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: TEST_CREDENTIALS,
    ...overrides,
  });
  const clients = [makeClient(), makeClient({ requestChecksumCalculation: "WHEN_REQUIRED" })];
  return {
    url: server.url,
    server,
    store,
    get dataDir(): string {
      if (server.dataDir === undefined) throw new Error("this test reads the data folder, and a memory store (S3LITE_TEST_STORE=memory) has none: run it on disk");
      return server.dataDir;
    },
    client: clients[0]!,
    whenRequiredClient: clients[1]!,
    makeClient,
    async heldBytes() {
      const health = await (await fetch(`${server.url}/_s3lite/health`)).json() as { memory?: { usedBytes: number } };
      return health.memory?.usedBytes;
    },
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      // The CLIs keep caches under HOME; a memory server has no folder to lend them.
      HOME: server.dataDir ?? tmpdir(),
      AWS_ENDPOINT_URL: server.url,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_PAGER: "",
    },
    async stop() {
      for (const c of clients) c.destroy();
      await server.stop(true);
    },
  };
}

export const uniqueBucket = (label = "t") => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
