// For the packaging tests: a machine as a new user has it (Node and npm on the PATH, no Bun, no repo),
// commands run there, and the times they took.
import { existsSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Subprocess } from "bun";

export const REPO = join(import.meta.dir, "../..");

/**
 * The PATH of a machine with Node and npm and no Bun: the folders of node and npm and the system's,
 * less any that holds a `bun` (node_modules/.bin above all, which `npm run` puts first).
 */
export function nodeOnlyPath(): string {
  const node = Bun.which("node");
  const npm = Bun.which("npm");
  if (!node || !npm) throw new Error("the packaging tests need node and npm on the PATH");
  const dirs = [dirname(node), dirname(realpathSync(node)), dirname(npm), "/usr/local/bin", "/usr/bin", "/bin"];
  const path = [...new Set(dirs)].filter((dir) => !existsSync(join(dir, "bun")) && !dir.includes("node_modules")).join(":");
  if (!Bun.which("node", { PATH: path }) || !Bun.which("npm", { PATH: path })) throw new Error(`node and npm share a folder with a bun (${dirname(node)}): no Node-only PATH can be made`);
  return path;
}

/**
 * The environment of that machine: its PATH, HOME (npm's cache, so packages installed before come from
 * there) and what reaches a registry; none of the variables `npm run` adds.
 */
export function nodeOnlyEnv(extra: Record<string, string> = {}): Record<string, string> {
  const keep = ["HOME", "USER", "LANG", "TMPDIR", "CI", "npm_config_cache", "npm_config_registry", "NPM_CONFIG_REGISTRY", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];
  const env: Record<string, string> = { PATH: nodeOnlyPath() };
  for (const name of keep) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  return { ...env, ...extra };
}

export interface Result {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `cmd` (found on env's PATH) in `cwd` to its end. */
export async function run(cmd: string[], cwd: string, env: Record<string, string>): Promise<Result> {
  const started = performance.now();
  const proc = Bun.spawn([resolveCommand(cmd[0]!, env), ...cmd.slice(1)], { cwd, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr, ms: Math.round(performance.now() - started) };
}

/** Fails with everything the command printed, which is what one needs to see when it did not work. */
export function expectSuccess(result: Result, what: string): Result {
  if (result.exitCode !== 0) throw new Error(`${what} exited with ${result.exitCode}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  return result;
}

export function resolveCommand(name: string, env: Record<string, string>): string {
  if (name.includes("/")) return name;
  const found = Bun.which(name, { PATH: env.PATH ?? "" });
  if (!found) throw new Error(`${name} is not on the PATH ${env.PATH}`);
  return found;
}

/** A server command started in the background, and its first JSON line: `s3lite serve --json`'s ready line. */
export interface Started {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  ready: { url: string; port: number; pid: number; dataDir?: string; credentials: { accessKeyId: string; secretAccessKey?: string }; version: string };
  ms: number;
}

const started = new Set<Subprocess>();
process.on("exit", () => { for (const proc of started) proc.kill("SIGKILL"); });

export async function startUntilReady(cmd: string[], cwd: string, env: Record<string, string>): Promise<Started> {
  const t0 = performance.now();
  const proc = Bun.spawn([resolveCommand(cmd[0]!, env), ...cmd.slice(1)], { cwd, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  started.add(proc);
  void proc.exited.then(() => started.delete(proc));
  const reader = proc.stdout.getReader();
  let text = "";
  for (;;) {
    const line = text.split("\n").slice(0, -1).find((l) => l.startsWith("{"));
    if (line) {
      reader.releaseLock();
      return { proc, ready: JSON.parse(line), ms: Math.round(performance.now() - t0) };
    }
    const { done, value } = await reader.read();
    if (done) throw new Error(`${cmd.join(" ")} exited before its ready line (${await proc.exited}): ${text}${await new Response(proc.stderr).text()}`);
    text += new TextDecoder().decode(value);
  }
}

/** Time spent in each named step, printed at the end of a suite. */
export class Timings {
  private readonly steps: [string, number][] = [];
  add(step: string, ms: number): void {
    this.steps.push([step, Math.round(ms)]);
  }
  report(title: string): string {
    return [`${title}:`, ...this.steps.map(([step, ms]) => `  ${step.padEnd(66)} ${(ms / 1000).toFixed(1).padStart(6)} s`)].join("\n");
  }
}
