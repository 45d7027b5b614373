// Runs an external client (AWS CLI, python3 with boto3) or the s3lite command itself and captures its output.
import { join } from "node:path";

/** The s3lite command's entry point, as `bin` runs it. */
export const ENTRY = join(import.meta.dir, "../../src/commands/index.ts");
export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function run(cmd: string[], env: Record<string, string>, stdin?: string): Promise<RunResult> {
  const proc = Bun.spawn(cmd, { env, stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

/**
 * For `skipIf`: a test that needs a tool the machine lacks is skipped, except under CI=true. CI
 * installs every tool (.ci/run), so there a missing one fails the test instead of shrinking the run.
 */
export const skipWithout = (available: boolean): boolean => !available && process.env.CI !== "true";

export const hasAwsCli = Bun.which("aws") !== null;

export const hasBoto3 = (() => {
  if (!Bun.which("python3")) return false;
  return Bun.spawnSync(["python3", "-c", "import boto3"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
})();

/** `s3lite …` as a separate process, with only PATH from the environment unless `env` is given. */
export const s3lite = (args: string[], env: Record<string, string> = { PATH: process.env.PATH ?? "" }, stdin?: string): Promise<RunResult> =>
  run([process.execPath, ENTRY, ...args], env, stdin);
