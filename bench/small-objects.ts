// Small objects under load: GET and PUT of 4 KiB at 16 and 64 connections, driven by wrk (C, one
// thread) replaying presigned URLs, so the load generator costs less per request than the server.
// Reports req/s, p50 and p99 for s3lite, the baseline and the peer, and wrk's CPU beside the server's.
import { join } from "node:path";
import type { ChildServer, ServerProcess } from "../test/helpers/server-process.ts";
import { SIZES, expectOk, presigned, record, s3url, work } from "./common.ts";
import type { Peer } from "./peer.ts";

const SMALL = 4096;

interface Load { requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: number; wrkCpuSeconds: number }

export const hasWrk = () => Bun.which("wrk") !== null;

/** Runs wrk (one thread) against one URL; a PUT sends the same 4 KiB body each time (a presigned URL allows that). */
export async function runWrk(url: string, method: "GET" | "PUT", connections: number, seconds: number): Promise<Load> {
  const script = join(work, `wrk-${method}.lua`);
  await Bun.write(script, method === "PUT"
    ? `wrk.method = "PUT"\nwrk.body = string.rep("s", ${SMALL})\nwrk.headers["Content-Type"] = "application/octet-stream"\n`
    : `wrk.method = "GET"\n`);
  const proc = Bun.spawn(["wrk", "-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, url], { stdout: "pipe", stderr: "pipe" });
  const [out] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  if (proc.exitCode !== 0) throw new Error(`wrk failed: ${await new Response(proc.stderr).text()}`);
  const usage = proc.resourceUsage();
  const latency = (percent: string) => toMs(new RegExp(`^\\s*${percent}%\\s+(\\S+)`, "m").exec(out)?.[1]);
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors: .*?timeout (\d+)/.exec(out)?.[1] ?? 0);
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]),
    p50Ms: latency("50"), p99Ms: latency("99"), errors,
    wrkCpuSeconds: usage ? Number(usage.cpuTime.total) / 1e6 : NaN,
  };
}

/** wrk against a server process, with the CPU that process spent meanwhile. */
async function wrk(server: ChildServer, url: string, method: "GET" | "PUT", connections: number): Promise<Load & { serverCpuSeconds: number }> {
  const serverCpu = server.cpuSeconds();
  const load = await runWrk(url, method, connections, SIZES.loadSeconds);
  return { ...load, serverCpuSeconds: server.cpuSeconds() - serverCpu };
}

/** wrk prints "812.00us", "1.23ms" or "2.01s". */
function toMs(text: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text ?? "");
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
}

export async function smallObjects(s3: ServerProcess, baseline: ChildServer, peer: Peer | undefined): Promise<void> {
  const body = new Uint8Array(SMALL).fill(115);
  await expectOk(await fetch(await presigned(s3url(s3, "small.bin"), "PUT"), { method: "PUT", body }));
  await expectOk(await fetch(`${baseline.url}/small.bin`, { method: "PUT", body }));
  if (peer) await expectOk(await fetch(await presigned(s3url(peer, "small.bin"), "PUT"), { method: "PUT", body }));
  for (const method of ["GET", "PUT"] as const) {
    const key = method === "GET" ? "small.bin" : "small-put.bin";
    const s3Url = await presigned(s3url(s3, key), method);
    const baseUrl = `${baseline.url}/${key}`;
    const peerUrl = peer && await presigned(s3url(peer, key), method);
    for (const connections of [16, 64]) {
      const ours = await wrk(s3, s3Url, method, connections);
      const theirs = await wrk(baseline, baseUrl, method, connections);
      if (ours.errors > 0) throw new Error(`${method} at ${connections}: ${ours.errors} s3lite errors`);
      // The baseline's renames stall when the disk is busy, and wrk counts a request past its timeout as an
      // error: said in a line of its own, the figures kept, rather than stopping the run.
      if (theirs.errors > 0) console.log(`(raw Bun: ${theirs.errors} errors, timeouts, in ${method} at ${connections} connections)`);
      let other = peer && peerUrl ? await wrk(peer, peerUrl, method, connections) : undefined;
      if (other && other.errors > 0) {
        // The peer's failures are its own: its figures are left out rather than stopping the run.
        console.log(`(peer: ${other.errors} errors in ${method} at ${connections} connections; its figures are left out)`);
        other = undefined;
      }
      const label = `${method} 4 KiB, ${connections} connections`;
      record({ scenario: `${label}: requests/s`, unit: "req/s", s3lite: ours.requestsPerSecond, baseline: theirs.requestsPerSecond, peer: other?.requestsPerSecond, higherIsBetter: true });
      record({ scenario: `  p50 latency`, unit: "ms", s3lite: ours.p50Ms, baseline: theirs.p50Ms, peer: other?.p50Ms, higherIsBetter: false });
      record({ scenario: `  p99 latency`, unit: "ms", s3lite: ours.p99Ms, baseline: theirs.p99Ms, peer: other?.p99Ms, higherIsBetter: false });
      const cpuShare = (load: Load & { serverCpuSeconds: number }) => 100 * load.wrkCpuSeconds / load.serverCpuSeconds;
      record({ scenario: `  wrk CPU as a share of the server's CPU`, unit: "%", s3lite: cpuShare(ours), baseline: cpuShare(theirs), peer: other && cpuShare(other), higherIsBetter: false });
    }
  }
}
