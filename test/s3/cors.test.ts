import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CreateBucketCommand, DeleteBucketCorsCommand, GetBucketCorsCommand, GetObjectCommand, PutBucketCorsCommand, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { startServer, type S3liteServer } from "../../src/index.ts";
import { errorOf } from "../helpers/data.ts";
import { uniqueBucket } from "../helpers/server.ts";
import { TEST_CREDENTIALS } from "../setup.ts";

const APP = "http://app.example:3000";
let server: S3liteServer;
let client: S3Client;
let bucket: string;
beforeAll(async () => {
  server = await startServer({ credentials: TEST_CREDENTIALS, logLevel: "silent" });
  client = new S3Client({ endpoint: server.url, region: "us-east-1", forcePathStyle: true, credentials: TEST_CREDENTIALS });
  bucket = uniqueBucket("cors");
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: "k.txt", Body: "cors", Metadata: { color: "blue" } }));
});
afterAll(async () => {
  client.destroy();
  await server.stop(true);
});

const preflight = (url: string, origin: string | undefined, method: string | undefined, headers?: string) => fetch(url, {
  method: "OPTIONS",
  headers: { ...(origin ? { origin } : {}), ...(method ? { "access-control-request-method": method } : {}), ...(headers ? { "access-control-request-headers": headers } : {}) },
});
const presignedGet = () => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: "k.txt" }), { expiresIn: 60 });

describe("the development default (no bucket configuration)", () => {
  test("a preflight is answered without auth, allowing the method and headers asked for", async () => {
    const res = await preflight(`${server.url}/${bucket}/k.txt`, APP, "PUT", "content-type, x-amz-meta-color");
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toBe("PUT");
    expect(res.headers.get("access-control-allow-headers")).toBe("content-type, x-amz-meta-color");
  });

  test("responses expose ETag, x-amz-* and user metadata; errors carry CORS headers too", async () => {
    const res = await fetch(await presignedGet(), { headers: { origin: APP } });
    expect(await res.text()).toBe("cors");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const exposed = res.headers.get("access-control-expose-headers")!.split(", ");
    for (const name of ["etag", "x-amz-request-id", "x-amz-meta-color", "accept-ranges"]) expect(exposed).toContain(name);
    const missing = await fetch(`${server.url}/${bucket}/missing`, { headers: { origin: APP } });
    expect(missing.status).toBe(403); // unsigned
    expect(missing.headers.get("access-control-allow-origin")).toBe("*");
  });

  test("a preflight without Origin is 400", async () => {
    const res = await preflight(`${server.url}/${bucket}/k.txt`, undefined, "GET");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>BadRequest</Code>");
  });
});

describe("a bucket's CORS configuration", () => {
  const rules = [
    { ID: "app", AllowedOrigins: ["http://*.example:3000"], AllowedMethods: ["GET", "PUT"], AllowedHeaders: ["content-type", "x-amz-*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 120 },
    { AllowedOrigins: ["https://other.test"], AllowedMethods: ["GET"] },
  ];

  test("round-trips through Put/Get/DeleteBucketCors", async () => {
    await client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
    const got = await client.send(new GetBucketCorsCommand({ Bucket: bucket }));
    expect(got.CORSRules).toEqual(rules);
  });

  test("is honoured: the first matching rule answers, others are refused", async () => {
    const url = `${server.url}/${bucket}/k.txt`;
    const ok = await preflight(url, APP, "PUT", "x-amz-meta-color");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(APP);
    expect(ok.headers.get("access-control-allow-methods")).toBe("GET, PUT");
    expect(ok.headers.get("access-control-max-age")).toBe("120");
    for (const [origin, method, headers] of [["http://evil.test", "GET", undefined], [APP, "DELETE", undefined], [APP, "PUT", "authorization-extra"]] as const) {
      const refused = await preflight(url, origin, method, headers);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain("<Code>AccessForbidden</Code>");
    }
    const get = await fetch(await presignedGet(), { headers: { origin: APP } });
    await get.text();
    expect(get.headers.get("access-control-allow-origin")).toBe(APP);
    expect(get.headers.get("access-control-expose-headers")).toBe("ETag");
    const foreign = await fetch(await presignedGet(), { headers: { origin: "http://evil.test" } });
    await foreign.text();
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("is validated, and deleting it restores the default", async () => {
    const bad = await errorOf(client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["PATCH"] }] } })));
    expect([bad.name, bad.message]).toEqual(["InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"]);
    expect((await errorOf(client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [] } })))).name).toBe("MalformedXML");
    await client.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
    const none = await errorOf(client.send(new GetBucketCorsCommand({ Bucket: bucket })));
    expect([none.name, none.$metadata.httpStatusCode]).toEqual(["NoSuchCORSConfiguration", 404]);
    expect((await preflight(`${server.url}/${bucket}/k.txt`, "http://evil.test", "GET")).status).toBe(200);
  });
});

test("with the default turned off (--no-cors), only bucket configurations allow cross-origin requests", async () => {
  const strict = await startServer({ credentials: TEST_CREDENTIALS, cors: false, buckets: ["strict"], logLevel: "silent" });
  try {
    const res = await preflight(`${strict.url}/strict/k`, APP, "GET");
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("CORS is not enabled for this bucket");
    const actual = await fetch(`${strict.url}/strict/k`, { headers: { origin: APP } });
    await actual.text();
    expect(actual.headers.get("access-control-allow-origin")).toBeNull();
  } finally {
    await strict.stop(true);
  }
});
