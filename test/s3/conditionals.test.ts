import { afterAll, beforeAll, expect, test } from "bun:test";
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { TestServer } from "../helpers/server.ts";
import { startWithBucket } from "../helpers/suite.ts";
import { errorOf } from "../helpers/data.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => ({ s, bucket } = await startWithBucket("cond")));
afterAll(() => s.stop());

const status = async (p: Promise<{ $metadata: { httpStatusCode?: number }; Body?: { transformToString(): Promise<string> } }>) => {
  try {
    const out = await p;
    await out.Body?.transformToString();
    return out.$metadata.httpStatusCode;
  } catch (error) {
    return (error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode;
  }
};

test("conditional reads follow S3's precedence", async () => {
  const { ETag } = await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "read", Body: "r" }));
  const past = new Date(Date.now() - 3_600_000), future = new Date(Date.now() + 3_600_000);
  const get = (c: object) => status(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "read", ...c })));
  const head = (c: object) => status(s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "read", ...c })));
  expect(await get({ IfModifiedSince: future })).toBe(304);
  expect(await head({ IfModifiedSince: future })).toBe(304);
  expect(await get({ IfModifiedSince: past })).toBe(200);
  expect(await get({ IfUnmodifiedSince: past })).toBe(412);
  expect(await head({ IfUnmodifiedSince: past })).toBe(412);
  expect(await get({ IfNoneMatch: ETag })).toBe(304);
  expect(await get({ IfNoneMatch: '"other"' })).toBe(200);
  // If-Match true outranks If-Unmodified-Since false; If-None-Match false outranks If-Modified-Since true.
  expect(await get({ IfMatch: ETag, IfUnmodifiedSince: past })).toBe(200);
  expect(await get({ IfNoneMatch: '"other"', IfModifiedSince: future })).toBe(200);
  expect(await get({ IfMatch: "*" })).toBe(200);
});

test("PutObject with If-None-Match: * creates only; If-Match replaces only the version named", async () => {
  const put = (Key: string, Body: string, c: object = {}) => s.client.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ...c }));
  const first = await put("write", "one", { IfNoneMatch: "*" });
  const taken = await errorOf(put("write", "two", { IfNoneMatch: "*" }));
  expect([taken.name, taken.$metadata.httpStatusCode]).toEqual(["PreconditionFailed", 412]);
  expect(await status(put("write", "two", { IfMatch: '"0123"' }))).toBe(412);
  const second = await put("write", "two", { IfMatch: first.ETag });
  expect(second.ETag).not.toBe(first.ETag);
  expect(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "write" }))).Body!.transformToString()).toBe("two");
  expect((await errorOf(put("never-written", "x", { IfMatch: first.ETag }))).name).toBe("NoSuchKey");
  // CopyObject takes the same conditions for its destination.
  expect(await status(s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "write", CopySource: `${bucket}/write`, MetadataDirective: "REPLACE", IfNoneMatch: "*" })))).toBe(412);
});

test("racing creates with If-None-Match: * — exactly one wins, and its body is the one stored", async () => {
  const bodies = Array.from({ length: 12 }, (_, i) => `writer-${i}-`.repeat(1000));
  const results = await Promise.allSettled(bodies.map((Body) => s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "race", Body, IfNoneMatch: "*" }))));
  const winners = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
  expect(winners).toHaveLength(1);
  for (const r of results) if (r.status === "rejected") expect((r.reason as Error).name).toBe("PreconditionFailed");
  expect(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "race" }))).Body!.transformToString()).toBe(bodies[winners[0]!]!);
});

test("response-* overrides on a presigned GET change that response only", async () => {
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "report.csv", Body: "a,b", ContentType: "text/csv" }));
  const url = await getSignedUrl(s.client, new GetObjectCommand({
    Bucket: bucket, Key: "report.csv",
    ResponseContentType: "application/octet-stream", ResponseContentDisposition: 'attachment; filename="r.csv"',
    ResponseCacheControl: "no-store", ResponseContentLanguage: "de", ResponseContentEncoding: "identity",
    ResponseExpires: new Date("2031-02-03T04:05:06Z"),
  }), { expiresIn: 60 });
  const res = await fetch(url);
  expect(await res.text()).toBe("a,b");
  expect(res.headers.get("content-type")).toBe("application/octet-stream");
  expect(res.headers.get("content-disposition")).toBe('attachment; filename="r.csv"');
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("content-language")).toBe("de");
  expect(res.headers.get("content-encoding")).toBe("identity");
  expect(new Date(res.headers.get("expires")!).toISOString()).toBe("2031-02-03T04:05:06.000Z");
  const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "report.csv" }));
  expect(head.ContentType).toBe("text/csv");
  expect(head.ContentDisposition).toBeUndefined();
});
