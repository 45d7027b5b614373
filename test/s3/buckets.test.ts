import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetBucketLocationCommand, HeadBucketCommand,
  ListBucketsCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand,
} from "@aws-sdk/client-s3";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { errorOf } from "../helpers/data.ts";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());


describe("buckets", () => {
  test("create, list, head, locate and delete", async () => {
    const bucket = uniqueBucket();
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
    const { Buckets, Owner } = await s.client.send(new ListBucketsCommand({}));
    expect(Buckets!.map((b) => b.Name)).toContain(bucket);
    expect(Buckets!.find((b) => b.Name === bucket)!.CreationDate).toBeInstanceOf(Date);
    expect(Owner!.ID).toBeString();
    const head = await s.client.send(new HeadBucketCommand({ Bucket: bucket }));
    expect(head.$metadata.httpStatusCode).toBe(200);
    expect(head.BucketRegion).toBe("us-east-1");
    expect((await s.client.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint).toBeUndefined();
    await s.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    expect((await errorOf(s.client.send(new HeadBucketCommand({ Bucket: bucket })))).$metadata.httpStatusCode).toBe(404);
  });

  test("CreateBucket accepts a CreateBucketConfiguration", async () => {
    const bucket = uniqueBucket();
    await s.whenRequiredClient.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
    expect((await s.client.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint).toBe("eu-west-1");
  });

  test("an existing bucket is 409 BucketAlreadyOwnedByYou", async () => {
    const bucket = uniqueBucket();
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
    const e = await errorOf(s.client.send(new CreateBucketCommand({ Bucket: bucket })));
    expect(e.name).toBe("BucketAlreadyOwnedByYou");
    expect(e.$metadata.httpStatusCode).toBe(409);
  });

  test.each(["ab", "UPPER", "under_score", "a..b", "192.168.0.1", "-lead"])("bucket name %s is InvalidBucketName", async (name) => {
    const res = await fetchSigned(`${s.url}/${name}`, "PUT");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>InvalidBucketName</Code>");
  });

  test("a bucket with objects is 409 BucketNotEmpty; empty, it deletes with 204", async () => {
    const bucket = uniqueBucket();
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
    const e = await errorOf(s.client.send(new DeleteBucketCommand({ Bucket: bucket })));
    expect(e.name).toBe("BucketNotEmpty");
    expect(e.$metadata.httpStatusCode).toBe(409);
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k" }));
    const deleted = await s.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
  });

  test("operations on a missing bucket are NoSuchBucket", async () => {
    const bucket = uniqueBucket();
    for (const command of [new ListObjectsV2Command({ Bucket: bucket }), new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }), new DeleteBucketCommand({ Bucket: bucket })]) {
      const e = await errorOf(s.client.send(command as never));
      expect(e.name).toBe("NoSuchBucket");
      expect(e.$metadata.httpStatusCode).toBe(404);
    }
  });
});

describe("listing", () => {
  test("ListObjectsV2 groups by delimiter and paginates with continuation tokens", async () => {
    const bucket = uniqueBucket();
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
    const keys = ["a/1", "a/2", "b", "c/d/e", "f g", "h+i"];
    for (const Key of keys) await s.client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));
    const grouped = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
    expect(grouped.CommonPrefixes!.map((p) => p.Prefix)).toEqual(["a/", "c/"]);
    expect(grouped.Contents!.map((o) => o.Key)).toEqual(["b", "f g", "h+i"]);
    expect(grouped.KeyCount).toBe(5);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 2, ContinuationToken: token }));
      seen.push(...page.Contents!.map((o) => o.Key!));
      expect(page.Contents!.every((o) => o.Size! > 0 && o.ETag!.startsWith('"') && o.LastModified instanceof Date)).toBe(true);
      token = page.NextContinuationToken;
    } while (token);
    expect(seen).toEqual(keys);
  });

  test("ListObjects (v1) with prefix, marker and encoding-type=url", async () => {
    const bucket = uniqueBucket();
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const Key of ["p/a b", "p/c", "q"]) await s.client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: "x" }));
    const page = await s.client.send(new ListObjectsCommand({ Bucket: bucket, Prefix: "p/", Marker: "p/a b" }));
    expect(page.Contents!.map((o) => o.Key)).toEqual(["p/c"]);
    const encoded = await fetchSigned(`${s.url}/${bucket}?encoding-type=url&prefix=p%2F`, "GET");
    expect(await encoded.text()).toContain("<Key>p/a%20b</Key>");
  });
});

import { fetchSigned as rawFetchSigned } from "../helpers/signed-fetch.ts";
const fetchSigned = (url: string, method: string) => rawFetchSigned(url, { method });
