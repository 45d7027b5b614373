// Property test: random keys (unicode, reserved characters, "//", 1,024 bytes) written and read by
// @aws-sdk/client-s3, boto3 and the AWS CLI, header-signed and presigned, come back byte-exact and
// list as written. Seeded: the seed is printed; S3LITE_TEST_SEED replays a run.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, paginateListObjectsV2 } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { seededRandom, testSeed } from "../helpers/data.ts";
import { randomKeys } from "../helpers/keys.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { hasAwsCli, hasBoto3, run, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";

const seed = testSeed();
console.log(`random keys: seed ${seed}`);
// Each client writes under its own prefix of at most 5 bytes, so the longest keys are exactly 1,024.
const keys = randomKeys(seededRandom(seed), 60, 1024 - 5);

let s: TestServer;
let bucket: string;
let work: string;
beforeAll(async () => {
  s = await startTestServer();
  bucket = uniqueBucket("keys");
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  work = mkdtempSync(join(tmpdir(), "s3lite-keys-"));
});
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await s.stop();
});

async function listAll(prefix: string): Promise<string[]> {
  const listed: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s.client, pageSize: 17 }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) listed.push(o.Key!);
  }
  return listed;
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

test(`@aws-sdk/client-s3: ${keys.length} random keys, header-signed and presigned, byte-exact, listed in byte order`, async () => {
  for (const key of keys) {
    const body = `sdk|${key}`;
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: `sdk/${key}`, Body: body }));
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: `sdk/${key}` }));
    expect([key, await got.Body!.transformToString()]).toEqual([key, body]);
    const putUrl = await getSignedUrl(s.whenRequiredClient, new PutObjectCommand({ Bucket: bucket, Key: `sdkp/${key}` }), { expiresIn: 300 });
    expect([key, (await fetch(putUrl, { method: "PUT", body })).status]).toEqual([key, 200]);
    const getUrl = await getSignedUrl(s.client, new GetObjectCommand({ Bucket: bucket, Key: `sdkp/${key}` }), { expiresIn: 300 });
    expect([key, await (await fetch(getUrl)).text()]).toEqual([key, body]);
  }
  expect(await listAll("sdk/")).toEqual(keys.map((k) => `sdk/${k}`).sort(byteOrder));
  expect(await listAll("sdkp/")).toEqual(keys.map((k) => `sdkp/${k}`).sort(byteOrder));
}, SLOW_TEST_MS);

test.skipIf(skipWithout(hasBoto3))(`boto3: ${keys.length} random keys, header-signed and presigned, byte-exact`, async () => {
  const res = await run(["python3", join(import.meta.dir, "../py/boto3_random_keys.py")], s.env, JSON.stringify({ bucket, keys }));
  expect(res.stderr).toBe("");
  expect(JSON.parse(res.stdout)).toEqual([]);
  expect(await listAll("b3/")).toEqual(keys.map((k) => `b3/${k}`).sort(byteOrder));
}, SLOW_TEST_MS);

test.skipIf(skipWithout(hasAwsCli))("AWS CLI: random keys through s3api put-object/get-object and s3 presign, byte-exact", async () => {
  // A process per call: a sample of the keys, always with the longest.
  const sample = [keys[0]!, ...keys.slice(1, 8)];
  const aws = (...args: string[]) => run(["aws", "--endpoint-url", s.url, ...args], s.env);
  await Promise.all(sample.map(async (key, i) => {
    const file = join(work, `in-${i}`), out = join(work, `out-${i}`);
    writeFileSync(file, `cli|${key}`);
    const put = await aws("s3api", "put-object", "--bucket", bucket, "--key", `cli/${key}`, "--body", file);
    expect([key, put.exitCode, put.stderr]).toEqual([key, 0, ""]);
    const get = await aws("s3api", "get-object", "--bucket", bucket, "--key", `cli/${key}`, out);
    expect([key, get.exitCode]).toEqual([key, 0]);
    expect([key, readFileSync(out, "utf8")]).toEqual([key, `cli|${key}`]);
    const presigned = await aws("s3", "presign", `s3://${bucket}/cli/${key}`, "--expires-in", "300");
    expect([key, await (await fetch(presigned.stdout.trim())).text()]).toEqual([key, `cli|${key}`]);
  }));
  expect(await listAll("cli/")).toEqual(sample.map((k) => `cli/${k}`).sort(byteOrder));
}, SLOW_TEST_MS);
