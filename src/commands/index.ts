#!/usr/bin/env bun
// The s3lite command: subcommands load lazily so `s3lite serve` pays only for what it runs.
// Exit codes: 0 fine, 1 problems found or the operation failed, 2 usage.
import { defineCommand, runCommand, showUsage } from "citty";

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

type Command = Parameters<typeof showUsage>[0];

/** The top-level overview lists each command by the first line of its description; the examples
 *  below that line belong to the command's own --help. */
async function overview(): Promise<Command> {
  const subCommands: Record<string, Command> = {};
  for (const [name, load] of Object.entries(main.subCommands as Record<string, () => Promise<Command>>)) {
    const command = await load();
    const meta = command.meta as { description?: string };
    subCommands[name] = { ...command, meta: { ...meta, description: meta.description?.split("\n")[0] } };
  }
  return { ...main, subCommands } as Command;
}

/** citty's runMain, except that a usage error (its CLIError) exits 2 rather than 1. */
async function cli(rawArgs: string[]): Promise<void> {
  const subCommand = rawArgs[0] && !rawArgs[0].startsWith("-") ? await (main.subCommands as Record<string, () => Promise<Command>>)[rawArgs[0]]?.() : undefined;
  try {
    if (rawArgs.includes("--help") || rawArgs.includes("-h") || rawArgs.length === 0) {
      await showUsage(subCommand ?? await overview(), subCommand ? main : undefined);
    } else if (rawArgs.length === 1 && (rawArgs[0] === "--version" || rawArgs[0] === "-v")) {
      console.log((main.meta as { version: string }).version);
    } else {
      await runCommand(main, { rawArgs });
    }
  } catch (error) {
    if ((error as Error).name !== "CLIError") throw error;
    await showUsage(subCommand ?? await overview(), subCommand ? main : undefined);
    console.error((error as Error).message);
    process.exit(2);
  }
}

if (import.meta.main) await cli(process.argv.slice(2));
