#!/usr/bin/env bun
// The s3lite command: subcommands load lazily so `s3lite serve` pays only for what it runs.
// Exit codes: 0 fine, 1 problems found or the operation failed, 2 usage.
import { stripVTControlCharacters } from "node:util";
import { defineCommand, renderUsage, runCommand } from "citty";
import { consola } from "../core/log.ts";
import { VERSION } from "../core/version.ts";
import { checkArgs, closest, UsageError } from "./_strict-args.ts";

const help = defineCommand({
  meta: { name: "help", description: "Show this overview, or a command's --help." },
  args: { command: { type: "positional", required: false, description: "serve, ls, put, gc or fsck" } },
  async run({ args }) {
    if (args.command) await printUsage(await loadCommand(args.command), main);
    else await printUsage(await overview());
  },
});

export const main = defineCommand({
  meta: { name: "s3lite", version: VERSION, description: "S3-compatible object storage for local development and tests" },
  subCommands: {
    serve: () => import("./serve.ts").then((m) => m.default),
    ls: () => import("./ls.ts").then((m) => m.default),
    put: () => import("./put.ts").then((m) => m.default),
    gc: () => import("./gc.ts").then((m) => m.default),
    fsck: () => import("./fsck.ts").then((m) => m.default),
    help: () => help,
  },
});

type Command = Parameters<typeof renderUsage>[0];
const loaders = main.subCommands as Record<string, () => Command | Promise<Command>>;

async function loadCommand(name: string): Promise<Command> {
  const load = Object.hasOwn(loaders, name) ? loaders[name] : undefined;
  if (load) return load();
  const near = closest(name, Object.keys(loaders));
  throw new UsageError(`unknown command ${name}${near ? `; did you mean ${near}?` : ""}`);
}

/** The top-level overview lists each command by the first line of its description; the examples
 *  below that line belong to the command's own --help. */
async function overview(): Promise<Command> {
  const subCommands: Record<string, Command> = {};
  for (const [name, load] of Object.entries(loaders)) {
    const command = await load();
    const meta = command.meta as { description?: string };
    subCommands[name] = { ...command, meta: { ...meta, description: meta.description?.split("\n")[0] } };
  }
  return { ...main, subCommands } as Command;
}

/** citty colours help whatever stdout is; piped or redirected, it should read as plain text. */
function forTerminal(text: string, stream: NodeJS.WriteStream): string {
  const { NO_COLOR, FORCE_COLOR } = process.env;
  const colour = NO_COLOR ? false : FORCE_COLOR ? FORCE_COLOR !== "0" : !!stream.isTTY;
  return colour ? text : stripVTControlCharacters(text);
}

async function printUsage(command: Command, parent?: Command): Promise<void> {
  console.log(forTerminal(await renderUsage(command, parent), process.stdout) + "\n");
}

const isHelp = (arg: string) => arg === "--help" || arg === "-h";

/** citty's runMain, except that anything citty would ignore, and any usage error, exits 2. The package's
 *  bin (bin/s3lite.js) calls it when it runs under Bun itself. */
export async function cli(rawArgs: string[]): Promise<void> {
  const [name, ...rest] = rawArgs;
  try {
    if (name === undefined || isHelp(name)) return await printUsage(await overview());
    if (rawArgs.length === 1 && (name === "--version" || name === "-v")) return console.log((main.meta as { version: string }).version);
    if (name.startsWith("-")) {
      const near = closest(name.replace(/^-+/, ""), ["help", "version"]);
      throw new UsageError(`unknown flag ${name}; ${near ? `did you mean --${near}?` : "flags go after the command, as in s3lite serve --port 9000"}`);
    }
    const command = await loadCommand(name);
    const ownArgs = rest.includes("--") ? rest.slice(0, rest.indexOf("--")) : rest;
    if (ownArgs.some(isHelp)) return await printUsage(command, main);
    const argsDef = typeof command.args === "function" ? await command.args() : await command.args;
    checkArgs(name, rest, argsDef ?? {});
    await runCommand(command, { rawArgs: rest });
  } catch (error) {
    if (!(error instanceof UsageError) && (error as Error).name !== "CLIError") throw error;
    const topic = name && Object.hasOwn(loaders, name) && name !== "help" ? `s3lite ${name} --help` : "s3lite help";
    consola.error(forTerminal((error as Error).message, process.stderr));
    process.stderr.write(`Run ${topic} for usage.\n`);
    process.exit(2);
  }
}

if (import.meta.main) await cli(process.argv.slice(2));
