// What every bench scenario shares: flags and sizes, the credentials, presigned requests, timing,
// and the table the results go into.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { S3Client } from "@aws-sdk/client-s3";
import { presign } from "../test/helpers/signed-fetch.ts";

export const { values: flags } = parseArgs({ options: { quick: { type: "boolean" }, json: { type: "string" }, only: { type: "string" } } });
export const MiB = 1024 ** 2;
export const SIZES = flags.quick
  ? { large: 64 * MiB, multipartPart: 8 * MiB, completeParts: 20, listDirs: 20, loadSeconds: 1 }
  : { large: 1024 * MiB, multipartPart: 16 * MiB, completeParts: 1000, listDirs: 1000, loadSeconds: 8 };
export const CREDENTIALS = { accessKeyId: "AKIABENCHS3LITE", secretAccessKey: "bench-secret" };
export const BUCKET = "bench";

/**
 * One line of the table. `baseline` is the raw-Bun floor (bench/baseline.ts), `peer` the same scenario
 * on the peer server (bench/peer.ts); a row without `peer` is one the peer cannot do, and shows "—"
 * (each scenario says why where it records the row). `compare: false` leaves out the ratio columns, for
 * rows that are ratios themselves.
 */
export interface Row { scenario: string; unit: string; s3lite: number; baseline?: number; peer?: number | null; higherIsBetter: boolean; compare?: false }
export const rows: Row[] = [];
export const record = (row: Row) => { rows.push({ ...row, peer: row.peer ?? null }); printRow(row); };

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

export const s3url = (server: { url: string }, key: string, query = "") => `${server.url}/${BUCKET}/${key}${query}`;
export const presigned = (url: string, method = "GET") => presign(url, { method, credentials: CREDENTIALS, expiresIn: 3600 });

export const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
export async function medianOf(runs: number, fn: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await fn());
  return median(times);
}

/**
 * A figure of the peer's, or undefined (shown as "—") when it cannot produce one: a failure of the
 * peer's is reported and leaves its cell empty, rather than stopping the run.
 */
export async function peerFigure(scenario: string, fn: () => Promise<number>): Promise<number | undefined> {
  try {
    return await fn();
  } catch (error) {
    console.log(`(peer failed "${scenario}", its figure is left out: ${error instanceof Error ? error.message.split("\n")[0] : error})`);
    return undefined;
  }
}

export const clients: S3Client[] = [];
export function s3Client(s3: { url: string }): S3Client {
  const client = new S3Client({ endpoint: s3.url, region: "us-east-1", forcePathStyle: true, credentials: CREDENTIALS, requestChecksumCalculation: "WHEN_REQUIRED" });
  clients.push(client);
  return client;
}

const fmt = (n: number | undefined, unit = "") => n === undefined ? "" : unit === "×" ? n.toFixed(2) : n >= 100 ? n.toFixed(0) : n.toFixed(1);
const COLUMNS = [["unit", 6], ["s3lite", 9], ["raw Bun", 9], ["ratio", 6], ["peer", 9], ["s3lite/peer", 11]] as const;

export function printHeader(): void {
  console.log(`${"scenario".padEnd(72)} ${COLUMNS.map(([name, width], i) => (i === 0 ? name.padEnd(width) : name.padStart(width))).join(" ")}`);
}

export function printRow(r: Row): void {
  const ratio = r.baseline === undefined || r.compare === false ? "" : (r.s3lite / r.baseline).toFixed(2);
  const peer = r.peer ?? undefined;
  const factor = peer === undefined ? "—" : r.compare === false ? "" : (r.s3lite / peer).toFixed(2);
  const cells = [r.unit, fmt(r.s3lite, r.unit), fmt(r.baseline, r.unit), ratio, peer === undefined ? "—" : fmt(peer, r.unit), factor];
  console.log(`${r.scenario.padEnd(72)} ${cells.map((cell, i) => (i === 0 ? cell.padEnd(COLUMNS[i]![1]) : cell.padStart(COLUMNS[i]![1]))).join(" ")}`);
}
