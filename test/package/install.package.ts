// The package as a new user gets it: `npm pack` of the repo, then `npm install` of the tarball into a fresh
// folder outside the repo, used with a PATH that has Node and npm and no Bun: npx s3lite, a Node script, a
// CommonJS script, the README's test suite under Vitest, tsc with a default tsconfig, and bunx from the same
// tarball. Slow (installs from the npm registry, or npm's cache): `npm run test:package`, which .ci/run runs.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { expectSuccess, nodeOnlyEnv, REPO, run, startUntilReady, Timings, type Started } from "./_project.ts";

/** Vitest 5 asks for Node 22; these two are known to install together on Node 20. */
const VITEST = ["vite@8.3.8", "vitest@4.1.12"];
const JEST = "jest@30.5.2";
const versionOf = (name: string) => (JSON.parse(readFileSync(join(REPO, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

const timings = new Timings();
let work: string;
let tarball: string;
let app: string;
let env: Record<string, string>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "s3lite-package-"));
  env = nodeOnlyEnv();
  // The repo's own environment packs (its prepack runs the build with the repo's Bun and tsc).
  const pack = expectSuccess(await run(["npm", "pack", "--json", "--pack-destination", work], REPO, { ...process.env } as Record<string, string>), "npm pack");
  timings.add("npm pack (build included)", pack.ms);
  const [packed] = JSON.parse(pack.stdout) as { filename: string }[];
  tarball = join(work, packed!.filename);

  app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }, null, 2));
  // The SDK and TypeScript at the repo's versions (npm's cache has them); Vitest from the registry.
  const install = expectSuccess(await run(["npm", "install", "--no-audit", "--no-fund", tarball, `@aws-sdk/client-s3@${versionOf("@aws-sdk/client-s3")}`,
    `typescript@${versionOf("typescript")}`, ...VITEST, JEST], app, env), "npm install");
  timings.add("npm install of the tarball, the SDK, TypeScript, Vitest and Jest", install.ms);
  // The project's own Bun settings are the project's: s3lite's processes must not run its preload.
  writeFileSync(join(app, "bunfig.toml"), `preload = ["./preload.ts"]\n`);
  writeFileSync(join(app, "preload.ts"), `console.error("THE PROJECT'S PRELOAD RAN");\n`);
}, 600_000);

afterAll(() => {
  console.log(timings.report("packaging test"));
  if (work && !process.env.S3LITE_KEEP_PACKAGE_TEST) rmSync(work, { recursive: true, force: true });
});

test("the tarball holds the package, and no tests, benchmarks or CI files", async () => {
  const listing = expectSuccess(await run(["tar", "tzf", tarball], work, env), "tar").stdout.split("\n").filter(Boolean);
  for (const file of ["package/package.json", "package/LICENSE", "package/README.md", "package/bin/s3lite.js", "package/bin/find-bun.cjs",
    "package/src/commands/index.ts", "package/src/index.ts", "package/dist/node/index.js", "package/dist/node/index.d.ts",
    "package/dist/cjs/node/index.cjs", "package/dist/cjs/node/index.d.cts"]) {
    expect(listing).toContain(file);
  }
  expect(listing.filter((f) => /^package\/(test|bench|\.ci|scripts)\/|^package\/(bunfig\.toml|tsconfig[^/]*\.json|Dockerfile|\.dockerignore)$/.test(f))).toEqual([]);
  const manifest = JSON.parse(readFileSync(join(app, "node_modules/s3lite/package.json"), "utf8"));
  expect(manifest.private).toBeUndefined();
  expect(Object.keys(manifest.dependencies)).toContain("bun");
});

test("the machine has Node and npm on its PATH and no Bun", async () => {
  expect(Bun.which("bun", { PATH: env.PATH! })).toBeNull();
  expect(expectSuccess(await run(["node", "--version"], app, env), "node").stdout).toStartWith("v");
});

test("npx s3lite --version and --help run under Node, on the Bun the package brought", async () => {
  const version = expectSuccess(await run(["npx", "s3lite", "--version"], app, env), "npx s3lite --version");
  timings.add("npx s3lite --version", version.ms);
  expect(version.stdout.trim()).toBe(VERSION);
  expect(version.stderr).not.toContain("PRELOAD");
  expect(expectSuccess(await run(["npx", "s3lite", "--help"], app, env), "npx s3lite --help").stdout).toContain("serve");
  const usage = await run(["npx", "s3lite", "serve", "--prot", "1"], app, env);
  expect(usage.exitCode).toBe(2);
  expect(usage.stderr).toContain("did you mean --port?");
}, 60_000);

test("npx s3lite serve --ephemeral --port 0 --json: a ready line, an SDK round trip, a clean stop on SIGTERM", async () => {
  const server = await startUntilReady(["npx", "s3lite", "serve", "--ephemeral", "--port", "0", "--json"], app, env);
  timings.add("npx s3lite serve: start to ready line", server.ms);
  expect(server.ready).toMatchObject({ event: "listening", ready: true, version: VERSION, credentials: { accessKeyId: "s3lite", secretAccessKey: "s3lite-secret" } });
  expect(existsSync(server.ready.dataDir!)).toBe(true);
  expect((await fetch(`${server.ready.url}/_s3lite/ready`)).status).toBe(200);
  await roundTrip(server);
  server.proc.kill("SIGTERM");
  // npm dies of the signal itself (143) once it has passed it on; the server behind it stops as it should.
  expect([0, 143]).toContain(await server.proc.exited);
  await stoppedCleanly(server);
}, 60_000);

test("the installed bin itself (as a package.json script runs it) exits 0 on SIGTERM, after the server's clean stop", async () => {
  const server = await startUntilReady([join(app, "node_modules/.bin/s3lite"), "serve", "--ephemeral", "--port", "0", "--json"], app, env);
  await roundTrip(server);
  server.proc.kill("SIGTERM");
  expect(await server.proc.exited).toBe(0);
  expect(existsSync(server.ready.dataDir!)).toBe(false);
}, 60_000);

test("a Node script: startServer() runs s3lite as a child process and gives the in-process handle", async () => {
  writeFileSync(join(app, "script.mjs"), `
    import { existsSync } from "node:fs";
    import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
    import { startServer } from "s3lite";

    // A secret with a colon only fits a users file: the options reach the child without a command line.
    const s3 = await startServer({ buckets: ["uploads"], credentials: { accessKeyId: "AKIDNODE", secretAccessKey: "se:cret/+" } });
    const client = new S3Client({ endpoint: s3.url, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
    await client.send(new PutObjectCommand({ Bucket: "uploads", Key: "a b/ü.txt", Body: "from node" }));
    const got = await client.send(new GetObjectCommand({ Bucket: "uploads", Key: "a b/ü.txt" }));
    const body = await got.Body.transformToString();
    await s3.settled();
    await s3.reset();
    const after = await client.send(new ListObjectsV2Command({ Bucket: "uploads" }));
    const report = await s3.runLifecycle();
    let refused = "";
    try { await startServer({ port: s3.port }); } catch (error) { refused = error.message; }
    await s3.stop();
    console.log(JSON.stringify({ runtime: process.versions.bun ? "bun" : "node", body, keysAfterReset: after.KeyCount, report,
      port: s3.port, region: s3.region, accessKeyId: s3.credentials.accessKeyId, configPort: s3.config.port, dataDirGone: !existsSync(s3.dataDir), refused }));
  `);
  // The in-process server reads no environment and no .env; neither does the child.
  writeFileSync(join(app, ".env"), "S3LITE_REGION=eu-west-9\n");
  const script = expectSuccess(await run(["node", "script.mjs"], app, { ...env, S3LITE_PORT: "1" }), "node script.mjs");
  rmSync(join(app, ".env"));
  timings.add("node script.mjs (start, round trip, reset, stop)", script.ms);
  expect(script.stderr).not.toContain("PRELOAD");
  const out = JSON.parse(script.stdout);
  expect(out).toMatchObject({ runtime: "node", body: "from node", keysAfterReset: 0, region: "us-east-1", accessKeyId: "AKIDNODE", configPort: 0, dataDirGone: true });
  expect(out.report).toMatchObject({ buckets: 0, expired: 0 });
  expect(out.port).toBeGreaterThan(0);
  expect(out.refused).toContain("already in use");
}, 60_000);

test("a Node process that exits without stop() takes its server with it (the child sees its stdin end)", async () => {
  writeFileSync(join(app, "forgets.mjs"), `
    import { startServer } from "s3lite";
    const s3 = await startServer();
    console.log(JSON.stringify({ url: s3.url, dataDir: s3.dataDir }));
    process.exit(0);
  `);
  const { url, dataDir } = JSON.parse(expectSuccess(await run(["node", "forgets.mjs"], app, env), "node forgets.mjs").stdout);
  await stoppedCleanly({ ready: { url, dataDir } } as Started);
}, 60_000);

test("require('s3lite') from CommonJS (Jest's default mode) gives the same startServer", async () => {
  writeFileSync(join(app, "script.cjs"), `
    const { startServer, resolveConfig, ioError } = require("s3lite");
    startServer({ memory: true, buckets: ["cjs"] }).then(async (s3) => {
      const health = await (await fetch(s3.url + "/_s3lite/health")).json();
      await s3.stop();
      console.log(JSON.stringify({ dataDir: s3.dataDir ?? null, status: health.status, memory: s3.config.memory,
        resolve: typeof resolveConfig, fault: ioError("ENOSPC", "write").code }));
    });
  `);
  const out = JSON.parse(expectSuccess(await run(["node", "script.cjs"], app, env), "node script.cjs").stdout);
  expect(out).toEqual({ dataDir: null, status: "ok", memory: true, resolve: "function", fault: "ENOSPC" });
}, 60_000);

test("the README's test suite runs under Vitest with only its import changed, one server per file", async () => {
  const example = readmeSuite().replace(`from "bun:test"`, `from "vitest"`);
  expect(example).toContain(`from "vitest"`);
  mkdirSync(join(app, "test"), { recursive: true });
  writeFileSync(join(app, "test/first.test.ts"), example);
  writeFileSync(join(app, "test/second.test.ts"), example);
  const vitest = expectSuccess(await run(["npx", "vitest", "run", "test/"], app, env), "npx vitest run");
  timings.add("npx vitest run (2 files, a server each)", vitest.ms);
  const summary = stripVTControlCharacters(vitest.stdout);
  expect(summary).toMatch(/Test Files\s+2 passed/);
  expect(summary).toMatch(/Tests\s+2 passed/);
}, 120_000);

test("Jest in its default (CommonJS) mode: require('s3lite'), a server per file, reset between tests", async () => {
  mkdirSync(join(app, "jest"));
  const suite = `
    const { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } = require("@aws-sdk/client-s3");
    const { startServer } = require("s3lite");
    let s3, client;
    beforeAll(async () => {
      s3 = await startServer({ buckets: ["uploads"] });
      client = new S3Client({ endpoint: s3.url, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
    });
    afterEach(() => s3.reset());
    afterAll(() => s3.stop());
    test("stores and reads an object", async () => {
      await client.send(new PutObjectCommand({ Bucket: "uploads", Key: "hello.txt", Body: "hi" }));
      const got = await client.send(new GetObjectCommand({ Bucket: "uploads", Key: "hello.txt" }));
      expect(await got.Body.transformToString()).toBe("hi");
    });
    test("starts empty after reset()", async () => {
      expect((await client.send(new ListObjectsV2Command({ Bucket: "uploads" }))).KeyCount).toBe(0);
    });
  `;
  writeFileSync(join(app, "jest/first.test.cjs"), suite);
  writeFileSync(join(app, "jest/second.test.cjs"), suite);
  const jest = expectSuccess(await run(["npx", "jest", "--ci", "--rootDir", "jest"], app, env), "npx jest");
  timings.add("npx jest (2 files, a server each)", jest.ms);
  expect(stripVTControlCharacters(jest.stderr)).toMatch(/Tests:\s+4 passed, 4 total/);
}, 120_000);

test("tsc --noEmit with the tsconfig `tsc --init` writes: the package's types, and nothing else, are checked", async () => {
  const dir = join(app, "typecheck");
  mkdirSync(dir);
  expectSuccess(await run(["npx", "tsc", "--init"], dir, env), "tsc --init");
  writeFileSync(join(dir, "uses-s3lite.ts"), `
    import { startServer, type S3liteServer, type StartOptions } from "s3lite";
    const options: StartOptions = { buckets: ["uploads"], memory: true, credentials: [{ accessKeyId: "a", secretAccessKey: "b", user: "alice" }] };
    const s3: S3liteServer = await startServer(options);
    const port: number = s3.port;
    const dataDir: string | undefined = s3.dataDir;
    const region: string = s3.config.region;
    await s3.reset();
    await s3.stop(true);
    export { port, dataDir, region };
  `);
  writeFileSync(join(dir, "uses-s3lite.cts"), `
    import s3lite = require("s3lite");
    const started: Promise<s3lite.S3liteServer> = s3lite.startServer({ port: 0 });
    export = started;
  `);
  const checked = expectSuccess(await run(["npx", "tsc", "--noEmit", "-p", "."], dir, env), "tsc --noEmit");
  timings.add("npx tsc --noEmit", checked.ms);
  expectSuccess(await run(["npx", "tsc", "--noEmit", "-p", ".", "--skipLibCheck", "false"], dir, env), "tsc --noEmit --skipLibCheck false");
  // The types are real: a wrong one is an error, not an any.
  writeFileSync(join(dir, "wrong.ts"), `import { startServer } from "s3lite";\nexport const port: string = (await startServer()).port;\n`);
  const wrong = await run(["npx", "tsc", "--noEmit", "-p", "."], dir, env);
  expect(wrong.exitCode).not.toBe(0);
  expect(wrong.stdout).toContain("wrong.ts");
  expect(wrong.stdout).toContain("TS2322");
}, 120_000);

test("an install without install scripts (the placeholder bun.exe) finds Bun in its platform package", async () => {
  const dir = join(work, "no-scripts");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "no-scripts", private: true }));
  const install = expectSuccess(await run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", tarball], dir, env), "npm install --ignore-scripts");
  timings.add("npm install --ignore-scripts of the tarball", install.ms);
  expect(expectSuccess(await run(["npx", "s3lite", "--version"], dir, env), "npx s3lite --version").stdout.trim()).toBe(VERSION);
}, 300_000);

test("bunx from the same tarball: the bin under Node, and under Bun with --bun; the library in-process under Bun", async () => {
  // A machine that has Bun as `bun` and `bunx` (the repo's, from its bun package), with an empty Bun cache.
  const bunDir = join(work, "bun-path");
  mkdirSync(bunDir);
  for (const name of ["bun", "bunx"]) symlinkSync(join(REPO, "node_modules/bun/bin/bun.exe"), join(bunDir, name));
  const bunEnv = { ...env, PATH: `${bunDir}:${env.PATH}`, HOME: join(work, "bun-home") };
  const dir = join(work, "bunx");
  mkdirSync(dir);
  const version = expectSuccess(await run(["bunx", "-p", tarball, "s3lite", "--version"], dir, bunEnv), "bunx s3lite --version");
  timings.add("bunx -p <tarball> s3lite --version (empty cache)", version.ms);
  expect(version.stdout.trim().split("\n").at(-1)).toBe(VERSION);
  const server = await startUntilReady(["bunx", "--bun", "-p", tarball, "s3lite", "serve", "--ephemeral", "--port", "0", "--json"], dir, bunEnv);
  await roundTrip(server);
  // The server itself is signalled: bunx passes a SIGTERM on to the command it runs, but not always (once
  // in about ten runs it died of the signal itself, exit 143, and left the server running), and what is
  // tested here is s3lite's stop under Bun, not bunx's. bunx ends as its command does.
  process.kill(server.ready.pid, "SIGTERM");
  expect([0, 143]).toContain(await server.proc.exited);
  await stoppedCleanly(server);

  // `bun add` of the tarball, then the library as a Bun suite imports it: the "bun" export condition, in-process.
  const project = join(work, "bun-app");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "bun-app", private: true, type: "module" }));
  expectSuccess(await run(["bun", "add", tarball], project, bunEnv), "bun add");
  writeFileSync(join(project, "inproc.ts"), `
    import { startServer } from "s3lite";
    const s3 = await startServer({ memory: true });
    const ready = (await fetch(s3.url + "/_s3lite/ready")).status;
    await s3.stop();
    console.log(JSON.stringify({ entry: import.meta.resolve("s3lite"), ready }));
  `);
  const inproc = JSON.parse(expectSuccess(await run(["bun", "inproc.ts"], project, bunEnv), "bun inproc.ts").stdout);
  expect(inproc.entry).toEndWith("/node_modules/s3lite/src/index.ts");
  expect(inproc.ready).toBe(200);
}, 300_000);

/** The README's suite: the ```ts block under "In a test suite" that imports bun:test and s3lite. */
function readmeSuite(): string {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const suite = blocks.find((b) => b.includes(`from "bun:test"`) && b.includes(`from "s3lite"`));
  if (!suite) throw new Error("README.md has no test suite example importing bun:test and s3lite");
  return suite;
}

/** The ephemeral folder is gone and nothing listens on the port any more. */
async function stoppedCleanly(server: Started): Promise<void> {
  for (let i = 0; i < 100 && existsSync(server.ready.dataDir!); i++) await Bun.sleep(50);
  expect(existsSync(server.ready.dataDir!)).toBe(false);
  expect(await fetch(`${server.ready.url}/_s3lite/ready`).then(() => "answered", () => "refused")).toBe("refused");
}

async function roundTrip(server: Started): Promise<void> {
  const { accessKeyId, secretAccessKey } = server.ready.credentials;
  const client = new S3Client({ endpoint: server.ready.url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId, secretAccessKey: secretAccessKey! } });
  const bucket = `pkg-${Math.random().toString(36).slice(2, 10)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: "hello.txt", Body: "hello from the tarball" }));
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "hello.txt" }));
  expect(await got.Body!.transformToString()).toBe("hello from the tarball");
  client.destroy();
}

