// Versioning against a real server with the SDK: versions of a key listed and read back by id, delete
// markers hiding and uncovering a version, suspended buckets' "null" version, copies and multipart
// uploads as versions, DeleteObjects by version, paging ListObjectVersions, and BucketNotEmpty.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketCommand, DeleteObjectCommand,
  DeleteObjectsCommand, GetBucketVersioningCommand, GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command,
  PutBucketVersioningCommand, PutObjectCommand, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { errorOf } from "../helpers/data.ts";
import { uniqueBucket, type TestServer } from "../helpers/server.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { startWithBucket } from "../helpers/suite.ts";

let s: TestServer;
let plain: string;
beforeAll(async () => ({ s, bucket: plain } = await startWithBucket("unversioned")));
afterAll(() => s.stop());

async function versionedBucket(label: string, status: "Enabled" | "Suspended" = "Enabled"): Promise<string> {
  const bucket = uniqueBucket(label);
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  await s.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
  if (status === "Suspended") await s.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status } }));
  return bucket;
}

const put = async (Bucket: string, Key: string, Body: string) => (await s.client.send(new PutObjectCommand({ Bucket, Key, Body }))).VersionId;
const body = async (Bucket: string, Key: string, VersionId?: string) =>
  (await s.client.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body!.transformToString();
const versionsOf = async (Bucket: string, Prefix?: string) => {
  const listed = await s.client.send(new ListObjectVersionsCommand({ Bucket, Prefix }));
  return {
    versions: (listed.Versions ?? []).map((v) => [v.Key, v.VersionId, v.IsLatest]),
    markers: (listed.DeleteMarkers ?? []).map((m) => [m.Key, m.VersionId, m.IsLatest]),
  };
};

describe("status", () => {
  test("a new bucket is unversioned; Enabled, then Suspended, read back; an unknown status is MalformedXML; MFA delete needs an MFA", async () => {
    expect((await s.client.send(new GetBucketVersioningCommand({ Bucket: plain }))).Status).toBeUndefined();
    const bucket = await versionedBucket("status");
    expect((await s.client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Enabled");
    await s.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } }));
    expect((await s.client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Suspended");
    const bad = await fetchSigned(`${s.url}/${bucket}?versioning`, { method: "PUT", body: "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>" });
    expect([bad.status, await bad.text()]).toEqual([400, expect.stringContaining("<Code>MalformedXML</Code>")]);
    const mfa = await errorOf(s.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled", MFADelete: "Enabled" } })));
    expect(mfa.name).toBe("AccessDenied");
    expect((await s.client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Suspended");
    const unknown = await fetchSigned(`${s.url}/${bucket}?versioning`, { method: "PUT", body: "<VersioningConfiguration><Status>Enabled</Status><Mode>x</Mode></VersioningConfiguration>" });
    expect(unknown.status).toBe(400);
    expect((await s.client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Suspended");
  });

  test("an unversioned bucket sends no x-amz-version-id and keeps one version per key", async () => {
    expect(await put(plain, "one", "a")).toBeUndefined();
    await put(plain, "one", "b");
    expect(await versionsOf(plain, "one")).toEqual({ versions: [["one", "null", true]], markers: [] });
  });
});

describe("an Enabled bucket", () => {
  test("three writes of a key are three versions, listed newest first and read back by id", async () => {
    const bucket = await versionedBucket("three");
    const ids = [await put(bucket, "k", "first"), await put(bucket, "k", "second"), await put(bucket, "k", "third")];
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(await versionsOf(bucket)).toEqual({ versions: [["k", ids[2], true], ["k", ids[1], false], ["k", ids[0], false]], markers: [] });
    expect(await Promise.all(ids.map((id) => body(bucket, "k", id)))).toEqual(["first", "second", "third"]);
    expect(await body(bucket, "k")).toBe("third");
    const head = await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "k", VersionId: ids[0] }));
    expect([head.VersionId, head.ContentLength]).toEqual([ids[0], 5]);
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "k", VersionId: "A".repeat(32) })))).name).toBe("NoSuchVersion");
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "k", VersionId: "not-an-id" })))).name).toBe("InvalidArgument");
  });

  test("a delete adds a marker that hides the key; the marker by id is 405; deleting it uncovers the version", async () => {
    const bucket = await versionedBucket("marker");
    const v1 = await put(bucket, "doc", "kept");
    const deleted = await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "doc" }));
    expect(deleted.DeleteMarker).toBe(true);
    const marker = deleted.VersionId!;
    expect(marker).toMatch(/^[0-9A-Za-z]{32}$/);
    const hidden = await fetchSigned(`${s.url}/${bucket}/doc`);
    expect([hidden.status, hidden.headers.get("x-amz-delete-marker"), hidden.headers.get("x-amz-version-id")]).toEqual([404, "true", marker]);
    expect(await hidden.text()).toContain("<Code>NoSuchKey</Code>");
    expect((await s.client.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);
    expect(await versionsOf(bucket)).toEqual({ versions: [["doc", v1, false]], markers: [["doc", marker, true]] });
    const byId = await fetchSigned(`${s.url}/${bucket}/doc?versionId=${marker}`);
    expect([byId.status, byId.headers.get("x-amz-delete-marker"), byId.headers.get("allow")]).toEqual([405, "true", "DELETE"]);
    expect(await body(bucket, "doc", v1)).toBe("kept");
    const removed = await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "doc", VersionId: marker }));
    expect([removed.DeleteMarker, removed.VersionId]).toEqual([true, marker]);
    expect(await body(bucket, "doc")).toBe("kept");
    expect(await versionsOf(bucket)).toEqual({ versions: [["doc", v1, true]], markers: [] });
  });

  test("deleting the current version by id makes the one before it current; deleting every version leaves nothing", async () => {
    const bucket = await versionedBucket("byid");
    const [a, b] = [await put(bucket, "k", "a"), await put(bucket, "k", "b")];
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId: b }));
    expect(await body(bucket, "k")).toBe("a");
    expect(await versionsOf(bucket)).toEqual({ versions: [["k", a, true]], markers: [] });
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId: a }));
    expect(await versionsOf(bucket)).toEqual({ versions: [], markers: [] });
    expect((await s.client.send(new DeleteBucketCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(204);
  });

  test("DeleteBucket is BucketNotEmpty while a noncurrent version or a marker remains", async () => {
    const bucket = await versionedBucket("notempty");
    await put(bucket, "k", "x");
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k" }));
    expect((await errorOf(s.client.send(new DeleteBucketCommand({ Bucket: bucket })))).name).toBe("BucketNotEmpty");
  });

  test("CopyObject reads a version by id and makes a new version; UploadPart-complete makes one too", async () => {
    const bucket = await versionedBucket("copy");
    const old = await put(bucket, "src", "old bytes");
    await put(bucket, "src", "new bytes");
    const copied = await s.client.send(new CopyObjectCommand({ Bucket: bucket, Key: "dst", CopySource: `${bucket}/src?versionId=${old}` }));
    expect(copied.CopySourceVersionId).toBe(old);
    expect(copied.VersionId).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(await body(bucket, "dst")).toBe("old bytes");
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "dst" }));
    const { ETag } = await s.client.send(new UploadPartCommand({ Bucket: bucket, Key: "dst", UploadId, PartNumber: 1, Body: "multipart bytes" }));
    const done = await s.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "dst", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }));
    expect(done.VersionId).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(await body(bucket, "dst")).toBe("multipart bytes");
    expect(await body(bucket, "dst", copied.VersionId)).toBe("old bytes");
  });

  test("DeleteObjects deletes versions by id and adds markers for keys without one", async () => {
    const bucket = await versionedBucket("multi");
    const a1 = await put(bucket, "a", "a1");
    await put(bucket, "a", "a2");
    await put(bucket, "b", "b1");
    const result = await s.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "a", VersionId: a1 }, { Key: "b" }] } }));
    const byKey = Object.fromEntries((result.Deleted ?? []).map((d) => [d.Key, d]));
    expect(byKey.a).toEqual({ Key: "a", VersionId: a1 });
    expect(byKey.b!.DeleteMarker).toBe(true);
    expect(byKey.b!.DeleteMarkerVersionId).toMatch(/^[0-9A-Za-z]{32}$/);
    expect((await versionsOf(bucket)).versions.map(([k]) => k)).toEqual(["a", "b"]);
    expect((await errorOf(s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "b" })))).name).toBe("NoSuchKey");
  });

  test("ListObjectVersions pages one entry at a time through versions and markers, with key and version-id markers", async () => {
    const bucket = await versionedBucket("pages");
    for (const key of ["a", "b", "c"]) {
      await put(bucket, key, `${key}1`);
      await put(bucket, key, `${key}2`);
    }
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "b" }));
    const all = await versionsOf(bucket);
    const seen: [string, string][] = [];
    let KeyMarker: string | undefined, VersionIdMarker: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await s.client.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1, KeyMarker, VersionIdMarker }));
      for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) seen.push([v.Key!, v.VersionId!]);
      if (!page.IsTruncated) break;
      KeyMarker = page.NextKeyMarker;
      VersionIdMarker = page.NextVersionIdMarker;
    }
    expect(seen.length).toBe(7);
    expect(new Set(seen.map((e) => e.join("/"))).size).toBe(7);
    expect(all.markers).toEqual([["b", expect.any(String), true]]);
    expect(all.versions.filter(([, , latest]) => latest).map(([k]) => k)).toEqual(["a", "c"]);
    // The delimiter rolls keys up into common prefixes, versions and all.
    await put(bucket, "dir/x", "x");
    await put(bucket, "dir/x", "y");
    const rolled = await s.client.send(new ListObjectVersionsCommand({ Bucket: bucket, Delimiter: "/" }));
    expect(rolled.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["dir/"]);
    expect(rolled.Versions?.some((v) => v.Key?.startsWith("dir/"))).toBe(false);
  });
});

describe("every kind of write makes a version", () => {
  test("conditional writes judge the current version: If-None-Match: * passes over a delete marker, If-Match needs the current ETag", async () => {
    const bucket = await versionedBucket("conditional");
    const v1 = await put(bucket, "k", "one");
    const current = (await s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "k" }))).ETag!;
    expect((await errorOf(s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x", IfNoneMatch: "*" })))).name).toBe("PreconditionFailed");
    const v2 = (await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "two", IfMatch: current }))).VersionId;
    // The first version's ETag is a noncurrent version's now.
    expect((await errorOf(s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x", IfMatch: current })))).name).toBe("PreconditionFailed");
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k" }));
    const v3 = (await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "three", IfNoneMatch: "*" }))).VersionId;
    const listed = await versionsOf(bucket);
    expect(listed.versions).toEqual([["k", v3, true], ["k", v2, false], ["k", v1, false]]);
    expect(listed.markers.map(([, , latest]) => latest)).toEqual([false]);
  });

  test("a browser form upload (PostObject) makes a version and says which", async () => {
    const bucket = await versionedBucket("form");
    const first = await put(bucket, "upload.txt", "before");
    const { url, fields } = await createPresignedPost(s.client, { Bucket: bucket, Key: "upload.txt", Expires: 300 });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("file", new Blob(["from the form"]), "upload.txt");
    const res = await fetch(url, { method: "POST", body: form });
    expect(res.status).toBe(204);
    const id = res.headers.get("x-amz-version-id");
    expect(id).toMatch(/^[0-9A-Za-z]{32}$/);
    expect([await body(bucket, "upload.txt", id!), await body(bucket, "upload.txt", first)]).toEqual(["from the form", "before"]);
  });
});

describe("a Suspended bucket", () => {
  test("writes replace the null version and keep the versions from before; a delete adds a null marker", async () => {
    const bucket = uniqueBucket("suspended");
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
    await s.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    const kept = await put(bucket, "k", "enabled-era");
    await s.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } }));
    expect(await put(bucket, "k", "null one")).toBe("null");
    expect(await put(bucket, "k", "null two")).toBe("null");
    expect(await versionsOf(bucket)).toEqual({ versions: [["k", "null", true], ["k", kept, false]], markers: [] });
    expect(await body(bucket, "k", "null")).toBe("null two");
    const deleted = await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k" }));
    expect([deleted.DeleteMarker, deleted.VersionId]).toEqual([true, "null"]);
    expect(await versionsOf(bucket)).toEqual({ versions: [["k", kept, false]], markers: [["k", "null", true]] });
    expect(await body(bucket, "k", kept)).toBe("enabled-era");
  });
});
