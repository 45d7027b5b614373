// CORS as S3 applies it: a bucket's rules (PutBucketCors) decide which origins, methods and headers a
// browser may use; the first rule that matches answers. Without rules, s3lite's development default
// (on unless --no-cors) allows every origin. Pure: no I/O.
import { S3Error } from "./errors.ts";
import { parseXml, type XmlObject } from "./xml.ts";

export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

const CORS_METHODS = new Set(["GET", "PUT", "POST", "DELETE", "HEAD"]);
const MAX_RULES = 100;

/** The development default: any origin, any S3 method, any request header. */
export const PERMISSIVE_RULE: CorsRule = { allowedOrigins: ["*"], allowedMethods: [...CORS_METHODS], allowedHeaders: ["*"], exposeHeaders: [], maxAgeSeconds: 600 };

/** A PutBucketCors body → rules, with S3's validation errors. */
export function parseCorsConfiguration(text: string): CorsRule[] {
  const root = parseXml(text).CORSConfiguration;
  const rules = root && typeof root === "object" && !Array.isArray(root) ? (root as XmlObject).CORSRule : undefined;
  if (!Array.isArray(rules) || rules.length === 0 || rules.length > MAX_RULES) throw new S3Error("MalformedXML");
  return rules.map((r) => {
    if (!r || typeof r !== "object" || Array.isArray(r)) throw new S3Error("MalformedXML");
    const list = (name: string) => ((r[name] as string[] | undefined) ?? []).map((v) => String(v).trim());
    const rule: CorsRule = {
      id: typeof r.ID === "string" ? r.ID : undefined,
      allowedOrigins: list("AllowedOrigin"),
      allowedMethods: list("AllowedMethod"),
      allowedHeaders: list("AllowedHeader"),
      exposeHeaders: list("ExposeHeader"),
    };
    if (rule.allowedOrigins.length === 0 || rule.allowedMethods.length === 0) throw new S3Error("MalformedXML");
    for (const method of rule.allowedMethods) {
      if (!CORS_METHODS.has(method)) throw new S3Error("InvalidRequest", { message: `Found unsupported HTTP method in CORS config. Unsupported method is ${method}` });
    }
    for (const origin of rule.allowedOrigins) {
      if (origin.split("*").length > 2) throw new S3Error("InvalidRequest", { message: `AllowedOrigin "${origin}" can not have more than one wildcard.` });
    }
    for (const header of rule.allowedHeaders) {
      if (header.split("*").length > 2) throw new S3Error("InvalidRequest", { message: `AllowedHeader "${header}" can not have more than one wildcard.` });
    }
    if (r.MaxAgeSeconds !== undefined) {
      const age = Number(r.MaxAgeSeconds);
      if (!Number.isInteger(age) || age < 0) throw new S3Error("MalformedXML");
      rule.maxAgeSeconds = age;
    }
    return rule;
  });
}

/** Rules → the CORSConfiguration body GetBucketCors returns. */
export function renderCorsConfiguration(rules: readonly CorsRule[]): XmlObject {
  return {
    CORSRule: rules.map((r) => ({
      ID: r.id,
      AllowedHeader: r.allowedHeaders.length ? r.allowedHeaders : undefined,
      AllowedMethod: r.allowedMethods,
      AllowedOrigin: r.allowedOrigins,
      ExposeHeader: r.exposeHeaders.length ? r.exposeHeaders : undefined,
      MaxAgeSeconds: r.maxAgeSeconds,
    })),
  };
}

/** One `*` matches any run of characters, as S3 matches origins and headers; case-insensitive. */
function wildcardMatch(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase(), v = value.toLowerCase();
  const star = p.indexOf("*");
  if (star < 0) return p === v;
  const head = p.slice(0, star), tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

/** The first rule that allows this origin, method and every requested header. */
export function matchRule(rules: readonly CorsRule[], origin: string, method: string, requestHeaders: readonly string[] = []): CorsRule | undefined {
  return rules.find((r) =>
    r.allowedOrigins.some((o) => wildcardMatch(o, origin))
    && r.allowedMethods.includes(method)
    && requestHeaders.every((h) => r.allowedHeaders.some((a) => wildcardMatch(a, h))));
}

/**
 * The rule that governs a cross-origin request: the bucket's first matching rule when it has a CORS
 * configuration, else the development default when that is on. Undefined: not allowed.
 */
export function governingRule(rules: readonly CorsRule[] | undefined, permissive: boolean, origin: string, method: string, headers: readonly string[] = []): CorsRule | undefined {
  if (rules) return matchRule(rules, origin, method, headers);
  return permissive ? PERMISSIVE_RULE : undefined;
}

/** Access-Control-Request-Headers → lower-case names. */
export const requestedHeaders = (value: string | null): string[] =>
  (value ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);

/** Headers of a preflight answer that `rule` allows. */
export function preflightHeaders(rule: CorsRule, origin: string, method: string, headers: readonly string[]): Headers {
  const out = new Headers({
    "access-control-allow-origin": rule.allowedOrigins.includes("*") ? "*" : origin,
    "access-control-allow-methods": rule === PERMISSIVE_RULE ? method : rule.allowedMethods.join(", "),
    vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
  });
  if (headers.length) out.set("access-control-allow-headers", headers.join(", "));
  if (rule.exposeHeaders.length) out.set("access-control-expose-headers", rule.exposeHeaders.join(", "));
  if (rule.maxAgeSeconds !== undefined) out.set("access-control-max-age", String(rule.maxAgeSeconds));
  return out;
}

/** Headers a browser can read without being told: the CORS-safelisted response headers. */
const SAFELISTED = new Set(["cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma"]);

/**
 * Adds the CORS headers of an actual (non-preflight) response that `rule` allows. The development
 * default exposes every header this response carries (ETag, x-amz-*, user metadata), so browser code
 * reads what an SDK would.
 */
export function applyCorsHeaders(response: Response, rule: CorsRule, origin: string): void {
  const h = response.headers;
  h.set("access-control-allow-origin", rule.allowedOrigins.includes("*") ? "*" : origin);
  h.set("access-control-allow-methods", rule.allowedMethods.join(", "));
  const expose = rule === PERMISSIVE_RULE ? [...h.keys()].filter((name) => !SAFELISTED.has(name) && !name.startsWith("access-control-")) : rule.exposeHeaders;
  if (expose.length) h.set("access-control-expose-headers", expose.join(", "));
  if (rule.maxAgeSeconds !== undefined) h.set("access-control-max-age", String(rule.maxAgeSeconds));
  h.append("vary", "Origin");
}
