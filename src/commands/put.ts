// s3lite put: upload a file, a folder (--recursive) or stdin (-), streaming, in parallel parts when large.
import { createReadStream, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { defineCommand } from "citty";
import type { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { makeClient, parseS3Url, resolveClientSettings } from "../core/client.ts";
import { consola } from "../core/log.ts";
import { formatBytes, plural } from "./_format.ts";
import { clientArgs } from "./_shared.ts";

const PART_SIZE = 8 * 1024 * 1024;
const PARALLEL_PARTS = 4;

export default defineCommand({
  meta: {
    name: "put",
    description: [
      "Upload to s3lite or any S3 endpoint. Large files go up in parallel parts; a terminal shows progress.",
      "A key ending in / (or none) takes the file's name; Content-Type follows the file name.",
      "",
      "Examples:",
      "  s3lite put photo.jpg s3://my-bucket/",
      "  s3lite put backup.tar s3://my-bucket/backups/2026-11-24.tar",
      "  s3lite put ./site s3://my-bucket/www/ --recursive",
      "  tar c . | s3lite put - s3://my-bucket/snapshot.tar",
    ].join("\n"),
  },
  args: {
    source: { type: "positional", required: true, description: "A file, a folder (with --recursive), or - for stdin" },
    target: { type: "positional", required: true, description: "s3://bucket[/key]" },
    recursive: { type: "boolean", alias: "r", description: "Upload every file under a folder" },
    ...clientArgs,
  },
  async run({ args }) {
    const target = parseS3Url(args.target);
    const usage = (message: string) => { consola.error(message); process.exit(2); };
    if (!target) return usage(`Expected s3://bucket[/key], got "${args.target}"`);
    const jobs = await plan(args.source, target.key, !!args.recursive).catch((error: Error) => usage(error.message));
    if (!jobs) return;
    const client = makeClient(resolveClientSettings(args, process.env, process.env.HOME));
    const results: { key: string; size: number; etag?: string; seconds: number }[] = [];
    const progress = process.stderr.isTTY && !args.json;
    try {
      for (const job of jobs) results.push(await upload(client, target.bucket, job, progress));
    } catch (error) {
      consola.error(`${(error as Error).name}: ${(error as Error).message}`);
      process.exitCode = 1;
    } finally {
      client.destroy();
    }
    if (args.json) console.log(JSON.stringify(results, null, 2));
    else if (results.length > 0) {
      for (const r of results) console.log(`uploaded s3://${target.bucket}/${r.key}  ${formatBytes(r.size)} in ${r.seconds.toFixed(1)} s`);
      if (results.length > 1) console.log(`${plural(results.length, "file")}, ${formatBytes(results.reduce((n, r) => n + r.size, 0))}`);
    }
  },
});

interface Job {
  /** A file path, or "-" for stdin. */
  path: string;
  key: string;
  size?: number;
}

async function plan(source: string, key: string, recursive: boolean): Promise<Job[]> {
  if (source === "-") {
    if (key === "" || key.endsWith("/")) throw new Error("Uploading stdin needs a full key: s3://bucket/key");
    return [{ path: "-", key }];
  }
  const info = statSync(source, { throwIfNoEntry: false });
  if (!info) throw new Error(`No such file or folder: ${source}`);
  if (info.isFile()) return [{ path: source, key: key === "" || key.endsWith("/") ? key + basename(source) : key, size: info.size }];
  if (!recursive) throw new Error(`${source} is a folder: add --recursive to upload what it holds`);
  const prefix = key === "" || key.endsWith("/") ? key : `${key}/`;
  const files = (await readdir(source, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  return files.map((e) => {
    const path = join(e.parentPath, e.name);
    return { path, key: prefix + relative(source, path).split(sep).join("/"), size: statSync(path).size };
  }).sort((a, b) => (a.key < b.key ? -1 : 1));
}

async function upload(client: S3Client, bucket: string, job: Job, showProgress: boolean): Promise<{ key: string; size: number; etag?: string; seconds: number }> {
  const started = performance.now();
  const body = job.path === "-" ? Readable.from(Bun.stdin.stream() as unknown as AsyncIterable<Uint8Array>) : createReadStream(job.path);
  // Bun.file knows the MIME type from the extension; S3's default stands for anything else.
  const contentType = job.path === "-" ? undefined : Bun.file(job.path).type.replace(/;charset=utf-8$/, "") || undefined;
  const uploader = new Upload({
    client,
    params: { Bucket: bucket, Key: job.key, Body: body, ContentType: contentType, ...(job.size !== undefined ? { ContentLength: job.size } : {}) },
    partSize: PART_SIZE,
    queueSize: PARALLEL_PARTS,
  });
  let sent = 0;
  uploader.on("httpUploadProgress", (p) => {
    sent = p.loaded ?? sent;
    if (showProgress) {
      const seconds = (performance.now() - started) / 1000;
      const rate = sent / Math.max(seconds, 0.001);
      const total = job.size;
      const eta = total && rate > 0 ? ` ETA ${Math.ceil((total - sent) / rate)} s` : "";
      process.stderr.write(`\r\x1b[K${job.key}  ${formatBytes(sent)}${total !== undefined ? ` / ${formatBytes(total)}` : ""}  ${formatBytes(rate)}/s${eta}`);
    }
  });
  let done;
  try {
    done = await uploader.done();
  } finally {
    if (showProgress) process.stderr.write("\r\x1b[K");
  }
  const size = job.size ?? sent;
  return { key: job.key, size, etag: done.ETag, seconds: (performance.now() - started) / 1000 };
}
