// startServer(): opens the data folder and serves the S3 app with Bun.serve. A thin wrapper: no S3 logic.
import { createApp } from "./app.ts";
import type { Config } from "./config.ts";
import { PartMerger } from "./store/merge-parts.ts";
import { openStore } from "./store/open.ts";

export interface RunningServer {
  url: string;
  port: number;
  config: Config;
  /** Resolves once background work (merging multipart objects into one blob) has caught up. */
  settled(): Promise<void>;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

/** aws-chunked framing adds ~90 bytes per chunk on top of the object; leave room for it. */
const FRAMING_ALLOWANCE = 256 * 1024 * 1024;
const VERSION = "0.1.0";

export interface ServerOptions {
  /** Clock override (epoch ms), for replaying signed requests from another time. */
  now?: () => number;
}

/** Starts s3lite on `config.host:config.port` (0 picks a free port). Throws if the port is taken. */
export function startServer(config: Config, options: ServerOptions = {}): RunningServer {
  const { meta, blobs } = openStore(config.dataDir);
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
        "/_s3lite/health": () => Response.json({ status: "ok", version: VERSION, region: config.region, pendingMerges: merger.pending }),
      },
      fetch: app,
    });
  } catch (error) {
    meta.close();
    throw error;
  }
  merger.resume();
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${server.port}`,
    port: server.port!,
    config,
    settled: () => merger.idle(),
    async stop(closeActiveConnections = true) {
      await server.stop(closeActiveConnections);
      await merger.stop();
      meta.close();
    },
  };
}
