// Argument groups shared by commands; each maps to a ConfigFlags field and an S3LITE_* variable.
// Also how gc and fsck open the data folder they work on.
import type { ArgsDef } from "citty";
import { ConfigError, resolveMaintenanceConfig, type MaintenanceConfig, type MaintenanceFlags } from "../core/config.ts";
import { consola } from "../core/log.ts";
import { openStore, type Store } from "../core/store/open.ts";

export const serverArgs = {
  host: { type: "string", description: "Address to bind (S3LITE_HOST)", valueHint: "127.0.0.1" },
  port: { type: "string", description: "Port, 0 for any free port (S3LITE_PORT)", valueHint: "9000" },
  data: { type: "string", description: "Data folder (S3LITE_DATA)", valueHint: "./s3lite-data" },
  credentials: { type: "string", description: "Accepted keys, AK:SK[:USER][,…]; a user's keys share its buckets (S3LITE_CREDENTIALS)", valueHint: "AK:SK" },
  users: { type: "string", description: "JSON file of users: name, keys, optional canonicalId, accountId, email (S3LITE_USERS)", valueHint: "users.json" },
  "legacy-bucket-defaults": { type: "boolean", description: "New buckets as before April 2023 (and as MinIO, Ceph): ACLs enabled (ObjectWriter), no public access block (S3LITE_LEGACY_BUCKET_DEFAULTS=1)" },
  "kms-keys": { type: "string", description: "JSON file of local KMS keys for SSE-KMS: IDs, aliases, optional material; alias/aws/s3 always exists (S3LITE_KMS_KEYS)", valueHint: "kms-keys.json" },
  "restore-delay": { type: "string", description: "How long RestoreObject of a GLACIER or DEEP_ARCHIVE object takes, e.g. 30s (S3LITE_RESTORE_DELAY)", valueHint: "0" },
  "lifecycle-interval": { type: "string", description: "How often buckets' lifecycle rules are applied, also once at start; 0 never (S3LITE_LIFECYCLE_INTERVAL)", valueHint: "1h" },
  region: { type: "string", description: "Region reported for buckets (S3LITE_REGION)", valueHint: "us-east-1" },
  ephemeral: { type: "boolean", description: "Use a temp data folder, removed on exit (S3LITE_EPHEMERAL=1)" },
  bucket: { type: "string", description: "Create this bucket at start if missing; repeatable (S3LITE_BUCKETS=a,b)", valueHint: "name" },
  "log-format": { type: "string", description: "text, or json for one JSON object per line (S3LITE_LOG_FORMAT)", valueHint: "text" },
  domain: { type: "string", description: "Base domain for virtual-hosted buckets (bucket.DOMAIN), beside localhost; repeatable (S3LITE_DOMAIN)", valueHint: "s3.test" },
  cors: { type: "boolean", description: "Without a bucket CORS configuration, allow every origin (the default); --no-cors refuses cross-origin requests instead (S3LITE_CORS=0)" },
  fsync: { type: "boolean", description: "Flush every write to the disk before answering: survives power loss, not only a crash; slower (S3LITE_FSYNC=1)" },
  memory: { type: "boolean", description: "Keep everything in memory and write no file at all; gone when the server stops (S3LITE_MEMORY=1)" },
  "memory-limit": { type: "string", description: "With --memory: the object bytes it may hold, e.g. 64MiB or 2GiB (S3LITE_MEMORY_LIMIT)", valueHint: "512MiB" },
  "allow-default-credentials": { type: "boolean", description: "Serve the built-in credentials on a non-loopback --host anyway (S3LITE_ALLOW_DEFAULT_CREDENTIALS=1)" },
  verbose: { type: "boolean", description: "Log canonical requests and other debug detail" },
  quiet: { type: "boolean", description: "Log nothing but errors" },
  json: { type: "boolean", description: "Print the start-up details as one JSON line instead of the banner" },
} as const satisfies ArgsDef;

/** For commands that work on a data folder directly, with or without a running server. */
export const storeArgs = {
  data: { type: "string", description: "Data folder (S3LITE_DATA)", valueHint: "./s3lite-data" },
  json: { type: "boolean", description: "Print the report as JSON" },
} as const satisfies ArgsDef;

/**
 * Resolves a maintenance command's flags and opens its data folder: a bad flag value exits with 2,
 * a folder that is not a store with 1.
 */
export function openForMaintenance(flags: MaintenanceFlags): { config: MaintenanceConfig; store: Store & { dataDir: string } } {
  let config: MaintenanceConfig;
  try {
    config = resolveMaintenanceConfig(flags, process.env);
  } catch (error) {
    if (error instanceof ConfigError) { consola.error(error.message); process.exit(2); }
    throw error;
  }
  try {
    return { config, store: openStore(config.dataDir, { mustExist: true }) };
  } catch (error) {
    consola.error((error as Error).message);
    process.exit(1);
  }
}

/** For commands that talk to an S3 endpoint: s3lite's or any other. */
export const clientArgs = {
  endpoint: { type: "string", description: "S3 endpoint (AWS_ENDPOINT_URL); \"aws\" for AWS itself", valueHint: "http://127.0.0.1:9000" },
  region: { type: "string", description: "Region to sign for (AWS_REGION)", valueHint: "us-east-1" },
  json: { type: "boolean", description: "Print the result as JSON" },
} as const satisfies ArgsDef;
