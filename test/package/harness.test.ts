// What tools that run s3lite from outside use, without packing anything: GET /_s3lite/ready, the admin routes
// behind a token, `serve --json`'s ready line, S3LITE_STOP_WITH_STDIN, signals, the bin launcher under Node,
// and the two library entries (Bun's and Node's) exporting the same names. install.package.ts does the rest.
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import * as bunEntry from "../../src/index.ts";
import * as nodeEntry from "../../src/node/index.ts";
import { startServer as startWithConfig } from "../../src/core/server.ts";
import { VERSION } from "../../src/core/version.ts";
import { ENTRY } from "../helpers/spawn.ts";
import { TEST_CREDENTIALS } from "../setup.ts";
import { startUntilReady, type Started } from "./_project.ts";

const LAUNCHER = join(import.meta.dir, "../../bin/s3lite.js");
const env = { PATH: process.env.PATH ?? "" };

test("GET /_s3lite/ready: 200 while the store is open; once stop() has begun, refused (or 503 on a connection still draining)", async () => {
  const server = startWithConfig(bunEntry.resolveConfig({ port: 0, ephemeral: true }, {}));
  expect(await (await fetch(`${server.url}/_s3lite/ready`)).json()).toEqual({ status: "ready" });
  // Bun stops listening and closes idle connections at once; a request still in flight on a draining connection gets the 503.
  const stopping = server.stop();
  const during = await fetch(`${server.url}/_s3lite/ready`).then((r) => r.status, () => "refused");
  expect([503, "refused"]).toContain(during);
  await stopping;
});

test("the admin routes exist only with a token, and answer only requests bearing it", async () => {
  const config = bunEntry.resolveConfig({ port: 0, memory: true, userList: [{ name: "t", keys: [TEST_CREDENTIALS] }] }, {});
  const plain = startWithConfig(config);
  const guarded = startWithConfig(config, { adminToken: "t0ken" });
  try {
    // Without a token the path is only an S3 request for the bucket "_s3lite", which cannot exist.
    const none = await fetch(`${plain.url}/_s3lite/reset`, { method: "POST", headers: { authorization: "Bearer t0ken" } });
    expect(none.status).toBeGreaterThanOrEqual(400);
    expect(none.headers.get("content-type")).toContain("xml");
    for (const authorization of [undefined, "Bearer wrong", "Bearer t0ken0", "t0ken"]) {
      const refused = await fetch(`${guarded.url}/_s3lite/reset`, { method: "POST", headers: authorization ? { authorization } : {} });
      expect(refused.status).toBe(403);
    }
    const client = new S3Client({ endpoint: guarded.url, region: "us-east-1", credentials: TEST_CREDENTIALS, forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: "admin-reset" }));
    await client.send(new PutObjectCommand({ Bucket: "admin-reset", Key: "k", Body: "v" }));
    const bearer = { method: "POST", headers: { authorization: "Bearer t0ken" } };
    expect((await fetch(`${guarded.url}/_s3lite/settle`, bearer)).status).toBe(204);
    expect((await fetch(`${guarded.url}/_s3lite/reset`, bearer)).status).toBe(204);
    expect((await client.send(new ListObjectsV2Command({ Bucket: "admin-reset" }))).KeyCount).toBe(0);
    const lifecycle = await fetch(`${guarded.url}/_s3lite/lifecycle`, bearer);
    expect(lifecycle.status).toBe(200);
    expect(await lifecycle.json()).toMatchObject({ buckets: 0, expired: 0 });
    client.destroy();
  } finally {
    await Promise.all([plain.stop(), guarded.stop()]);
  }
});

test("serve --json: one ready line with URL, port, data folder and credentials; a user's secret is never in it", async () => {
  const defaults = await startUntilReady([process.execPath, ENTRY, "serve", "--ephemeral", "--port", "0", "--json"], process.cwd(), env);
  expect(defaults.ready).toMatchObject({ event: "listening", ready: true, credentials: { accessKeyId: "s3lite", secretAccessKey: "s3lite-secret" } });
  expect(defaults.ready.port).toBe(Number(new URL(defaults.ready.url).port));
  expect(existsSync(defaults.ready.dataDir!)).toBe(true);
  await stop(defaults);
  const own = await startUntilReady([process.execPath, ENTRY, "serve", "--memory", "--port", "0", "--json", "--credentials", "AKIDOWN:own-secret"], process.cwd(), env);
  expect(own.ready.credentials).toEqual({ accessKeyId: "AKIDOWN" });
  expect(own.ready.dataDir).toBeUndefined();
  await stop(own);
});

test("S3LITE_STOP_WITH_STDIN=1: the end of stdin (its parent gone) stops the server cleanly", async () => {
  const proc = Bun.spawn([process.execPath, ENTRY, "serve", "--ephemeral", "--port", "0", "--json"], { env: { ...env, S3LITE_STOP_WITH_STDIN: "1" }, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const reader = proc.stdout.getReader();
  const ready = JSON.parse(new TextDecoder().decode((await reader.read()).value!).split("\n")[0]!);
  expect(existsSync(ready.dataDir)).toBe(true);
  proc.stdin.end();
  expect(await proc.exited).toBe(0);
  expect(existsSync(ready.dataDir)).toBe(false);
});

test("a signal repeated at once (a terminal's group and a launcher both passing it) is one stop, not a hurried one", async () => {
  const server = await startUntilReady([process.execPath, ENTRY, "serve", "--ephemeral", "--port", "0", "--json"], process.cwd(), env);
  server.proc.kill("SIGINT");
  server.proc.kill("SIGINT");
  expect(await server.proc.exited).toBe(0);
  expect(await new Response(server.proc.stderr).text()).not.toContain("Stopping now");
  expect(existsSync(server.ready.dataDir!)).toBe(false);
});

test("bin/s3lite.js under Node runs the CLI on the package's Bun: output, exit codes and signals pass through", async () => {
  const node = Bun.which("node");
  expect(node).not.toBeNull();
  const version = Bun.spawnSync([node!, LAUNCHER, "--version"], { env });
  expect(version.stdout.toString().trim()).toBe(VERSION);
  const usage = Bun.spawnSync([node!, LAUNCHER, "serv"], { env });
  expect(usage.exitCode).toBe(2);
  expect(usage.stderr.toString()).toContain("did you mean serve?");
  const server = await startUntilReady([node!, LAUNCHER, "serve", "--ephemeral", "--port", "0", "--json"], process.cwd(), env);
  expect((await fetch(`${server.ready.url}/_s3lite/ready`)).status).toBe(200);
  server.proc.kill("SIGTERM");
  expect(await server.proc.exited).toBe(0);
  expect(existsSync(server.ready.dataDir!)).toBe(false);
});

test("the Bun entry and the Node entry export the same names", () => {
  expect(Object.keys(nodeEntry).sort()).toEqual(Object.keys(bunEntry).sort());
});

test("the Node entry refuses `now` and `faults`, which need the server's own process, and says so", async () => {
  await expect(nodeEntry.startServer({ now: () => 0 })).rejects.toThrow("in-process only, under Bun");
});

async function stop(server: Started): Promise<void> {
  server.proc.kill("SIGTERM");
  expect(await server.proc.exited).toBe(0);
}

test("the Node entry passes kmsKeys to its child in a private file: a write under a configured alias works", async () => {
  const server = await nodeEntry.startServer({ memory: true, credentials: TEST_CREDENTIALS, kmsKeys: [{ aliases: ["alias/harness"] }] });
  const client = new S3Client({ endpoint: server.url, region: "us-east-1", forcePathStyle: true, credentials: TEST_CREDENTIALS });
  try {
    await client.send(new CreateBucketCommand({ Bucket: "kms" }));
    const put = await client.send(new PutObjectCommand({ Bucket: "kms", Key: "k", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/harness" }));
    expect(put.SSEKMSKeyId).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/);
  } finally {
    client.destroy();
    await server.stop();
  }
}, 60_000);
