// startTestServer(): a real s3lite on a random port over a fresh data folder, plus SDK clients for it.
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { startServer, type Credential, type S3liteServer, type StartOptions } from "../../src/index.ts";
import { TEST_CREDENTIALS } from "../setup.ts";

export interface TestServer {
  url: string;
  server: S3liteServer;
  dataDir: string;
  /** SDK client on its default checksum settings (CRC32, aws-chunked trailers for streams). */
  client: S3Client;
  /** Same, computing checksums only where an operation requires one. */
  whenRequiredClient: S3Client;
  makeClient(overrides?: Partial<S3ClientConfig>): S3Client;
  /** Environment for the AWS CLI and boto3 subprocesses. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Through the public library API, as a user's test suite would: port 0, a temp folder, TEST_CREDENTIALS. */
export async function startTestServer(options: { now?: () => number; extraCredentials?: Credential[] } & Pick<StartOptions, "fsync" | "faults" | "dataDir"> = {}): Promise<TestServer> {
  const start: StartOptions = {
    credentials: [TEST_CREDENTIALS, ...(options.extraCredentials ?? [])],
    now: options.now,
    fsync: options.fsync,
    faults: options.faults,
    dataDir: options.dataDir,
    logLevel: process.env.S3LITE_TEST_LOG === "debug" ? "debug" : "silent",
  };
  const server = await startServer(start);
  const dataDir = server.dataDir;
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
    dataDir,
    client: clients[0]!,
    whenRequiredClient: clients[1]!,
    makeClient,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dataDir,
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
