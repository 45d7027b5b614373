// The library entry for require() under Node (Jest's default mode, CommonJS apps): index.ts as CommonJS,
// which the build compiles to dist/cjs/node/index.cjs. Only the way it finds the package's folder differs.
import { join } from "node:path";
import { type S3liteServer, type StartOptions } from "../library.ts";
import { startChildServer } from "./child-server.ts";

/** The package's folder, from dist/cjs/node/. */
const PACKAGE_DIR = join(__dirname, "../../..");

export function startServer(options: StartOptions = {}): Promise<S3liteServer> {
  return startChildServer(options, PACKAGE_DIR);
}

export {
  ioError, resolveConfig, type Config, type Credential, type FaultHook, type IoStep, type KeyPair, type LifecycleReport,
  type RunningServer, type S3liteServer, type StartOptions, type UserSpec,
} from "../library.ts";
