// Two users on one server (issue 18): each owns what it creates, sees only its own buckets, and is
// refused the other's (403 AccessDenied, nothing changed); names are global (BucketAlreadyExists);
// ExpectedBucketOwner checks the account; listings and multipart lists name owners and initiators.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  AbortMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetBucketAclCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListBucketsCommand, ListMultipartUploadsCommand,
  ListObjectsCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand, UploadPartCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { accountIdFor, canonicalIdFor } from "../../src/core/access/identities.ts";
import { errorOf } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";

const ALICE = { accessKeyId: "AKIAALICE0000001", secretAccessKey: "alice-secret", user: "alice" };
const BOB = { accessKeyId: "AKIABOB000000001", secretAccessKey: "bob-secret", user: "bob" };
const ALICE_ID = canonicalIdFor("alice");
const BOB_ID = canonicalIdFor("bob");

let s: TestServer;
let alice: S3Client;
let bob: S3Client;
let aliceBucket: string;
let bobBucket: string;

const text = async (p: Promise<{ Body?: { transformToString(): Promise<string> } }>) => (await p).Body!.transformToString();
const failure = async (p: Promise<unknown>) => {
  const e = await errorOf(p);
  return [e.name, e.$metadata.httpStatusCode];
};

beforeAll(async () => {
  s = await startTestServer({ extraCredentials: [ALICE, BOB] });
  alice = s.makeClient({ credentials: ALICE });
  bob = s.makeClient({ credentials: BOB });
  aliceBucket = uniqueBucket("alice");
  bobBucket = uniqueBucket("bob");
  await alice.send(new CreateBucketCommand({ Bucket: aliceBucket }));
  await bob.send(new CreateBucketCommand({ Bucket: bobBucket }));
  await alice.send(new PutObjectCommand({ Bucket: aliceBucket, Key: "doc.txt", Body: "alice's words" }));
});
afterAll(async () => {
  alice.destroy();
  bob.destroy();
  await s.stop();
});

describe("buckets are their owner's", () => {
  test("ListBuckets shows each user only its own buckets, with its Owner ID and DisplayName", async () => {
    const a = await alice.send(new ListBucketsCommand({}));
    expect(a.Buckets!.map((b) => b.Name)).toEqual([aliceBucket]);
    expect(a.Owner).toEqual({ ID: ALICE_ID, DisplayName: "alice" });
    const b = await bob.send(new ListBucketsCommand({}));
    expect(b.Buckets!.map((x) => x.Name)).toEqual([bobBucket]);
    expect(b.Owner).toEqual({ ID: BOB_ID, DisplayName: "bob" });
    // The test suite's own key is a third user, with neither's buckets.
    expect((await s.client.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
  });

  test("bob is refused alice's objects and bucket: 403 AccessDenied, and nothing changes", async () => {
    expect(await failure(bob.send(new GetObjectCommand({ Bucket: aliceBucket, Key: "doc.txt" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(bob.send(new PutObjectCommand({ Bucket: aliceBucket, Key: "doc.txt", Body: "bob was here" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(bob.send(new PutObjectCommand({ Bucket: aliceBucket, Key: "new.txt", Body: "bob was here" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(bob.send(new DeleteObjectCommand({ Bucket: aliceBucket, Key: "doc.txt" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(bob.send(new ListObjectsV2Command({ Bucket: aliceBucket })))).toEqual(["AccessDenied", 403]);
    expect(await failure(bob.send(new ListObjectsCommand({ Bucket: aliceBucket })))).toEqual(["AccessDenied", 403]);
    expect(await failure(bob.send(new GetBucketAclCommand({ Bucket: aliceBucket })))).toEqual(["AccessDenied", 403]);
    // HEAD carries no body: the SDK names the error by its status.
    expect((await errorOf(bob.send(new HeadBucketCommand({ Bucket: aliceBucket })))).$metadata.httpStatusCode).toBe(403);
    expect((await errorOf(bob.send(new HeadObjectCommand({ Bucket: aliceBucket, Key: "doc.txt" })))).$metadata.httpStatusCode).toBe(403);
    expect(await text(alice.send(new GetObjectCommand({ Bucket: aliceBucket, Key: "doc.txt" })))).toBe("alice's words");
    const listed = await alice.send(new ListObjectsV2Command({ Bucket: aliceBucket }));
    expect(listed.Contents!.map((o) => o.Key)).toEqual(["doc.txt"]);
  });

  test("a taken name is BucketAlreadyExists to bob and BucketAlreadyOwnedByYou to alice", async () => {
    expect(await failure(bob.send(new CreateBucketCommand({ Bucket: aliceBucket })))).toEqual(["BucketAlreadyExists", 409]);
    expect(await failure(alice.send(new CreateBucketCommand({ Bucket: aliceBucket })))).toEqual(["BucketAlreadyOwnedByYou", 409]);
    expect((await bob.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name)).toEqual([bobBucket]);
    expect((await alice.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name)).toEqual([aliceBucket]);
  });

  test("bob cannot copy alice's object into his own bucket", async () => {
    const copy = bob.send(new CopyObjectCommand({ Bucket: bobBucket, Key: "stolen.txt", CopySource: `${aliceBucket}/doc.txt` }));
    expect(await failure(copy)).toEqual(["AccessDenied", 403]);
    // Nor probe alice's keys by copying ones that do not exist.
    expect(await failure(bob.send(new CopyObjectCommand({ Bucket: bobBucket, Key: "x", CopySource: `${aliceBucket}/missing` })))).toEqual(["AccessDenied", 403]);
    expect((await bob.send(new ListObjectsV2Command({ Bucket: bobBucket }))).KeyCount).toBe(0);
    // Alice copying within her bucket is fine.
    await alice.send(new CopyObjectCommand({ Bucket: aliceBucket, Key: "copy.txt", CopySource: `${aliceBucket}/doc.txt` }));
    expect(await text(alice.send(new GetObjectCommand({ Bucket: aliceBucket, Key: "copy.txt" })))).toBe("alice's words");
    await alice.send(new DeleteObjectCommand({ Bucket: aliceBucket, Key: "copy.txt" }));
  });

  test("a missing key is 403 to bob, who may not list the bucket, and 404 NoSuchKey to alice", async () => {
    expect(await failure(bob.send(new GetObjectCommand({ Bucket: aliceBucket, Key: "nothing-here" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(alice.send(new GetObjectCommand({ Bucket: aliceBucket, Key: "nothing-here" })))).toEqual(["NoSuchKey", 404]);
    expect((await errorOf(alice.send(new HeadObjectCommand({ Bucket: aliceBucket, Key: "nothing-here" })))).$metadata.httpStatusCode).toBe(404);
  });
});

describe("expected bucket owners", () => {
  test("ExpectedBucketOwner: the owner's account passes, another account is 403", async () => {
    const right = accountIdFor("alice");
    const wrong = accountIdFor("bob");
    expect(await text(alice.send(new GetObjectCommand({ Bucket: aliceBucket, Key: "doc.txt", ExpectedBucketOwner: right })))).toBe("alice's words");
    await alice.send(new PutObjectCommand({ Bucket: aliceBucket, Key: "checked.txt", Body: "ok", ExpectedBucketOwner: right }));
    expect(await failure(alice.send(new GetObjectCommand({ Bucket: aliceBucket, Key: "doc.txt", ExpectedBucketOwner: wrong })))).toEqual(["AccessDenied", 403]);
    expect(await failure(alice.send(new PutObjectCommand({ Bucket: aliceBucket, Key: "unchecked.txt", Body: "no", ExpectedBucketOwner: wrong })))).toEqual(["AccessDenied", 403]);
    expect(await failure(alice.send(new ListObjectsV2Command({ Bucket: aliceBucket, ExpectedBucketOwner: wrong })))).toEqual(["AccessDenied", 403]);
    const keys = (await alice.send(new ListObjectsV2Command({ Bucket: aliceBucket, ExpectedBucketOwner: right }))).Contents!.map((o) => o.Key);
    expect(keys).toEqual(["checked.txt", "doc.txt"]);
    await alice.send(new DeleteObjectCommand({ Bucket: aliceBucket, Key: "checked.txt" }));
  });

  test("ExpectedSourceBucketOwner on CopyObject checks the source bucket's account", async () => {
    const copy = (owner: string) => alice.send(new CopyObjectCommand({
      Bucket: aliceBucket, Key: "copied.txt", CopySource: `${aliceBucket}/doc.txt`, ExpectedSourceBucketOwner: owner, ExpectedBucketOwner: accountIdFor("alice"),
    }));
    expect(await failure(copy(accountIdFor("bob")))).toEqual(["AccessDenied", 403]);
    expect(await failure(alice.send(new HeadObjectCommand({ Bucket: aliceBucket, Key: "copied.txt" })))).toEqual(["NotFound", 404]);
    await copy(accountIdFor("alice"));
    expect(await text(alice.send(new GetObjectCommand({ Bucket: aliceBucket, Key: "copied.txt" })))).toBe("alice's words");
    await alice.send(new DeleteObjectCommand({ Bucket: aliceBucket, Key: "copied.txt" }));
  });
});

describe("owners in listings", () => {
  test("ListObjectsV2 shows Owner only with FetchOwner; ListObjects (v1) always", async () => {
    const plain = await alice.send(new ListObjectsV2Command({ Bucket: aliceBucket }));
    expect(plain.Contents![0]!.Owner).toBeUndefined();
    const owned = await alice.send(new ListObjectsV2Command({ Bucket: aliceBucket, FetchOwner: true }));
    expect(owned.Contents![0]!.Owner).toEqual({ ID: ALICE_ID, DisplayName: "alice" });
    const v1 = await alice.send(new ListObjectsCommand({ Bucket: aliceBucket }));
    expect(v1.Contents![0]!.Owner).toEqual({ ID: ALICE_ID, DisplayName: "alice" });
  });

  test("ListParts and ListMultipartUploads name the initiator and the owner; bob may not list them", async () => {
    const key = "parts.bin";
    const { UploadId } = await alice.send(new CreateMultipartUploadCommand({ Bucket: aliceBucket, Key: key }));
    try {
      await alice.send(new UploadPartCommand({ Bucket: aliceBucket, Key: key, UploadId, PartNumber: 1, Body: "part one" }));
      const parts = await alice.send(new ListPartsCommand({ Bucket: aliceBucket, Key: key, UploadId }));
      expect(parts.Initiator).toEqual({ ID: ALICE_ID, DisplayName: "alice" });
      expect(parts.Owner).toEqual({ ID: ALICE_ID, DisplayName: "alice" });
      expect(parts.Parts!.map((p) => p.Size)).toEqual([8]);
      const uploads = await alice.send(new ListMultipartUploadsCommand({ Bucket: aliceBucket }));
      expect(uploads.Uploads!.map((u) => [u.Key, u.Initiator, u.Owner])).toEqual([[key, { ID: ALICE_ID, DisplayName: "alice" }, { ID: ALICE_ID, DisplayName: "alice" }]]);
      expect(await failure(bob.send(new ListPartsCommand({ Bucket: aliceBucket, Key: key, UploadId })))).toEqual(["AccessDenied", 403]);
      expect(await failure(bob.send(new ListMultipartUploadsCommand({ Bucket: aliceBucket })))).toEqual(["AccessDenied", 403]);
      expect(await failure(bob.send(new UploadPartCommand({ Bucket: aliceBucket, Key: key, UploadId, PartNumber: 2, Body: "bob's part" })))).toEqual(["AccessDenied", 403]);
      expect(await failure(bob.send(new AbortMultipartUploadCommand({ Bucket: aliceBucket, Key: key, UploadId })))).toEqual(["AccessDenied", 403]);
      expect((await alice.send(new ListPartsCommand({ Bucket: aliceBucket, Key: key, UploadId }))).Parts!.length).toBe(1);
    } finally {
      await alice.send(new AbortMultipartUploadCommand({ Bucket: aliceBucket, Key: key, UploadId }));
    }
  });
});
