import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { startServer, type S3liteServer } from "../../src/index.ts";
import { hasBoto3, run, skipWithout } from "../helpers/spawn.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { SLOW_TEST_MS, TEST_CREDENTIALS } from "../setup.ts";

let server: S3liteServer;
let client: S3Client;
beforeAll(async () => {
  server = await startServer({ credentials: TEST_CREDENTIALS, domains: ["s3.test"], logLevel: "silent" });
  // Bun's fetch resolves *.localhost to loopback, as browsers do; node:dns does not.
  client = new S3Client({ endpoint: `http://localhost:${server.port}`, region: "us-east-1", credentials: TEST_CREDENTIALS, requestHandler: new FetchHttpHandler() });
});
afterAll(async () => {
  client.destroy();
  await server.stop(true);
});

test("the SDK's default virtual-hosted style against bucket.localhost:PORT", async () => {
  await client.send(new CreateBucketCommand({ Bucket: "vhost" }));
  const put = await client.send(new PutObjectCommand({ Bucket: "vhost", Key: "dir/a b+ü.txt", Body: "hosted" }));
  expect(put.ETag).toBeString();
  expect(await (await client.send(new GetObjectCommand({ Bucket: "vhost", Key: "dir/a b+ü.txt" }))).Body!.transformToString()).toBe("hosted");
  expect((await client.send(new ListObjectsV2Command({ Bucket: "vhost" }))).Contents!.map((o) => o.Key)).toEqual(["dir/a b+ü.txt"]);
  // The same object by path style: one store, two addressing styles.
  const pathStyle = await fetchSigned(`${server.url}/vhost/dir/a%20b%2B%C3%BC.txt`);
  expect(await pathStyle.text()).toBe("hosted");
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: "vhost", Key: "dir/a b+ü.txt" }), { expiresIn: 60 });
  expect(new URL(url).host).toBe(`vhost.localhost:${server.port}`);
  expect(await (await fetch(url)).text()).toBe("hosted");
  await client.send(new DeleteObjectCommand({ Bucket: "vhost", Key: "dir/a b+ü.txt" }));
});

test("a configured base domain, and a signature checked against the Host actually sent", async () => {
  await client.send(new CreateBucketCommand({ Bucket: "custom-domain" }));
  const host = `custom-domain.s3.test:${server.port}`;
  const put = await fetchSigned(`http://${host}/k.txt`, { method: "PUT", body: "via s3.test", connectTo: server.url });
  expect(put.status).toBe(200);
  const got = await fetchSigned(`http://${host}/k.txt`, { connectTo: server.url });
  expect(await got.text()).toBe("via s3.test");
  // Signed for one host, sent to another: the canonical request differs.
  const moved = await fetchSigned(`http://${host}/k.txt`, { connectTo: server.url, sendHost: `custom-domain.localhost:${server.port}` });
  expect(moved.status).toBe(403);
  expect(await moved.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
});

test.skipIf(skipWithout(hasBoto3))("boto3 with addressing_style virtual", async () => {
  const res = await run(["python3", join(import.meta.dir, "../py/boto3_virtual_host.py"), "boto-vhost"], {
    PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: server.dataDir!, AWS_ENDPOINT_URL: `http://localhost:${server.port}`,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: "us-east-1", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_EC2_METADATA_DISABLED: "true",
  });
  expect(res.stderr).toBe("");
  expect(JSON.parse(res.stdout)).toEqual({ host: `boto-vhost.localhost:${server.port}`, body: "from boto3", keys: ["x/y z.txt"] });
}, SLOW_TEST_MS);
