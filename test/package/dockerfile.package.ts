// The Dockerfile's own steps, replayed where no container engine runs (none does on this project's machines):
// each COPY, RUN, ENV and USER in a clean folder standing for the image's file system, on the host's Node
// (the base image's, node:20, is not pulled), then the ENTRYPOINT and CMD as the container would run them,
// its HEALTHCHECK, an SDK round trip and `docker stop`'s SIGTERM. An instruction it does not know fails it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { expectSuccess, nodeOnlyEnv, REPO, resolveCommand, startUntilReady, Timings } from "./_project.ts";

/** The node image's unprivileged user, whom `USER node` names. */
const NODE_UID = 1000;
const CREDENTIALS = { accessKeyId: "AKIDDOCKER", secretAccessKey: "docker-secret" };

interface Image {
  from: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  volumes: string[];
  exposed: string[];
  healthcheck?: string[];
  entrypoint: string[];
  cmd: string[];
}

const timings = new Timings();
const asRoot = process.getuid?.() === 0;
let root: string;
let image: Image;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "s3lite-image-"));
  chmodSync(root, 0o755);
  const started = performance.now();
  image = await replay(readFileSync(join(REPO, "Dockerfile"), "utf8"));
  timings.add("replaying the Dockerfile's build steps (npm ci included)", performance.now() - started);
}, 600_000);

afterAll(() => {
  console.log(timings.report("Dockerfile replay"));
  if (root) rmSync(root, { recursive: true, force: true });
});

test("the image is node:20, runs `s3lite serve` as the unprivileged node user on 0.0.0.0, with /data as a volume", () => {
  expect(image.from).toStartWith("node:20");
  expect(image.user).toBe("node");
  expect(image.env).toMatchObject({ S3LITE_HOST: "0.0.0.0", S3LITE_DATA: "/data" });
  expect(image.volumes).toEqual(["/data"]);
  expect(image.exposed).toEqual([image.env.S3LITE_PORT!]);
  expect([...image.entrypoint, ...image.cmd]).toEqual(["node", "bin/s3lite.js", "serve"]);
  const ignored = readFileSync(join(REPO, ".dockerignore"), "utf8");
  for (const local of ["node_modules", ".git", "s3lite-data"]) expect(ignored).toContain(local);
});

test("the container serves with credentials from its environment: healthy, an SDK round trip, a clean stop", async () => {
  const port = await freePort();
  const server = await startUntilReady(asContainerUser([...image.entrypoint, ...image.cmd, "--json"]), mapped(image.workdir), containerEnv({ S3LITE_PORT: String(port), S3LITE_CREDENTIALS: `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}` }));
  timings.add("container start to ready line", server.ms);
  expect(server.ready.url).toBe(`http://0.0.0.0:${port}`);
  expect(server.ready.dataDir).toBe(mapped("/data"));
  expect(server.ready.credentials).toEqual({ accessKeyId: CREDENTIALS.accessKeyId });
  expect(await healthy(port)).toBe(true);

  const client = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", credentials: CREDENTIALS, forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: "from-compose" }));
  await client.send(new PutObjectCommand({ Bucket: "from-compose", Key: "k.txt", Body: "in the volume" }));
  expect(await (await client.send(new GetObjectCommand({ Bucket: "from-compose", Key: "k.txt" }))).Body!.transformToString()).toBe("in the volume");
  client.destroy();
  const written = readdirSync(mapped("/data"));
  expect(written.length).toBeGreaterThan(0);
  if (asRoot) for (const name of written) expect(statSync(join(mapped("/data"), name)).uid).toBe(NODE_UID);

  server.proc.kill("SIGTERM");
  expect(await server.proc.exited).toBe(0);
}, 120_000);

test("without S3LITE_CREDENTIALS the container refuses to serve the built-in keys on 0.0.0.0", async () => {
  const proc = Bun.spawn(asContainerUser([...image.entrypoint, ...image.cmd]).map((arg, i) => (i === 0 ? resolveCommand(arg, containerEnv()) : arg)), {
    cwd: mapped(image.workdir), env: containerEnv({ S3LITE_PORT: String(await freePort()) }), stdout: "pipe", stderr: "pipe",
  });
  expect(await proc.exited).toBe(2);
  expect(await new Response(proc.stderr).text()).toContain("Refusing to listen on 0.0.0.0 with the built-in credentials");
}, 60_000);

/** Runs the build steps into `root` and returns what the image would record. */
async function replay(dockerfile: string): Promise<Image> {
  const instructions = dockerfile.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const image: Image = { from: "", workdir: "/", env: {}, volumes: [], exposed: [], entrypoint: [], cmd: [] };
  // The image's own folders (WORKDIR, VOLUME) live in `root`; every other path is the host's, as in the base image.
  const ownFolders = instructions.flatMap((l) => /^(WORKDIR|VOLUME)\s+(\S+)/.exec(l)?.[2] ?? []);
  folders = ownFolders;
  for (const line of instructions) {
    const [, instruction, rest] = /^(\w+)\s+(.*)$/.exec(line)!;
    switch (instruction) {
      case "FROM": image.from = rest!; break;
      case "WORKDIR": image.workdir = rest!; mkdirSync(mapped(rest!), { recursive: true }); break;
      case "COPY": {
        const [dest, ...sources] = rest!.split(/\s+/).reverse();
        const target = join(mapped(image.workdir), dest!);
        for (const source of sources.reverse()) cpSync(join(REPO, source), dest!.endsWith("/") ? join(target, source) : target, { recursive: true });
        break;
      }
      case "RUN": {
        // chown needs root; as anyone else the replay skips it (and the files stay the runner's).
        const command = `${asRoot ? "" : "chown() { :; }; "}${mappedText(rest!)}`;
        expectSuccess(await runIn(["sh", "-c", command], mapped(image.workdir), containerEnv()), `RUN ${rest}`);
        break;
      }
      case "VOLUME": image.volumes.push(rest!); break;
      case "ENV": for (const [, name, value] of rest!.matchAll(/(\w+)=(\S+)/g)) image.env[name!] = value!; break;
      case "USER": image.user = rest; break;
      case "EXPOSE": image.exposed.push(...rest!.split(/\s+/)); break;
      case "HEALTHCHECK": image.healthcheck = JSON.parse(/CMD\s+(\[.*\])$/.exec(rest!)![1]!); break;
      case "ENTRYPOINT": image.entrypoint = JSON.parse(rest!); break;
      case "CMD": image.cmd = JSON.parse(rest!); break;
      default: throw new Error(`the replay does not know ${instruction}: teach it, or keep the Dockerfile to what it knows`);
    }
    currentEnv = image.env;
  }
  return image;
}

let folders: string[] = [];
let currentEnv: Record<string, string> = {};

/** A path of the image's file system, in the clean folder. */
function mapped(path: string): string {
  return folders.some((f) => path === f || path.startsWith(`${f}/`)) ? join(root, path) : path;
}

function mappedText(text: string): string {
  return text.replace(/(?<![\w.-])(\/[\w./-]*)/g, (path) => mapped(path));
}

/** The container's environment: the image's ENV (its folders mapped), the Node-only PATH, the node user's home. */
function containerEnv(extra: Record<string, string> = {}): Record<string, string> {
  const own = Object.fromEntries(Object.entries(currentEnv).map(([name, value]) => [name, mappedText(value)]));
  const base = nodeOnlyEnv();
  return { ...base, ...own, ...(image?.user ? { HOME: homeOfNode() } : {}), ...extra };
}

function homeOfNode(): string {
  const home = join(root, "home/node");
  mkdirSync(home, { recursive: true });
  return home;
}

/** After USER node, commands run as uid 1000 (where the replay runs as root, through setpriv). */
function asContainerUser(argv: string[]): string[] {
  if (!image.user || !asRoot) return argv;
  chmodSync(homeOfNode(), 0o777);
  return ["setpriv", `--reuid=${NODE_UID}`, `--regid=${NODE_UID}`, "--clear-groups", resolveCommand(argv[0]!, containerEnv()), ...argv.slice(1)];
}

async function runIn(cmd: string[], cwd: string, env: Record<string, string>) {
  const started = performance.now();
  const proc = Bun.spawn([resolveCommand(cmd[0]!, env), ...cmd.slice(1)], { cwd, env, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr, ms: performance.now() - started };
}

/** Runs the image's HEALTHCHECK as Docker would, until it passes or the start period and retries are over. */
async function healthy(port: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    const check = await runIn(asContainerUser(image.healthcheck!), mapped(image.workdir), containerEnv({ S3LITE_PORT: String(port) }));
    if (check.exitCode === 0) return true;
    await Bun.sleep(200);
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
