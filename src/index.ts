// The library entry under Bun: startServer() runs s3lite in this process. (Under Node, package.json's
// exports point at node/, which runs `s3lite serve` as a child process and gives the same handle.)
//
//   import { startServer } from "s3lite";
//   const s3 = await startServer();           // port 0, a temp folder removed by stop()
//   const s3 = await startServer({ memory: true });  // or nothing on disk at all
//   new S3Client({ endpoint: s3.url, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
//   await s3.reset();                          // between tests
//   await s3.stop();
import type { LifecycleReport as CoreLifecycleReport } from "./core/lifecycle.ts";
import { setLogLevel } from "./core/log.ts";
import { startServer as startWithConfig, type RunningServer as CoreServer } from "./core/server.ts";
import type { IoStep as CoreIoStep } from "./core/store/faults.ts";
import { resolveStartConfig, type IoStep, type LifecycleReport, type S3liteServer, type StartOptions } from "./library.ts";

export async function startServer(options: StartOptions = {}): Promise<S3liteServer> {
  setLogLevel(options.logLevel ?? "error");
  return startWithConfig(resolveStartConfig(options), { now: options.now, faults: options.faults });
}

export {
  ioError, resolveConfig, type Config, type Credential, type FaultHook, type IoStep, type KeyPair, type LifecycleReport,
  type RunningServer, type S3liteServer, type StartOptions, type UserSpec,
} from "./library.ts";

// The published types are library.ts's, written out so that they name nothing of Bun: they must stay
// those of the server core/ makes. A change to one that the other lacks fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
type _PublishedTypesMatch = [Expect<Same<S3liteServer, CoreServer>>, Expect<Same<LifecycleReport, CoreLifecycleReport>>, Expect<Same<IoStep, CoreIoStep>>];
