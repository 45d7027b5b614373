// Preloaded by bun test: quiet logs, and the credentials every test server accepts.
import { setLogLevel } from "../src/core/log.ts";

setLogLevel(process.env.S3LITE_TEST_LOG === "debug" ? "debug" : "silent");

export const TEST_CREDENTIALS = { accessKeyId: "AKIATESTS3LITE", secretAccessKey: "test-secret/with+chars" } as const;

/** For tests that spawn the AWS CLI or python3, which take about a second per process. */
export const SLOW_TEST_MS = 60_000;
