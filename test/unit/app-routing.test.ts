// What createApp answers before any handler reads the store: authentication as each route names it,
// then authorization, then the route's parameters. No sockets and no store; the stub below knows one
// bucket, "b", which belongs to the configured user.
import { expect, test } from "bun:test";
import { createApp, type AppDeps } from "../../src/core/app.ts";
import { resolveConfig } from "../../src/core/config.ts";
import { presign } from "../helpers/signed-fetch.ts";
import { TEST_CREDENTIALS } from "../setup.ts";

const HOST = "127.0.0.1:9";
const ORIGIN = "http://localhost:3000";
const config = resolveConfig({ credentials: `${TEST_CREDENTIALS.accessKeyId}:${TEST_CREDENTIALS.secretAccessKey}` }, {});
const meta = {
  getBucket: (name: string) => (name === "b" ? { name, region: "us-east-1", createdAt: 0, owner: "" } : undefined),
  getBucketConfig: () => undefined,
  getBucketConfigs: () => ({}),
  getObject: () => undefined,
};
const app = createApp({ config, meta, blobs: {}, merger: {} } as unknown as AppDeps);

const send = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
  app(new Request(`http://${HOST}${path}`, { method: init.method ?? "GET", headers: { host: HOST, ...init.headers } }));

const codeOf = async (res: Response) => /<Code>(\w+)<\/Code>/.exec(await res.text())?.[1];

test("an anonymous request to another's bucket is AccessDenied whatever its parameters say", async () => {
  for (const [method, path] of [["PUT", "/b/k?uploadId=u&partNumber=0"], ["GET", "/b/k?partNumber=abc"], ["GET", "/?max-buckets=0"], ["GET", "/b?max-keys=x"]] as const) {
    const res = await send(path, { method });
    expect([path, res.status, await codeOf(res)]).toEqual([path, 403, "AccessDenied"]);
  }
});

test("a signed request's bad parameter is InvalidArgument, before its handler looks for the bucket", async () => {
  const url = await presign(`http://${HOST}/b/k?partNumber=0&uploadId=u`, { method: "PUT" });
  const res = await app(new Request(url, { method: "PUT", headers: { host: HOST } }));
  expect(res.status).toBe(400);
  const body = await res.text();
  expect(body).toContain("<Code>InvalidArgument</Code>");
  expect(body).toContain("<ArgumentName>partNumber</ArgumentName>");
});

test("a form upload reaches its handler unsigned, which finds no bucket", async () => {
  const res = await send("/nobucket", { method: "POST", headers: { "content-type": "multipart/form-data; boundary=x" } });
  expect([res.status, await codeOf(res)]).toEqual([404, "NoSuchBucket"]);
});

test("a preflight needs no credentials, names any subresource, and keeps its own CORS headers", async () => {
  const headers = { origin: ORIGIN, "access-control-request-method": "PUT", "x-amz-acl": "public-read" };
  const res = await send("/?acl&policy", { method: "OPTIONS", headers });
  expect(res.status).toBe(200);
  expect(res.headers.get("access-control-allow-origin")).toBe("*");
  expect(res.headers.get("access-control-allow-methods")).toBe("PUT");
  expect(res.headers.get("x-amz-request-id")).toMatch(/^[0-9A-F]{16}$/);
  const refused = await send("/b/k", { method: "OPTIONS", headers: { "access-control-request-method": "GET" } });
  expect([refused.status, await codeOf(refused)]).toEqual([400, "BadRequest"]);
  const missing = await send("/nobucket/k", { method: "OPTIONS", headers });
  expect([missing.status, await codeOf(missing)]).toEqual([404, "NoSuchBucket"]);
  // An error answer gets the CORS headers of an actual response, so browser code can read it.
  expect(missing.headers.get("access-control-allow-origin")).toBe("*");
});
