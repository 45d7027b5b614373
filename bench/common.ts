// What every bench scenario shares: flags and sizes, the credentials, presigned requests, timing,
// and the table the results go into.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { S3Client } from "@aws-sdk/client-s3";
import type { ServerProcess } from "../test/helpers/server-process.ts";
import { presign } from "../test/helpers/signed-fetch.ts";

export const { values: flags } = parseArgs({ options: { quick: { type: "boolean" }, json: { type: "string" }, only: { type: "string" } } });
export const MiB = 1024 ** 2;
export const SIZES = flags.quick
  ? { large: 64 * MiB, multipartPart: 8 * MiB, completeParts: 20, listDirs: 20, loadSeconds: 1 }
  : { large: 1024 * MiB, multipartPart: 16 * MiB, completeParts: 1000, listDirs: 1000, loadSeconds: 8 };
export const CREDENTIALS = { accessKeyId: "AKIABENCHS3LITE", secretAccessKey: "bench-secret" };
export const BUCKET = "bench";

export interface Row { scenario: string; unit: string; s3lite: number; baseline?: number; higherIsBetter: boolean }
export const rows: Row[] = [];
export const record = (row: Row) => { rows.push(row); printRow(row); };

export const work = mkdtempSync(join(tmpdir(), "s3lite-bench-"));
export const source = join(work, "source.bin");

/** A file of random bytes to send: Bun sends a file body with sendfile, so the client costs little. */
export async function writeSource(size: number): Promise<void> {
  const writer = Bun.file(source).writer();
  const block = new Uint8Array(MiB);
  for (let written = 0; written < size; written += MiB) {
    crypto.getRandomValues(block.subarray(0, 65536));
    block.copyWithin(65536, 0, MiB - 65536);
    writer.write(block.subarray(0, Math.min(MiB, size - written)));
  }
  await writer.end();
}

export const timed = async (fn: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await fn();
  return performance.now() - started;
};

export async function expectOk(response: Response): Promise<Response> {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response;
}

export async function drain(response: Response): Promise<number> {
  let size = 0;
  for await (const chunk of response.body!) size += chunk.length;
  return size;
}

export const s3url = (server: ServerProcess, key: string, query = "") => `${server.url}/${BUCKET}/${key}${query}`;
export const presigned = (url: string, method = "GET") => presign(url, { method, credentials: CREDENTIALS, expiresIn: 3600 });

export const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
export async function medianOf(runs: number, fn: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await fn());
  return median(times);
}

export const clients: S3Client[] = [];
export function s3Client(s3: ServerProcess): S3Client {
  const client = new S3Client({ endpoint: s3.url, region: "us-east-1", forcePathStyle: true, credentials: CREDENTIALS, requestChecksumCalculation: "WHEN_REQUIRED" });
  clients.push(client);
  return client;
}

const fmt = (n: number | undefined) => n === undefined ? "" : n >= 100 ? n.toFixed(0) : n.toFixed(1);
export function printRow(r: Row): void {
  const ratio = r.baseline === undefined ? "" : (r.s3lite / r.baseline).toFixed(2);
  console.log(`${r.scenario.padEnd(72)} ${r.unit.padEnd(6)} ${fmt(r.s3lite).padStart(9)} ${fmt(r.baseline).padStart(9)} ${ratio.padStart(6)}`);
}

