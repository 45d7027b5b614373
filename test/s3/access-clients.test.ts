// Users and access through clients other than the JS SDK (issue 18): the AWS CLI's s3api policy and
// ACL commands, boto3 as two users, a hand-written AccessControlPolicy with character references and
// xsi:type spelled out, and `s3lite serve --credentials AK:SK:USER,…` / `--users FILE` as processes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand, GetObjectAclCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import { accountIdFor, canonicalIdFor } from "../../src/core/access/identities.ts";
import { errorOf } from "../helpers/data.ts";
import { spawnListening, spawnServer } from "../helpers/server-process.ts";
import { uniqueBucket, type TestServer } from "../helpers/server.ts";
import { withTwoUsers } from "../helpers/users.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { ENTRY, hasAwsCli, hasBoto3, run, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";

const ALICE = { accessKeyId: "AKIAALICE0000004", secretAccessKey: "alice-secret" };
const BOB = { accessKeyId: "AKIABOB000000004", secretAccessKey: "bob-secret" };
const ALICE_ID = canonicalIdFor("alice");
const BOB_ID = canonicalIdFor("bob");
const BOB_ARN = `arn:aws:iam::${accountIdFor("bob")}:user/bob`;

let s: TestServer;
let alice: S3Client;
let bob: S3Client;
// Users from a users list (as a --users file gives them), bob with an email for grants by address.
const users = withTwoUsers({ ...ALICE, user: "alice" }, { ...BOB, user: "bob" }, { users: [{ name: "bob", keys: [], email: "bob@example.com" }] });
beforeAll(() => ({ s, alice, bob } = users));

const read = async (client: S3Client, Bucket: string, Key: string) => (await client.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();

describe.skipIf(skipWithout(hasAwsCli))("AWS CLI as alice", () => {
  const aws = (...args: string[]) => run(["aws", "--endpoint-url", s.url, "s3api", ...args], { ...s.env, AWS_ACCESS_KEY_ID: ALICE.accessKeyId, AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey });

  test("put-bucket-policy is refused while public access is blocked, then opens public/ to anonymous reads", async () => {
    const bucket = uniqueBucket("clipol");
    expect((await aws("create-bucket", "--bucket", bucket)).exitCode).toBe(0);
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: "public/x", Body: "shown" }));
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/public/*` }] });
    const refused = await aws("put-bucket-policy", "--bucket", bucket, "--policy", policy);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("AccessDenied");
    expect((await aws("delete-public-access-block", "--bucket", bucket)).exitCode).toBe(0);
    const put = await aws("put-bucket-policy", "--bucket", bucket, "--policy", policy);
    expect([put.exitCode, put.stderr]).toEqual([0, ""]);
    expect(JSON.parse(JSON.parse((await aws("get-bucket-policy", "--bucket", bucket)).stdout).Policy)).toEqual(JSON.parse(policy));
    expect(JSON.parse((await aws("get-bucket-policy-status", "--bucket", bucket)).stdout)).toEqual({ PolicyStatus: { IsPublic: true } });
    expect(await (await fetch(`${s.url}/${bucket}/public/x`)).text()).toBe("shown");
  }, SLOW_TEST_MS);

  test("get-bucket-acl shows alice's FULL_CONTROL; put-object-acl --acl public-read is refused with ACLs disabled, taken with them enabled", async () => {
    const bucket = uniqueBucket("cliacl");
    await alice.send(new CreateBucketCommand({ Bucket: bucket }));
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "bytes" }));
    const acl = JSON.parse((await aws("get-bucket-acl", "--bucket", bucket)).stdout);
    expect(acl.Owner.ID).toBe(ALICE_ID);
    expect(acl.Grants).toEqual([{ Grantee: { Type: "CanonicalUser", ID: ALICE_ID, DisplayName: "alice" }, Permission: "FULL_CONTROL" }]);
    const refused = await aws("put-object-acl", "--bucket", bucket, "--key", "k", "--acl", "public-read");
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("AccessControlListNotSupported");
    expect((await fetch(`${s.url}/${bucket}/k`)).status).toBe(403);
    // As on AWS today: choose ObjectWriter and lift the public access block, and the ACL is taken.
    expect((await aws("put-bucket-ownership-controls", "--bucket", bucket, "--ownership-controls", "Rules=[{ObjectOwnership=ObjectWriter}]")).exitCode).toBe(0);
    expect((await aws("put-public-access-block", "--bucket", bucket, "--public-access-block-configuration",
      "BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=true,RestrictPublicBuckets=true")).exitCode).toBe(0);
    expect((await aws("put-object-acl", "--bucket", bucket, "--key", "k", "--acl", "public-read")).exitCode).toBe(0);
    const objectAcl = JSON.parse((await aws("get-object-acl", "--bucket", bucket, "--key", "k")).stdout);
    expect(objectAcl.Grants).toContainEqual({ Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers" }, Permission: "READ" });
    expect(await (await fetch(`${s.url}/${bucket}/k`)).text()).toBe("bytes");
  }, SLOW_TEST_MS);
});

test.skipIf(skipWithout(hasBoto3))("boto3: alice's policy opens shared/ to bob, and nothing else", async () => {
  const bucket = uniqueBucket("botoacc");
  const res = await run(["python3", join(import.meta.dir, "../py/boto3_access.py"), bucket, ALICE.accessKeyId, ALICE.secretAccessKey, BOB.accessKeyId, BOB.secretAccessKey, BOB_ARN], s.env);
  expect(res.stderr).toBe("");
  expect(res.exitCode).toBe(0);
  const { alice_buckets, ...out } = JSON.parse(res.stdout);
  expect(alice_buckets).toContain(bucket);
  expect(out).toEqual({
    acl_refused: ["AccessControlListNotSupported", 400],
    owner: "alice",
    bob_before: ["AccessDenied", 403],
    policy_public: false,
    bob_shared: "for bob",
    bob_private: ["AccessDenied", 403],
    bob_list: ["AccessDenied", 403],
    bob_put: ["AccessDenied", 403],
    bob_head_missing: ["403", 403],
    alice_head_missing: ["404", 404],
    bob_buckets: [],
    bob_create: ["BucketAlreadyExists", 409],
    keys: ["private/b.txt", "shared/a.txt"],
  });
}, SLOW_TEST_MS);

describe("a hand-written AccessControlPolicy", () => {
  /** Every other character as a hex or decimal character reference, as some XML writers do. */
  const referenced = (text: string, hex: boolean) => [...text].map((c, i) => (i % 2 ? c : hex ? `&#x${c.charCodeAt(0).toString(16)};` : `&#${c.charCodeAt(0)};`)).join("");
  const XSI = `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`;
  const putAcl = (bucket: string, key: string, body: string) => fetchSigned(`${s.url}/${bucket}/${key}?acl`, {
    method: "PUT", body, credentials: ALICE, payload: "sha256",
    headers: { "content-type": "application/xml", "content-md5": new Bun.CryptoHasher("md5").update(body).digest("base64") },
  });

  test("IDs and emails written with character references, xsi:type spelled out: bob reads the object", async () => {
    const bucket = uniqueBucket("rawacl");
    await alice.send(new CreateBucketCommand({ Bucket: bucket, ObjectOwnership: "ObjectWriter" }));
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: "doc", Body: "shared by xml" }));
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: "other", Body: "not shared" }));
    expect((await errorOf(bob.send(new GetObjectCommand({ Bucket: bucket, Key: "doc" })))).name).toBe("AccessDenied");
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner><ID>${referenced(ALICE_ID, true)}</ID></Owner>
  <AccessControlList>
    <Grant><Grantee ${XSI} xsi:type="CanonicalUser"><ID>${referenced(ALICE_ID, false)}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>
    <Grant><Grantee ${XSI} xsi:type="AmazonCustomerByEmail"><EmailAddress>&#x62;ob&#64;example.com</EmailAddress></Grantee><Permission>READ</Permission></Grant>
  </AccessControlList>
</AccessControlPolicy>`;
    const response = await putAcl(bucket, "doc", body);
    expect([response.status, await response.text()]).toEqual([200, ""]);
    expect(await read(bob, bucket, "doc")).toBe("shared by xml");
    expect((await errorOf(bob.send(new GetObjectCommand({ Bucket: bucket, Key: "other" })))).name).toBe("AccessDenied");
    const acl = await alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: "doc" }));
    expect(acl.Grants).toEqual([
      { Grantee: { Type: "CanonicalUser", ID: ALICE_ID, DisplayName: "alice" }, Permission: "FULL_CONTROL" },
      { Grantee: { Type: "CanonicalUser", ID: BOB_ID, DisplayName: "bob" }, Permission: "READ" },
    ]);
    // A permission S3 does not have is MalformedACLError, and the ACL stays as it was.
    const bad = await putAcl(bucket, "doc", body.replace("<Permission>READ</Permission>", "<Permission>READ_ALL</Permission>"));
    expect([bad.status, /<Code>(\w+)<\/Code>/.exec(await bad.text())?.[1]]).toEqual([400, "MalformedACLError"]);
    expect(await read(bob, bucket, "doc")).toBe("shared by xml");
  });
});

describe("s3lite serve as a process", () => {
  let dataDir: string;
  beforeAll(() => { dataDir = mkdtempSync(join(tmpdir(), "s3lite-users-")); });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const clientFor = (url: string, accessKeyId: string, secretAccessKey: string) => new S3Client({ endpoint: url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });

  test("--credentials a:b:alice,c:d:bob and --users FILE make separate users", async () => {
    const usersFile = join(dataDir, "users.json");
    writeFileSync(usersFile, JSON.stringify([{ name: "carol", keys: ["carolkey:carol:secret"], accountId: "123456789012" }]));
    const server = await spawnServer(join(dataDir, "data"), "akalice:skalice:alice,akbob:skbob:bob,akalice2:skalice2:alice", ["--users", usersFile]);
    const [a, a2, b, c] = [clientFor(server.url, "akalice", "skalice"), clientFor(server.url, "akalice2", "skalice2"), clientFor(server.url, "akbob", "skbob"), clientFor(server.url, "carolkey", "carol:secret")];
    try {
      await a.send(new CreateBucketCommand({ Bucket: "alices" }));
      await a.send(new PutObjectCommand({ Bucket: "alices", Key: "k", Body: "alice's" }));
      await c.send(new CreateBucketCommand({ Bucket: "carols" }));
      // Two keys of one user share its buckets; other users see none of them.
      expect((await a2.send(new ListBucketsCommand({}))).Buckets!.map((x) => x.Name)).toEqual(["alices"]);
      expect(await read(a2, "alices", "k")).toBe("alice's");
      expect((await b.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
      expect((await errorOf(b.send(new GetObjectCommand({ Bucket: "alices", Key: "k" })))).name).toBe("AccessDenied");
      expect((await errorOf(b.send(new CreateBucketCommand({ Bucket: "carols" })))).name).toBe("BucketAlreadyExists");
      expect((await c.send(new ListBucketsCommand({}))).Buckets!.map((x) => x.Name)).toEqual(["carols"]);
      // The users file's account ID is the one ExpectedBucketOwner checks.
      await c.send(new PutObjectCommand({ Bucket: "carols", Key: "k", Body: "c", ExpectedBucketOwner: "123456789012" }));
      expect((await errorOf(c.send(new PutObjectCommand({ Bucket: "carols", Key: "k", Body: "c", ExpectedBucketOwner: accountIdFor("carol") })))).name).toBe("AccessDenied");
    } finally {
      for (const client of [a, a2, b, c]) client.destroy();
      await server.stop();
    }
  }, SLOW_TEST_MS);

  test("--users FILE alone: its users, and not the built-in key", async () => {
    const usersFile = join(dataDir, "only-users.json");
    writeFileSync(usersFile, JSON.stringify({ users: [{ name: "dave", keys: [{ accessKeyId: "davekey", secretAccessKey: "davesecret" }] }] }));
    const server = await spawnListening([process.execPath, ENTRY, "serve", "--port", "0", "--ephemeral", "--users", usersFile, "--quiet"]);
    const [d, builtIn] = [clientFor(server.url, "davekey", "davesecret"), clientFor(server.url, "s3lite", "s3lite-secret")];
    try {
      await d.send(new CreateBucketCommand({ Bucket: "daves" }));
      expect((await d.send(new ListBucketsCommand({}))).Owner).toEqual({ ID: canonicalIdFor("dave"), DisplayName: "dave" });
      expect((await errorOf(builtIn.send(new ListBucketsCommand({})))).name).toBe("InvalidAccessKeyId");
    } finally {
      d.destroy();
      builtIn.destroy();
      await server.stop();
    }
  }, SLOW_TEST_MS);
});
