// makeClient(): an S3 client for the client commands (ls, put), for any S3 endpoint, AWS included.
// Endpoint: --endpoint > AWS_ENDPOINT_URL > the local s3lite default. Credentials: the SDK's standard
// chain when the environment or ~/.aws configures one, else the local server's built-in pair.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { DEFAULT_CREDENTIALS, DEFAULT_PORT, DEFAULT_REGION } from "./config.ts";

export interface ClientFlags {
  endpoint?: string;
  region?: string;
}

export interface ClientSettings {
  /** undefined: AWS itself. */
  endpoint?: string;
  region: string;
  /** undefined: the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export const LOCAL_ENDPOINT = `http://127.0.0.1:${DEFAULT_PORT}`;

/** Pure: what the client commands connect to, from flags, the environment and the home folder. */
export function resolveClientSettings(flags: ClientFlags, env: Record<string, string | undefined>, home: string | undefined): ClientSettings {
  const endpoint = flags.endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || LOCAL_ENDPOINT;
  const region = flags.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_REGION;
  const configured = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI)
    || (home !== undefined && (existsSync(join(home, ".aws", "credentials")) || existsSync(join(home, ".aws", "config"))));
  return { endpoint: flags.endpoint === "aws" ? undefined : endpoint, region, credentials: configured ? undefined : { ...DEFAULT_CREDENTIALS } };
}

export function makeClient(settings: ClientSettings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
}

/** "s3://bucket/some/prefix" → { bucket, key: "some/prefix" }; undefined for anything else. */
export function parseS3Url(url: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/s.exec(url);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}
