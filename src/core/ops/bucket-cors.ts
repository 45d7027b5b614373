// PutBucketCors, GetBucketCors, DeleteBucketCors: the rules live in bucket_configs as parsed JSON.
// The same rules answer a browser's preflight (OPTIONS) and decorate every cross-origin response.
import { applyCorsHeaders, governingRule, parseCorsConfiguration, preflightHeaders, renderCorsConfiguration, requestedHeaders, type CorsRule } from "../cors.ts";
import { S3Error } from "../errors.ts";
import { xmlResponse } from "../xml.ts";
import { requireBucket, type Handler, type OpContext } from "./_context.ts";
import { readSmallBody } from "./_payload.ts";

const CORS_CONFIG = "cors";
const MAX_CORS_BODY = 64 * 1024;

export const putBucketCors: Handler = async (ctx) => {
  const bucket = requireBucket(ctx).name;
  const body = await readSmallBody(ctx, MAX_CORS_BODY, { requireIntegrity: true });
  ctx.meta.setBucketConfig(bucket, CORS_CONFIG, parseCorsConfiguration(new TextDecoder().decode(body)));
  return new Response(null, { status: 200 });
};

export const getBucketCors: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  const rules = ctx.meta.getBucketConfig<CorsRule[]>(bucket, CORS_CONFIG);
  if (!rules) throw new S3Error("NoSuchCORSConfiguration", { BucketName: bucket });
  return xmlResponse("CORSConfiguration", renderCorsConfiguration(rules));
};

export const deleteBucketCors: Handler = (ctx) => {
  const bucket = requireBucket(ctx).name;
  ctx.meta.setBucketConfig(bucket, CORS_CONFIG, undefined);
  return new Response(null, { status: 204 });
};

type CorsDeps = Pick<OpContext, "meta" | "config">;

/** A bucket's own CORS rules, when it has a configuration. */
const bucketRules = (deps: CorsDeps, bucket: string | undefined): CorsRule[] | undefined =>
  bucket !== undefined ? deps.meta.getBucketConfig<CorsRule[]>(bucket, CORS_CONFIG) : undefined;

/** OPTIONS: a browser's preflight, answered without auth as S3 does. */
export const preflightRequest: Handler = (ctx) => {
  const origin = ctx.req.headers.get("origin");
  const method = ctx.req.headers.get("access-control-request-method");
  if (!origin) throw new S3Error("BadRequest");
  if (!method) throw new S3Error("BadRequest", { message: "Invalid Access-Control-Request-Method: null" });
  const bucket = ctx.parsed.bucket;
  if (bucket !== undefined && !ctx.meta.getBucket(bucket)) throw new S3Error("NoSuchBucket", { BucketName: bucket });
  const headers = requestedHeaders(ctx.req.headers.get("access-control-request-headers"));
  const rules = bucketRules(ctx, bucket);
  const rule = governingRule(rules, ctx.config.permissiveCors, origin, method, headers);
  if (!rule) {
    throw new S3Error("AccessForbidden", rules ? { Method: method, ResourceType: "OBJECT" } : { message: "CORSResponse: CORS is not enabled for this bucket.", Method: method, ResourceType: "BUCKET" });
  }
  return new Response(null, { status: 200, headers: preflightHeaders(rule, origin, method, headers) });
};

/**
 * The CORS headers of a cross-origin response, errors included, so browser code can read S3's error
 * document. A preflight's answer already carries its own.
 */
export function addCorsHeaders(response: Response, req: Request, bucket: string | undefined, deps: CorsDeps): void {
  const origin = req.headers.get("origin");
  if (!origin || response.headers.has("access-control-allow-origin")) return;
  const rule = governingRule(bucketRules(deps, bucket), deps.config.permissiveCors, origin, req.method);
  if (rule) applyCorsHeaders(response, rule, origin);
}
