// The library entry under Node (package.json's exports send Bun to ../index.ts instead): startServer()
// runs `s3lite serve` as a child process and resolves to the same handle as the in-process server. The
// build (scripts/build.ts) compiles it to dist/node/index.js; index.cts is its CommonJS twin.
import { fileURLToPath } from "node:url";
import { type S3liteServer, type StartOptions } from "../library.ts";
import { startChildServer } from "./child-server.ts";

/** The package's folder: ../.. from src/node/ and from dist/node/ alike. */
const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));

export function startServer(options: StartOptions = {}): Promise<S3liteServer> {
  return startChildServer(options, PACKAGE_DIR);
}

export {
  ioError, resolveConfig, type Config, type Credential, type FaultHook, type IoStep, type KeyPair, type LifecycleReport,
  type RunningServer, type S3liteServer, type StartOptions, type UserSpec,
} from "../library.ts";
