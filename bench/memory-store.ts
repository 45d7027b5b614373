// The memory store beside the data folder: GET and PUT of 4 KiB at 16 and 64 connections, wrk against
// `s3lite serve --memory` and against the disk server the other scenarios use, in the same run.
// Both rows go in the s3lite column; the ratio row is memory ÷ disk. The peer's column shows "—":
// these rows compare s3lite's two stores, and s3rver has no in-memory store.
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { spawnListening, type ServerProcess } from "../test/helpers/server-process.ts";
import { ENTRY } from "../test/helpers/spawn.ts";
import { BUCKET, CREDENTIALS, SIZES, expectOk, presigned, record, s3Client, s3url } from "./common.ts";
import { runWrk } from "./small-objects.ts";

const SMALL = 4096;

async function spawnMemoryServer(): Promise<ServerProcess> {
  const child = await spawnListening([process.execPath, ENTRY, "serve", "--port", "0", "--memory", "--credentials", `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`, "--quiet"]);
  return { ...child, pendingMerges: async () => 0 };
}

export async function memoryVsDisk(disk: ServerProcess): Promise<void> {
  const memory = await spawnMemoryServer();
  try {
    await s3Client(memory).send(new CreateBucketCommand({ Bucket: BUCKET }));
    const body = new Uint8Array(SMALL).fill(109);
    for (const server of [memory, disk]) await expectOk(await fetch(await presigned(s3url(server, "memory-small.bin"), "PUT"), { method: "PUT", body }));
    for (const method of ["GET", "PUT"] as const) {
      const key = method === "GET" ? "memory-small.bin" : "memory-small-put.bin";
      for (const connections of [16, 64]) {
        const figures = [];
        for (const [name, server] of [["memory", memory], ["disk", disk]] as const) {
          const load = await runWrk(await presigned(s3url(server, key), method), method, connections, SIZES.loadSeconds);
          if (load.errors > 0) throw new Error(`${method} at ${connections} on the ${name} store: ${load.errors} errors`);
          figures.push(load.requestsPerSecond);
          record({ scenario: `${method} 4 KiB, ${connections} connections, ${name} store: requests/s`, unit: "req/s", s3lite: load.requestsPerSecond, higherIsBetter: true });
          record({ scenario: "  p50 latency", unit: "ms", s3lite: load.p50Ms, higherIsBetter: false });
          record({ scenario: "  p99 latency", unit: "ms", s3lite: load.p99Ms, higherIsBetter: false });
        }
        record({ scenario: `  memory ÷ disk, requests/s`, unit: "×", s3lite: figures[0]! / figures[1]!, higherIsBetter: true });
      }
    }
  } finally {
    await memory.stop();
  }
}
