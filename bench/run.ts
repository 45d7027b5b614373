// `bun run bench`: s3lite beside a raw-Bun file server (bench/baseline.ts) and a peer, s3rver
// (bench/peer.ts), in the same run, all three as child processes, driven by presigned fetches from
// this process. Prints one table with ratios to both; `--json FILE` also writes the figures (each row
// carries the peer's as `peer`, null where it cannot do the scenario); `--quick` shrinks every size
// for a smoke run; `--only startup,small,memory,stages,transfers,complete,listing` picks scenarios.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { spawnListening, spawnServer } from "../test/helpers/server-process.ts";
import { CREDENTIALS, BUCKET, SIZES, clients, flags, printHeader, rows, s3Client, work } from "./common.ts";
import { listing, seedListingBuckets } from "./listing.ts";
import { getStages } from "./get-stages.ts";
import { memoryVsDisk } from "./memory-store.ts";
import { seedPeerListing, spawnPeer, type Peer } from "./peer.ts";
import { hasWrk, smallObjects } from "./small-objects.ts";
import { startup } from "./startup.ts";
import { completeManyParts, largeTransfers } from "./transfers.ts";

async function main(): Promise<void> {
  const wanted = (name: string) => !flags.only || flags.only.split(",").includes(name);
  const peerDir = join(work, "peer");
  if (wanted("listing")) {
    const seeding = performance.now();
    seedListingBuckets(join(work, "s3lite"));
    seedPeerListing(peerDir);
    console.log(`(seeded listing buckets of 10,000 and ${(SIZES.listDirs * 1000).toLocaleString("en-US")} keys in ${((performance.now() - seeding) / 1000).toFixed(1)} s)`);
  }
  const s3 = await spawnServer(join(work, "s3lite"), `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`);
  const baselineDir = join(work, "baseline");
  await Bun.write(join(baselineDir, ".keep"), "");
  const baseline = await spawnListening([process.execPath, join(import.meta.dir, "baseline.ts"), baselineDir]);
  // Without its peer the bench still runs, and says so: a smoke run must not hang or fail on s3rver.
  let peer: Peer | undefined;
  try {
    peer = await spawnPeer(peerDir);
    await s3Client(peer).send(new CreateBucketCommand({ Bucket: BUCKET }));
  } catch (error) {
    console.log(`(PEER NOT RUNNING: s3rver failed to start, so the peer column shows — throughout: ${error instanceof Error ? error.message : error})`);
    await peer?.stop();
    peer = undefined;
  }
  try {
    await s3Client(s3).send(new CreateBucketCommand({ Bucket: BUCKET }));
    console.log(`s3lite bench${flags.quick ? " (quick)" : ""}: ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}, ${process.platform}; peer: ${peer?.label ?? "none"}`);
    printHeader();
    if (wanted("startup")) await startup(!!peer);
    if (wanted("small")) {
      if (hasWrk()) await smallObjects(s3, baseline, peer);
      else console.log("(small-object load skipped: wrk is not installed; apt-get install wrk)");
    }
    if (wanted("memory")) {
      if (hasWrk()) await memoryVsDisk(s3);
      else console.log("(memory-store load skipped: wrk is not installed; apt-get install wrk)");
    }
    if (wanted("stages") && hasWrk()) await getStages();
    if (wanted("transfers")) await largeTransfers(s3, baseline, peer);
    if (wanted("complete")) await completeManyParts(s3, peer);
    if (wanted("listing")) await listing(s3, peer);
    if (flags.json) await Bun.write(flags.json, JSON.stringify({ bun: Bun.version, cores: navigator.hardwareConcurrency, quick: !!flags.quick, peer: peer?.label ?? null, rows }, null, 2));
  } finally {
    for (const c of clients) c.destroy();
    await s3.stop();
    await baseline.stop();
    await peer?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
