// s3lite ls: buckets, or the objects under a prefix, grouped by "/" like a directory listing.
import { defineCommand } from "citty";
import { ListBucketsCommand, paginateListObjectsV2, type S3Client } from "@aws-sdk/client-s3";
import { makeClient, parseS3Url, resolveClientSettings } from "../core/client.ts";
import { consola } from "../core/log.ts";
import { formatBytes, plural } from "./_format.ts";
import { clientArgs } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "ls",
    description: [
      "List buckets, or the objects of a bucket under a prefix, on s3lite or any S3 endpoint.",
      "",
      "Examples:",
      "  s3lite ls",
      "  s3lite ls s3://my-bucket/photos/",
      "  s3lite ls s3://my-bucket --recursive --json",
      "  s3lite ls s3://my-bucket --endpoint aws",
    ].join("\n"),
  },
  args: {
    target: { type: "positional", required: false, description: "s3://bucket[/prefix]; none lists the buckets" },
    recursive: { type: "boolean", alias: "r", description: "Every key under the prefix, not grouped by /" },
    ...clientArgs,
  },
  async run({ args }) {
    const location = args.target ? parseS3Url(args.target) : undefined;
    if (args.target && !location) {
      consola.error(`Expected s3://bucket[/prefix], got "${args.target}"`);
      process.exit(2);
    }
    const client = makeClient(resolveClientSettings(args, process.env, process.env.HOME));
    try {
      if (!location) await listBuckets(client, !!args.json);
      else await listObjects(client, location.bucket, location.key, !!args.recursive, !!args.json);
    } catch (error) {
      consola.error(`${(error as Error).name}: ${(error as Error).message}`);
      process.exitCode = 1;
    } finally {
      client.destroy();
    }
  },
});

const stamp = (date: Date | undefined) => (date ?? new Date(0)).toISOString().slice(0, 19).replace("T", " ");

async function listBuckets(client: S3Client, json: boolean): Promise<void> {
  const { Buckets = [] } = await client.send(new ListBucketsCommand({}));
  if (json) return console.log(JSON.stringify(Buckets.map((b) => ({ name: b.Name, created: b.CreationDate?.toISOString() })), null, 2));
  for (const b of Buckets) console.log(`${stamp(b.CreationDate)}  ${b.Name}`);
  console.log(plural(Buckets.length, "bucket"));
}

async function listObjects(client: S3Client, bucket: string, prefix: string, recursive: boolean, json: boolean): Promise<void> {
  const objects: { key: string; size: number; lastModified?: string; etag?: string }[] = [];
  const prefixes: string[] = [];
  let total = 0, count = 0;
  for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix, Delimiter: recursive ? undefined : "/" })) {
    for (const p of page.CommonPrefixes ?? []) {
      if (json) prefixes.push(p.Prefix!);
      if (!json) console.log(`${"".padStart(19)}  ${"PRE".padStart(10)}  ${p.Prefix}`);
    }
    for (const o of page.Contents ?? []) {
      const size = o.Size ?? 0;
      total += size;
      count++;
      // Only JSON output keeps the listing; text streams it, whatever the bucket holds.
      if (json) objects.push({ key: o.Key!, size, lastModified: o.LastModified?.toISOString(), etag: o.ETag });
      else console.log(`${stamp(o.LastModified)}  ${formatBytes(size).padStart(10)}  ${o.Key}`);
    }
  }
  if (json) return console.log(JSON.stringify({ bucket, prefix, prefixes, objects, totalObjects: count, totalBytes: total }, null, 2));
  console.log(`${plural(count, "object")}, ${formatBytes(total)} in all`);
}
