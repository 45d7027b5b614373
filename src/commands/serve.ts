// s3lite serve: resolve the config, start the server, print the banner, stop cleanly on signals.
import { defineCommand } from "citty";
import { ConfigError, resolveConfig } from "../core/config.ts";
import { consola, setLogLevel } from "../core/log.ts";
import { startServer } from "../core/server.ts";
import { serverArgs } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "serve",
    description: "Start the S3 server.\n\nExamples:\n  s3lite serve\n  s3lite serve --port 0 --data /tmp/s3 --credentials AKID:SECRET",
  },
  args: serverArgs,
  async run({ args }) {
    setLogLevel(args.quiet ? "silent" : args.verbose ? "debug" : "info");
    let config;
    try {
      config = resolveConfig(args, process.env);
    } catch (error) {
      if (error instanceof ConfigError) { consola.error(error.message); process.exit(2); }
      throw error;
    }
    let server;
    try {
      server = startServer(config);
    } catch (error) {
      const code = (error as { code?: string }).code;
      consola.error(code === "EADDRINUSE"
        ? `Port ${config.port} on ${config.host} is already in use; choose another with --port (0 picks a free one).`
        : `Could not start: ${(error as Error).message}`);
      process.exit(1);
    }
    const key = config.credentials[0]!;
    // Only the built-in development secret is ever printed.
    const secret = config.usesDefaultCredentials ? key.secretAccessKey : "<your secret>";
    console.log([
      `s3lite listening on ${server.url}`,
      `  data:   ${config.dataDir}`,
      `  region: ${config.region}`,
      "",
      "  export AWS_ENDPOINT_URL=" + server.url,
      "  export AWS_ACCESS_KEY_ID=" + key.accessKeyId,
      "  export AWS_SECRET_ACCESS_KEY=" + secret,
      "  export AWS_REGION=" + config.region,
      "",
    ].join("\n"));
    const shutdown = async () => {
      await server.stop(false);
      process.exit(0);
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  },
});
