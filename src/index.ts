// The library entry: what a test suite imports to run s3lite in-process.
export { startServer, type RunningServer } from "./core/server.ts";
export { resolveConfig, type Config } from "./core/config.ts";
