// Time from spawning the process to its first answered request, s3lite beside the baseline.
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { spawnListening, spawnServer } from "../test/helpers/server-process.ts";
import { CREDENTIALS, medianOf, record, work } from "./common.ts";

async function firstAnswer(start: () => Promise<{ url: string; stop(): Promise<void> }>, path: string): Promise<number> {
  const started = performance.now();
  const server = await start();
  const response = await fetch(server.url + path);
  await response.arrayBuffer();
  const ms = performance.now() - started;
  await server.stop();
  return ms;
}

export async function startup(): Promise<void> {
  // A fresh data folder each time: creating the database is part of a first start.
  const s3 = await medianOf(5, () => firstAnswer(() => spawnServer(mkdtempSync(join(work, "start-")), `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`), "/_s3lite/health"));
  const baseline = await medianOf(5, () => firstAnswer(() => spawnListening([process.execPath, join(import.meta.dir, "baseline.ts"), mkdtempSync(join(work, "start-"))]), "/missing"));
  record({ scenario: "start to first answered request (median of 5)", unit: "ms", s3lite: s3, baseline, higherIsBetter: false });
}
