#!/usr/bin/env node
// @ts-check
// The s3lite command as npm installs it. It runs under plain Node, finds the Bun binary that came with the
// package and hands it the CLI (src/commands/index.ts), passing signals on and exiting as the CLI exits. Bun
// gets the package's empty bunfig.toml, so that the one of the folder it is started from does not apply.
// Under Bun itself (`bunx --bun s3lite`) the CLI runs in this process instead.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const entry = fileURLToPath(new URL("../src/commands/index.ts", import.meta.url));
const args = process.argv.slice(2);

/** What a user or a supervisor may send the command: each goes to the CLI, which decides what it means. */
const FORWARDED = /** @type {const} */ (["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR2"]);

if (process.versions.bun) {
  const { cli } = await import(entry);
  await cli(args);
} else {
  /** @type {{ findBun(packageDir: string): string }} */
  const { findBun } = createRequire(import.meta.url)("./find-bun.cjs");
  let bun;
  try {
    bun = findBun(packageDir);
  } catch (error) {
    process.stderr.write(`${/** @type {Error} */ (error).message}\n`);
    process.exit(1);
  }
  const config = fileURLToPath(new URL("./bunfig.toml", import.meta.url));
  const child = spawn(bun, [`--config=${config}`, entry, ...args], { stdio: "inherit" });
  // Ctrl-C in a terminal reaches the CLI directly as well; it takes a repeat within moments as one signal.
  for (const signal of FORWARDED) process.on(signal, () => child.kill(signal));
  // npx and npm run start us through `sh -c`, and pass a SIGTERM on to that shell only: where sh is dash
  // (Debian, Ubuntu) it dies and leaves us running. Under npm, then, a parent that goes away is a stop.
  if (process.env.npm_lifecycle_event !== undefined) {
    const parent = process.ppid;
    setInterval(() => { if (process.ppid !== parent) child.kill("SIGTERM"); }, 250).unref();
  }
  child.on("error", (error) => {
    process.stderr.write(`s3lite: could not run Bun at ${bun}: ${error.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    if (code !== null) process.exit(code);
    // Ended by a signal: end the same way, so that whoever started us sees what the CLI's parent would have.
    for (const forwarded of FORWARDED) process.removeAllListeners(forwarded);
    process.kill(process.pid, signal ?? "SIGTERM");
  });
}
