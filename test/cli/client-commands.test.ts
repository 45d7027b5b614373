import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { random, sameBytes } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { ENTRY, run, s3lite } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";
import { startServer } from "../../src/index.ts";

let s: TestServer, bucket: string, work: string;
const s3liteAt = (args: string[], stdin?: string) => s3lite(args, s.env, stdin);

beforeAll(async () => {
  s = await startTestServer();
  bucket = uniqueBucket("cli");
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  work = mkdtempSync(join(tmpdir(), "s3lite-put-"));
});
afterAll(async () => {
  await s.stop();
  rmSync(work, { recursive: true, force: true });
});

test("put: a file (multipart above 8 MiB), a folder with --recursive and stdin, with Content-Type from the name", async () => {
  const big = random(17 * 1024 * 1024 + 5);
  writeFileSync(join(work, "big.bin"), big);
  mkdirSync(join(work, "site", "css"), { recursive: true });
  writeFileSync(join(work, "site", "index.html"), "<h1>hi</h1>");
  writeFileSync(join(work, "site", "css", "main.css"), "h1 {}");

  const file = await s3liteAt(["put", join(work, "big.bin"), `s3://${bucket}/files/`, "--json"]);
  expect(file.exitCode).toBe(0);
  expect(JSON.parse(file.stdout)).toEqual([expect.objectContaining({ key: "files/big.bin", size: big.length, etag: expect.stringMatching(/-3"$/) })]);
  const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "files/big.bin" }));
  expect(sameBytes(await got.Body!.transformToByteArray(), big)).toBe(true);

  const folder = await s3liteAt(["put", join(work, "site"), `s3://${bucket}/www`, "--recursive"]);
  expect(folder.exitCode).toBe(0);
  expect(folder.stdout).toContain("2 files");
  expect(folder.stderr).toBe(""); // no progress bar when stderr is not a terminal
  expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "www/index.html" }))).ContentType).toBe("text/html");
  expect((await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "www/css/main.css" }))).ContentType).toBe("text/css");

  const piped = await s3liteAt(["put", "-", `s3://${bucket}/from-stdin.txt`, "--json"], "piped in\n");
  expect(piped.exitCode).toBe(0);
  expect(JSON.parse(piped.stdout)[0].size).toBe(9);
  expect(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "from-stdin.txt" }))).Body!.transformToString()).toBe("piped in\n");
}, SLOW_TEST_MS);

test("ls: buckets; objects grouped by / with a summary; --recursive; --json", async () => {
  const buckets = await s3liteAt(["ls"]);
  expect(buckets.exitCode).toBe(0);
  expect(buckets.stdout).toContain(bucket);
  const grouped = await s3liteAt(["ls", `s3://${bucket}/`]);
  expect(grouped.stdout).toMatch(/PRE {2}files\//);
  expect(grouped.stdout).toMatch(/PRE {2}www\//);
  expect(grouped.stdout).toMatch(/9 B {2}from-stdin\.txt/);
  expect(grouped.stdout).toContain("1 object, 9 B in all");
  const all = JSON.parse((await s3liteAt(["ls", `s3://${bucket}/www/`, "--recursive", "--json"])).stdout);
  expect(all.objects.map((o: { key: string }) => o.key)).toEqual(["www/css/main.css", "www/index.html"]);
  expect(all.totalBytes).toBe(16);
}, SLOW_TEST_MS);

test("exit codes: 1 when the operation fails, 2 for usage errors", async () => {
  const missing = await s3liteAt(["ls", `s3://${uniqueBucket("none")}/`]);
  expect(missing.exitCode).toBe(1);
  expect(missing.stderr).toContain("NoSuchBucket");
  expect((await s3liteAt(["put", join(work, "site"), `s3://${bucket}/x/`])).exitCode).toBe(2); // a folder without --recursive
  expect((await s3liteAt(["put", "-", `s3://${bucket}/`])).exitCode).toBe(2); // stdin without a key
  expect((await s3liteAt(["ls", "not-a-url"])).exitCode).toBe(2);
  expect((await s3liteAt(["put"])).exitCode).toBe(2); // a missing positional, caught by the argument parser
  expect((await s3liteAt(["no-such-command"])).exitCode).toBe(2);
  const help = await s3liteAt(["put", "--help"]);
  expect(help.exitCode).toBe(0);
  expect(help.stdout).toContain("Examples:");
}, SLOW_TEST_MS);

test("with no credentials configured, the client commands use the local server's built-in pair", async () => {
  const local = await startServer({ buckets: ["defaults"], logLevel: "silent" });
  try {
    const res = await run([process.execPath, ENTRY, "ls", "--endpoint", local.url], { PATH: process.env.PATH ?? "", HOME: work });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain("defaults");
  } finally {
    await local.stop();
  }
}, SLOW_TEST_MS);
