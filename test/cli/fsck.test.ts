import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { errorOf, random } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { s3lite } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";


let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

const blobPath = (body: Uint8Array) => {
  const sha256 = new Bun.CryptoHasher("sha256").update(body).digest("hex");
  return join(s.dataDir, "blobs", sha256.slice(0, 2), sha256.slice(2, 4), sha256);
};

test("fsck finds flipped, truncated and missing blobs, names what they affect, and --repair quarantines them", async () => {
  const bucket = uniqueBucket("fsck");
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  const bodies = { good: random(70_000), flipped: random(50_000), truncated: random(40_000), missing: random(30_000), part: random(20_000) };
  for (const [key, body] of Object.entries(bodies)) {
    if (key !== "part") await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "same-as-flipped", Body: bodies.flipped }));
  const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "upload" }));
  await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "upload", UploadId, PartNumber: 1, Body: bodies.part }));

  const clean = await s3lite(["fsck", "--data", s.dataDir, "--json"]);
  expect(clean.exitCode).toBe(0);
  expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, problems: [], blobsVerified: 5 }); // identical bodies share a blob

  const flipped = blobPath(bodies.flipped);
  const bytes = await Bun.file(flipped).bytes();
  bytes[12_345]! ^= 0x01;
  writeFileSync(flipped, bytes);
  truncateSync(blobPath(bodies.truncated), 100);
  unlinkSync(blobPath(bodies.missing));
  unlinkSync(blobPath(bodies.part));

  const found = await s3lite(["fsck", "--data", s.dataDir, "--json"]);
  expect(found.exitCode).toBe(1);
  const report = JSON.parse(found.stdout);
  const byKind = Object.fromEntries(report.problems.map((p: { kind: string; affected: string[] }) => [p.kind + ":" + p.affected.join(","), p]));
  expect(Object.keys(byKind).sort()).toEqual([
    `hash-mismatch:${bucket}/flipped,${bucket}/same-as-flipped`,
    `missing-blob:${bucket}/missing`,
    `missing-blob:${bucket}/upload (upload ${UploadId})`,
    `size-mismatch:${bucket}/truncated`,
  ].sort());

  const human = await s3lite(["fsck", "--data", s.dataDir]);
  expect(human.exitCode).toBe(1);
  expect(human.stdout + human.stderr).toContain(`affects ${bucket}/truncated`);

  const repaired = await s3lite(["fsck", "--data", s.dataDir, "--repair", "--json"]);
  expect(repaired.exitCode).toBe(1);
  const fixed = JSON.parse(repaired.stdout);
  expect(fixed.problems.every((p: { repaired?: string }) => typeof p.repaired === "string")).toBe(true);
  expect(readdirSync(join(s.dataDir, "quarantine")).length).toBe(2); // the flipped and the truncated blob
  expect(existsSync(flipped)).toBe(false);
  for (const key of ["flipped", "same-as-flipped", "truncated", "missing"]) {
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key })))).name).toBe("NoSuchKey");
  }
  const good = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "good" }));
  expect((await good.Body!.transformToByteArray()).length).toBe(bodies.good.length);

  const after = await s3lite(["fsck", "--data", s.dataDir, "--json"]);
  expect(after.exitCode).toBe(0);
  expect(JSON.parse(after.stdout).ok).toBe(true);
}, SLOW_TEST_MS);

test("fsck counts an orphan blob as a leftover gc reclaims: reported, not an error", async () => {
  const bucket = uniqueBucket("orphan");
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  const body = random(33_333);
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "gone", Body: body }));
  await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "gone" }));
  expect(existsSync(blobPath(body))).toBe(true); // deletes never unlink on the request path

  const found = await s3lite(["fsck", "--data", s.dataDir, "--grace", "0s", "--json"]);
  expect(found.exitCode).toBe(0);
  const report = JSON.parse(found.stdout);
  expect(report.problems).toEqual([]);
  expect(report.leftovers.orphanBlobs).toBeGreaterThanOrEqual(1);
  expect(report.leftovers.orphanBytes).toBeGreaterThanOrEqual(body.length);
  const human = await s3lite(["fsck", "--data", s.dataDir, "--grace", "0s"]);
  expect(human.stdout + human.stderr).toMatch(/Leftovers that s3lite gc reclaims: \d+ unreferenced blobs?/);

  expect((await s3lite(["gc", "--data", s.dataDir, "--grace", "0s"])).exitCode).toBe(0);
  expect(existsSync(blobPath(body))).toBe(false);
  const after = JSON.parse((await s3lite(["fsck", "--data", s.dataDir, "--grace", "0s", "--json"])).stdout);
  expect(after.leftovers.orphanBlobs).toBe(0);
}, SLOW_TEST_MS);
