// The configuration reads Terraform's aws_s3_bucket makes on create and on each refresh, replayed in its
// order: none is 501, and each unset one answers with AWS's document or with the error code the provider
// takes for "not configured".
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  DeleteBucketLifecycleCommand, DeleteBucketPolicyCommand, DeleteBucketTaggingCommand, GetBucketAccelerateConfigurationCommand, GetBucketAclCommand,
  GetBucketCorsCommand, GetBucketEncryptionCommand, GetBucketLifecycleConfigurationCommand, GetBucketLoggingCommand, GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand, GetBucketPolicyStatusCommand, GetBucketReplicationCommand, GetBucketRequestPaymentCommand, GetBucketTaggingCommand,
  GetBucketVersioningCommand, GetBucketWebsiteCommand, GetObjectAclCommand, GetObjectLockConfigurationCommand, GetPublicAccessBlockCommand,
  CreateBucketCommand, DeletePublicAccessBlockCommand, HeadBucketCommand, PutBucketOwnershipControlsCommand, PutBucketPolicyCommand,
  PutObjectCommand, PutPublicAccessBlockCommand,
} from "@aws-sdk/client-s3";
import { errorOf } from "../helpers/data.ts";
import type { TestServer } from "../helpers/server.ts";
import { hasAwsCli, run, skipWithout } from "../helpers/spawn.ts";
import { uniqueBucket } from "../helpers/server.ts";
import { newBucket, startWithBucket } from "../helpers/suite.ts";
import { SLOW_TEST_MS } from "../setup.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => ({ s, bucket } = await startWithBucket("tfreads")));
afterAll(() => s.stop());

test("Terraform's refresh reads: the unset ones are its 'not configured' errors, the rest AWS's default documents", async () => {
  const B = { Bucket: bucket };
  await s.client.send(new HeadBucketCommand(B));
  // Each command's send is its own call: the SDK's send() is typed per command.
  const notConfigured = async (name: string, sent: Promise<unknown>, code: string) => {
    const error = await errorOf(sent);
    expect([name, error.name, error.$metadata.httpStatusCode]).toEqual([name, code, 404]);
  };
  await notConfigured("GetBucketPolicy", s.client.send(new GetBucketPolicyCommand(B)), "NoSuchBucketPolicy");
  const acl = await s.client.send(new GetBucketAclCommand(B));
  expect(acl.Owner?.ID).toBeString();
  expect(acl.Grants).toEqual([{ Grantee: { Type: "CanonicalUser", ID: acl.Owner!.ID, DisplayName: acl.Owner!.DisplayName }, Permission: "FULL_CONTROL" }]);
  await notConfigured("GetBucketCors", s.client.send(new GetBucketCorsCommand(B)), "NoSuchCORSConfiguration");
  await notConfigured("GetBucketWebsite", s.client.send(new GetBucketWebsiteCommand(B)), "NoSuchWebsiteConfiguration");
  const versioning = await s.client.send(new GetBucketVersioningCommand(B));
  expect([versioning.Status, versioning.MFADelete]).toEqual([undefined, undefined]);
  expect((await s.client.send(new GetBucketAccelerateConfigurationCommand(B))).Status).toBeUndefined();
  expect((await s.client.send(new GetBucketRequestPaymentCommand(B))).Payer).toBe("BucketOwner");
  expect((await s.client.send(new GetBucketLoggingCommand(B))).LoggingEnabled).toBeUndefined();
  await notConfigured("GetBucketLifecycleConfiguration", s.client.send(new GetBucketLifecycleConfigurationCommand(B)), "NoSuchLifecycleConfiguration");
  await notConfigured("GetBucketReplication", s.client.send(new GetBucketReplicationCommand(B)), "ReplicationConfigurationNotFoundError");
  const encryption = await s.client.send(new GetBucketEncryptionCommand(B));
  expect(encryption.ServerSideEncryptionConfiguration?.Rules).toEqual([{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false }]);
  await notConfigured("GetObjectLockConfiguration", s.client.send(new GetObjectLockConfigurationCommand(B)), "ObjectLockConfigurationNotFoundError");
  await notConfigured("GetBucketTagging", s.client.send(new GetBucketTaggingCommand(B)), "NoSuchTagSet");
  // Read by other tools and by Terraform's separate resources.
  expect((await s.client.send(new GetBucketOwnershipControlsCommand(B))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: "BucketOwnerEnforced" }]);
  expect((await s.client.send(new GetPublicAccessBlockCommand(B))).PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  await notConfigured("GetBucketPolicyStatus", s.client.send(new GetBucketPolicyStatusCommand(B)), "NoSuchBucketPolicy");
  await s.client.send(new PutObjectCommand({ ...B, Key: "o", Body: "x" }));
  expect((await s.client.send(new GetObjectAclCommand({ ...B, Key: "o" }))).Grants?.[0]?.Permission).toBe("FULL_CONTROL");
  expect((await errorOf(s.client.send(new GetObjectAclCommand({ ...B, Key: "missing" })))).name).toBe("NoSuchKey");
});

test("Terraform's create and its separate resources: CreateBucket with x-amz-acl private, then public access block, ownership controls and a policy, each read back as written", async () => {
  const name = uniqueBucket("tfcreate");
  const B = { Bucket: name };
  // aws_s3_bucket with acl = "private" (and older providers always) send the canned ACL on create.
  await s.client.send(new CreateBucketCommand({ ...B, ACL: "private" }));
  expect((await s.client.send(new GetBucketAclCommand(B))).Grants?.map((g) => g.Permission)).toEqual(["FULL_CONTROL"]);
  // AWS makes such a bucket BucketOwnerPreferred rather than the BucketOwnerEnforced of a bare CreateBucket.
  expect((await s.client.send(new GetBucketOwnershipControlsCommand(B))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: "BucketOwnerPreferred" }]);
  expect((await s.client.send(new GetBucketOwnershipControlsCommand({ Bucket: await newBucket(s.client, "tfbare") }))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: "BucketOwnerEnforced" }]);
  // aws_s3_bucket_public_access_block, then aws_s3_bucket_ownership_controls, then aws_s3_bucket_policy.
  await s.client.send(new PutPublicAccessBlockCommand({ ...B, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false } }));
  expect((await s.client.send(new GetPublicAccessBlockCommand(B))).PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
  await s.client.send(new PutBucketOwnershipControlsCommand({ ...B, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerPreferred" }] } }));
  expect((await s.client.send(new GetBucketOwnershipControlsCommand(B))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: "BucketOwnerPreferred" }]);
  const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${name}/site/*` }] });
  await s.client.send(new PutBucketPolicyCommand({ ...B, Policy: policy }));
  expect((await s.client.send(new GetBucketPolicyCommand(B))).Policy).toBe(policy);
  expect((await s.client.send(new GetBucketPolicyStatusCommand(B))).PolicyStatus?.IsPublic).toBe(true);
  // terraform destroy of those resources: each read is then "not configured" again.
  await s.client.send(new DeletePublicAccessBlockCommand(B));
  await s.client.send(new DeleteBucketPolicyCommand(B));
  expect((await errorOf(s.client.send(new GetPublicAccessBlockCommand(B)))).name).toBe("NoSuchPublicAccessBlockConfiguration");
  expect((await errorOf(s.client.send(new GetBucketPolicyCommand(B)))).name).toBe("NoSuchBucketPolicy");
});

test("deleting a configuration a bucket does not have is 204, and a missing bucket is NoSuchBucket", async () => {
  for (const command of [new DeleteBucketPolicyCommand({ Bucket: bucket }), new DeleteBucketLifecycleCommand({ Bucket: bucket }), new DeleteBucketTaggingCommand({ Bucket: bucket })]) {
    expect((await s.client.send(command)).$metadata.httpStatusCode).toBe(204);
  }
  expect((await errorOf(s.client.send(new GetBucketVersioningCommand({ Bucket: "no-such-bucket-here" })))).name).toBe("NoSuchBucket");
  expect((await errorOf(s.client.send(new GetBucketPolicyCommand({ Bucket: "no-such-bucket-here" })))).name).toBe("NoSuchBucket");
});

test.skipIf(skipWithout(hasAwsCli))("the AWS CLI reads them too", async () => {
  const aws = (...args: string[]) => run(["aws", "--endpoint-url", s.url, "s3api", ...args, "--bucket", bucket], s.env);
  expect(JSON.parse((await aws("get-bucket-request-payment")).stdout)).toEqual({ Payer: "BucketOwner" });
  expect(JSON.parse((await aws("get-bucket-encryption")).stdout).ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: "AES256" });
  expect((await aws("get-bucket-policy")).stderr).toContain("NoSuchBucketPolicy");
  expect((await aws("get-bucket-versioning")).exitCode).toBe(0);
}, SLOW_TEST_MS);
