// s3lite gc: reclaim unreferenced blobs, abandoned multipart uploads and temp leftovers.
import { defineCommand } from "citty";
import { DEFAULT_GRACE, DEFAULT_UPLOAD_AGE } from "../core/config.ts";
import { consola } from "../core/log.ts";
import { collectGarbage, type GcReport } from "../core/store/gc.ts";
import { formatBytes, plural } from "./_format.ts";
import { openForMaintenance, storeArgs } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "gc",
    description: [
      "Reclaim space: unused blobs, abandoned multipart uploads, temp leftovers.",
      "Removes blobs no object or upload uses, multipart uploads started longer ago than --upload-age,",
      "and temp files left by interrupted writes. Safe while a server runs on the same folder: anything",
      "modified within --grace is kept.",
      "",
      "Examples:",
      "  s3lite gc --dry-run",
      "  s3lite gc --data /var/tmp/s3 --grace 1h --upload-age 2d --json",
    ].join("\n"),
  },
  args: {
    ...storeArgs,
    "dry-run": { type: "boolean", description: "Report what would be removed; remove nothing" },
    grace: { type: "string", description: "Keep anything modified more recently than this", valueHint: DEFAULT_GRACE, default: DEFAULT_GRACE },
    "upload-age": { type: "string", description: "Abort multipart uploads started longer ago than this", valueHint: DEFAULT_UPLOAD_AGE, default: DEFAULT_UPLOAD_AGE },
  },
  async run({ args }) {
    const { config, store } = openForMaintenance(args);
    try {
      const report = await collectGarbage(store.meta, store.blobs, { dryRun: !!args["dry-run"], graceMs: config.graceMs, uploadMaxAgeMs: config.uploadMaxAgeMs, now: Date.now() });
      if (args.json) console.log(JSON.stringify(report, null, 2));
      else printReport(report, args.grace);
    } finally {
      store.close();
    }
  },
});

function printReport(r: GcReport, grace: string): void {
  const verb = r.dryRun ? "would remove" : "removed";
  consola.log(`${r.dryRun ? "Dry run: " : ""}scanned ${plural(r.blobsScanned, "blob")}.`);
  consola.log(`  ${verb} ${plural(r.blobsRemoved, "unreferenced blob")} (${formatBytes(r.blobBytesFreed)})`);
  consola.log(`  ${r.dryRun ? "would abort" : "aborted"} ${plural(r.uploadsAborted.length, "abandoned multipart upload")}`);
  for (const u of r.uploadsAborted) consola.log(`    ${u.bucket}/${u.key} (started ${u.createdAt})`);
  consola.log(`  ${verb} ${plural(r.tmpFilesRemoved, "temp file")} (${formatBytes(r.tmpBytesFreed)})`);
  if (r.blobsKeptYoung > 0) consola.log(`  kept ${plural(r.blobsKeptYoung, "unreferenced blob")} younger than ${grace}`);
  if (r.blobsRestored > 0) consola.log(`  put back ${plural(r.blobsRestored, "blob")} an interrupted gc had moved aside`);
}
