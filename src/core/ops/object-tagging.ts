// PutObjectTagging, GetObjectTagging, DeleteObjectTagging: the tag set of the current version, or of
// the version `versionId` names (noncurrent ones included), kept on that version's row.
// PutObjectTagging authorizes here, not in app.ts: the tags s3:RequestObjectTag conditions weigh are in its body.
import { S3Error } from "../errors.ts";
import type { OperationName } from "../router.ts";
import type { ObjectTag } from "../store/meta.ts";
import { xmlResponse } from "../xml.ts";
import { requestedVersion, requireBucket, requireObject, versionHeader, type Handler, type OpContext } from "./_context.ts";
import { readSmallBody } from "./_payload.ts";
import { MAX_TAGGING_BODY, parseTaggingDocument, renderTagSet, validateTags } from "./_tags.ts";

const putObjectTagging: Handler = async (ctx) => {
  const bucket = requireBucket(ctx).name;
  const text = new TextDecoder().decode(await readSmallBody(ctx, MAX_TAGGING_BODY));
  let tags: ObjectTag[] | undefined;
  let malformed: unknown;
  try {
    if (text.trim() === "") throw new S3Error("MissingRequestBodyError");
    tags = parseTaggingDocument(text);
  } catch (error) {
    malformed = error;
  }
  // A caller who may not tag learns that before anything about the document.
  authorizeTagging(ctx, bucket, tags);
  if (malformed !== undefined) throw malformed;
  validateTags(tags!, "object");
  const object = requireObject(ctx);
  if (!ctx.meta.setObjectTags(object.bucket, object.key, object.versionId, tags!)) throw new S3Error("NoSuchKey", { Key: object.key });
  return new Response(null, { headers: taggingVersionHeader(ctx, object.bucket, object.versionId) });
};

/** What app.ts would have asked (see authorizeRequest), with the request's tags for the policy's conditions. */
function authorizeTagging(ctx: OpContext, bucket: string, tags: readonly ObjectTag[] | undefined): void {
  const access = ctx.access.bucket(bucket);
  if (!access) throw new S3Error("NoSuchBucket", { BucketName: bucket });
  const action = requestedVersion(ctx) !== undefined ? "s3:PutObjectVersionTagging" : "s3:PutObjectTagging";
  if (!ctx.access.allows(access, action, ctx.parsed.key, { ...ctx.facts, requestTags: tags })) throw new S3Error("AccessDenied");
}

const getObjectTagging: Handler = (ctx) => {
  const object = requireObject(ctx);
  const response = xmlResponse("Tagging", renderTagSet(object.tags ?? []));
  for (const [name, value] of Object.entries(taggingVersionHeader(ctx, object.bucket, object.versionId))) response.headers.set(name, value);
  return response;
};

const deleteObjectTagging: Handler = (ctx) => {
  const object = requireObject(ctx);
  if (!ctx.meta.setObjectTags(object.bucket, object.key, object.versionId, [])) throw new S3Error("NoSuchKey", { Key: object.key });
  return new Response(null, { status: 204, headers: taggingVersionHeader(ctx, object.bucket, object.versionId) });
};

const taggingVersionHeader = (ctx: OpContext, bucket: string, versionId: string) =>
  versionHeader(ctx, bucket, versionId, requestedVersion(ctx) !== undefined);

export const objectTaggingHandlers: Partial<Record<OperationName, Handler>> = {
  PutObjectTagging: putObjectTagging,
  GetObjectTagging: getObjectTagging,
  DeleteObjectTagging: deleteObjectTagging,
};
