import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startServer } from "../../src/index.ts";
import { spawnServer } from "../helpers/server-process.ts";
import { presign } from "../helpers/signed-fetch.ts";
import { SLOW_TEST_MS } from "../setup.ts";
import { ENTRY } from "../helpers/spawn.ts";


test("serve --ephemeral --bucket … --log-format json: buckets at start, one JSON line per request, folder gone after SIGTERM", async () => {
  const proc = Bun.spawn([process.execPath, ENTRY, "serve", "--ephemeral", "--port", "0", "--bucket", "first", "--bucket=second", "--log-format", "json", "--json"], {
    stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "" },
  });
  const lines = (async function* () {
    let buffered = "";
    for await (const chunk of proc.stdout) {
      buffered += new TextDecoder().decode(chunk);
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        yield buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
      }
    }
  })();
  const started = JSON.parse((await lines.next()).value!);
  expect(started).toMatchObject({ event: "listening", ephemeral: true, buckets: ["first", "second"], accessKeyId: "s3lite", secretAccessKey: "s3lite-secret" });
  expect(existsSync(started.dataDir)).toBe(true);
  const client = new S3Client({ endpoint: started.url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "s3lite", secretAccessKey: "s3lite-secret" } });
  const { Buckets } = await client.send(new ListBucketsCommand({}));
  expect(Buckets!.map((b) => b.Name)).toEqual(["first", "second"]);
  await client.send(new PutObjectCommand({ Bucket: "first", Key: "k", Body: "12345" }));
  client.destroy();
  const logged = [JSON.parse((await lines.next()).value!), JSON.parse((await lines.next()).value!)];
  expect(logged[0]).toMatchObject({ level: "info", method: "GET", path: "/", op: "ListBuckets", status: 200 });
  expect(logged[1]).toMatchObject({ method: "PUT", path: "/first/k", op: "PutObject", status: 200, bytes: 5 });
  expect(logged[1].ms).toBeNumber();
  expect(logged[1].requestId).toBeString();
  proc.kill("SIGTERM");
  expect(await proc.exited).toBe(0);
  expect(existsSync(started.dataDir)).toBe(false);
}, SLOW_TEST_MS);

test("serve refuses an invalid --bucket name as a usage error", async () => {
  const proc = Bun.spawn([process.execPath, ENTRY, "serve", "--ephemeral", "--port", "0", "--bucket", "Not_Valid"], { stdout: "pipe", stderr: "pipe" });
  expect(await proc.exited).toBe(2);
  expect(await new Response(proc.stderr).text()).toContain("Invalid bucket name");
}, SLOW_TEST_MS);

test("SIGTERM lets an upload in flight finish and be stored, then exits 0", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "s3lite-graceful-"));
  const server = await spawnServer(dataDir, "s3lite:s3lite-secret");
  const client = new S3Client({ endpoint: server.url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "s3lite", secretAccessKey: "s3lite-secret" } });
  await client.send(new CreateBucketCommand({ Bucket: "graceful" }));
  const url = await presign(`${server.url}/graceful/slow`, { method: "PUT", credentials: { accessKeyId: "s3lite", secretAccessKey: "s3lite-secret" } });
  const { hostname, port, pathname, search } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const response = new Promise<string>((resolve) => {
    let text = "";
    socket.on("data", (c: Buffer) => { text += c.toString(); if (text.includes("\r\n\r\n")) resolve(text); });
  });
  socket.write(`PUT ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Length: 10\r\n\r\nfirst`);
  await Bun.sleep(200);
  server.proc.kill("SIGTERM");
  await Bun.sleep(300);
  socket.write("-half");
  expect(await response).toStartWith("HTTP/1.1 200");
  socket.destroy();
  expect(await server.proc.exited).toBe(0);
  client.destroy();
  // The acknowledged object is there when the folder is served again.
  const again = await startServer({ dataDir, logLevel: "silent" });
  try {
    const reader = new S3Client({ endpoint: again.url, region: "us-east-1", forcePathStyle: true, credentials: again.credentials });
    expect(await (await reader.send(new GetObjectCommand({ Bucket: "graceful", Key: "slow" }))).Body!.transformToString()).toBe("first-half");
    reader.destroy();
  } finally {
    await again.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}, SLOW_TEST_MS);
