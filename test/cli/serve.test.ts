import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ListBucketsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SLOW_TEST_MS } from "../setup.ts";

const ENTRY = join(import.meta.dir, "../../src/commands/index.ts");

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
