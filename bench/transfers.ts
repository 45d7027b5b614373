// Large transfers (the in-process MD5 ceiling, one-stream PUT and GET plain and with SSE-C, a multipart
// upload, peak memory) and completing many parts; s3lite beside the baseline and the peer.
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { ChildServer, ServerProcess } from "../test/helpers/server-process.ts";
import { BUCKET, MiB, SIZES, drain, expectOk, flags, median, medianOf, peerFigure, presigned, record, s3Client, s3url, source, timed, writeSource } from "./common.ts";
import type { Peer } from "./peer.ts";

/**
 * MD5 over `size` bytes in this process, one core, MiB/s: the ceiling of a one-stream PUT while the
 * ETag is the body's MD5, measured in the same run as the PUTs it bounds.
 */
async function md5Rate(size: number): Promise<number> {
  const block = new Uint8Array(16 * MiB);
  for (let i = 0; i < block.length; i += 65536) crypto.getRandomValues(block.subarray(i, i + 65536));
  const ms = await medianOf(flags.quick ? 1 : 3, async () => {
    const started = performance.now();
    const hasher = new Bun.CryptoHasher("md5");
    for (let done = 0; done < size; done += block.length) hasher.update(block.subarray(0, Math.min(block.length, size - done)));
    hasher.digest();
    return performance.now() - started;
  });
  return size / MiB / (ms / 1000);
}

/** SSE-C headers for a fresh customer key, and a presigner that signs them as headers (AWS takes SSE-C keys in headers only). */
function customerKey(client: S3Client) {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const headers = {
    "x-amz-server-side-encryption-customer-algorithm": "AES256",
    "x-amz-server-side-encryption-customer-key": Buffer.from(key).toString("base64"),
    "x-amz-server-side-encryption-customer-key-md5": new Bun.CryptoHasher("md5").update(key).digest("base64"),
  };
  const sse = { SSECustomerAlgorithm: "AES256", SSECustomerKey: key as unknown as string };
  const options = { expiresIn: 3600, unhoistableHeaders: new Set(Object.keys(headers)) };
  return {
    headers,
    putUrl: (key: string) => getSignedUrl(client, new PutObjectCommand({ Bucket: BUCKET, Key: key, ...sse }), options),
    getUrl: (key: string) => getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: key, ...sse }), options),
  };
}

export async function largeTransfers(s3: ServerProcess, baseline: ChildServer, peer: Peer | undefined): Promise<void> {
  const size = SIZES.large;
  await writeSource(size);
  const mib = size / MiB;
  const rate = (ms: number) => mib / (ms / 1000);
  const md5 = await md5Rate(size);
  // Neither the baseline nor the peer has a part in it: a figure of this process and this core.
  record({ scenario: `MD5 over ${mib} MiB in-process, one core: the ceiling of a one-stream PUT`, unit: "MiB/s", s3lite: md5, higherIsBetter: true });
  const put = async (url: string, headers: Record<string, string> = {}) => expectOk(await fetch(url, { method: "PUT", headers, body: Bun.file(source) }));
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const got = await drain(await expectOk(await fetch(url, { headers })));
    if (got !== size) throw new Error(`GET returned ${got} bytes, expected ${size}`);
  };
  // One transfer of a second or two swings with the page cache and write-back: the dirty pages one
  // PUT leaves slow down the next. Each PUT starts after a sync, the servers alternate, and the
  // median of three runs is kept.
  const runs = flags.quick ? 1 : 3;
  const putTimes = { s3: [] as number[], base: [] as number[], peer: [] as number[] };
  const getTimes = { s3: [] as number[], base: [] as number[], peer: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const url = await presigned(s3url(s3, `large-${i}.bin`), "PUT");
    Bun.spawnSync(["sync"]);
    putTimes.s3.push(await timed(() => put(url)));
    Bun.spawnSync(["sync"]);
    putTimes.base.push(await timed(() => put(`${baseline.url}/large-${i}.bin`)));
    if (peer && putTimes.peer.length === i) {
      const peerUrl = await presigned(s3url(peer, `large-${i}.bin`), "PUT");
      Bun.spawnSync(["sync"]);
      const ms = await peerFigure(`PUT ${mib} MiB`, () => timed(() => put(peerUrl)));
      if (ms !== undefined) putTimes.peer.push(ms);
    }
  }
  const basePut = median(putTimes.base);
  const peerPut = putTimes.peer.length === runs ? median(putTimes.peer) : undefined;
  record({ scenario: `PUT ${mib} MiB, one stream (median of ${runs})`, unit: "MiB/s", s3lite: rate(median(putTimes.s3)), baseline: rate(basePut), peer: peerPut && rate(peerPut), higherIsBetter: true });
  record({ scenario: `  PUT ÷ the MD5 rate above`, unit: "×", s3lite: rate(median(putTimes.s3)) / md5, baseline: rate(basePut) / md5, peer: peerPut && rate(peerPut) / md5, higherIsBetter: true, compare: false });
  for (let i = 0; i < runs; i++) {
    getTimes.s3.push(await timed(async () => get(await presigned(s3url(s3, `large-${i}.bin`)))));
    getTimes.base.push(await timed(() => get(`${baseline.url}/large-${i}.bin`)));
    if (peer && peerPut !== undefined && getTimes.peer.length === i) {
      const ms = await peerFigure(`GET ${mib} MiB`, async () => timed(async () => get(await presigned(s3url(peer, `large-${i}.bin`)))));
      if (ms !== undefined) getTimes.peer.push(ms);
    }
  }
  const peerGet = getTimes.peer.length === runs ? median(getTimes.peer) : undefined;
  record({ scenario: `GET ${mib} MiB, one stream (median of ${runs})`, unit: "MiB/s", s3lite: rate(median(getTimes.s3)), baseline: rate(median(getTimes.base)), peer: peerGet && rate(peerGet), higherIsBetter: true });

  // SSE-C: the same transfers with a customer key, presigned with the key headers signed. The raw-Bun
  // column repeats its plain figures (the floor of any transfer). The peer's column stays empty:
  // s3rver accepts the SSE-C headers and ignores them, storing and serving plaintext to anyone, so
  // its figure would be a plain transfer's.
  const client = s3Client(s3);
  const ssec = customerKey(client);
  const ssecPut: number[] = [], ssecGet: number[] = [];
  for (let i = 0; i < runs; i++) {
    const url = await ssec.putUrl(`large-ssec-${i}.bin`);
    Bun.spawnSync(["sync"]);
    ssecPut.push(await timed(() => put(url, ssec.headers)));
  }
  for (let i = 0; i < runs; i++) ssecGet.push(await timed(async () => get(await ssec.getUrl(`large-ssec-${i}.bin`), ssec.headers)));
  record({ scenario: `PUT ${mib} MiB with SSE-C (customer key), one stream (median of ${runs})`, unit: "MiB/s", s3lite: rate(median(ssecPut)), baseline: rate(basePut), higherIsBetter: true });
  record({ scenario: `GET ${mib} MiB with SSE-C (customer key), one stream (median of ${runs})`, unit: "MiB/s", s3lite: rate(median(ssecGet)), baseline: rate(median(getTimes.base)), higherIsBetter: true });

  // Multipart: parts of the same file.
  const key = "multipart.bin";
  const partSize = SIZES.multipartPart;
  const count = Math.ceil(size / partSize);
  // After a sync, as each one-stream PUT starts: the SSE-C PUTs above leave gigabytes of dirty pages
  // whose write-back would otherwise be timed as part of the upload.
  const multipart = async (server: { url: string }, serverClient: S3Client) => (Bun.spawnSync(["sync"]), timed(async () => {
    const { UploadId, Parts } = await uploadParts(server, serverClient, key, count, (n) => Bun.file(source).slice(n * partSize, Math.min(size, (n + 1) * partSize)));
    await serverClient.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts } }));
  }));
  const ours = await multipart(s3, client);
  const theirs = peer && await peerFigure("multipart upload", () => multipart(peer, s3Client(peer)));
  record({ scenario: `multipart upload ${mib} MiB (${count} parts, 4 at a time) vs one-stream PUT`, unit: "MiB/s", s3lite: rate(ours), baseline: rate(basePut), peer: theirs && rate(theirs), higherIsBetter: true });
  // s3lite's own step: s3rver concatenates the parts inside CompleteMultipartUpload, timed above.
  const merged = await timed(async () => { while ((await s3.pendingMerges()) > 0) await Bun.sleep(50); });
  record({ scenario: `  then merging its parts in the background`, unit: "ms", s3lite: merged, higherIsBetter: false });
  record({ scenario: "peak server RSS after the transfers above", unit: "MiB", s3lite: s3.peakRssMiB(), baseline: baseline.peakRssMiB(), peer: peer?.peakRssMiB(), higherIsBetter: false });
}

/** CompleteMultipartUpload of many 5 MiB parts. The parts share one body, so on s3lite they share one blob on disk. */
export async function completeManyParts(s3: ServerProcess, peer: Peer | undefined): Promise<void> {
  const count = SIZES.completeParts;
  const partSize = 5 * MiB;
  if ((await Bun.file(source).exists()) === false) await writeSource(partSize);
  const body = Bun.file(source).slice(0, partSize);
  const key = "many-parts.bin";
  const complete = async (server: { url: string }) => {
    const client = s3Client(server);
    const { UploadId, Parts } = await uploadParts(server, client, key, count, () => body);
    return timed(() => client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts } })));
  };
  const ours = await complete(s3);
  const theirs = peer && await peerFigure("CompleteMultipartUpload", () => complete(peer));
  record({ scenario: `CompleteMultipartUpload of ${count} parts (${(count * partSize / 1024 ** 3).toFixed(1)} GiB)`, unit: "ms", s3lite: ours, peer: theirs, higherIsBetter: false });
}


/** Creates an upload and sends its parts over presigned URLs four at a time, as the SDKs' transfer managers do. */
async function uploadParts(server: { url: string }, client: S3Client, key: string, count: number, bodyOf: (index: number) => Blob) {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const etags: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let n = next++; n < count; n = next++) {
      const url = await presigned(s3url(server, key, `?partNumber=${n + 1}&uploadId=${UploadId}`), "PUT");
      etags[n] = (await expectOk(await fetch(url, { method: "PUT", body: bodyOf(n) }))).headers.get("etag")!;
    }
  }));
  return { UploadId: UploadId!, Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) };
}
