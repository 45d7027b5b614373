// s3lite serve: resolve the config, start the server, print the banner, stop cleanly on signals.
import { defineCommand } from "citty";
import { ConfigError, resolveConfig } from "../core/config.ts";
import { consola, setLogFormat, setLogLevel } from "../core/log.ts";
import { startServer } from "../core/server.ts";
import { VERSION } from "../core/version.ts";
import { collectGarbageEvery } from "../core/store/streamed-bytes.ts";
import { formatBytes } from "./_format.ts";
import { serverArgs } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "serve",
    description: [
      "Start the S3 server.",
      "",
      "Examples:",
      "  s3lite serve",
      "  s3lite serve --ephemeral --port 0 --bucket uploads --bucket reports",
      "  s3lite serve --data /tmp/s3 --credentials AKID:SECRET --log-format json",
      "  s3lite serve --memory --memory-limit 2GiB --port 0",
    ].join("\n"),
  },
  args: {
    ...serverArgs,
    console: { type: "boolean", description: "Serve the web console at /_s3lite/console/ (the default); --no-console turns it off (S3LITE_CONSOLE=0)" },
  },
  async run({ args }) {
    setLogLevel(args.quiet ? "error" : args.verbose ? "debug" : "info");
    let config;
    try {
      config = resolveConfig({ ...args, bucket: repeated(process.argv, "bucket") ?? args.bucket, domain: repeated(process.argv, "domain") ?? args.domain }, process.env);
      setLogFormat(config.logFormat);
    } catch (error) {
      if (error instanceof ConfigError) { consola.error(error.message); process.exit(2); }
      throw error;
    }
    collectGarbageEvery(16 * 1024 * 1024);
    let server;
    try {
      // The admin routes (reset between tests, for a harness in another process) come from the environment only, never a flag that ps would show.
      server = startServer(config, { adminToken: process.env.S3LITE_ADMIN_TOKEN || undefined });
    } catch (error) {
      const code = (error as { code?: string }).code;
      consola.error(code === "EADDRINUSE"
        ? `Port ${config.port} on ${config.host} is already in use; choose another with --port (0 picks a free one).`
        : `Could not start: ${(error as Error).message}`);
      process.exit(1);
    }
    // In-flight requests finish; the database closes; an ephemeral folder (or the memory store) goes. A second signal
    // means the user will not wait for a slow client: cut open connections and stop now. The same signal again
    // within half a second is not a second request: a terminal's Ctrl-C reaches every process of its group, and
    // launchers (npx, the package's bin) pass it on too. Set up before the banner: whoever reads it may signal at once.
    let stopping: { cause: string; at: number } | undefined;
    const shutdown = async (cause: "SIGINT" | "SIGTERM" | "stdin") => {
      if (stopping && (cause === "stdin" || (cause === stopping.cause && Date.now() - stopping.at < 500))) return;
      const closeActive = stopping !== undefined;
      if (closeActive) consola.warn("Stopping now; requests still in flight are cut off.");
      stopping = { cause, at: Date.now() };
      await server.stop(closeActive);
      process.exit(0);
    };
    process.on("SIGINT", () => void shutdown("SIGINT"));
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
    // Started by a parent process that holds our stdin (the library's startServer under Node): the end of
    // stdin means the parent is gone, and a server it forgot to stop must not outlive it.
    if (process.env.S3LITE_STOP_WITH_STDIN === "1") process.stdin.on("end", () => void shutdown("stdin")).resume();
    const key = config.credentials[0]!;
    // Only the built-in development secret is ever printed.
    const secret = config.usesDefaultCredentials ? key.secretAccessKey : "<your secret>";
    if (args.json) {
      // The ready line: printed once the store is open and the port listens (GET /_s3lite/ready answers 200 from then on).
      const credentials = { accessKeyId: key.accessKeyId, secretAccessKey: config.usesDefaultCredentials ? secret : undefined };
      console.log(JSON.stringify({ event: "listening", ready: true, version: VERSION, pid: process.pid, url: server.url, port: server.port, dataDir: server.dataDir, credentials, ephemeral: config.ephemeral, memory: config.memory ? { limitBytes: config.memoryLimit } : undefined, region: server.region, buckets: config.buckets, domains: config.domains, permissiveCors: config.permissiveCors, console: config.console ? `${server.url}/_s3lite/console/` : undefined, accessKeyId: key.accessKeyId, secretAccessKey: config.usesDefaultCredentials ? secret : undefined }));
    } else console.log([
      `s3lite listening on ${server.url}`,
      `  data:   ${config.memory ? `in memory, up to ${formatBytes(config.memoryLimit)} of objects (nothing written to disk; gone on exit)` : `${server.dataDir}${config.ephemeral ? " (temporary, removed on exit)" : ""}`}`,
      `  region: ${config.region}`,
      ...(config.buckets.length ? [`  buckets: ${config.buckets.join(", ")}`] : []),
      `  virtual-hosted: ${config.domains.map((d) => `http://<bucket>.${d}:${server.port}`).join(", ")}; path style works too`,
      ...(config.console ? [`  console: ${server.url}/_s3lite/console/ (sign in with an access key and its secret)`] : []),
      `  cors:   ${config.permissiveCors ? "any origin, unless a bucket has its own CORS configuration" : "only as buckets' CORS configurations allow"}`,
      "",
      "  export AWS_ENDPOINT_URL=" + server.url,
      "  export AWS_ACCESS_KEY_ID=" + key.accessKeyId,
      "  export AWS_SECRET_ACCESS_KEY=" + secret,
      "  export AWS_REGION=" + config.region,
      "",
    ].join("\n"));
  },
});

/** Every value of a repeatable `--name value` / `--name=value` flag; citty keeps only the last. */
function repeated(argv: readonly string[], name: string): string[] | undefined {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === `--${name}` && i + 1 < argv.length) values.push(argv[++i]!);
    else if (arg.startsWith(`--${name}=`)) values.push(arg.slice(name.length + 3));
  }
  return values.length ? values : undefined;
}
