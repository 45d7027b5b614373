// Every operation in the S3 service models the clients ship resolves to its own name. An operation
// the route table lacks would otherwise fall through to a neighbour (PUT ?encryption on an object
// as PutObject): after an SDK or botocore upgrade this file names what is missing.
import { describe, expect, test } from "bun:test";
import type { ParsedRequest } from "../../src/core/request.ts";
import { resolveOperation } from "../../src/core/router.ts";
import { botocoreModelPath, botocoreOperations, sdkOperations, type ModelOperation } from "../helpers/s3-model.ts";

/** Sent exactly like another operation, so they resolve to that one: S3 tells them apart by something no request to s3lite carries. */
const SAME_REQUEST_AS: Record<string, { resolvesTo: string; why: string }> = {
  ListDirectoryBuckets: { resolvesTo: "ListBuckets", why: "GET / too; S3 serves it on the s3express-control host, and x-id is only the SDK's hint" },
  GetBucketLifecycle: { resolvesTo: "GetBucketLifecycleConfiguration", why: "deprecated (botocore only); the same request" },
  PutBucketLifecycle: { resolvesTo: "PutBucketLifecycleConfiguration", why: "deprecated (botocore only); the same request with an older body" },
  GetBucketNotification: { resolvesTo: "GetBucketNotificationConfiguration", why: "deprecated (botocore only); the same request" },
  PutBucketNotification: { resolvesTo: "PutBucketNotificationConfiguration", why: "deprecated (botocore only); the same request with an older body" },
};

/** Not requests to a bucket or the service, so not this router's. */
const ELSEWHERE: Record<string, string> = {
  WriteGetObjectResponse: "S3 Object Lambda: POST /WriteGetObjectResponse on a {RequestRoute}. host, outside any bucket",
};

const TARGETS: Record<string, Pick<ParsedRequest, "bucket" | "key">> = {
  "/": {},
  "/{Bucket}": { bucket: "bucket" },
  "/{Bucket}/{Key+}": { bucket: "bucket", key: "key" },
};

/** The request an operation's binding implies: its template's query, plus the required header and query members. */
function requestFor(op: ModelOperation): ParsedRequest {
  const [template = "", search = ""] = op.uri.split("?");
  const target = TARGETS[template];
  if (!target) throw new Error(`${op.name}: ${op.uri} addresses no service, bucket or object`);
  const query = new URLSearchParams(search);
  for (const name of op.requiredQuery) query.set(name, "1");
  const headers = new Headers(op.requiredHeaders.map((name): [string, string] => [name, "/source-bucket/source-key"]));
  const rawPath = "/" + [target.bucket, target.key].filter(Boolean).join("/");
  return { method: op.method, rawPath, rawQuery: query.toString(), query, headers, ...target };
}

function eachOperationResolves(ops: ModelOperation[]): void {
  const routed = ops.filter((op) => !(op.name in ELSEWHERE));
  test.each(routed.map((op) => [op.name, op] as const))("%s", (name, op) => {
    expect<string>(resolveOperation(requestFor(op)).op).toBe(SAME_REQUEST_AS[name]?.resolvesTo ?? name);
  });
}

function readsBindings(ops: ModelOperation[]): void {
  test("the model's bindings are read: bucket and key in the URI, required headers and query members", () => {
    const byName = new Map(ops.map((op) => [op.name, op]));
    expect(byName.get("RenameObject")).toMatchObject({ method: "PUT", uri: "/{Bucket}/{Key+}?renameObject", requiredHeaders: ["x-amz-rename-source"] });
    expect(byName.get("UploadPart")?.requiredQuery.sort()).toEqual(["partNumber", "uploadId"]);
    expect(byName.get("CreateSession")?.uri).toBe("/{Bucket}?session");
  });
}

const SDK_OPERATIONS = sdkOperations();
describe("@aws-sdk/client-s3's model", () => {
  readsBindings(SDK_OPERATIONS);
  eachOperationResolves(SDK_OPERATIONS);
});

const BOTOCORE = botocoreModelPath();
// CI installs botocore with the AWS CLI; there a missing model is a failure, not a skip.
describe.skipIf(!BOTOCORE && process.env.CI !== "true")("botocore's model", () => {
  if (!BOTOCORE) {
    test("is installed", () => { throw new Error("python3 -c 'import botocore' failed, or botocore has no data/s3/2006-03-01/service-2.json.gz"); });
    return;
  }
  const ops = botocoreOperations(BOTOCORE);
  readsBindings(ops);
  eachOperationResolves(ops);

  test("every exception still names an operation in a model", () => {
    const names = new Set([...SDK_OPERATIONS, ...ops].map((op) => op.name));
    for (const name of [...Object.keys(SAME_REQUEST_AS), ...Object.keys(ELSEWHERE)]) expect([...names]).toContain(name);
  });
});
