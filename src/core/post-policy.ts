// The policy document of a browser POST upload: parsed, checked for expiry, and matched against the
// form. Pure functions: the handler (ops/post-object.ts) supplies the fields and the bucket.
import { S3Error } from "./errors.ts";

export type Condition =
  | { op: "eq" | "starts-with"; field: string; value: string; source: unknown }
  | { op: "content-length-range"; min: number; max: number; source: unknown };

export interface PostPolicy {
  expiration: number;
  conditions: Condition[];
}

/** Fields that never need a condition: the signature's own fields, the file, and x-ignore-*. */
const EXEMPT_FIELDS = new Set(["policy", "x-amz-signature", "signature", "awsaccesskeyid", "file"]);

const invalid = (message: string) => new S3Error("InvalidPolicyDocument", { message: `Invalid Policy: ${message}` });
const denied = (message: string) => new S3Error("AccessDenied", { message: `Invalid according to Policy: ${message}` });

/** Decodes the base64 policy field. Names are case-sensitive, as in S3: "Expiration" is not "expiration". */
export function parsePolicy(base64: string): PostPolicy {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(base64, "base64").toString("utf8"));
  } catch {
    throw invalid("Invalid JSON.");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw invalid("Invalid JSON.");
  const { expiration, conditions } = document as Record<string, unknown>;
  if (expiration === undefined) throw invalid("Policy missing expiration.");
  const expires = typeof expiration === "string" ? Date.parse(expiration) : NaN;
  if (Number.isNaN(expires)) throw invalid("Invalid 'expiration' value: '" + String(expiration) + "'");
  if (conditions === undefined) throw invalid("Policy missing conditions.");
  if (!Array.isArray(conditions)) throw invalid("Policy conditions must be a list.");
  return { expiration: expires, conditions: conditions.map(parseCondition) };
}

function parseCondition(source: unknown): Condition {
  if (Array.isArray(source)) {
    const [op, a, b] = source as unknown[];
    const name = typeof op === "string" ? op.toLowerCase() : "";
    if (name === "content-length-range") {
      const min = toLength(a), max = toLength(b);
      if (source.length !== 3 || min === undefined || max === undefined || min > max) {
        throw invalid(`Invalid content-length-range condition: ${JSON.stringify(source)}`);
      }
      return { op: name, min, max, source };
    }
    if (name !== "eq" && name !== "starts-with") throw invalid(`Invalid Condition Operator: ${JSON.stringify(op)}`);
    if (source.length !== 3 || typeof a !== "string" || !a.startsWith("$") || typeof b !== "string") {
      throw invalid(`Invalid Condition: ${JSON.stringify(source)}`);
    }
    return { op: name, field: a.slice(1).toLowerCase(), value: b, source };
  }
  if (typeof source === "object" && source !== null) {
    const entries = Object.entries(source);
    if (entries.length !== 1 || typeof entries[0]![1] !== "string") throw invalid(`Invalid Simple-Condition: ${JSON.stringify(source)}`);
    const [field, value] = entries[0]! as [string, string];
    return { op: "eq", field: field.toLowerCase(), value, source };
  }
  throw invalid(`Invalid Condition: ${JSON.stringify(source)}`);
}

function toLength(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Every field must be allowed by some condition, and every condition must hold. `values` are the
 * form fields by lower-case name, with the bucket from the URL and the key after ${filename}.
 * Returns the content-length-range, if the policy sets one; sizes are checked as the file streams.
 */
export function checkPolicy(policy: PostPolicy, values: ReadonlyMap<string, string>, nowMs: number): { min: number; max: number } | undefined {
  if (nowMs > policy.expiration) throw denied("Policy expired.");
  let range: { min: number; max: number } | undefined;
  const covered = new Set<string>(["bucket"]);
  for (const condition of policy.conditions) {
    if (condition.op === "content-length-range") {
      range = { min: condition.min, max: condition.max };
      continue;
    }
    covered.add(condition.field);
    const actual = values.get(condition.field) ?? "";
    const holds = condition.op === "eq" ? actual === condition.value : startsWith(condition.field, actual, condition.value);
    if (!holds) throw denied(`Policy Condition failed: ${JSON.stringify(condition.source)}`);
  }
  const extra = [...values.keys()].filter((name) => !covered.has(name) && !EXEMPT_FIELDS.has(name) && !name.startsWith("x-ignore-"));
  if (extra.length > 0) throw denied(`Extra input fields: ${extra.join(", ")}`);
  return range;
}

/** Content-Type may list several types, comma-separated: each must carry the prefix. */
function startsWith(field: string, actual: string, prefix: string): boolean {
  if (field === "content-type") return actual.split(",").every((part) => part.trim().startsWith(prefix));
  return actual.startsWith(prefix);
}
