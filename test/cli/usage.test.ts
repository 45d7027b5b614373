import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { ENTRY, s3lite } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";

const ESC = "\x1b[";

describe("what citty would ignore is a usage error, exit 2", () => {
  test.each([
    [["serve", "--prot", "9000"], "unknown flag --prot; did you mean --port?"],
    [["serve", "--prot=9000"], "unknown flag --prot; did you mean --port?"],
    [["serve", "--no-corss"], "unknown flag --no-corss; did you mean --no-cors?"],
    [["serve", "--no-port"], "--port is not an on/off flag"],
    [["serve", "--port"], "flag --port needs a value"],
    [["serve", "--port", "--ephemeral"], "flag --port needs a value"],
    [["serve", "9000"], "unexpected argument 9000; serve takes no arguments"],
    [["serve", "ephemeral"], "did you mean --ephemeral?"],
    [["ls", "--recursiv"], "unknown flag --recursiv; did you mean --recursive?"],
    [["ls", "-rx"], "unknown flag -x"],
    [["ls", "s3://a", "s3://b"], "unexpected argument s3://b; ls takes 1 argument (TARGET)"],
    [["put", "a", "s3://b/", "extra"], "unexpected argument extra; put takes 2 arguments (SOURCE TARGET)"],
    [["put", "a", "s3://b/", "--endpoit", "http://x"], "unknown flag --endpoit; did you mean --endpoint?"],
    [["put", "a"], "Missing required positional argument: TARGET"],
    [["gc", "--dryrun"], "unknown flag --dryrun; did you mean --dry-run?"],
    [["gc", "--grace=1h", "--", "x"], "unexpected argument x; gc takes no arguments"],
    [["fsck", "--repiar"], "unknown flag --repiar; did you mean --repair?"],
    [["fsck", "--jsn"], "unknown flag --jsn; did you mean --json?"],
    [["servee"], "unknown command servee; did you mean serve?"],
    [["--hlep"], "unknown flag --hlep; did you mean --help?"],
    [["--port", "9000", "serve"], "unknown flag --port; flags go after the command"],
  ])("s3lite %p", async (args, message) => {
    const res = await s3lite(args);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(message);
    expect(res.stderr).not.toContain(ESC);
    expect(res.stdout).toBe("");
  });
});

describe("help", () => {
  test("s3lite help is the overview, and lists help itself", async () => {
    const [help, bare] = await Promise.all([s3lite(["help"]), s3lite([])]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toBe(bare.stdout);
    expect(help.stdout).toMatch(/USAGE s3lite serve\|ls\|put\|gc\|fsck\|help/);
  });

  test.each(["serve", "ls", "put", "gc", "fsck"])("s3lite help %s matches the command's --help", async (name) => {
    const [help, flag] = await Promise.all([s3lite(["help", name]), s3lite([name, "--help"])]);
    expect(help.exitCode).toBe(0);
    expect(flag.exitCode).toBe(0);
    expect(help.stdout).toBe(flag.stdout);
    expect(help.stdout).toContain(`USAGE s3lite ${name}`);
  });

  test("s3lite help nope is a usage error", async () => {
    const res = await s3lite(["help", "nope"]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain("unknown command nope");
  });

  test("piped help is plain text; FORCE_COLOR keeps citty's colours", async () => {
    for (const args of [[], ["help"], ["help", "put"], ["serve", "--help"], ["ls", "-h"]]) {
      const res = await s3lite(args);
      expect(res.exitCode).toBe(0);
      expect(res.stdout).not.toContain(ESC);
    }
    expect((await s3lite(["serve", "--help"], { PATH: process.env.PATH ?? "", FORCE_COLOR: "1" })).stdout).toContain(ESC);
  });
});

describe("valid invocations still run", () => {
  let s: TestServer, bucket: string, work: string;
  beforeAll(async () => {
    s = await startTestServer();
    work = mkdtempSync(join(tmpdir(), "s3lite-usage-"));
    bucket = uniqueBucket("usage");
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    await s.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test("aliases, camelCase, --flag=value, negations and -- reach the command", async () => {
    const file = join(work, "-dash.txt");
    writeFileSync(file, "hello");
    const put = await s3lite(["put", "--json", "--", file, `s3://${bucket}/-dash.txt`], s.env);
    expect(put.exitCode).toBe(0);
    expect(JSON.parse(put.stdout)[0]).toMatchObject({ key: "-dash.txt", size: 5 });
    const ls = await s3lite(["ls", `s3://${bucket}`, "-r", "--json=true", `--region=us-east-1`], s.env);
    expect(ls.exitCode).toBe(0);
    expect(JSON.parse(ls.stdout).objects.map((o: { key: string }) => o.key)).toEqual(["-dash.txt"]);
    const gc = await s3lite(["gc", "--data", s.dataDir, "--dryRun", "--grace=1h", "--upload-age", "2d", "--json"], s.env);
    expect(gc.exitCode).toBe(0);
    expect(JSON.parse(gc.stdout).dryRun).toBe(true);
    const fsck = await s3lite(["fsck", `--data=${s.dataDir}`, "--no-repair", "--json"], s.env);
    expect(fsck.exitCode).toBe(0);
    expect(JSON.parse(fsck.stdout).ok).toBe(true);
  }, SLOW_TEST_MS);

  test("serve --no-cors --logFormat json --port=0 starts, with CORS off", async () => {
    const proc = Bun.spawn([process.execPath, ENTRY, "serve", "--ephemeral", "--port=0", "--no-cors", "--logFormat", "json", "--json"], {
      stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "" },
    });
    const reader = proc.stdout.getReader();
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    expect(JSON.parse(out.split("\n")[0]!)).toMatchObject({ event: "listening", permissiveCors: false });
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  }, SLOW_TEST_MS);
});
