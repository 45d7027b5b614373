// Servers as child processes: s3lite (`s3lite serve --port 0`) or the raw-Bun baseline, for tests and
// benchmarks that measure a server alone (its peak memory) or its behaviour across a kill.
import { readFileSync } from "node:fs";
import type { Subprocess } from "bun";
import { ENTRY } from "./spawn.ts";


// A test that fails before stopping its server must not leave it running: the child shares the
// runner's stderr, so a survivor would keep the runner's output open and hang whatever reads it.
const children = new Set<Subprocess>();
process.on("exit", () => { for (const child of children) child.kill("SIGKILL"); });

export interface ChildServer {
  url: string;
  pid: number;
  proc: Subprocess;
  /** Peak resident memory so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  /** CPU time used so far (user + system), in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface ServerProcess extends ChildServer {
  /** Objects whose parts are still being merged, from the health endpoint. */
  pendingMerges(): Promise<number>;
}

/** Spawns `argv` and waits until it prints "listening on <url>". */
export async function spawnListening(argv: string[]): Promise<ChildServer> {
  const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "inherit" });
  children.add(proc);
  void proc.exited.then(() => children.delete(proc));
  const reader = proc.stdout.getReader();
  let banner = "";
  while (!/listening on (\S+)/.test(banner)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${argv.join(" ")} exited before listening: ${banner}`);
    banner += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const status = () => readFileSync(`/proc/${proc.pid}/status`, "utf8");
  return {
    url: /listening on (\S+)/.exec(banner)![1]!,
    pid: proc.pid,
    proc,
    peakRssMiB: () => Number(/VmHWM:\s+(\d+) kB/.exec(status())![1]) / 1024,
    cpuSeconds() {
      // Fields 14 and 15 of /proc/<pid>/stat: utime and stime in clock ticks (100 per second here).
      const fields = readFileSync(`/proc/${proc.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

export async function spawnServer(dataDir: string, credentials: string, extraArgs: string[] = []): Promise<ServerProcess> {
  const child = await spawnListening([process.execPath, ENTRY, "serve", "--port", "0", "--data", dataDir, "--credentials", credentials, "--quiet", ...extraArgs]);
  return {
    ...child,
    async pendingMerges() {
      return ((await (await fetch(`${child.url}/_s3lite/health`)).json()) as { pendingMerges: number }).pendingMerges;
    },
  };
}
