import { describe, expect, test } from "bun:test";
import { S3Error } from "../../src/core/errors.ts";
import { handlers } from "../../src/core/ops/index.ts";
import type { ParsedRequest } from "../../src/core/request.ts";
import { ROUTES, resolveOperation, type Route } from "../../src/core/router.ts";

function request(method: string, target: "service" | "bucket" | "object", query = "", headers: Record<string, string> = {}): ParsedRequest {
  return {
    method, rawPath: "/", rawQuery: query, query: new URLSearchParams(query), headers: new Headers(headers),
    bucket: target === "service" ? undefined : "bucket", key: target === "object" ? "key" : undefined,
  };
}

describe("every route row resolves to its own operation", () => {
  const name = (r: Route) => `${r.method} ${r.target}${r.query ? "?" + r.query : ""}${r.params ? "&" + r.params.join("&") : ""}${r.header ? " +" + r.header : ""}`;
  test.each(ROUTES.map((r) => [name(r), r] as const))("%s", (_name, r) => {
    const headers = r.header ? { [r.header]: "/src/key" } : {};
    const query = [...(r.query ? [`${r.query}=2`] : []), ...(r.params ?? []).map((p) => `${p}=1`)].join("&");
    expect(resolveOperation(request(r.method, r.target, query, headers))).toBe(r.op);
  });
});

test("the SDK's x-id parameter and UploadPart's partNumber are not subresources", () => {
  expect(resolveOperation(request("GET", "object", "x-id=GetObject"))).toBe("GetObject");
  expect(resolveOperation(request("PUT", "object", "partNumber=1&uploadId=abc"))).toBe("UploadPart");
});

test("a required parameter tells a Get… row from its List… sibling, and means nothing without the keyword", () => {
  expect(resolveOperation(request("GET", "bucket", "analytics"))).toBe("ListBucketAnalyticsConfigurations");
  expect(resolveOperation(request("GET", "bucket", "analytics&id=report"))).toBe("GetBucketAnalyticsConfiguration");
  expect(resolveOperation(request("DELETE", "bucket", "analytics&id=report"))).toBe("DeleteBucketAnalyticsConfiguration");
  expect(resolveOperation(request("GET", "bucket", "id=report"))).toBe("ListObjects");
  expect(resolveOperation(request("GET", "object", "annotation&annotationName=a"))).toBe("GetObjectAnnotation");
});

test("a keyword's operation depends on the target: ?encryption on a bucket or on an object", () => {
  expect(resolveOperation(request("GET", "bucket", "encryption"))).toBe("GetBucketEncryption");
  expect(resolveOperation(request("PUT", "bucket", "encryption"))).toBe("PutBucketEncryption");
  expect(resolveOperation(request("DELETE", "bucket", "encryption"))).toBe("DeleteBucketEncryption");
  expect(resolveOperation(request("PUT", "object", "encryption"))).toBe("UpdateObjectEncryption");
  expect(resolveOperation(request("PUT", "object", "renameObject", { "x-amz-rename-source": "/bucket/old" }))).toBe("RenameObject");
  expect(resolveOperation(request("GET", "bucket", "session"))).toBe("CreateSession");
});

test("two subresources at once are InvalidArgument", () => {
  expect(() => resolveOperation(request("GET", "bucket", "acl&policy"))).toThrow(expect.objectContaining({ code: "InvalidArgument" }));
});

test("a known resource with the wrong method is MethodNotAllowed, with Allow", () => {
  const error = (() => { try { resolveOperation(request("PUT", "service")); } catch (e) { return e as S3Error; } })()!;
  expect(error.code).toBe("MethodNotAllowed");
  expect(error.headers.allow).toBe("GET");
});

test("every handler is reachable from a route", () => {
  const ops = new Set(ROUTES.map((r) => r.op));
  for (const op of Object.keys(handlers)) expect(ops.has(op)).toBe(true);
});
