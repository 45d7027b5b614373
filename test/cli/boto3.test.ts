import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { SLOW_TEST_MS } from "../setup.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { hasBoto3, run, skipWithout } from "../helpers/spawn.ts";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

test.skipIf(skipWithout(hasBoto3))("boto3: objects, checksums, ranges, multipart upload_fileobj, pagination, presigned URLs and errors", async () => {
  const bucket = uniqueBucket("boto");
  const res = await run(["python3", join(import.meta.dir, "../py/boto3_client.py"), bucket], s.env);
  expect(res.stderr).toBe("");
  expect(res.exitCode).toBe(0);
  const out = JSON.parse(res.stdout);
  expect(out.put_etag_ok).toBe(true);
  expect(out.get_bytes_ok).toBe(true);
  expect(out.put_checksum).toBeString();
  expect(out.get_checksum).toBe(out.put_checksum);
  expect(out.metadata).toEqual({ origin: "boto3" });
  expect(out.range_ok).toBe(true);
  expect(out.upload_fileobj_ok).toBe(true);
  expect(out.upload_big_ok).toBe(true);
  expect(out.big_etag_parts).toBe("2");
  expect(out.listed).toEqual(["big.bin", "bin/data ü+.bin", "small.txt"]);
  expect(out.presigned_ok).toBe(true);
  expect(out.missing).toEqual(["NoSuchKey", 404]);
  expect(out.not_empty).toBe("BucketNotEmpty");
  expect(out.deleted).toBe(true);
}, SLOW_TEST_MS);

test.skipIf(skipWithout(hasBoto3))("boto3: upload_file and download_file in parts, checksums of both types, list_multipart_uploads, upload_part_copy", async () => {
  const res = await run(["python3", join(import.meta.dir, "../py/boto3_multipart.py"), uniqueBucket("botomp")], s.env);
  expect(res.stderr).toBe("");
  expect(res.exitCode).toBe(0);
  const out = JSON.parse(res.stdout);
  expect(out["default.bin"]).toEqual({ bytes_ok: true, parts: 3 });
  expect(out["sha256.bin"]).toEqual({ bytes_ok: true, parts: 3 });
  expect(out.sha256_checksum_type).toBe("COMPOSITE");
  expect(out.sha256_parts).toEqual([8 * 1024 * 1024, 8 * 1024 * 1024, 5 * 1024 * 1024 + 11]);
  expect(out.listed_uploads).toEqual(["full.bin"]);
  expect(out.full_crc_ok).toBe(true);
  expect(out.full_get_ok).toBe(true);
  expect(out.full_get_length).toBe(21 * 1024 * 1024 + 11);
  expect(out.retried_same).toEqual([true, true, true]);
  expect(out.copied_ok).toBe(true);
}, SLOW_TEST_MS);

test.skipIf(skipWithout(hasBoto3))("boto3: copy_object and copy(), delete_objects, list_object_versions, conditional puts, resource bulk deletes", async () => {
  const res = await run(["python3", join(import.meta.dir, "../py/boto3_everyday.py"), uniqueBucket("botoday")], s.env);
  expect(res.stderr).toBe("");
  expect(res.exitCode).toBe(0);
  const out = JSON.parse(res.stdout);
  expect(out.copy_body).toBe("docs/a b+c.txt");
  expect(out.copy_meta).toEqual({ k: "v" });
  expect(out.replaced_meta).toEqual({ k: "new" });
  expect(out.managed_copy).toBe("docs/ü.txt");
  expect(out.if_none_match_existing).toBe("PreconditionFailed");
  expect(out.if_none_match_new).toBeNull();
  const keys = ["copies/one", "copies/ü", "docs/a b+c.txt", "docs/ü.txt", "fresh.txt", "img/1.png", "img/2.png", "top.txt"];
  expect(out.versions).toEqual(keys.map((k) => [k, "null"]));
  expect(out.v2_keys).toEqual(["docs/a b+c.txt", "docs/ü.txt"]);
  expect(out.v1_prefixes).toEqual(["copies/", "docs/", "img/"]);
  expect(out.deleted).toEqual(["copies/one", "missing"]);
  expect(out.after_filter_delete).toEqual(["copies/ü", "docs/a b+c.txt", "docs/ü.txt", "fresh.txt", "top.txt"]);
  expect(out.after_versions_delete).toEqual([]);
}, SLOW_TEST_MS);

test.skipIf(skipWithout(hasBoto3))("boto3: Signature Version 2 presigned URLs (signature_version s3) for GET and PUT", async () => {
  const bucket = uniqueBucket("botov2");
  await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "v2/ü file.txt", Body: "signed the old way" }));
  const res = await run(["python3", join(import.meta.dir, "../py/boto3_presign_v2.py"), bucket], s.env);
  expect(res.stderr).toBe("");
  const urls = JSON.parse(res.stdout) as Record<string, string>;
  expect(new URL(urls.get!).searchParams.has("AWSAccessKeyId")).toBe(true);
  expect(await (await fetch(urls.get!)).text()).toBe("signed the old way");
  expect((await fetch(urls.get_override!)).headers.get("content-type")).toBe("text/x-v2");
  const put = await fetch(urls.put!, { method: "PUT", body: "uploaded v2", headers: { "content-type": "text/plain" } });
  expect(put.status).toBe(200);
  expect(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "v2/uploaded.txt" }))).Body!.transformToString()).toBe("uploaded v2");
  const wrongType = await fetch(urls.put!, { method: "PUT", body: "x", headers: { "content-type": "image/png" } });
  expect(await wrongType.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  const tampered = await fetch(urls.get!.replace("v2/", "v2/../v2/x"));
  expect(tampered.status).toBe(403);
  const expired = await fetch(urls.expired!);
  expect(expired.status).toBe(403);
  expect(await expired.text()).toContain("Request has expired");
}, SLOW_TEST_MS);

test.skipIf(skipWithout(hasBoto3))("boto3: generate_presigned_post forms, SigV4 and SigV2, posted with requests", async () => {
  const res = await run(["python3", join(import.meta.dir, "../py/boto3_presigned_post.py"), uniqueBucket("botopost")], s.env);
  expect(res.stderr).toBe("");
  expect(res.exitCode).toBe(0);
  const out = JSON.parse(res.stdout);
  for (const [version, field] of [["v4", "x-amz-signature"], ["v2", "signature"]] as const) {
    expect(out[version]).toEqual({ status: 201, signed_with: [field], body: `posted by boto3 ${version}`, content_type: "text/plain", too_big: [400, true] });
  }
}, SLOW_TEST_MS);
