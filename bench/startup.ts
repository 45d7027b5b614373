// Time from spawning the process to its first answered request: s3lite, the baseline and the peer.
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { spawnListening, spawnServer } from "../test/helpers/server-process.ts";
import { CREDENTIALS, medianOf, peerFigure, record, work } from "./common.ts";
import { spawnPeer } from "./peer.ts";

async function firstAnswer(start: () => Promise<{ url: string; stop(): Promise<void> }>, path: string): Promise<number> {
  const started = performance.now();
  const server = await start();
  const response = await fetch(server.url + path);
  await response.arrayBuffer();
  const ms = performance.now() - started;
  await server.stop();
  return ms;
}

export async function startup(withPeer: boolean): Promise<void> {
  // A fresh data folder each time: creating the database is part of a first start.
  const s3 = await medianOf(5, () => firstAnswer(() => spawnServer(mkdtempSync(join(work, "start-")), `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`), "/_s3lite/health"));
  const baseline = await medianOf(5, () => firstAnswer(() => spawnListening([process.execPath, join(import.meta.dir, "baseline.ts"), mkdtempSync(join(work, "start-"))]), "/missing"));
  // s3rver has no health route: its first answer is to an anonymous ListBuckets.
  const peer = withPeer ? await peerFigure("start", () => medianOf(5, () => firstAnswer(() => spawnPeer(mkdtempSync(join(work, "start-"))), "/"))) : undefined;
  record({ scenario: "start to first answered request (median of 5)", unit: "ms", s3lite: s3, baseline, peer, higherIsBetter: false });
}
