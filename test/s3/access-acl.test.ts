// ACLs as S3 has them since April 2023 and before (issue 18). New buckets: BucketOwnerEnforced, so an
// ACL other than the owner's is refused and nothing is stored. With legacyBucketDefaults (ObjectWriter,
// no public access block): canned ACLs, grant headers and AccessControlPolicy documents grant what
// they say, to anonymous curl too, until ownership is enforced or Block Public Access says otherwise.
import { newBucket as createBucket } from "../helpers/suite.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CreateBucketCommand, DeleteBucketOwnershipControlsCommand, DeleteObjectCommand, GetBucketAclCommand, GetBucketOwnershipControlsCommand,
  GetObjectAclCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketAclCommand,
  PutBucketOwnershipControlsCommand, PutBucketPolicyCommand, PutObjectAclCommand, PutObjectCommand, PutPublicAccessBlockCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { accountIdFor, canonicalIdFor } from "../../src/core/access/identities.ts";
import { errorOf } from "../helpers/data.ts";
import { startTestServer, uniqueBucket } from "../helpers/server.ts";
import { run, skipWithout } from "../helpers/spawn.ts";

const ALICE = { accessKeyId: "AKIAALICE0000003", secretAccessKey: "alice-secret" };
const BOB = { accessKeyId: "AKIABOB000000003", secretAccessKey: "bob-secret" };
const USERS = [{ name: "alice", keys: [ALICE] }, { name: "bob", keys: [BOB], email: "Bob@Example.com" }];
const ALICE_ID = canonicalIdFor("alice");
const BOB_ID = canonicalIdFor("bob");
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const hasCurl = Bun.which("curl") !== null;

const failure = async (p: Promise<unknown>) => {
  const e = await errorOf(p);
  return [e.name, e.$metadata.httpStatusCode];
};
const read = async (client: S3Client, Bucket: string, Key: string) => (await client.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
const ownerFull = { Grantee: { Type: "CanonicalUser" as const, ID: ALICE_ID, DisplayName: "alice" }, Permission: "FULL_CONTROL" as const };

/** Starts a server with alice and bob, and clients for both. */
async function serverWithUsers(legacyBucketDefaults: boolean) {
  const s = await startTestServer({ users: USERS, legacyBucketDefaults });
  const clients = { alice: s.makeClient({ credentials: ALICE }), bob: s.makeClient({ credentials: BOB }) };
  const stop = async () => { clients.alice.destroy(); clients.bob.destroy(); await s.stop(); };
  return { s, ...clients, stop };
}

describe("new buckets: ACLs disabled (BucketOwnerEnforced)", () => {
  let env: Awaited<ReturnType<typeof serverWithUsers>>;
  let bucket: string;
  beforeAll(async () => {
    env = await serverWithUsers(false);
    bucket = uniqueBucket("enforced");
    await env.alice.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(() => env.stop());

  test("PutObject with ACL public-read is 400 AccessControlListNotSupported and stores nothing; bucket-owner-full-control is fine", async () => {
    expect(await failure(env.alice.send(new PutObjectCommand({ Bucket: bucket, Key: "pub", Body: "x", ACL: "public-read" })))).toEqual(["AccessControlListNotSupported", 400]);
    expect(await failure(env.alice.send(new HeadObjectCommand({ Bucket: bucket, Key: "pub" })))).toEqual(["NotFound", 404]);
    expect(await failure(env.alice.send(new PutObjectCommand({ Bucket: bucket, Key: "pub", Body: "x", GrantRead: `id="${BOB_ID}"` })))).toEqual(["AccessControlListNotSupported", 400]);
    await env.alice.send(new PutObjectCommand({ Bucket: bucket, Key: "owned", Body: "mine", ACL: "bucket-owner-full-control" }));
    expect(await read(env.alice, bucket, "owned")).toBe("mine");
    expect(await failure(env.alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: "owned", ACL: "public-read" })))).toEqual(["AccessControlListNotSupported", 400]);
  });

  test("GetBucketAcl and GetObjectAcl show the owner's FULL_CONTROL alone", async () => {
    const bucketAcl = await env.alice.send(new GetBucketAclCommand({ Bucket: bucket }));
    expect([bucketAcl.Owner, bucketAcl.Grants]).toEqual([{ ID: ALICE_ID, DisplayName: "alice" }, [ownerFull]]);
    await env.alice.send(new PutObjectCommand({ Bucket: bucket, Key: "acl", Body: "x" }));
    const objectAcl = await env.alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: "acl" }));
    expect([objectAcl.Owner, objectAcl.Grants]).toEqual([{ ID: ALICE_ID, DisplayName: "alice" }, [ownerFull]]);
  });

  test("CreateBucket with ACL public-read is InvalidBucketAclWithObjectOwnership, and no bucket is made", async () => {
    const name = uniqueBucket("aclbucket");
    expect(await failure(env.alice.send(new CreateBucketCommand({ Bucket: name, ACL: "public-read" })))).toEqual(["InvalidBucketAclWithObjectOwnership", 400]);
    expect((await errorOf(env.alice.send(new HeadBucketCommand({ Bucket: name })))).$metadata.httpStatusCode).toBe(404);
    // With ownership chosen at creation, the ACL is taken (and Block Public Access, on by default, then refuses a public one).
    expect(await failure(env.alice.send(new CreateBucketCommand({ Bucket: name, ACL: "public-read", ObjectOwnership: "ObjectWriter" })))).toEqual(["InvalidBucketAclWithBlockPublicAccessError", 400]);
    await env.alice.send(new CreateBucketCommand({ Bucket: name, GrantRead: `id="${BOB_ID}"`, ObjectOwnership: "ObjectWriter" }));
    expect((await env.bob.send(new ListObjectsV2Command({ Bucket: name }))).KeyCount).toBe(0);
  });

  test("PutBucketAcl and PutObjectAcl are refused whatever they ask, the owner's own FULL_CONTROL included", async () => {
    await env.alice.send(new PutObjectCommand({ Bucket: bucket, Key: "acl-writes", Body: "x" }));
    const refused = ["AccessControlListNotSupported", 400];
    expect(await failure(env.alice.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "private" })))).toEqual(refused);
    expect(await failure(env.alice.send(new PutBucketAclCommand({ Bucket: bucket, AccessControlPolicy: { Owner: { ID: ALICE_ID }, Grants: [ownerFull] } })))).toEqual(refused);
    expect(await failure(env.alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: "acl-writes", ACL: "private" })))).toEqual(refused);
    expect(await failure(env.alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: "acl-writes", ACL: "bucket-owner-full-control" })))).toEqual(refused);
    expect((await env.alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: "acl-writes" }))).Grants).toEqual([ownerFull]);
  });

  test("another account's write may carry bucket-owner-full-control, not private (which would keep the object its own)", async () => {
    const name = uniqueBucket("xacct");
    await env.alice.send(new CreateBucketCommand({ Bucket: name }));
    const bobArn = `arn:aws:iam::${accountIdFor("bob")}:user/bob`;
    await env.alice.send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: bobArn }, Action: "s3:PutObject", Resource: `arn:aws:s3:::${name}/*` }] }) }));
    expect(await failure(env.bob.send(new PutObjectCommand({ Bucket: name, Key: "private", Body: "x", ACL: "private" })))).toEqual(["AccessControlListNotSupported", 400]);
    expect(await failure(env.alice.send(new HeadObjectCommand({ Bucket: name, Key: "private" })))).toEqual(["NotFound", 404]);
    await env.bob.send(new PutObjectCommand({ Bucket: name, Key: "full", Body: "for alice", ACL: "bucket-owner-full-control" }));
    await env.bob.send(new PutObjectCommand({ Bucket: name, Key: "plain", Body: "for alice too" }));
    expect(await read(env.alice, name, "full")).toBe("for alice");
    expect((await env.alice.send(new GetObjectAclCommand({ Bucket: name, Key: "plain" }))).Owner!.ID).toBe(ALICE_ID);
  });

  test("ownership controls: read, deleted (OwnershipControlsNotFoundError), and ACLs then count, Block Public Access still refusing public ones", async () => {
    const name = uniqueBucket("ctl");
    await env.alice.send(new CreateBucketCommand({ Bucket: name }));
    expect((await env.alice.send(new GetBucketOwnershipControlsCommand({ Bucket: name }))).OwnershipControls!.Rules).toEqual([{ ObjectOwnership: "BucketOwnerEnforced" }]);
    await env.alice.send(new DeleteBucketOwnershipControlsCommand({ Bucket: name }));
    expect(await failure(env.alice.send(new GetBucketOwnershipControlsCommand({ Bucket: name })))).toEqual(["OwnershipControlsNotFoundError", 404]);
    // ACLs are enabled now; BlockPublicAcls (on by default) refuses a public-read object.
    expect(await failure(env.alice.send(new PutObjectCommand({ Bucket: name, Key: "p", Body: "x", ACL: "public-read" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(env.alice.send(new HeadObjectCommand({ Bucket: name, Key: "p" })))).toEqual(["NotFound", 404]);
    await env.alice.send(new PutObjectCommand({ Bucket: name, Key: "for-bob", Body: "shared", GrantRead: `id="${BOB_ID}"` }));
    expect(await read(env.bob, name, "for-bob")).toBe("shared");
    // Enforcing again: the object's grant no longer counts.
    await env.alice.send(new PutBucketOwnershipControlsCommand({ Bucket: name, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } }));
    expect(await failure(env.bob.send(new GetObjectCommand({ Bucket: name, Key: "for-bob" })))).toEqual(["AccessDenied", 403]);
  });
});

describe("legacy buckets: ACLs enabled (ObjectWriter), public access not blocked", () => {
  let env: Awaited<ReturnType<typeof serverWithUsers>>;
  let curl: (path: string, ...args: string[]) => Promise<number>;
  beforeAll(async () => {
    env = await serverWithUsers(true);
    curl = async (path, ...args) => {
      const res = await run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", ...args, `${env.s.url}${path}`], { PATH: process.env.PATH ?? "" });
      return Number(res.stdout);
    };
  });
  afterAll(() => env.stop());
  const newBucket = (label: string) => createBucket(env.alice, label);

  test.skipIf(skipWithout(hasCurl))("a public-read object is read anonymously, a private one is not; its ACL lists AllUsers READ", async () => {
    const bucket = await newBucket("legacy");
    await env.alice.send(new PutObjectCommand({ Bucket: bucket, Key: "open", Body: "open bytes", ACL: "public-read" }));
    await env.alice.send(new PutObjectCommand({ Bucket: bucket, Key: "closed", Body: "closed bytes" }));
    expect(await curl(`/${bucket}/open`)).toBe(200);
    expect(await curl(`/${bucket}/closed`)).toBe(403);
    const acl = await env.alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: "open" }));
    expect(acl.Grants).toEqual([ownerFull, { Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "READ" }]);
    expect(await failure(env.alice.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })))).toEqual(["OwnershipControlsNotFoundError", 404]);
    // IgnorePublicAcls: existing public grants stop counting.
    await env.alice.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
    expect(await curl(`/${bucket}/open`)).toBe(403);
    // BlockPublicAcls: a new public ACL is refused, and nothing is stored.
    await env.alice.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true } }));
    expect(await curl(`/${bucket}/open`)).toBe(200);
    expect(await failure(env.alice.send(new PutObjectCommand({ Bucket: bucket, Key: "blocked", Body: "x", ACL: "public-read" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(env.alice.send(new HeadObjectCommand({ Bucket: bucket, Key: "blocked" })))).toEqual(["NotFound", 404]);
    expect(await failure(env.alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: "closed", ACL: "public-read" })))).toEqual(["AccessDenied", 403]);
    expect(await curl(`/${bucket}/closed`)).toBe(403);
  });

  test("PutObjectAcl grants bob READ by canonical ID, by email, and by x-amz-grant-read: he reads that object and no other", async () => {
    const bucket = await newBucket("grants");
    for (const key of ["by-id", "by-email", "by-header", "other"]) await env.alice.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body ${key}` }));
    for (const key of ["by-id", "by-email", "by-header"]) expect(await failure(env.bob.send(new GetObjectCommand({ Bucket: bucket, Key: key })))).toEqual(["AccessDenied", 403]);
    const owner = { ID: ALICE_ID };
    await env.alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: "by-id", AccessControlPolicy: { Owner: owner, Grants: [ownerFull, { Grantee: { Type: "CanonicalUser", ID: BOB_ID }, Permission: "READ" }] } }));
    await env.alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: "by-email", AccessControlPolicy: { Owner: owner, Grants: [ownerFull, { Grantee: { Type: "AmazonCustomerByEmail", EmailAddress: "bob@example.com" }, Permission: "READ" }] } }));
    await env.alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: "by-header", GrantRead: `emailAddress="bob@example.com", id="${ALICE_ID}"`, GrantFullControl: `id="${ALICE_ID}"` }));
    for (const key of ["by-id", "by-email", "by-header"]) expect(await read(env.bob, bucket, key)).toBe(`body ${key}`);
    expect(await failure(env.bob.send(new GetObjectCommand({ Bucket: bucket, Key: "other" })))).toEqual(["AccessDenied", 403]);
    // READ is not READ_ACP, nor write: bob neither reads the ACL nor deletes.
    expect(await failure(env.bob.send(new GetObjectAclCommand({ Bucket: bucket, Key: "by-id" })))).toEqual(["AccessDenied", 403]);
    expect(await failure(env.bob.send(new DeleteObjectCommand({ Bucket: bucket, Key: "by-id" })))).toEqual(["AccessDenied", 403]);
    // Emails are shown as the canonical user they resolve to.
    const grants = (await env.alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: "by-email" }))).Grants!;
    expect(grants).toContainEqual({ Grantee: { Type: "CanonicalUser", ID: BOB_ID, DisplayName: "bob" }, Permission: "READ" });
    const unknown = env.alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: "other", GrantRead: `emailAddress="nobody@example.com"` }));
    expect(await failure(unknown)).toEqual(["UnresolvableGrantByEmailAddress", 400]);
    // A document naming another owner cannot give the object away.
    const takeover = env.alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: "other", AccessControlPolicy: { Owner: { ID: BOB_ID }, Grants: [] } }));
    expect(await failure(takeover)).toEqual(["AccessDenied", 403]);
  });

  test.skipIf(skipWithout(hasCurl))("bucket ACLs: public-read-write lets anonymous curl PUT; authenticated-read lets bob list, not anonymous", async () => {
    const bucket = await newBucket("bucketacl");
    expect(await curl(`/${bucket}/anon.txt`, "-X", "PUT", "--data-binary", "from nobody")).toBe(403);
    await env.alice.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read-write" }));
    expect(await curl(`/${bucket}/anon.txt`, "-X", "PUT", "--data-binary", "from nobody")).toBe(200);
    expect(await read(env.alice, bucket, "anon.txt")).toBe("from nobody");
    expect(await curl(`/${bucket}?list-type=2`)).toBe(200);
    await env.alice.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "authenticated-read" }));
    expect(await curl(`/${bucket}?list-type=2`)).toBe(403);
    expect(await curl(`/${bucket}/anon2.txt`, "-X", "PUT", "--data-binary", "x")).toBe(403);
    expect((await env.bob.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents!.map((o) => o.Key)).toEqual(["anon.txt"]);
    expect(await failure(env.bob.send(new PutObjectCommand({ Bucket: bucket, Key: "bob.txt", Body: "x" })))).toEqual(["AccessDenied", 403]);
    const bucketAcl = await env.alice.send(new GetBucketAclCommand({ Bucket: bucket }));
    expect(bucketAcl.Grants).toEqual([ownerFull, { Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" }, Permission: "READ" }]);
    // An object ACL of authenticated-read: bob reads it, anonymous curl does not.
    await env.alice.send(new PutObjectCommand({ Bucket: bucket, Key: "members", Body: "members only", ACL: "authenticated-read" }));
    expect(await read(env.bob, bucket, "members")).toBe("members only");
    expect(await curl(`/${bucket}/members`)).toBe(403);
  });

  test("an object bob writes through a bucket WRITE grant is his: alice reads it only once he grants her", async () => {
    const bucket = await newBucket("writer");
    await env.alice.send(new PutBucketAclCommand({ Bucket: bucket, GrantWrite: `id="${BOB_ID}"`, GrantFullControl: `id="${ALICE_ID}"` }));
    await env.bob.send(new PutObjectCommand({ Bucket: bucket, Key: "bobs", Body: "bob's own" }));
    await env.bob.send(new PutObjectCommand({ Bucket: bucket, Key: "given", Body: "for alice", ACL: "bucket-owner-full-control" }));
    expect(await failure(env.alice.send(new GetObjectCommand({ Bucket: bucket, Key: "bobs" })))).toEqual(["AccessDenied", 403]);
    expect(await read(env.alice, bucket, "given")).toBe("for alice");
    const listed = await env.alice.send(new ListObjectsV2Command({ Bucket: bucket, FetchOwner: true }));
    expect(listed.Contents!.map((o) => [o.Key, o.Owner?.DisplayName])).toEqual([["bobs", "bob"], ["given", "bob"]]);
    // The bucket owner may always delete, whoever owns the object.
    await env.alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: "bobs" }));
    // Enforcing ownership makes alice the owner of everything in her bucket, and bob's ACL grants count for nothing.
    await env.alice.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "private" }));
    await env.alice.send(new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } }));
    expect((await env.alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: "given" }))).Owner!.ID).toBe(ALICE_ID);
    expect(await failure(env.bob.send(new GetObjectCommand({ Bucket: bucket, Key: "given" })))).toEqual(["AccessDenied", 403]);
  });

  test("BucketOwnerEnforced is refused while the bucket ACL grants others; after a private ACL it holds, and old object grants stop counting", async () => {
    const bucket = await newBucket("enforce");
    await env.alice.send(new PutObjectCommand({ Bucket: bucket, Key: "shared", Body: "was shared", GrantRead: `id="${BOB_ID}"` }));
    expect(await read(env.bob, bucket, "shared")).toBe("was shared");
    await env.alice.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" }));
    const enforce = () => env.alice.send(new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } }));
    expect(await failure(enforce())).toEqual(["InvalidBucketAclWithObjectOwnership", 400]);
    expect(await failure(env.alice.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })))).toEqual(["OwnershipControlsNotFoundError", 404]);
    await env.alice.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "private" }));
    await enforce();
    expect((await env.alice.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }))).OwnershipControls!.Rules).toEqual([{ ObjectOwnership: "BucketOwnerEnforced" }]);
    expect(await failure(env.bob.send(new GetObjectCommand({ Bucket: bucket, Key: "shared" })))).toEqual(["AccessDenied", 403]);
    expect((await env.alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: "shared" }))).Grants).toEqual([ownerFull]);
    // A public ACL now is AccessControlListNotSupported rather than stored.
    expect(await failure(env.alice.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" })))).toEqual(["AccessControlListNotSupported", 400]);
  });

  test("CreateBucket with ACL public-read is accepted and GetBucketAcl shows it", async () => {
    const bucket = uniqueBucket("pubbucket");
    await env.alice.send(new CreateBucketCommand({ Bucket: bucket, ACL: "public-read" }));
    expect((await env.alice.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants).toEqual([ownerFull, { Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "READ" }]);
    expect((await env.bob.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);
  });
});
