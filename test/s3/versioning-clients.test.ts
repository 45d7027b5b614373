// Versioning through clients other than the JS SDK, and what the maintenance commands do with
// versions: the AWS CLI's s3api version commands, boto3's paginator, gc keeping every version's blob.
import { newBucket as createBucket } from "../helpers/suite.ts";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { GetObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { tamperBlob } from "../helpers/data.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { hasAwsCli, hasBoto3, run, s3lite, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";

let s: TestServer;
beforeAll(async () => { s = await startTestServer({ store: "disk" }); });
afterAll(() => s.stop());

const newBucket = (label: string) => createBucket(s.client, label);

test.skipIf(skipWithout(hasAwsCli))("the AWS CLI enables versioning, writes versions, lists them, reads one by id and deletes with a marker", async () => {
  const bucket = await newBucket("cliversions");
  const aws = async (...args: string[]) => {
    const result = await run(["aws", "--endpoint-url", s.url, "s3api", ...args, "--bucket", bucket, "--output", "json"], s.env);
    expect(result.stderr).toBe("");
    return result.stdout.trim() ? JSON.parse(result.stdout) : {};
  };
  await aws("put-bucket-versioning", "--versioning-configuration", "Status=Enabled");
  expect(await aws("get-bucket-versioning")).toEqual({ Status: "Enabled" });
  const file = join(s.dataDir, "..", `${bucket}.txt`);
  await Bun.write(file, "first");
  const first = (await aws("put-object", "--key", "notes.txt", "--body", file)).VersionId;
  await Bun.write(file, "second");
  const second = (await aws("put-object", "--key", "notes.txt", "--body", file)).VersionId;
  const listed = await aws("list-object-versions");
  expect(listed.Versions.map((v: { VersionId: string; IsLatest: boolean }) => [v.VersionId, v.IsLatest])).toEqual([[second, true], [first, false]]);
  const out = join(s.dataDir, "..", `${bucket}.out`);
  await aws("get-object", "--key", "notes.txt", "--version-id", first, out);
  expect(await Bun.file(out).text()).toBe("first");
  const deleted = await aws("delete-object", "--key", "notes.txt");
  expect(deleted.DeleteMarker).toBe(true);
  const after = await aws("list-object-versions");
  expect([after.Versions.length, after.DeleteMarkers.map((m: { IsLatest: boolean }) => m.IsLatest)]).toEqual([2, [true]]);
}, SLOW_TEST_MS);

test.skipIf(skipWithout(hasBoto3))("boto3 pages through versions one at a time and deletes them all by id", async () => {
  const bucket = await newBucket("botoversions");
  const result = await run(["python3", join(import.meta.dir, "../py/boto3_versions.py"), bucket], s.env);
  expect(result.stderr).toBe("");
  const out = JSON.parse(result.stdout);
  expect(out.bodies).toEqual(["v0", "v1", "v2"]);
  expect(out.marker[0]).toBe(true);
  // Newest first: the marker (latest), then the three versions, newest first, none of them latest.
  expect(out.listed).toEqual([["marker", out.marker[1], true], ...[...out.ids].reverse().map((id: string) => ["version", id, false])]);
  expect(out.deleted).toEqual([...out.ids, out.marker[1]].sort());
  expect(out.left).toBe(0);
}, SLOW_TEST_MS);

test("gc removes no blob a noncurrent version uses; fsck names the version a damaged blob belongs to", async () => {
  const bucket = await newBucket("gcversions");
  // What earlier tests left unused goes first, so the run below answers for this test's blobs alone.
  await s3lite(["gc", "--data", s.dataDir, "--grace", "0s"]);
  await s.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
  const old = (await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "the old bytes" }))).VersionId!;
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "the new bytes" }));
  const gc = JSON.parse((await s3lite(["gc", "--data", s.dataDir, "--grace", "0s", "--json"])).stdout);
  expect(gc.blobsRemoved).toBe(0);
  const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "k", VersionId: old }));
  expect(await got.Body!.transformToString()).toBe("the old bytes");
  // Damage the old version's blob: fsck reports it, naming the version.
  const sha = new Bun.CryptoHasher("sha256").update("the old bytes").digest("hex");
  tamperBlob(s.dataDir, sha, "tampered bytes");
  const fsck = await s3lite(["fsck", "--data", s.dataDir, "--json"]);
  expect(fsck.exitCode).toBe(1);
  const affected = JSON.parse(fsck.stdout).problems.flatMap((p: { affected: string[] }) => p.affected);
  expect(affected).toContain(`${bucket}/k (version ${old})`);
}, SLOW_TEST_MS);
