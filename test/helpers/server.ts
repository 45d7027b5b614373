// startTestServer(): a real s3lite on a random port over a fresh data folder, plus SDK clients for it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { resolveConfig } from "../../src/core/config.ts";
import { startServer, type RunningServer, type ServerOptions } from "../../src/core/server.ts";
import { TEST_CREDENTIALS } from "../setup.ts";

export interface TestServer {
  url: string;
  server: RunningServer;
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

export async function startTestServer(options: ServerOptions & { credentials?: string } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "s3lite-test-"));
  const credentials = options.credentials ?? `${TEST_CREDENTIALS.accessKeyId}:${TEST_CREDENTIALS.secretAccessKey}`;
  const config = resolveConfig({ port: 0, data: dataDir, credentials }, {});
  const server = startServer(config, options);
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
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const uniqueBucket = (label = "t") => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
