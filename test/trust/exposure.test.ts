// What a server on a developer's machine exposes: loopback by default, the well-known built-in keys
// never on a reachable address unless asked, nothing anonymous unless a bucket allows it, no starvation by idle or slow
// connections, and neither stack traces nor secrets in what it answers or logs.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { resolveConfig } from "../../src/index.ts";
import { INLINE_MAX } from "../../src/core/store/fs-blobs.ts";
import { errorOf } from "../helpers/data.ts";
import { presign } from "../helpers/signed-fetch.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { ENTRY, skipWithout } from "../helpers/spawn.ts";


let s: TestServer;
let bucket: string;
beforeAll(async () => {
  s = await startTestServer();
  bucket = uniqueBucket("exposure");
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => s.stop());

/** Spawns `s3lite serve …` and collects everything it prints; `ready` resolves with its URL once listening. */
function serve(args: string[]) {
  const proc = Bun.spawn([process.execPath, ENTRY, "serve", "--port", "0", ...args], { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "" } });
  let output = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => { for await (const chunk of stream) output += new TextDecoder().decode(chunk); };
  const done = Promise.all([collect(proc.stdout), collect(proc.stderr)]);
  const ready = (async () => {
    while (!/listening on (\S+)/.test(output)) {
      if (proc.exitCode !== null) return undefined;
      await Bun.sleep(20);
    }
    return /listening on (\S+)/.exec(output)![1]!;
  })();
  return {
    ready,
    output: () => output,
    async stop() { proc.kill("SIGTERM"); await proc.exited; await done; return output; },
    async exited() { const code = await proc.exited; await done; return code; },
  };
}

/** Resolves true when a TCP connection to host:port opens. */
const reachable = (host: string, port: number) => new Promise<boolean>((resolve) => {
  const socket = connect(port, host, () => { socket.destroy(); resolve(true); });
  socket.on("error", () => resolve(false));
});

/** The machine's addresses other than loopback (link-local IPv6 left out: it needs a zone to connect to). */
const otherAddresses = Object.values(networkInterfaces()).flat()
  .filter((a) => a && !a.internal && !(a.family === "IPv6" && a.address.startsWith("fe80:")))
  .map((a) => a!.address);

/**
 * The local addresses listening on `port`, from the kernel's socket tables (Linux), as "a.b.c.d" or
 * an IPv6 address in hex; undefined where there are no such tables.
 */
function listeningAddresses(port: number): string[] | undefined {
  if (!existsSync("/proc/net/tcp")) return undefined;
  const found: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== "0A" || !local) continue; // 0A: LISTEN
      const [address, hexPort] = local.split(":") as [string, string];
      if (parseInt(hexPort, 16) !== port) continue;
      // IPv4 addresses are one little-endian word: 0100007F is 127.0.0.1.
      found.push(address.length === 8 ? address.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join(".") : address);
    }
  }
  return found;
}

// Either check needs something of the machine: other addresses to probe, or the kernel's tables to
// read. With neither there is nothing to assert, which CI must not mistake for a pass.
const canCheckExposure = otherAddresses.length > 0 || existsSync("/proc/net/tcp");
test.skipIf(skipWithout(canCheckExposure))("binds to loopback by default: reachable on 127.0.0.1, not on the machine's other addresses", async () => {
  expect(canCheckExposure, "this machine has no address but loopback and no /proc/net/tcp: nothing shows what the port is exposed on").toBe(true);
  expect(resolveConfig({}, {}).host).toBe("127.0.0.1");
  const server = serve(["--ephemeral", "--quiet"]);
  try {
    const url = await server.ready;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(url!).port);
    expect(await reachable("127.0.0.1", port)).toBe(true);
    for (const address of otherAddresses) expect([address, await reachable(address, port)]).toEqual([address, false]);
    // What the socket is bound to, whatever addresses the machine has: 127.0.0.1 and nothing else
    // (not 0.0.0.0, not ::), so no address added later reaches it either.
    const listening = listeningAddresses(port);
    if (listening) expect(listening).toEqual(["127.0.0.1"]);
  } finally {
    await server.stop();
  }
});

test("the built-in keys are refused on a non-loopback address unless explicitly allowed", async () => {
  const refused = serve(["--ephemeral", "--host", "0.0.0.0"]);
  expect(await refused.exited()).toBe(2);
  expect(refused.output()).toContain("Refusing to listen on 0.0.0.0 with the built-in credentials");
  for (const args of [["--credentials", "AKIAOWN:own-secret"], ["--allow-default-credentials"]]) {
    const server = serve(["--ephemeral", "--quiet", "--host", "0.0.0.0", ...args]);
    expect(await server.ready).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    await server.stop();
  }
  expect(() => resolveConfig({ host: "::" }, {})).toThrow("Refusing");
  expect(resolveConfig({ host: "::1" }, {}).host).toBe("::1");
  expect(resolveConfig({ host: "10.0.0.5" }, { S3LITE_ALLOW_DEFAULT_CREDENTIALS: "1" }).host).toBe("10.0.0.5");
});

test("a private bucket lets no anonymous request in: each kind is AccessDenied and changes nothing", async () => {
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "kept", Body: "kept" }));
  const requests: [string, string, string?][] = [
    ["GET", "/"], ["PUT", "/anon-bucket"], ["DELETE", `/${bucket}`], ["GET", `/${bucket}?list-type=2`],
    ["GET", `/${bucket}/kept`], ["HEAD", `/${bucket}/kept`], ["PUT", `/${bucket}/anon`, "x"], ["DELETE", `/${bucket}/kept`],
    ["POST", `/${bucket}?delete`, "<Delete><Object><Key>kept</Key></Object></Delete>"], ["POST", `/${bucket}/anon?uploads`],
    ["PUT", `/${bucket}/anon-copy`], // with an x-amz-copy-source header below
  ];
  for (const [method, path, body] of requests) {
    const headers: Record<string, string> = path.endsWith("anon-copy") ? { "x-amz-copy-source": `/${bucket}/kept` } : {};
    // With its Content-MD5, so that the delete is refused for who sent it, not for a missing digest.
    if (path.endsWith("?delete")) headers["content-md5"] = createHash("md5").update(body!).digest("base64");
    const res = await fetch(s.url + path, { method, body, headers });
    // DeleteObjects weighs each key on its own, as S3 does: a 200 whose every entry is AccessDenied.
    expect([method, path, res.status]).toEqual([method, path, path.endsWith("?delete") ? 200 : 403]);
    if (method !== "HEAD") expect(await res.text()).toContain("<Code>AccessDenied</Code>");
  }
  expect(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "kept" }))).Body!.transformToString()).toBe("kept");
  for (const key of ["anon", "anon-copy"]) expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })))).name).toBe("NotFound");
});

test("hundreds of idle and slow connections do not starve other clients", async () => {
  const { hostname, port, host } = new URL(s.url);
  const open = (onConnect: (socket: Socket) => void = () => {}) => new Promise<Socket>((resolve) => {
    const socket = connect(Number(port), hostname, () => { onConnect(socket); resolve(socket); });
    socket.on("error", () => {});
  });
  const sockets: Socket[] = [];
  // Idle: connected, never a byte.
  for (let i = 0; i < 300; i++) sockets.push(await open());
  // Slow headers: a request head dribbled out a byte at a time.
  const dribbles: Timer[] = [];
  for (let i = 0; i < 50; i++) {
    sockets.push(await open((socket) => {
      socket.write(`GET /${bucket}/kept HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `);
      dribbles.push(setInterval(() => socket.write("a"), 100));
    }));
  }
  // Slow bodies: an upload promising 1 MiB and sending 1 KiB every 100 ms.
  const url = await presign(`${s.url}/${bucket}/slow-body`, { method: "PUT" });
  for (let i = 0; i < 20; i++) {
    sockets.push(await open((socket) => {
      socket.write(`PUT ${url.slice(url.indexOf("/", 8))} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${1024 * 1024}\r\n\r\n`);
      dribbles.push(setInterval(() => socket.write(new Uint8Array(1024)), 100));
    }));
  }
  try {
    const client = s.makeClient();
    const started = performance.now();
    await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `busy/${i}`, Body: `body ${i}` }));
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `busy/${i}` }));
      expect(await got.Body!.transformToString()).toBe(`body ${i}`);
    }));
    // 200 requests normally take well under a second here; the bound only catches starvation.
    expect(performance.now() - started).toBeLessThan(10_000);
    client.destroy();
  } finally {
    for (const timer of dribbles) clearInterval(timer);
    for (const socket of sockets) socket.destroy();
  }
});

test("no stack trace or secret in responses or logs, even when a request fails inside the server", async () => {
  const secret = "Very/Secret+Value-4f9c";
  const data = mkdtempSync(join(tmpdir(), "s3lite-exposure-"));
  const server = serve(["--data", data, "--credentials", `AKIAEXPOSE:${secret}`, "--log-format", "json"]);
  const url = (await server.ready)!;
  const client = new S3Client({ endpoint: url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "AKIAEXPOSE", secretAccessKey: secret }, maxAttempts: 1 });
  try {
    await client.send(new CreateBucketCommand({ Bucket: "bkt" }));
    await client.send(new PutObjectCommand({ Bucket: "bkt", Key: "k", Body: "fine" }));
    const forged = new S3Client({ endpoint: url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "AKIAEXPOSE", secretAccessKey: "wrong" }, maxAttempts: 1 });
    expect((await errorOf(forged.send(new GetObjectCommand({ Bucket: "bkt", Key: "k" })))).name).toBe("SignatureDoesNotMatch");
    forged.destroy();
    // Break the data folder under the running server: its temp folder becomes a file. (A body too
    // large to be kept in the database, which would not need the folder.)
    rmSync(join(data, "tmp"), { recursive: true });
    writeFileSync(join(data, "tmp"), "");
    const res = await fetch(await presign(`${url}/bkt/broken`, { method: "PUT", credentials: { accessKeyId: "AKIAEXPOSE", secretAccessKey: secret } }), { method: "PUT", body: "x".repeat(INLINE_MAX + 1) });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain("<Code>InternalError</Code>");
    expect(text).not.toMatch(/ at |\.ts|ENOTDIR|s3lite-exposure/);
  } finally {
    client.destroy();
  }
  const output = await server.stop();
  rmSync(data, { recursive: true, force: true });
  expect(output).toContain("export AWS_SECRET_ACCESS_KEY=<your secret>");
  expect(output).toMatch(/"level":"error".*failed: ENOTDIR/); // the operator learns why, in one line
  expect(output).not.toContain(secret);
  expect(output).not.toMatch(/\n\s+at /);
});
