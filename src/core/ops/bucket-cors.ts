// PutBucketCors, GetBucketCors, DeleteBucketCors: the rules live in bucket_configs as parsed JSON.
import { parseCorsConfiguration, renderCorsConfiguration, type CorsRule } from "../cors.ts";
import { S3Error } from "../errors.ts";
import { xmlResponse } from "../xml.ts";
import { requireBucket, type Handler } from "./_context.ts";
import { readSmallBody } from "./_payload.ts";

export const CORS_CONFIG = "cors";
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
