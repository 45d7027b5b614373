// Bucket policies against a real server (issue 18): Block Public Access refuses a public policy until
// it is lifted; then anonymous curl reads what the policy opens and nothing else; an explicit Deny
// beats an Allow and binds the owner too, except for managing the policy itself; conditions on the
// source IP, the listing prefix, TLS, the user agent and the referer.
import { beforeAll, describe, expect, test } from "bun:test";
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketPolicyCommand,
  DeleteObjectCommand, DeleteObjectsCommand, DeletePublicAccessBlockCommand, GetBucketPolicyCommand, GetBucketPolicyStatusCommand,
  GetObjectCommand, GetPublicAccessBlockCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, ListPartsCommand,
  PutBucketPolicyCommand, PutObjectCommand, PutPublicAccessBlockCommand, UploadPartCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { accountIdFor } from "../../src/core/access/identities.ts";
import { errorOf } from "../helpers/data.ts";
import { uniqueBucket, type TestServer } from "../helpers/server.ts";
import { withTwoUsers } from "../helpers/users.ts";
import { run, skipWithout } from "../helpers/spawn.ts";

const ALICE = { accessKeyId: "AKIAALICE0000002", secretAccessKey: "alice-secret", user: "alice" };
const BOB = { accessKeyId: "AKIABOB000000002", secretAccessKey: "bob-secret", user: "bob" };
const BOB_ARN = `arn:aws:iam::${accountIdFor("bob")}:user/bob`;
const hasCurl = Bun.which("curl") !== null;

let s: TestServer;
let alice: S3Client;
let bob: S3Client;

const users = withTwoUsers(ALICE, BOB);
beforeAll(() => ({ s, alice, bob } = users));

/** A request with no credentials at all, by the real curl binary: status and body. */
async function curl(path: string, ...args: string[]): Promise<{ status: number; body: string }> {
  const res = await run(["curl", "-s", "-S", "-w", "\n%{http_code}", ...args, `${s.url}${path}`], { PATH: process.env.PATH ?? "" });
  expect(res.stderr).toBe("");
  const split = res.stdout.lastIndexOf("\n");
  return { status: Number(res.stdout.slice(split + 1)), body: res.stdout.slice(0, split) };
}
const code = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];

const policyOf = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const putPolicy = (bucket: string, ...statements: object[]) => alice.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policyOf(...statements) }));
const read = async (client: S3Client, Bucket: string, Key: string) => (await client.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
const failure = async (p: Promise<unknown>) => {
  const e = await errorOf(p);
  return [e.name, e.$metadata.httpStatusCode];
};

async function aliceBucket(label: string, keys: string[]): Promise<string> {
  const bucket = uniqueBucket(label);
  await alice.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const key of keys) await alice.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` }));
  return bucket;
}

describe.skipIf(skipWithout(hasCurl))("a public-read policy, read by anonymous curl", () => {
  let bucket: string;
  const publicRead = () => ({ Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/public/*` });
  beforeAll(async () => { bucket = await aliceBucket("pub", ["public/x", "private/y"]); });

  test("Block Public Access, on for a new bucket, refuses the policy; lifted, it is accepted", async () => {
    expect((await alice.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration!.BlockPublicPolicy).toBe(true);
    expect(await failure(putPolicy(bucket, publicRead()))).toEqual(["AccessDenied", 403]);
    expect(await failure(alice.send(new GetBucketPolicyCommand({ Bucket: bucket })))).toEqual(["NoSuchBucketPolicy", 404]);
    expect((await curl(`/${bucket}/public/x`)).status).toBe(403);
    await alice.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    expect(await failure(alice.send(new GetPublicAccessBlockCommand({ Bucket: bucket })))).toEqual(["NoSuchPublicAccessBlockConfiguration", 404]);
    await putPolicy(bucket, publicRead());
    expect(JSON.parse((await alice.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!)).toEqual(JSON.parse(policyOf(publicRead())));
    expect((await alice.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }))).PolicyStatus).toEqual({ IsPublic: true });
  });

  test("anonymous GET of public/x is 200 with its bytes; of private/y, a PUT, or a missing public key, 403", async () => {
    expect(await curl(`/${bucket}/public/x`)).toEqual({ status: 200, body: "body of public/x" });
    const head = await curl(`/${bucket}/public/x`, "-I");
    expect(head.status).toBe(200);
    const priv = await curl(`/${bucket}/private/y`);
    expect([priv.status, code(priv.body)]).toEqual([403, "AccessDenied"]);
    const put = await curl(`/${bucket}/public/new`, "-X", "PUT", "--data-binary", "anonymous bytes");
    expect([put.status, code(put.body)]).toEqual([403, "AccessDenied"]);
    expect(await failure(alice.send(new HeadObjectCommand({ Bucket: bucket, Key: "public/new" })))).toEqual(["NotFound", 404]);
    // The policy does not allow s3:ListBucket, so a missing key does not say it is missing.
    const missing = await curl(`/${bucket}/public/missing`);
    expect([missing.status, code(missing.body)]).toEqual([403, "AccessDenied"]);
    const list = await curl(`/${bucket}?list-type=2`);
    expect([list.status, code(list.body)]).toEqual([403, "AccessDenied"]);
    const del = await curl(`/${bucket}/public/x`, "-X", "DELETE");
    expect([del.status, code(del.body)]).toEqual([403, "AccessDenied"]);
    expect(await read(alice, bucket, "public/x")).toBe("body of public/x");
  });

  test("anonymous callers cannot read the policy, list buckets or create one", async () => {
    expect(code((await curl(`/${bucket}?policy`)).body)).toBe("AccessDenied");
    const listBuckets = await curl("/");
    expect([listBuckets.status, code(listBuckets.body)]).toEqual([403, "AccessDenied"]);
    const create = await curl(`/${uniqueBucket("anon")}`, "-X", "PUT");
    expect([create.status, code(create.body)]).toEqual([403, "AccessDenied"]);
  });

  test("RestrictPublicBuckets shuts the public policy to everyone outside the owner's account", async () => {
    await alice.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
    expect((await curl(`/${bucket}/public/x`)).status).toBe(403);
    expect(await read(alice, bucket, "public/x")).toBe("body of public/x");
    await alice.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { RestrictPublicBuckets: false } }));
    expect((await curl(`/${bucket}/public/x`)).status).toBe(200);
  });

  test("conditions on aws:Referer and aws:UserAgent, as curl sends them", async () => {
    const gated = await aliceBucket("ref", ["site/page.html", "site/ua.txt"]);
    await alice.send(new DeletePublicAccessBlockCommand({ Bucket: gated }));
    await putPolicy(gated,
      { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${gated}/site/*`, Condition: { StringLike: { "aws:Referer": "https://example.com/*" } } },
      { Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${gated}/site/ua.txt`, Condition: { StringLike: { "aws:UserAgent": "curl/*" } } });
    expect((await curl(`/${gated}/site/page.html`)).status).toBe(403);
    expect((await curl(`/${gated}/site/page.html`, "-e", "https://evil.example/")).status).toBe(403);
    expect(await curl(`/${gated}/site/page.html`, "-e", "https://example.com/index.html")).toEqual({ status: 200, body: "body of site/page.html" });
    expect((await curl(`/${gated}/site/ua.txt`, "-e", "https://example.com/")).status).toBe(403);
    expect((await curl(`/${gated}/site/ua.txt`, "-e", "https://example.com/", "-A", "Mozilla/5.0")).status).toBe(200);
    // The Deny on curl's agent binds the owner as well.
    expect(await read(alice, gated, "site/page.html")).toBe("body of site/page.html");
    const ownerCurl = (await curl(`/${gated}/site/ua.txt`, "-e", "https://example.com/")).status;
    expect(ownerCurl).toBe(403);
  });
});

describe("Deny beats Allow", () => {
  test("bob may read shared/a by the policy's Allow but not secret/b under its Deny", async () => {
    const bucket = await aliceBucket("deny", ["shared/a", "secret/b"]);
    await putPolicy(bucket,
      { Sid: "BobReads", Effect: "Allow", Principal: { AWS: BOB_ARN }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` },
      { Sid: "NoSecrets", Effect: "Deny", Principal: { AWS: BOB_ARN }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/secret/*` });
    expect((await alice.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }))).PolicyStatus).toEqual({ IsPublic: false });
    expect(await read(bob, bucket, "shared/a")).toBe("body of shared/a");
    expect(await failure(bob.send(new GetObjectCommand({ Bucket: bucket, Key: "secret/b" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(bob.send(new PutObjectCommand({ Bucket: bucket, Key: "shared/c", Body: "no" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(bob.send(new ListObjectsV2Command({ Bucket: bucket })))).toEqual(["AccessDenied", 403]);
    // bob is allowed GetObject but not ListBucket: a missing key is 403 to him.
    expect(await failure(bob.send(new GetObjectCommand({ Bucket: bucket, Key: "shared/missing" })))).toEqual(["AccessDenied", 403]);
    expect(await read(alice, bucket, "secret/b")).toBe("body of secret/b");
  });

  test("a Deny on s3:DeleteObject binds the owner; the owner can still delete the policy", async () => {
    const bucket = await aliceBucket("lock", ["keep/me"]);
    await putPolicy(bucket, { Effect: "Deny", Principal: "*", Action: ["s3:DeleteObject", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] });
    expect(await failure(alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: "keep/me" })))).toEqual(["AccessDenied", 403]);
    expect(await read(alice, bucket, "keep/me")).toBe("body of keep/me");
    // Owner lock-out protection: the policy's own operations stay the owner's whatever it says.
    expect((await alice.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toContain("s3:DeleteObject");
    await alice.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: "keep/me" }));
    expect(await failure(alice.send(new HeadObjectCommand({ Bucket: bucket, Key: "keep/me" })))).toEqual(["NotFound", 404]);
  });

  // S3 weighs each key of a DeleteObjects and answers a denied one as an AccessDenied <Error> in a 200 DeleteResult.
  test("DeleteObjects weighs each key as DeleteObject does", async () => {
    const bucket = await aliceBucket("multidel", ["secret/b", "shared/a", "shared/c"]);
    await putPolicy(bucket,
      { Effect: "Deny", Principal: "*", Action: "s3:DeleteObject", Resource: `arn:aws:s3:::${bucket}/secret/*` },
      { Effect: "Allow", Principal: { AWS: BOB_ARN }, Action: "s3:DeleteObject", Resource: `arn:aws:s3:::${bucket}/shared/*` });
    const mine = await alice.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "secret/b" }, { Key: "shared/a" }] } }));
    expect([mine.Deleted?.map((d) => d.Key), mine.Errors?.map((e) => [e.Key, e.Code])]).toEqual([["shared/a"], [["secret/b", "AccessDenied"]]]);
    expect(await read(alice, bucket, "secret/b")).toBe("body of secret/b");
    const bobs = await bob.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "shared/c" }, { Key: "secret/b" }] } }));
    expect([bobs.Deleted?.map((d) => d.Key), bobs.Errors?.map((e) => [e.Key, e.Code])]).toEqual([["shared/c"], [["secret/b", "AccessDenied"]]]);
  });

  test("another account may not manage the policy: 403 without an Allow, 405 with one", async () => {
    const bucket = await aliceBucket("mgmt", []);
    expect(await failure(bob.send(new GetBucketPolicyCommand({ Bucket: bucket })))).toEqual(["AccessDenied", 403]);
    await putPolicy(bucket, { Effect: "Allow", Principal: { AWS: BOB_ARN }, Action: ["s3:GetBucketPolicy", "s3:PutBucketPolicy"], Resource: `arn:aws:s3:::${bucket}` });
    expect(await failure(bob.send(new GetBucketPolicyCommand({ Bucket: bucket })))).toEqual(["MethodNotAllowed", 405]);
    expect(await failure(bob.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policyOf({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }) })))).toEqual(["MethodNotAllowed", 405]);
    expect((await alice.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toContain(BOB_ARN);
  });
});

describe("multipart uploads by another account", () => {
  // "Multipart upload API and permissions": s3:PutObject lets bob upload; as the initiator he may list
  // his upload's parts and abort it without s3:ListMultipartUploadParts or s3:AbortMultipartUpload.
  test("bob, allowed s3:PutObject, uploads in parts, lists his parts and aborts; he may not list the bucket's uploads", async () => {
    const bucket = await aliceBucket("mpu", []);
    await putPolicy(bucket, { Effect: "Allow", Principal: { AWS: BOB_ARN }, Action: "s3:PutObject", Resource: `arn:aws:s3:::${bucket}/*` });
    const upload = async (key: string) => (await bob.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId!;
    const done = await upload("done.bin");
    const { ETag } = await bob.send(new UploadPartCommand({ Bucket: bucket, Key: "done.bin", UploadId: done, PartNumber: 1, Body: "bob's part" }));
    const parts = await bob.send(new ListPartsCommand({ Bucket: bucket, Key: "done.bin", UploadId: done }));
    expect([parts.Parts!.map((p) => p.ETag), parts.Initiator!.DisplayName, parts.Owner!.DisplayName]).toEqual([[ETag], "bob", "alice"]);
    await bob.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "done.bin", UploadId: done, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }));
    expect(await read(alice, bucket, "done.bin")).toBe("bob's part");
    const dropped = await upload("dropped.bin");
    const aliceUpload = (await alice.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "alices.bin" }))).UploadId!;
    expect(await failure(bob.send(new ListMultipartUploadsCommand({ Bucket: bucket })))).toEqual(["AccessDenied", 403]);
    // Not the initiator of alice's upload: neither its parts nor an abort.
    expect(await failure(bob.send(new ListPartsCommand({ Bucket: bucket, Key: "alices.bin", UploadId: aliceUpload })))).toEqual(["AccessDenied", 403]);
    expect(await failure(bob.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "alices.bin", UploadId: aliceUpload })))).toEqual(["AccessDenied", 403]);
    await bob.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "dropped.bin", UploadId: dropped }));
    const left = await alice.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(left.Uploads!.map((u) => [u.Key, u.Initiator!.DisplayName])).toEqual([["alices.bin", "alice"]]);
    // An explicit Deny still binds the initiator.
    const denied = await upload("denied.bin");
    await putPolicy(bucket,
      { Effect: "Allow", Principal: { AWS: BOB_ARN }, Action: "s3:PutObject", Resource: `arn:aws:s3:::${bucket}/*` },
      { Effect: "Deny", Principal: { AWS: BOB_ARN }, Action: "s3:AbortMultipartUpload", Resource: `arn:aws:s3:::${bucket}/*` });
    expect(await failure(bob.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "denied.bin", UploadId: denied })))).toEqual(["AccessDenied", 403]);
    await alice.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    for (const [Key, UploadId] of [["alices.bin", aliceUpload], ["denied.bin", denied]]) await alice.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
  });
});

describe("conditions", () => {
  test("aws:SourceIp: 127.0.0.1/32 lets bob in, 10.0.0.0/8 does not", async () => {
    const bucket = await aliceBucket("ip", ["a"]);
    const allowFrom = (cidr: string) => putPolicy(bucket, { Effect: "Allow", Principal: { AWS: BOB_ARN }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*`, Condition: { IpAddress: { "aws:SourceIp": cidr } } });
    await allowFrom("10.0.0.0/8");
    expect(await failure(bob.send(new GetObjectCommand({ Bucket: bucket, Key: "a" })))).toEqual(["AccessDenied", 403]);
    await allowFrom("127.0.0.1/32");
    expect(await read(bob, bucket, "a")).toBe("body of a");
  });

  test("s3:prefix: bob lists his own prefix only", async () => {
    const bucket = await aliceBucket("prefix", ["home/bob/1", "home/carol/2"]);
    await putPolicy(bucket, { Effect: "Allow", Principal: { AWS: BOB_ARN }, Action: "s3:ListBucket", Resource: `arn:aws:s3:::${bucket}`, Condition: { StringLike: { "s3:prefix": "home/bob/*" } } });
    const mine = await bob.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "home/bob/" }));
    expect(mine.Contents!.map((o) => o.Key)).toEqual(["home/bob/1"]);
    expect(await failure(bob.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "home/carol/" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(bob.send(new ListObjectsV2Command({ Bucket: bucket })))).toEqual(["AccessDenied", 403]);
  });

  test("aws:SecureTransport false: a Deny of plain HTTP refuses everything but the policy's management", async () => {
    const bucket = await aliceBucket("tls", ["a"]);
    await putPolicy(bucket, { Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(await failure(alice.send(new GetObjectCommand({ Bucket: bucket, Key: "a" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(alice.send(new PutObjectCommand({ Bucket: bucket, Key: "b", Body: "b" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(alice.send(new ListObjectsV2Command({ Bucket: bucket })))).toEqual(["AccessDenied", 403]);
    await alice.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    expect(await read(alice, bucket, "a")).toBe("body of a");
    expect((await alice.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents!.map((o) => o.Key)).toEqual(["a"]);
  });
});
