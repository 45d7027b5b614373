// Runs an external client (AWS CLI, python3 with boto3) against a test server and captures its output.
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

export const hasBoto3 = (() => {
  if (!Bun.which("python3")) return false;
  return Bun.spawnSync(["python3", "-c", "import boto3"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
})();
