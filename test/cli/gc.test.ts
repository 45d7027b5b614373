import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, ListMultipartUploadsCommand,
  PutObjectCommand, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { inlineBlobs, MiB, random, sameBytes } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { s3lite } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";


let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

/** Blob files, and small blobs kept in the database. */
const blobCount = () => readdirSync(join(s.dataDir, "blobs"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length + inlineBlobs(s.dataDir).length;

test("gc beside a running server removes only what nothing uses, and every object stays byte-exact", async () => {
  const bucket = uniqueBucket("gc");
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  const kept = { a: random(1000), shared: random(2000), big: random(11 * MiB) };
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "a", Body: random(500) }));
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "a", Body: kept.a })); // the first body is now unused
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "shared-1", Body: kept.shared }));
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "shared-2", Body: kept.shared }));
  await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "shared-1" })); // its blob is still used by shared-2
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "gone", Body: random(300) }));
  await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "gone" }));
  await new Upload({ client: s.client, params: { Bucket: bucket, Key: "big", Body: kept.big }, partSize: 5 * MiB }).done();
  await s.server.settled(); // merged: its three part blobs are unused from now on
  const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "abandoned" }));
  await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "abandoned", UploadId, PartNumber: 1, Body: random(100) }));
  const leftover = join(s.dataDir, "tmp", "interrupted-write");
  writeFileSync(leftover, random(4096));
  utimesSync(leftover, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));

  // Default grace: everything above is fresh, so nothing is removed.
  const cautious = await s3lite(["gc", "--data", s.dataDir, "--json"]);
  expect(cautious.exitCode).toBe(0);
  const first = JSON.parse(cautious.stdout);
  expect(first.blobsRemoved).toBe(0);
  expect(first.blobsKeptYoung).toBe(5); // the first "a", "gone" and the three parts of "big"
  expect(first.tmpFilesRemoved).toBe(1);

  const before = blobCount();
  const dry = JSON.parse((await s3lite(["gc", "--data", s.dataDir, "--grace", "0s", "--upload-age", "0s", "--dry-run", "--json"])).stdout);
  // A dry run changes nothing, so the part of the upload it would abort still counts as used.
  expect(dry.blobsRemoved).toBe(5);
  expect(dry.uploadsAborted.length).toBe(1);
  expect(blobCount()).toBe(before);

  const result = await s3lite(["gc", "--data", s.dataDir, "--grace", "0s", "--upload-age", "0s", "--json"]);
  expect(result.exitCode).toBe(0);
  const report = JSON.parse(result.stdout);
  expect(report.uploadsAborted.map((u: { key: string }) => u.key)).toEqual(["abandoned"]);
  expect(report.blobsRemoved).toBe(6); // with the abandoned upload gone, its part is unused too
  expect(report.blobBytesFreed).toBe(500 + 300 + 11 * MiB + 100);
  expect(blobCount()).toBe(before - 6);
  expect((await s.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads).toBeUndefined();
  for (const [key, body] of [["a", kept.a], ["shared-2", kept.shared], ["big", kept.big]] as const) {
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(sameBytes(await got.Body!.transformToByteArray(), body)).toBe(true);
  }
  // A second run finds nothing left to do.
  const again = JSON.parse((await s3lite(["gc", "--data", s.dataDir, "--grace", "0s", "--json"])).stdout);
  expect([again.blobsRemoved, again.tmpFilesRemoved]).toEqual([0, 0]);
}, SLOW_TEST_MS);

test("gc: a bad duration is a usage error (exit 2); a folder that is not a data folder fails (exit 1)", async () => {
  expect((await s3lite(["gc", "--data", s.dataDir, "--grace", "soon"])).exitCode).toBe(2);
  expect((await s3lite(["gc", "--data", join(s.dataDir, "nope")])).exitCode).toBe(1);
}, SLOW_TEST_MS);
