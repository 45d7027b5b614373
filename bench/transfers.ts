// Large transfers (one-stream PUT and GET, a multipart upload, peak memory) and completing many parts.
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, type S3Client } from "@aws-sdk/client-s3";
import type { ChildServer, ServerProcess } from "../test/helpers/server-process.ts";
import { BUCKET, MiB, SIZES, drain, expectOk, flags, median, presigned, record, s3Client, s3url, source, timed, writeSource } from "./common.ts";

export async function largeTransfers(s3: ServerProcess, baseline: ChildServer): Promise<void> {
  const size = SIZES.large;
  await writeSource(size);
  const mib = size / MiB;
  const put = async (url: string) => expectOk(await fetch(url, { method: "PUT", body: Bun.file(source) }));
  const get = async (url: string) => {
    const got = await drain(await expectOk(await fetch(url)));
    if (got !== size) throw new Error(`GET returned ${got} bytes, expected ${size}`);
  };
  // One transfer of a second or two swings with the page cache and write-back: the dirty pages one
  // PUT leaves slow down the next. Each PUT starts after a sync, the two servers alternate, and the
  // median of three runs is kept.
  const runs = flags.quick ? 1 : 3;
  const putTimes = { s3: [] as number[], base: [] as number[] }, getTimes = { s3: [] as number[], base: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const url = await presigned(s3url(s3, `large-${i}.bin`), "PUT");
    Bun.spawnSync(["sync"]);
    putTimes.s3.push(await timed(() => put(url)));
    Bun.spawnSync(["sync"]);
    putTimes.base.push(await timed(() => put(`${baseline.url}/large-${i}.bin`)));
  }
  const basePut = median(putTimes.base);
  record({ scenario: `PUT ${mib} MiB, one stream (median of ${runs})`, unit: "MiB/s", s3lite: mib / (median(putTimes.s3) / 1000), baseline: mib / (basePut / 1000), higherIsBetter: true });
  for (let i = 0; i < runs; i++) {
    getTimes.s3.push(await timed(async () => get(await presigned(s3url(s3, `large-${i}.bin`)))));
    getTimes.base.push(await timed(() => get(`${baseline.url}/large-${i}.bin`)));
  }
  record({ scenario: `GET ${mib} MiB, one stream (median of ${runs})`, unit: "MiB/s", s3lite: mib / (median(getTimes.s3) / 1000), baseline: mib / (median(getTimes.base) / 1000), higherIsBetter: true });

  // Multipart: parts of the same file.
  const client = s3Client(s3);
  const key = "multipart.bin";
  const partSize = SIZES.multipartPart;
  const count = Math.ceil(size / partSize);
  const multipart = await timed(async () => {
    const { UploadId, Parts } = await uploadParts(s3, client, key, count, (n) => Bun.file(source).slice(n * partSize, Math.min(size, (n + 1) * partSize)));
    await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts } }));
  });
  record({ scenario: `multipart upload ${mib} MiB (${count} parts, 4 at a time) vs one-stream PUT`, unit: "MiB/s", s3lite: mib / (multipart / 1000), baseline: mib / (basePut / 1000), higherIsBetter: true });
  const merged = await timed(async () => { while ((await s3.pendingMerges()) > 0) await Bun.sleep(50); });
  record({ scenario: `  then merging its parts in the background`, unit: "ms", s3lite: merged, higherIsBetter: false });
  record({ scenario: "peak server RSS after the transfers above", unit: "MiB", s3lite: s3.peakRssMiB(), baseline: baseline.peakRssMiB(), higherIsBetter: false });
}

/** CompleteMultipartUpload of many 5 MiB parts. The parts share one body, so they share one blob on disk. */
export async function completeManyParts(s3: ServerProcess): Promise<void> {
  const count = SIZES.completeParts;
  const partSize = 5 * MiB;
  if ((await Bun.file(source).exists()) === false) await writeSource(partSize);
  const body = Bun.file(source).slice(0, partSize);
  const client = s3Client(s3);
  const key = "many-parts.bin";
  const { UploadId, Parts } = await uploadParts(s3, client, key, count, () => body);
  const ms = await timed(() => client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts } })));
  record({ scenario: `CompleteMultipartUpload of ${count} parts (${(count * partSize / 1024 ** 3).toFixed(1)} GiB)`, unit: "ms", s3lite: ms, higherIsBetter: false });
}


/** Creates an upload and sends its parts over presigned URLs four at a time, as the SDKs' transfer managers do. */
async function uploadParts(s3: ServerProcess, client: S3Client, key: string, count: number, bodyOf: (index: number) => Blob) {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const etags: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let n = next++; n < count; n = next++) {
      const url = await presigned(s3url(s3, key, `?partNumber=${n + 1}&uploadId=${UploadId}`), "PUT");
      etags[n] = (await expectOk(await fetch(url, { method: "PUT", body: bodyOf(n) }))).headers.get("etag")!;
    }
  }));
  return { UploadId: UploadId!, Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) };
}
