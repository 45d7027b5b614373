import { describe, expect, test } from "bun:test";
import { S3Error } from "../../src/core/errors.ts";
import { handlers, type Handler } from "../../src/core/ops/index.ts";
import type { ParsedRequest } from "../../src/core/request.ts";
import { ROUTES, resolveOperation, resolveParams, type OperationName, type Route } from "../../src/core/router.ts";

function request(method: string, target: "service" | "bucket" | "object", query = "", headers: Record<string, string> = {}): ParsedRequest {
  return {
    method, rawPath: "/", rawQuery: query, query: new URLSearchParams(query), headers: new Headers(headers),
    bucket: target === "service" ? undefined : "bucket", key: target === "object" ? "key" : undefined,
  };
}

const opOf = (...args: Parameters<typeof request>) => resolveOperation(request(...args)).op;

const errorOf = (run: () => unknown): S3Error => {
  try {
    run();
  } catch (error) {
    return error as S3Error;
  }
  throw new Error("no error thrown");
};

describe("every route row resolves to its own operation", () => {
  const name = (r: Route) => `${r.method} ${r.target}${r.query ? "?" + r.query : ""}${r.requires ? "&" + r.requires.join("&") : ""}${r.header ? " +" + r.header : ""}`;
  test.each(ROUTES.map((r) => [name(r), r] as const))("%s", (_name, r) => {
    const headers = r.header ? { [r.header]: "/src/key" } : {};
    const query = [...(r.query ? [`${r.query}=2`] : []), ...(r.requires ?? []).map((p) => `${p}=1`)].join("&");
    expect(opOf(r.method, r.target, query, headers)).toBe(r.op);
  });
});

test("the SDK's x-id parameter and UploadPart's partNumber are not subresources", () => {
  expect(opOf("GET", "object", "x-id=GetObject")).toBe("GetObject");
  expect(opOf("PUT", "object", "partNumber=1&uploadId=abc")).toBe("UploadPart");
});

test("a required parameter tells a Get… row from its List… sibling, and means nothing without the keyword", () => {
  expect(opOf("GET", "bucket", "analytics")).toBe("ListBucketAnalyticsConfigurations");
  expect(opOf("GET", "bucket", "analytics&id=report")).toBe("GetBucketAnalyticsConfiguration");
  expect(opOf("DELETE", "bucket", "analytics&id=report")).toBe("DeleteBucketAnalyticsConfiguration");
  expect(opOf("GET", "bucket", "id=report")).toBe("ListObjects");
  expect(opOf("GET", "object", "annotation&annotationName=a")).toBe("GetObjectAnnotation");
});

test("a keyword's operation depends on the target: ?encryption on a bucket or on an object", () => {
  expect(opOf("GET", "bucket", "encryption")).toBe("GetBucketEncryption");
  expect(opOf("PUT", "bucket", "encryption")).toBe("PutBucketEncryption");
  expect(opOf("DELETE", "bucket", "encryption")).toBe("DeleteBucketEncryption");
  expect(opOf("PUT", "object", "encryption")).toBe("UpdateObjectEncryption");
  expect(opOf("PUT", "object", "renameObject", { "x-amz-rename-source": "/bucket/old" })).toBe("RenameObject");
  expect(opOf("GET", "bucket", "session")).toBe("CreateSession");
});

test("two subresources at once are InvalidArgument", () => {
  const error = errorOf(() => opOf("GET", "bucket", "acl&policy"));
  expect(error.code).toBe("InvalidArgument");
  expect(error.message).toBe("Conflicting query string parameters: acl, policy");
});

test("a known resource with the wrong method is MethodNotAllowed, with Allow", () => {
  const error = errorOf(() => opOf("PUT", "service"));
  expect(error.code).toBe("MethodNotAllowed");
  expect(error.headers.allow).toBe("GET");
});

test("a preflight is one operation on any target, whatever subresources its URL names", () => {
  for (const target of ["service", "bucket", "object"] as const) {
    for (const query of ["", "acl", "uploads&tagging"]) expect(opOf("OPTIONS", target, query)).toBe("PreflightRequest");
  }
});

test("each route names how it is authenticated, and an action from its operation", () => {
  const byAuth = (auth: Route["auth"]) => [...new Set(ROUTES.filter((r) => r.auth === auth).map((r) => r.op))];
  expect(byAuth("form")).toEqual(["PostObject"]);
  expect(byAuth("none")).toEqual(["PreflightRequest"]);
  expect(byAuth("signed")).toHaveLength(new Set(ROUTES.map((r) => r.op)).size - 2);
  for (const r of ROUTES) expect(r.action).toBe(`s3:${r.op}`);
});

test("every handler is reachable from a route", () => {
  const ops = new Set<string>(ROUTES.map((r) => r.op));
  for (const op of Object.keys(handlers)) expect(ops.has(op)).toBe(true);
});

// Checked by `tsc --noEmit`, which covers test/: each marked line must fail to compile, else its
// directive is the error. The handler table is keyed by the route table's operations.
const handler: Handler = () => new Response(null);
// @ts-expect-error a misspelt operation is not a key of the handler table
const misspelt: typeof handlers = { GetObjcet: handler };
// @ts-expect-error an operation no route names is not one either
const unrouted: typeof handlers = { PatchObject: handler };
// @ts-expect-error OperationName is the table's names, not any string
const anyName: OperationName = "NotAnOperation";

test("the handler table's type accepts the routed names", () => {
  const table: typeof handlers = { GetObject: handler, PostObject: handler, PreflightRequest: handler };
  expect(Object.keys({ ...misspelt, ...unrouted, ...table })).toContain("GetObject");
  expect(anyName).toBeString();
});

describe("parameters, read once the route is known", () => {
  const paramsOf = (...args: Parameters<typeof request>) => {
    const req = request(...args);
    return resolveParams(resolveOperation(req), req);
  };
  const argumentError = (...args: Parameters<typeof request>) => {
    const error = errorOf(() => paramsOf(...args));
    return { code: error.code as string, message: error.message, name: error.fields.ArgumentName, value: error.fields.ArgumentValue };
  };
  const PART_MESSAGE = "Part number must be an integer between 1 and 10000, inclusive";

  test("bucket and key, and a part upload's number and upload id", () => {
    expect(paramsOf("PUT", "object", "partNumber=7&uploadId=abc")).toEqual({ bucket: "bucket", key: "key", partNumber: 7, uploadId: "abc" });
    expect(paramsOf("GET", "object", "partNumber=10000").partNumber).toBe(10000);
    expect(paramsOf("GET", "object")).toEqual({ bucket: "bucket", key: "key", partNumber: undefined });
    expect(paramsOf("DELETE", "object", "uploadId").uploadId).toBe("");
  });

  test.each([["0"], ["10001"], ["1.5"], ["-1"], ["abc"], [""]])("partNumber=%p is InvalidArgument, for UploadPart and GetObject", (text) => {
    const expected = { code: "InvalidArgument", message: PART_MESSAGE, name: "partNumber", value: text };
    expect(argumentError("PUT", "object", `uploadId=u&partNumber=${text}`)).toEqual(expected);
    expect(argumentError("PUT", "object", `uploadId=u&partNumber=${text}`, { "x-amz-copy-source": "/b/k" })).toEqual(expected);
    expect(argumentError("HEAD", "object", `partNumber=${text}`)).toEqual(expected);
  });

  test("UploadPart needs a part number; GetObject reads the whole object without one", () => {
    expect(argumentError("PUT", "object", "uploadId=u")).toEqual({ code: "InvalidArgument", message: PART_MESSAGE, name: "partNumber", value: "" });
    expect(paramsOf("GET", "object", "").partNumber).toBeUndefined();
  });

  test("page sizes default to 1000 and are capped there; markers default to 0", () => {
    expect(paramsOf("GET", "bucket").maxKeys).toBe(1000);
    expect(paramsOf("GET", "bucket", "list-type=2&max-keys=5000").maxKeys).toBe(1000);
    expect(paramsOf("GET", "bucket", "versions&max-keys=0").maxKeys).toBe(0);
    expect(paramsOf("GET", "bucket", "uploads&max-uploads=3")).toMatchObject({ maxUploads: 3, encodingType: undefined });
    expect(paramsOf("GET", "object", "uploadId=u")).toMatchObject({ uploadId: "u", partNumberMarker: 0, maxParts: 1000 });
    expect(paramsOf("GET", "object", "uploadId=u&part-number-marker=2&max-parts=1")).toMatchObject({ partNumberMarker: 2, maxParts: 1 });
    expect(paramsOf("GET", "service").maxBuckets).toBe(10_000);
  });

  test.each([
    ["GET", "bucket", "max-keys=-1", "max-keys", "Provided max-keys not an integer or within integer range"],
    ["GET", "bucket", "uploads&max-uploads=x", "max-uploads", "Provided max-uploads not an integer or within integer range"],
    ["GET", "object", "uploadId=u&max-parts=1e3", "max-parts", "Provided max-parts not an integer or within integer range"],
    ["GET", "object", "uploadId=u&part-number-marker=", "part-number-marker", "Provided part-number-marker not an integer or within integer range"],
    ["GET", "service", "max-buckets=0", "max-buckets", "Argument max-buckets must be an integer between 1 and 10000"],
    ["GET", "service", "max-buckets=10001", "max-buckets", "Argument max-buckets must be an integer between 1 and 10000"],
    ["GET", "bucket", "list-type=2&encoding-type=base64", "encoding-type", "Invalid Encoding Method specified in Request"],
  ] as const)("%s %s?%s: InvalidArgument naming %s", (method, target, query, name, message) => {
    expect(argumentError(method, target, query)).toMatchObject({ code: "InvalidArgument", name, message });
  });

  test("checked in the row's order: encoding-type before max-keys, as S3 does", () => {
    expect(argumentError("GET", "bucket", "max-keys=x&encoding-type=y").name).toBe("encoding-type");
  });

  test("a parameter the operation does not take is not read", () => {
    expect(paramsOf("PUT", "object", "partNumber=abc&max-keys=x")).toEqual({ bucket: "bucket", key: "key" });
    expect(paramsOf("GET", "bucket", "acl&max-keys=x")).toEqual({ bucket: "bucket", key: undefined });
  });
});
