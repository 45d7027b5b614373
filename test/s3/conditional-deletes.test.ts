// DeleteObject with If-Match, x-amz-if-match-last-modified-time and x-amz-if-match-size, and
// DeleteObjects with per-entry ETag, LastModifiedTime and Size: a failed condition leaves the object.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DeleteObjectCommand, DeleteObjectsCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { errorOf } from "../helpers/data.ts";
import type { TestServer } from "../helpers/server.ts";
import { startWithBucket } from "../helpers/suite.ts";
import { hasAwsCli, run, skipWithout } from "../helpers/spawn.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => ({ s, bucket } = await startWithBucket("cdel")));
afterAll(() => s.stop());

const put = async (key: string, body = "content") => {
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
};
const exists = (key: string) => s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);

describe("DeleteObject", () => {
  test("If-Match with another ETag is 412 PreconditionFailed and the object stays; with its ETag it goes", async () => {
    const { ETag } = await put("if-match");
    const failed = await errorOf(s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "if-match", IfMatch: '"0123456789abcdef0123456789abcdef"' })));
    expect(failed.name).toBe("PreconditionFailed");
    expect(failed.$metadata.httpStatusCode).toBe(412);
    expect(await exists("if-match")).toBe(true);
    const done = await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "if-match", IfMatch: ETag }));
    expect(done.$metadata.httpStatusCode).toBe(204);
    expect(await exists("if-match")).toBe(false);
  });

  test("If-Match: * deletes an object that exists; If-Match on a missing key is 404 NoSuchKey", async () => {
    await put("star");
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "star", IfMatch: "*" }));
    expect(await exists("star")).toBe(false);
    expect((await errorOf(s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "star", IfMatch: "*" })))).name).toBe("NoSuchKey");
  });

  test("x-amz-if-match-size and x-amz-if-match-last-modified-time must match the object", async () => {
    const { LastModified, ContentLength } = await put("size-time", "12345");
    expect((await errorOf(s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "size-time", IfMatchSize: 4 })))).name).toBe("PreconditionFailed");
    const earlier = new Date(LastModified!.getTime() - 60_000);
    expect((await errorOf(s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "size-time", IfMatchLastModifiedTime: earlier })))).name).toBe("PreconditionFailed");
    expect(await exists("size-time")).toBe(true);
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "size-time", IfMatchSize: ContentLength, IfMatchLastModifiedTime: LastModified }));
    expect(await exists("size-time")).toBe(false);
    // Without If-Match, they do not require the object to exist.
    expect((await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "size-time", IfMatchSize: 5 }))).$metadata.httpStatusCode).toBe(204);
  });

  test.skipIf(skipWithout(hasAwsCli))("the AWS CLI's delete-object --if-match", async () => {
    const { ETag } = await put("cli");
    const aws = (...args: string[]) => run(["aws", "--endpoint-url", s.url, "s3api", "delete-object", "--bucket", bucket, "--key", "cli", ...args], s.env);
    const refused = await aws("--if-match", '"ffffffffffffffffffffffffffffffff"');
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("PreconditionFailed");
    expect(await exists("cli")).toBe(true);
    expect((await aws("--if-match", ETag!)).exitCode).toBe(0);
    expect(await exists("cli")).toBe(false);
  });
});

describe("DeleteObjects", () => {
  test("each entry's ETag, LastModifiedTime and Size are checked; failures are per-key errors and those objects stay", async () => {
    const a = await put("batch/a");
    for (const key of ["batch/b", "batch/c", "batch/d"]) await put(key, "xyz");
    const result = await s.client.send(new DeleteObjectsCommand({
      Bucket: bucket,
      Delete: {
        Objects: [
          { Key: "batch/a", ETag: a.ETag },
          { Key: "batch/b", ETag: '"00000000000000000000000000000000"' },
          { Key: "batch/c", Size: 2 },
          { Key: "batch/d", LastModifiedTime: new Date(0) },
          { Key: "batch/missing", ETag: "*" },
          { Key: "batch/missing-size", Size: 3 },
        ],
      },
    }));
    expect(result.Deleted!.map((d) => d.Key).sort()).toEqual(["batch/a", "batch/missing-size"]);
    expect(Object.fromEntries(result.Errors!.map((e) => [e.Key, e.Code]))).toEqual({
      "batch/b": "PreconditionFailed", "batch/c": "PreconditionFailed", "batch/d": "PreconditionFailed", "batch/missing": "NoSuchKey",
    });
    expect(await exists("batch/a")).toBe(false);
    for (const key of ["batch/b", "batch/c", "batch/d"]) expect(await exists(key)).toBe(true);
  });
});
