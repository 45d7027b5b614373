import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SLOW_TEST_MS } from "../setup.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { hasAwsCli, run, skipWithout } from "../helpers/spawn.ts";

let s: TestServer;
let work: string;
const aws = (...args: string[]) => run(["aws", "--endpoint-url", s.url, ...args], s.env);

beforeAll(async () => {
  s = await startTestServer();
  work = mkdtempSync(join(tmpdir(), "s3lite-cli-"));
});
afterAll(async () => {
  await s.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skipWithout(hasAwsCli))("AWS CLI", () => {
  // 20 MiB: above the CLI's 8 MiB threshold, so the upload is multipart and the download ranged.
  test("s3 mb, cp up and down (multipart), ls, rm, rb", async () => {
    const bucket = uniqueBucket("cli");
    expect((await aws("s3", "mb", `s3://${bucket}`)).stdout).toContain(`make_bucket: ${bucket}`);
    const source = join(work, "source file.bin");
    const data = new Uint8Array(20 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
    writeFileSync(source, data);
    const up = await aws("s3", "cp", source, `s3://${bucket}/dir/file name+1.bin`);
    expect(up.exitCode).toBe(0);
    const ls = await aws("s3", "ls", `s3://${bucket}/dir/`);
    expect(ls.stdout).toContain(`${data.length} file name+1.bin`);
    const back = join(work, "back.bin");
    expect((await aws("s3", "cp", `s3://${bucket}/dir/file name+1.bin`, back)).exitCode).toBe(0);
    expect(Buffer.from(readFileSync(back)).equals(Buffer.from(data))).toBe(true);
    expect((await aws("s3", "rm", `s3://${bucket}/dir/file name+1.bin`)).exitCode).toBe(0);
    expect((await aws("s3", "ls", `s3://${bucket}/dir/`)).stdout).toBe("");
    expect((await aws("s3", "rb", `s3://${bucket}`)).stdout).toContain(`remove_bucket: ${bucket}`);
  }, SLOW_TEST_MS);

  test("s3 cp from stdin streams an upload of unknown length", async () => {
    const bucket = uniqueBucket("cli");
    await aws("s3", "mb", `s3://${bucket}`);
    const piped = await run(["aws", "--endpoint-url", s.url, "s3", "cp", "-", `s3://${bucket}/from-stdin.txt`], s.env, "piped text\n");
    expect(piped.exitCode).toBe(0);
    expect((await aws("s3", "cp", `s3://${bucket}/from-stdin.txt`, "-")).stdout).toBe("piped text\n");
  }, SLOW_TEST_MS);

  // SHA256 rather than CRC32C: the CLI needs the optional awscrt package for CRC32C.
  test("s3api put-object, head-object with metadata, get-object with range, list-objects-v2", async () => {
    const bucket = uniqueBucket("cli");
    expect((await aws("s3api", "create-bucket", "--bucket", bucket)).exitCode).toBe(0);
    const body = join(work, "body.txt");
    writeFileSync(body, "0123456789");
    const put = await aws("s3api", "put-object", "--bucket", bucket, "--key", "k ü", "--body", body, "--content-type", "text/plain", "--metadata", "team=storage", "--checksum-algorithm", "SHA256");
    expect(put.exitCode).toBe(0);
    expect(JSON.parse(put.stdout).ChecksumSHA256).toBeString();
    const head = JSON.parse((await aws("s3api", "head-object", "--bucket", bucket, "--key", "k ü")).stdout);
    expect(head.ContentLength).toBe(10);
    expect(head.ContentType).toBe("text/plain");
    expect(head.Metadata).toEqual({ team: "storage" });
    const out = join(work, "range.txt");
    const ranged = JSON.parse((await aws("s3api", "get-object", "--bucket", bucket, "--key", "k ü", "--range", "bytes=2-4", out)).stdout);
    expect(ranged.ContentRange).toBe("bytes 2-4/10");
    expect(readFileSync(out, "utf8")).toBe("234");
    const listed = JSON.parse((await aws("s3api", "list-objects-v2", "--bucket", bucket)).stdout);
    expect(listed.Contents.map((o: { Key: string }) => o.Key)).toEqual(["k ü"]);
  }, SLOW_TEST_MS);

  test("errors reach the CLI with S3's codes", async () => {
    const missing = await aws("s3api", "head-bucket", "--bucket", uniqueBucket("none"));
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain("404");
    const noKey = await aws("s3api", "get-object", "--bucket", uniqueBucket("none"), "--key", "x", join(work, "x"));
    expect(noKey.stderr).toContain("NoSuchBucket");
    const badName = await aws("s3api", "create-bucket", "--bucket", "Bad_Name");
    expect(badName.stderr).toMatch(/InvalidBucketName|Invalid bucket name/);
  }, SLOW_TEST_MS);

  test("a wrong secret is SignatureDoesNotMatch", async () => {
    const res = await run(["aws", "--endpoint-url", s.url, "s3api", "list-buckets"], { ...s.env, AWS_SECRET_ACCESS_KEY: "wrong" });
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toContain("SignatureDoesNotMatch");
  }, SLOW_TEST_MS);

  test("s3 cp and mv between keys (CopyObject), s3 sync, s3api delete-objects and list-object-versions", async () => {
    const bucket = uniqueBucket("clicp");
    await aws("s3", "mb", `s3://${bucket}`);
    const folder = mkdtempSync(join(work, "sync-"));
    for (const name of ["a.txt", "b c.txt", "ü.txt"]) writeFileSync(join(folder, name), name);
    expect((await aws("s3", "sync", folder, `s3://${bucket}/src/`)).exitCode).toBe(0);
    expect((await aws("s3", "cp", `s3://${bucket}/src/a.txt`, `s3://${bucket}/copied/a.txt`)).exitCode).toBe(0);
    expect((await aws("s3", "mv", `s3://${bucket}/src/b c.txt`, `s3://${bucket}/moved/b c.txt`)).exitCode).toBe(0);
    expect((await aws("s3", "cp", `s3://${bucket}/src/`, `s3://${bucket}/tree/`, "--recursive")).exitCode).toBe(0);
    const versions = JSON.parse((await aws("s3api", "list-object-versions", "--bucket", bucket)).stdout);
    expect(versions.Versions.map((v: { Key: string }) => v.Key)).toEqual(["copied/a.txt", "moved/b c.txt", "src/a.txt", "src/ü.txt", "tree/a.txt", "tree/ü.txt"]);
    expect(versions.Versions.every((v: { VersionId: string; IsLatest: boolean }) => v.VersionId === "null" && v.IsLatest)).toBe(true);
    const deleted = await aws("s3api", "delete-objects", "--bucket", bucket, "--delete", JSON.stringify({ Objects: [{ Key: "tree/a.txt" }, { Key: "tree/ü.txt" }] }));
    expect(JSON.parse(deleted.stdout).Deleted).toHaveLength(2);
    const copied = await aws("s3", "cp", `s3://${bucket}/copied/a.txt`, "-");
    expect(copied.stdout).toBe("a.txt");
    expect((await aws("s3", "rm", `s3://${bucket}`, "--recursive")).exitCode).toBe(0);
    expect((await aws("s3", "rb", `s3://${bucket}`)).exitCode).toBe(0);
  }, SLOW_TEST_MS);
});
