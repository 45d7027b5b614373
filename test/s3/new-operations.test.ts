// Operations of the current S3 model that older route tables sent to other handlers: each resolves to
// its own name, the unimplemented ones answer 501 naming it and change nothing, and RenameObject works.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, RenameObjectCommand } from "@aws-sdk/client-s3";
import { errorOf, md5Hex, random } from "../helpers/data.ts";
import type { TestServer } from "../helpers/server.ts";
import { startWithBucket } from "../helpers/suite.ts";
import { hasAwsCli, run, skipWithout } from "../helpers/spawn.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => ({ s, bucket } = await startWithBucket("newops")));
afterAll(() => s.stop());

const bodyOf = async (key: string) => (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
const keys = async () => ((await s.client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key);
const aws = (...args: string[]) => run(["aws", "--endpoint-url", s.url, "s3api", ...args], s.env);

describe("RenameObject", () => {
  test("moves the object whole (bytes, ETag, metadata) and the old key is gone", async () => {
    const data = random(70_000);
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "ren/from", Body: data, ContentType: "image/png", Metadata: { who: "me" } }));
    await s.client.send(new RenameObjectCommand({ Bucket: bucket, Key: "ren/to", RenameSource: `${bucket}/ren/from` }));
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "ren/to" }));
    expect(head.ETag).toBe(`"${md5Hex(data)}"`);
    expect(head.ContentType).toBe("image/png");
    expect(head.Metadata).toEqual({ who: "me" });
    expect((await errorOf(s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "ren/from" })))).$metadata.httpStatusCode).toBe(404);
  });

  test("If-None-Match: * refuses to replace a destination; source conditions are checked; a missing source is NoSuchKey", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "cond/a", Body: "a" }));
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "cond/b", Body: "b" }));
    const taken = await errorOf(s.client.send(new RenameObjectCommand({ Bucket: bucket, Key: "cond/b", RenameSource: `${bucket}/cond/a`, DestinationIfNoneMatch: "*" })));
    expect(taken.name).toBe("PreconditionFailed");
    const stale = await errorOf(s.client.send(new RenameObjectCommand({ Bucket: bucket, Key: "cond/c", RenameSource: `${bucket}/cond/a`, SourceIfMatch: '"00000000000000000000000000000000"' })));
    expect(stale.name).toBe("PreconditionFailed");
    expect(await bodyOf("cond/a")).toBe("a");
    expect(await bodyOf("cond/b")).toBe("b");
    expect((await errorOf(s.client.send(new RenameObjectCommand({ Bucket: bucket, Key: "cond/d", RenameSource: `${bucket}/cond/none` })))).name).toBe("NoSuchKey");
    // Without conditions a rename replaces the destination.
    await s.client.send(new RenameObjectCommand({ Bucket: bucket, Key: "cond/b", RenameSource: `/${bucket}/cond/a` }));
    expect(await bodyOf("cond/b")).toBe("a");
  });

  test.skipIf(skipWithout(hasAwsCli))("through the AWS CLI's rename-object", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "cli/old name", Body: "renamed by the CLI" }));
    const result = await aws("rename-object", "--bucket", bucket, "--key", "cli/new name", "--rename-source", `${bucket}/cli/old%20name`);
    expect(result.exitCode).toBe(0);
    expect(await bodyOf("cli/new name")).toBe("renamed by the CLI");
    expect(await keys()).not.toContain("cli/old name");
  });
});

describe("operations s3lite does not implement answer 501 by name and change nothing", () => {
  test.skipIf(skipWithout(hasAwsCli))("update-object-encryption leaves the object's bytes as they were", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "enc/object", Body: "original bytes" }));
    const result = await aws("update-object-encryption", "--bucket", bucket, "--key", "enc/object",
      "--object-encryption", "SSEKMS={KMSKeyArn=arn:aws:kms:us-east-1:123456789012:key/abc}");
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("NotImplemented");
    expect(result.stderr).toContain("UpdateObjectEncryption");
    expect(await bodyOf("enc/object")).toBe("original bytes");
  });

  test.skipIf(skipWithout(hasAwsCli)).each([
    ["create-session", "CreateSession"],
    ["get-bucket-metadata-table-configuration", "GetBucketMetadataTableConfiguration"],
    ["get-bucket-metadata-configuration", "GetBucketMetadataConfiguration"],
    ["get-bucket-abac", "GetBucketAbac"],
  ])("%s", async (command, op) => {
    const before = await keys();
    const result = await aws(command, "--bucket", bucket);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("NotImplemented");
    expect(result.stderr).toContain(op);
    expect(await keys()).toEqual(before);
  });
});
