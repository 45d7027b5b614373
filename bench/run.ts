// `bun run bench`: s3lite beside a raw-Bun file server (bench/baseline.ts) in the same run, both as
// child processes, driven by presigned fetches from this process. Prints one table with ratios;
// `--json FILE` also writes the figures; `--quick` shrinks every size for a smoke run; `--only
// transfers,complete,listing` picks scenarios.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, S3Client } from "@aws-sdk/client-s3";
import { openStore } from "../src/core/store/open.ts";
import { spawnListening, spawnServer, type ChildServer, type ServerProcess } from "../test/helpers/server-process.ts";
import { presign } from "../test/helpers/signed-fetch.ts";

const { values: flags } = parseArgs({ options: { quick: { type: "boolean" }, json: { type: "string" }, only: { type: "string" } } });
const MiB = 1024 ** 2;
const SIZES = flags.quick
  ? { large: 64 * MiB, multipartPart: 8 * MiB, completeParts: 20, listDirs: 20 }
  : { large: 1024 * MiB, multipartPart: 16 * MiB, completeParts: 1000, listDirs: 1000 };
const CREDENTIALS = { accessKeyId: "AKIABENCHS3LITE", secretAccessKey: "bench-secret" };
const BUCKET = "bench";

interface Row { scenario: string; unit: string; s3lite: number; baseline?: number; higherIsBetter: boolean }
const rows: Row[] = [];
const record = (row: Row) => { rows.push(row); printRow(row); };

const work = mkdtempSync(join(tmpdir(), "s3lite-bench-"));
const source = join(work, "source.bin");

/** A file of random bytes to send: Bun sends a file body with sendfile, so the client costs little. */
async function writeSource(size: number): Promise<void> {
  const writer = Bun.file(source).writer();
  const block = new Uint8Array(MiB);
  for (let written = 0; written < size; written += MiB) {
    crypto.getRandomValues(block.subarray(0, 65536));
    block.copyWithin(65536, 0, MiB - 65536);
    writer.write(block.subarray(0, Math.min(MiB, size - written)));
  }
  await writer.end();
}

const timed = async (fn: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await fn();
  return performance.now() - started;
};

async function expectOk(response: Response): Promise<Response> {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response;
}

async function drain(response: Response): Promise<number> {
  let size = 0;
  for await (const chunk of response.body!) size += chunk.length;
  return size;
}

const s3url = (server: ServerProcess, key: string, query = "") => `${server.url}/${BUCKET}/${key}${query}`;
const presigned = (url: string, method = "GET") => presign(url, { method, credentials: CREDENTIALS, expiresIn: 3600 });

async function largeTransfers(s3: ServerProcess, baseline: ChildServer): Promise<void> {
  const size = SIZES.large;
  await writeSource(size);
  const mib = size / MiB;
  const put = async (url: string) => expectOk(await fetch(url, { method: "PUT", body: Bun.file(source) }));
  const get = async (url: string) => {
    const got = await drain(await expectOk(await fetch(url)));
    if (got !== size) throw new Error(`GET returned ${got} bytes, expected ${size}`);
  };
  const s3Put = await timed(async () => put(await presigned(s3url(s3, "large.bin"), "PUT")));
  const basePut = await timed(() => put(`${baseline.url}/large.bin`));
  record({ scenario: `PUT ${mib} MiB, one stream`, unit: "MiB/s", s3lite: mib / (s3Put / 1000), baseline: mib / (basePut / 1000), higherIsBetter: true });
  const s3Get = await timed(async () => get(await presigned(s3url(s3, "large.bin"))));
  const baseGet = await timed(() => get(`${baseline.url}/large.bin`));
  record({ scenario: `GET ${mib} MiB, one stream`, unit: "MiB/s", s3lite: mib / (s3Get / 1000), baseline: mib / (baseGet / 1000), higherIsBetter: true });

  // Multipart: parts of the same file sent four at a time, as the SDKs' transfer managers do.
  const client = s3Client(s3);
  const key = "multipart.bin";
  const partSize = SIZES.multipartPart;
  const count = Math.ceil(size / partSize);
  const multipart = await timed(async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const etags: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let n = next++; n < count; n = next++) {
        const url = await presigned(s3url(s3, key, `?partNumber=${n + 1}&uploadId=${UploadId}`), "PUT");
        const body = Bun.file(source).slice(n * partSize, Math.min(size, (n + 1) * partSize));
        etags[n] = (await expectOk(await fetch(url, { method: "PUT", body }))).headers.get("etag")!;
      }
    }));
    await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
  });
  record({ scenario: `multipart upload ${mib} MiB (${count} parts, 4 at a time) vs one-stream PUT`, unit: "MiB/s", s3lite: mib / (multipart / 1000), baseline: mib / (basePut / 1000), higherIsBetter: true });
  const merged = await timed(async () => { while ((await s3.pendingMerges()) > 0) await Bun.sleep(50); });
  record({ scenario: `  then merging its parts in the background`, unit: "ms", s3lite: merged, higherIsBetter: false });
  record({ scenario: "peak server RSS after the transfers above", unit: "MiB", s3lite: s3.peakRssMiB(), baseline: baseline.peakRssMiB(), higherIsBetter: false });
}

/** CompleteMultipartUpload of many 5 MiB parts. The parts share one body, so they share one blob on disk. */
async function completeManyParts(s3: ServerProcess): Promise<void> {
  const count = SIZES.completeParts;
  const partSize = 5 * MiB;
  if ((await Bun.file(source).exists()) === false) await writeSource(partSize);
  const body = Bun.file(source).slice(0, partSize);
  const client = s3Client(s3);
  const key = "many-parts.bin";
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const etags: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let n = next++; n < count; n = next++) {
      const url = await presigned(s3url(s3, key, `?partNumber=${n + 1}&uploadId=${UploadId}`), "PUT");
      etags[n] = (await expectOk(await fetch(url, { method: "PUT", body }))).headers.get("etag")!;
    }
  }));
  const Parts = etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 }));
  const ms = await timed(() => client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts } })));
  record({ scenario: `CompleteMultipartUpload of ${count} parts (${(count * partSize / 1024 ** 3).toFixed(1)} GiB)`, unit: "ms", s3lite: ms, higherIsBetter: false });
}

/**
 * Listing buckets of 10 and SIZES.listDirs folders of 1,000 keys each (10,000 and 1,000,000 keys),
 * written straight into the metadata before the server starts: a listing reads rows only, and a
 * million PUTs would measure the PUT path instead. Every row points at one blob that is never read.
 */
const LIST_SMALL = "list-small", LIST_LARGE = "list-large";
function seedListingBuckets(dataDir: string): void {
  const store = openStore(dataDir);
  const now = Date.now();
  const empty = new Bun.CryptoHasher("sha256").digest("hex");
  try {
    for (const [bucket, dirs] of [[LIST_SMALL, 10], [LIST_LARGE, SIZES.listDirs]] as const) {
      store.meta.createBucket(bucket, "us-east-1", now);
      store.meta.db.transaction(() => {
        for (let d = 0; d < dirs; d++) {
          for (let f = 0; f < 1000; f++) {
            store.meta.putObject({
              bucket, key: `dir-${String(d).padStart(4, "0")}/file-${String(f).padStart(4, "0")}.txt`, sha256: empty, size: 0,
              etag: '"d41d8cd98f00b204e9800998ecf8427e"', lastModified: now, contentType: "text/plain", headers: {}, metadata: {},
              checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 0,
            });
          }
        }
      })();
    }
  } finally {
    store.close();
  }
}

/** One ListObjectsV2 request, presigned beforehand so only the request is timed. */
async function listPage(s3: ServerProcess, bucket: string, query: string): Promise<{ ms: number; token?: string; count: number }> {
  const url = await presigned(`${s3.url}/${bucket}?list-type=2&${query}`);
  const started = performance.now();
  const text = await (await expectOk(await fetch(url))).text();
  const ms = performance.now() - started;
  const token = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(text)?.[1];
  const count = (text.match(/<Key>|<CommonPrefixes>/g) ?? []).length;
  return { ms, token, count };
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
async function medianOf(runs: number, fn: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await fn());
  return median(times);
}

async function listing(s3: ServerProcess): Promise<void> {
  const large = `${(SIZES.listDirs * 1000).toLocaleString("en-US")}-key`;
  const fullListing = await medianOf(5, async () => {
    let total = 0, keys = 0, token: string | undefined;
    do {
      const page = await listPage(s3, LIST_SMALL, `max-keys=1000${token ? `&continuation-token=${encodeURIComponent(token)}` : ""}`);
      total += page.ms;
      keys += page.count;
      token = page.token;
    } while (token);
    if (keys !== 10_000) throw new Error(`listed ${keys} keys, expected 10000`);
    return total;
  });
  record({ scenario: "ListObjectsV2 of 10,000 keys in 10 pages of 1,000 (median of 5)", unit: "ms", s3lite: fullListing, higherIsBetter: false });
  const page = async (bucket: string, query: string) => medianOf(21, async () => {
    const result = await listPage(s3, bucket, query);
    if (result.count !== 1000) throw new Error(`a page of ${result.count}, expected 1000 (${bucket}?${query})`);
    return result.ms;
  });
  const middle = `start-after=${encodeURIComponent(`dir-${String(Math.floor(SIZES.listDirs / 2)).padStart(4, "0")}/file-0500.txt`)}`;
  record({ scenario: "one 1,000-key page from the 10,000-key bucket (median of 21)", unit: "ms", s3lite: await page(LIST_SMALL, "start-after=dir-0004/file-0500.txt"), higherIsBetter: false });
  record({ scenario: `one 1,000-key page from the ${large} bucket, from its middle`, unit: "ms", s3lite: await page(LIST_LARGE, middle), higherIsBetter: false });
  if (SIZES.listDirs >= 1000) {
    // Each CommonPrefix rolls up 1,000 keys: the page skips past them rather than walking a million rows.
    record({ scenario: `one page of 1,000 CommonPrefixes from the ${large} bucket`, unit: "ms", s3lite: await page(LIST_LARGE, "delimiter=%2F"), higherIsBetter: false });
  }
}

const clients: S3Client[] = [];
function s3Client(s3: ServerProcess): S3Client {
  const client = new S3Client({ endpoint: s3.url, region: "us-east-1", forcePathStyle: true, credentials: CREDENTIALS, requestChecksumCalculation: "WHEN_REQUIRED" });
  clients.push(client);
  return client;
}

const fmt = (n: number | undefined) => n === undefined ? "" : n >= 100 ? n.toFixed(0) : n.toFixed(1);
function printRow(r: Row): void {
  const ratio = r.baseline === undefined ? "" : (r.s3lite / r.baseline).toFixed(2);
  console.log(`${r.scenario.padEnd(72)} ${r.unit.padEnd(6)} ${fmt(r.s3lite).padStart(9)} ${fmt(r.baseline).padStart(9)} ${ratio.padStart(6)}`);
}

async function main(): Promise<void> {
  const seeding = performance.now();
  seedListingBuckets(join(work, "s3lite"));
  console.log(`(seeded listing buckets of 10,000 and ${(SIZES.listDirs * 1000).toLocaleString("en-US")} keys in ${((performance.now() - seeding) / 1000).toFixed(1)} s)`);
  const s3 = await spawnServer(join(work, "s3lite"), `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`);
  const baselineDir = join(work, "baseline");
  await Bun.write(join(baselineDir, ".keep"), "");
  const baseline = await spawnListening([process.execPath, join(import.meta.dir, "baseline.ts"), baselineDir]);
  try {
    await s3Client(s3).send(new CreateBucketCommand({ Bucket: BUCKET }));
    console.log(`s3lite bench${flags.quick ? " (quick)" : ""}: ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}, ${process.platform}`);
    console.log(`${"scenario".padEnd(72)} ${"unit".padEnd(6)} ${"s3lite".padStart(9)} ${"raw Bun".padStart(9)} ${"ratio".padStart(6)}`);
    const wanted = (name: string) => !flags.only || flags.only.split(",").includes(name);
    if (wanted("transfers")) await largeTransfers(s3, baseline);
    if (wanted("complete")) await completeManyParts(s3);
    if (wanted("listing")) await listing(s3);
    if (flags.json) await Bun.write(flags.json, JSON.stringify({ bun: Bun.version, cores: navigator.hardwareConcurrency, quick: !!flags.quick, rows }, null, 2));
  } finally {
    for (const c of clients) c.destroy();
    await s3.stop();
    await baseline.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
