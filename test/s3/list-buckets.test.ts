// ListBuckets with max-buckets, continuation-token, prefix and bucket-region, through the SDK and its paginator.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { CreateBucketCommand, ListBucketsCommand, paginateListBuckets } from "@aws-sdk/client-s3";
import { errorOf } from "../helpers/data.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";

let s: TestServer;
const names = ["lb-a1", "lb-a2", "lb-a3", "lb-b1", "lb-b2"];
beforeAll(async () => {
  s = await startTestServer();
  for (const name of names) await s.client.send(new CreateBucketCommand({ Bucket: name }));
  await s.client.send(new CreateBucketCommand({ Bucket: "lb-eu", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
});
afterAll(() => s.stop());

test("pages of max-buckets, each with a ContinuationToken until the last", async () => {
  const first = await s.client.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: "lb-" }));
  expect(first.Buckets!.map((b) => b.Name)).toEqual(["lb-a1", "lb-a2"]);
  expect(first.Prefix).toBe("lb-");
  expect(first.ContinuationToken).toBeString();
  const second = await s.client.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: "lb-", ContinuationToken: first.ContinuationToken }));
  expect(second.Buckets!.map((b) => b.Name)).toEqual(["lb-a3", "lb-b1"]);
  const pages: string[][] = [];
  for await (const page of paginateListBuckets({ client: s.client, pageSize: 4 }, { Prefix: "lb-" })) pages.push(page.Buckets!.map((b) => b.Name!));
  expect(pages).toEqual([["lb-a1", "lb-a2", "lb-a3", "lb-b1"], ["lb-b2", "lb-eu"]]);
});

test("prefix and bucket-region filter; without parameters every bucket comes in one page", async () => {
  expect((await s.client.send(new ListBucketsCommand({ Prefix: "lb-b" }))).Buckets!.map((b) => b.Name)).toEqual(["lb-b1", "lb-b2"]);
  const eu = await s.client.send(new ListBucketsCommand({ BucketRegion: "eu-west-1" }));
  expect(eu.Buckets!.map((b) => [b.Name, b.BucketRegion])).toEqual([["lb-eu", "eu-west-1"]]);
  const all = await s.client.send(new ListBucketsCommand({}));
  expect(all.Buckets!.length).toBe(6);
  expect(all.ContinuationToken).toBeUndefined();
  expect(all.Prefix).toBeUndefined();
});

test("max-buckets outside 1..10000 and a token s3lite did not make are InvalidArgument", async () => {
  expect((await errorOf(s.client.send(new ListBucketsCommand({ MaxBuckets: 0 })))).name).toBe("InvalidArgument");
  expect((await errorOf(s.client.send(new ListBucketsCommand({ MaxBuckets: 10_001 })))).name).toBe("InvalidArgument");
  expect((await errorOf(s.client.send(new ListBucketsCommand({ ContinuationToken: "not a token!" })))).name).toBe("InvalidArgument");
});
