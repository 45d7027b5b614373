// The S3 service model's HTTP bindings, read from the installed @aws-sdk/client-s3 and from botocore,
// in one shape: operation name, method, request URI with the bucket in it, and the required members
// a request carries outside its body. Tests use it to check the router against what clients send.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import * as s3 from "@aws-sdk/client-s3";
import { NormalizedSchema } from "@smithy/core/schema";

export interface ModelOperation {
  name: string;
  method: string;
  /** As botocore writes it: "/{Bucket}/{Key+}?renameObject", "/{Bucket}?list-type=2", "/". */
  uri: string;
  /** Wire names of required members bound to headers and to query parameters. */
  requiredHeaders: string[];
  requiredQuery: string[];
}

/** Every operation the SDK has a command for, from the schema each command carries. */
export function sdkOperations(): ModelOperation[] {
  return Object.entries(s3)
    .filter(([name, value]) => /^[A-Z]\w*Command$/.test(name) && typeof value === "function")
    .map(([name, Command]) => fromSdkSchema(name, new (Command as new (input: object) => { schema?: unknown })({}).schema));
}

type StaticOperation = [9, string, string, { http?: [string, string, number] }, unknown, unknown];

// A static operation schema is [9, namespace, name, traits, input, output]; a structure's seventh
// slot counts its required members, which come first (the SDK's own body serializer relies on that).
function fromSdkSchema(command: string, schema: unknown): ModelOperation {
  const op = schema as StaticOperation;
  const http = Array.isArray(op) && op[0] === 9 ? op[3].http : undefined;
  if (!http) throw new Error(`${command}: no static operation schema with an http trait; the SDK's schema format changed`);
  const input = NormalizedSchema.of(op[4] as Parameters<typeof NormalizedSchema.of>[0]);
  const requiredCount = (input.getSchema() as unknown[])[6];
  const operation: ModelOperation = { name: op[2], method: http[0], uri: http[1], requiredHeaders: [], requiredQuery: [] };
  let index = 0;
  let bucketLabel = false;
  for (const [name, member] of input.structIterator()) {
    const traits = member.getMergedTraits();
    if (name === "Bucket" && traits.httpLabel) bucketLabel = true;
    if (index++ >= (typeof requiredCount === "number" ? requiredCount : 0)) continue;
    if (typeof traits.httpHeader === "string") operation.requiredHeaders.push(traits.httpHeader);
    if (typeof traits.httpQuery === "string") operation.requiredQuery.push(traits.httpQuery);
  }
  // The SDK leaves the bucket out of the path (its endpoint rules put it in the host or the path).
  if (bucketLabel) operation.uri = "/{Bucket}" + operation.uri.replace(/^\/(?=\?|$)/, "");
  return operation;
}

interface BotocoreModel {
  operations: Record<string, { http: { method: string; requestUri: string }; input?: { shape: string } }>;
  shapes: Record<string, { required?: string[]; members?: Record<string, { location?: string; locationName?: string }> }>;
}

/** botocore's S3 model file, or undefined when python3 or botocore is not installed. */
export function botocoreModelPath(): string | undefined {
  const found = spawnSync("python3", ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"], { encoding: "utf8" });
  if (found.status !== 0) return undefined;
  const path = join(found.stdout.trim(), "data/s3/2006-03-01/service-2.json.gz");
  return existsSync(path) ? path : undefined;
}

export function botocoreOperations(path: string): ModelOperation[] {
  const model = JSON.parse(gunzipSync(readFileSync(path)).toString("utf8")) as BotocoreModel;
  return Object.entries(model.operations).map(([name, op]) => {
    const input = op.input ? model.shapes[op.input.shape] : undefined;
    const required = (input?.required ?? []).map((member) => input?.members?.[member] ?? {});
    const wireNames = (location: string) => required.filter((m) => m.location === location).map((m) => m.locationName!);
    return { name, method: op.http.method, uri: op.http.requestUri, requiredHeaders: wireNames("header"), requiredQuery: wireNames("querystring") };
  });
}
