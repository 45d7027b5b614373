// s3lite fsck: verify every object against its blobs; with --repair, quarantine what is bad.
import { defineCommand } from "citty";
import { DEFAULT_GRACE, DEFAULT_UPLOAD_AGE } from "../core/config.ts";
import { consola } from "../core/log.ts";
import { checkStore, type FsckReport } from "../core/store/fsck.ts";
import { formatBytes, plural } from "./_format.ts";
import { openForMaintenance, storeArgs } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "fsck",
    description: [
      "Check the store's integrity; --repair quarantines what is broken.",
      "Verifies that every blob an object or upload uses exists, has its recorded size and hashes to its",
      "SHA-256 address; names each affected bucket and key; runs SQLite's integrity check; counts what gc",
      "would reclaim. Exit 1 when anything is wrong. Works with or without a server running.",
      "",
      "Examples:",
      "  s3lite fsck",
      "  s3lite fsck --data /var/tmp/s3 --repair",
      "  s3lite fsck --json > report.json",
    ].join("\n"),
  },
  args: {
    ...storeArgs,
    repair: { type: "boolean", description: "Move bad blobs to quarantine/ and remove the objects that lost their data" },
    grace: { type: "string", description: "Leftovers modified more recently than this are not counted", valueHint: DEFAULT_GRACE, default: DEFAULT_GRACE },
    "upload-age": { type: "string", description: "Uploads started longer ago than this count as stale", valueHint: DEFAULT_UPLOAD_AGE, default: DEFAULT_UPLOAD_AGE },
  },
  async run({ args }) {
    const { config, store } = openForMaintenance(args);
    const showProgress = process.stderr.isTTY && !args.json;
    const started = performance.now();
    let report: FsckReport;
    try {
      report = await checkStore(store.meta, store.blobs, {
        repair: !!args.repair, graceMs: config.graceMs, uploadMaxAgeMs: config.uploadMaxAgeMs, now: Date.now(),
        onProgress: showProgress ? progressLine(started) : undefined,
      });
    } finally {
      store.close();
    }
    if (showProgress) process.stderr.write("\r\x1b[K");
    if (args.json) console.log(JSON.stringify(report, null, 2));
    else printReport(report, (performance.now() - started) / 1000);
    process.exitCode = report.ok ? 0 : 1;
  },
});

function progressLine(started: number): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = performance.now();
    if (now - last < 200 && done < total) return;
    last = now;
    const rate = done / Math.max(0.001, (now - started) / 1000);
    process.stderr.write(`\r\x1b[Kverifying ${formatBytes(done)} of ${formatBytes(total)} (${total ? Math.floor((done / total) * 100) : 100}%, ${formatBytes(rate)}/s)`);
  };
}

function printReport(r: FsckReport, seconds: number): void {
  consola.log(`Verified ${plural(r.blobsVerified, "blob")} (${formatBytes(r.bytesVerified)}) in ${seconds.toFixed(1)} s, ${formatBytes(r.bytesVerified / Math.max(seconds, 0.001))}/s.`);
  for (const p of r.problems) {
    consola.log(`${p.repaired ? "repaired" : "PROBLEM"}: ${p.kind}${p.sha256 ? ` ${p.sha256}` : ""}: ${p.detail}`);
    for (const a of p.affected) consola.log(`    affects ${a}`);
    if (p.repaired) consola.log(`    ${p.repaired}`);
  }
  const l = r.leftovers;
  if (l.orphanBlobs || l.staleUploads || l.tempFiles) {
    consola.log(`Leftovers that s3lite gc reclaims: ${plural(l.orphanBlobs, "unreferenced blob")} (${formatBytes(l.orphanBytes)}), ${plural(l.staleUploads, "stale upload")}, ${plural(l.tempFiles, "temp file")} (${formatBytes(l.tempBytes)}).`);
  }
  if (r.unmergedObjects) consola.log(`${plural(r.unmergedObjects, "multipart object")} still read from parts; a running server merges them.`);
  if (r.quarantineDir) consola.log(`Quarantined blobs are in ${r.quarantineDir}.`);
  const open = r.problems.filter((p) => !p.repaired).length;
  if (r.ok) consola.log("No problems found.");
  else if (open === 0) consola.log(`${plural(r.problems.length, "problem")} found and repaired.`);
  else consola.log(`${plural(open, "problem")} found; --repair quarantines bad blobs and removes the objects that lost their data.`);
}
