// startServer() under Node: runs `s3lite serve` as a child process, under the Bun binary the package brought,
// and gives the same handle as the in-process server. The options are resolved here first, by the same code
// (so they fail as they would in-process), then become flags and a users file. reset(), settled() and
// runLifecycle() are the admin routes, with a token made here and handed over in the environment.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Config } from "../core/config.ts";
import { resolveStartConfig, type LifecycleReport, type S3liteServer, type StartOptions } from "../library.ts";

/** A first start transpiles the CLI; a busy CI machine may take seconds. */
const START_TIMEOUT_MS = 60_000;

/** What `s3lite serve --json` prints once the store is open and the port listens. */
interface ReadyLine {
  event: "listening";
  url: string;
  port: number;
  dataDir?: string;
}

/** Starts `s3lite serve` from the package in `packageDir` and resolves once it is ready. */
export async function startChildServer(options: StartOptions, packageDir: string): Promise<S3liteServer> {
  if (options.now || options.faults) {
    throw new TypeError("startServer: `now` and `faults` reach into the server's own process, so they work in-process only, under Bun; under Node the server is a child process.");
  }
  const config = resolveStartConfig(options);
  const { findBun } = createRequire(join(packageDir, "package.json"))("./bin/find-bun.cjs") as { findBun(dir: string): string };
  const bun = findBun(packageDir);
  const token = randomBytes(32).toString("base64url");
  const usersDir = config.usesDefaultCredentials ? undefined : mkdtempSync(join(tmpdir(), "s3lite-users-"));
  const logLevel = options.logLevel ?? "error";
  let kmsDir: string | undefined;
  try {
    const args = serveFlags(config, options, logLevel);
    if (usersDir) {
      // Secrets never go on a command line, where ps would show them; the folder is the user's alone (0700).
      writeFileSync(join(usersDir, "users.json"), JSON.stringify({ users: config.users }), { mode: 0o600 });
      args.push("--users", join(usersDir, "users.json"));
    }
    if (config.kmsKeys.length > 0) {
      // Key material is a secret too: in the same kind of folder, never on the command line.
      kmsDir = mkdtempSync(join(tmpdir(), "s3lite-kms-"));
      writeFileSync(join(kmsDir, "kms-keys.json"), JSON.stringify({ keys: config.kmsKeys }), { mode: 0o600 });
      args.push("--kms-keys", join(kmsDir, "kms-keys.json"));
    }
    // Neither the .env nor the bunfig.toml of the folder the tests run in: the in-process server reads neither.
    const bunFlags = ["--no-env-file", "--no-install", `--config=${join(packageDir, "bin/bunfig.toml")}`];
    const child = spawn(bun, [...bunFlags, join(packageDir, "src/commands/index.ts"), "serve", ...args], {
      // stdin stays open and unused: its end tells the server that this process is gone (S3LITE_STOP_WITH_STDIN).
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...withoutS3liteVariables(process.env), S3LITE_ADMIN_TOKEN: token, S3LITE_STOP_WITH_STDIN: "1" },
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const ready = await waitForReady(child, logLevel);
    return handle(config, ready, token, child, exited);
  } finally {
    if (usersDir) rmSync(usersDir, { recursive: true, force: true });
    if (kmsDir) rmSync(kmsDir, { recursive: true, force: true });
  }
}

/** The `s3lite serve` flags that make the child's Config this one (users go in a file, see above). */
function serveFlags(config: Config, options: StartOptions, logLevel: NonNullable<StartOptions["logLevel"]>): string[] {
  const flags = ["--json", "--host", config.host, "--port", String(config.port), "--region", config.region];
  if (config.memory) flags.push("--memory", "--memory-limit", String(config.memoryLimit));
  else flags.push(...(config.ephemeral ? ["--ephemeral"] : ["--data", config.dataDir]), ...(config.fsync ? ["--fsync"] : []));
  for (const bucket of config.buckets) flags.push("--bucket", bucket);
  for (const domain of config.domains) if (domain !== "localhost") flags.push("--domain", domain);
  if (!config.permissiveCors) flags.push("--no-cors");
  if (config.legacyBucketDefaults) flags.push("--legacy-bucket-defaults");
  if (!config.console) flags.push("--no-console");
  if (options.allowDefaultCredentials) flags.push("--allow-default-credentials");
  flags.push("--restore-delay", `${config.restoreDelayMs}ms`, "--lifecycle-interval", `${config.lifecycleIntervalMs}ms`);
  if (logLevel === "debug") flags.push("--verbose");
  else if (logLevel !== "info") flags.push("--quiet");
  return flags;
}

/** The in-process server reads no environment; neither may the child, or an S3LITE_PORT in the shell would move it. */
function withoutS3liteVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith("S3LITE_")));
}

type Child = ReturnType<typeof spawn>;

/**
 * Resolves with the ready line; rejects, with what the child printed to stderr, if it exits first or
 * takes too long. After it, the child's log lines go on to this process's stdout and stderr (none when "silent").
 */
function waitForReady(child: Child, logLevel: string): Promise<ReadyLine> {
  const stdout = createInterface({ input: child.stdout! });
  let stderr = "";
  let readyLine: ReadyLine | undefined;
  child.stderr!.on("data", (chunk: Buffer) => {
    if (!readyLine) stderr += chunk.toString();
    else if (logLevel !== "silent") process.stderr.write(chunk);
  });
  return new Promise<ReadyLine>((resolve, reject) => {
    const fail = (message: string) => {
      clearTimeout(timer);
      reject(new Error(`s3lite serve ${message}${stderr.trim() ? `: ${stderr.trim()}` : ""}`));
    };
    const timer = setTimeout(() => { child.kill("SIGKILL"); fail(`was not ready after ${START_TIMEOUT_MS / 1000} s`); }, START_TIMEOUT_MS);
    child.once("error", (error) => fail(`could not be started (${error.message})`));
    child.once("exit", (code, signal) => { if (!readyLine) fail(`exited before it was ready (${signal ?? `exit code ${code}`})`); });
    stdout.on("line", (line) => {
      if (readyLine) {
        if (logLevel !== "silent") process.stdout.write(`${line}\n`);
        return;
      }
      const parsed = parseReadyLine(line);
      if (!parsed) return;
      readyLine = parsed;
      clearTimeout(timer);
      if (stderr && logLevel !== "silent") process.stderr.write(stderr);
      resolve(parsed);
    });
  });
}

function parseReadyLine(line: string): ReadyLine | undefined {
  try {
    const parsed = JSON.parse(line) as Partial<ReadyLine>;
    return parsed?.event === "listening" && typeof parsed.url === "string" ? (parsed as ReadyLine) : undefined;
  } catch {
    return undefined;
  }
}

function handle(config: Config, ready: ReadyLine, token: string, child: Child, exited: Promise<void>): S3liteServer {
  const admin = async (path: "reset" | "settle" | "lifecycle"): Promise<Response> => {
    const response = await fetch(`${ready.url}/_s3lite/${path}`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`s3lite: POST /_s3lite/${path} answered ${response.status}: ${await response.text()}`);
    return response;
  };
  let stopped: Promise<void> | undefined;
  return {
    url: ready.url,
    port: ready.port,
    region: config.region,
    credentials: config.credentials[0]!,
    dataDir: ready.dataDir,
    config,
    async settled() { await admin("settle"); },
    async runLifecycle() { return (await (await admin("lifecycle")).json()) as LifecycleReport; },
    async reset() { await admin("reset"); },
    stop(closeActiveConnections = false) {
      // As `s3lite serve` takes signals: SIGTERM lets requests in flight finish, a second signal cuts them.
      if (stopped) {
        if (closeActiveConnections) child.kill("SIGINT");
        return stopped;
      }
      stopped = exited;
      child.kill("SIGTERM");
      if (closeActiveConnections) child.kill("SIGINT");
      return stopped;
    },
  };
}
