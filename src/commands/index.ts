#!/usr/bin/env bun
// The s3lite command: subcommands load lazily so `s3lite serve` pays only for what it runs.
import { defineCommand, runMain } from "citty";

export const main = defineCommand({
  meta: { name: "s3lite", version: "0.1.0", description: "S3-compatible object storage for local development and tests" },
  subCommands: {
    serve: () => import("./serve.ts").then((m) => m.default),
    ls: () => import("./ls.ts").then((m) => m.default),
    put: () => import("./put.ts").then((m) => m.default),
    gc: () => import("./gc.ts").then((m) => m.default),
    fsck: () => import("./fsck.ts").then((m) => m.default),
  },
});

if (import.meta.main) await runMain(main);
