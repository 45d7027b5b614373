// The configurations a bucket keeps several of, each under the `id` query parameter: analytics, metrics,
// inventory and intelligent tiering. Put/Get/Delete one, List all in pages with a continuation token.
// Stored and returned as written; s3lite exports no analysis, metrics or inventory and moves no object.
import { S3Error } from "../errors.ts";
import type { OperationName } from "../router.ts";
import { utf8Compare } from "../store/meta.ts";
import { escapeXml } from "../xml.ts";
import { requireBucket, type Handler, type OpContext } from "./_context.ts";
import { readSmallBody } from "./_payload.ts";
import { documentResponse, parseDocument, renderMembers, type Structure } from "./bucket-stored-schema.ts";
import { ANALYTICS, INTELLIGENT_TIERING, INVENTORY, METRICS } from "./bucket-stored-shapes.ts";

/** AWS's limit for each kind, per bucket. */
const MAX_CONFIGURATIONS = 1000;
/** The List… operations return at most 100 at a time (documented for analytics, metrics and inventory). */
const PAGE_SIZE = 100;
const MAX_BODY = 256 * 1024;

/** bucket_configs holds one entry per kind: id → the checked document's members, rendered when written. */
type StoredById = Record<string, string>;

interface IdConfiguration {
  name: string;
  root: string;
  shape: Structure;
  /** The List… answer's root element, as AWS names it. */
  listRoot: string;
  /** ListBucketInventoryConfigurations puts the configurations between the token and IsTruncated. */
  configurationsFirst?: boolean;
  /** AWS's answer to a body whose Id is not the id parameter. */
  idMismatch: () => S3Error;
}

const malformed = () => new S3Error("MalformedXML");

const ANALYTICS_CONFIG: IdConfiguration = {
  name: "analytics", root: "AnalyticsConfiguration", shape: ANALYTICS, listRoot: "ListBucketAnalyticsConfigurationResult", idMismatch: malformed,
};
const METRICS_CONFIG: IdConfiguration = {
  name: "metrics", root: "MetricsConfiguration", shape: METRICS, listRoot: "ListMetricsConfigurationsResult", idMismatch: malformed,
};
// AWS answers IdMismatch ("Document ID does not match the specified configuration ID."), a code errors.ts
// does not have yet; until it does, the schema error stands in for it.
const INVENTORY_CONFIG: IdConfiguration = {
  name: "inventory", root: "InventoryConfiguration", shape: INVENTORY, listRoot: "ListInventoryConfigurationsResult", configurationsFirst: true, idMismatch: () => new S3Error("IdMismatch"),
};
const INTELLIGENT_TIERING_CONFIG: IdConfiguration = {
  name: "intelligentTiering", root: "IntelligentTieringConfiguration", shape: INTELLIGENT_TIERING, listRoot: "ListBucketIntelligentTieringConfigurationsOutput", idMismatch: malformed,
};

/** The `id` query parameter, which every operation on one configuration names. */
function requireId(ctx: OpContext): string {
  const id = ctx.parsed.query.get("id");
  if (!id) throw new S3Error("InvalidArgument", { ArgumentName: "id", ArgumentValue: id ?? undefined });
  return id;
}

/** One kind's configurations by id; a Map, so an id such as `__proto__` is only a name. */
const readStored = (ctx: OpContext, bucket: string, c: IdConfiguration): Map<string, string> =>
  new Map(Object.entries(ctx.meta.getBucketConfig<StoredById>(bucket, c.name) ?? {}));

const writeStored = (ctx: OpContext, bucket: string, c: IdConfiguration, stored: Map<string, string>): void =>
  ctx.meta.setBucketConfig(bucket, c.name, stored.size > 0 ? Object.fromEntries(stored) : undefined);

const noSuchConfiguration = () => new S3Error("NoSuchConfiguration");

const putConfiguration = (c: IdConfiguration): Handler => async (ctx) => {
  const bucket = requireBucket(ctx).name;
  const id = requireId(ctx);
  const body = new TextDecoder().decode(await readSmallBody(ctx, MAX_BODY));
  const doc = parseDocument(body, c.root, c.shape);
  if (doc.Id !== id) throw c.idMismatch();
  // No await between this read and the write: concurrent PUTs cannot lose each other's configurations.
  const stored = readStored(ctx, bucket, c);
  if (!stored.has(id) && stored.size >= MAX_CONFIGURATIONS) {
    throw new S3Error("TooManyConfigurations");
  }
  stored.set(id, renderMembers(c.shape, doc));
  writeStored(ctx, bucket, c, stored);
  return new Response(null, { status: 200 });
};

const getConfiguration = (c: IdConfiguration): Handler => (ctx) => {
  const bucket = requireBucket(ctx).name;
  const xml = readStored(ctx, bucket, c).get(requireId(ctx));
  if (xml === undefined) throw noSuchConfiguration();
  return documentResponse(c.root, xml);
};

const deleteConfiguration = (c: IdConfiguration): Handler => (ctx) => {
  const bucket = requireBucket(ctx).name;
  const id = requireId(ctx);
  const stored = readStored(ctx, bucket, c);
  if (!stored.delete(id)) throw noSuchConfiguration();
  writeStored(ctx, bucket, c, stored);
  return new Response(null, { status: 204 });
};

/** A continuation token is the last id of the previous page, base64url; anything else is InvalidArgument. */
function decodeToken(token: string): string {
  const id = Buffer.from(token, "base64url").toString();
  if (token === "" || Buffer.from(id).toString("base64url") !== token) {
    throw new S3Error("InvalidArgument", { message: "The continuation token provided is incorrect", ArgumentName: "continuation-token", ArgumentValue: token });
  }
  return id;
}

/** All of a kind in id order (UTF-8 bytes, as S3 lists), PAGE_SIZE at a time. */
const listConfigurations = (c: IdConfiguration): Handler => (ctx) => {
  const bucket = requireBucket(ctx).name;
  const token = ctx.parsed.query.get("continuation-token");
  const after = token === null ? undefined : decodeToken(token);
  const ids = [...readStored(ctx, bucket, c).entries()].sort(([a], [b]) => utf8Compare(a, b)).filter(([id]) => after === undefined || utf8Compare(id, after) > 0);
  const page = ids.slice(0, PAGE_SIZE);
  const truncated = ids.length > PAGE_SIZE;
  const configurations = page.map(([, xml]) => `<${c.root}>${xml}</${c.root}>`).join("");
  const continuation = token === null ? "" : `<ContinuationToken>${escapeXml(token)}</ContinuationToken>`;
  const next = truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1)![0]).toString("base64url")}</NextContinuationToken>` : "";
  const isTruncated = `<IsTruncated>${truncated}</IsTruncated>`;
  const members = c.configurationsFirst ? continuation + configurations + isTruncated + next : isTruncated + continuation + next + configurations;
  return documentResponse(c.listRoot, members);
};

export const idConfigHandlers: Partial<Record<OperationName, Handler>> = {
  PutBucketAnalyticsConfiguration: putConfiguration(ANALYTICS_CONFIG),
  GetBucketAnalyticsConfiguration: getConfiguration(ANALYTICS_CONFIG),
  DeleteBucketAnalyticsConfiguration: deleteConfiguration(ANALYTICS_CONFIG),
  ListBucketAnalyticsConfigurations: listConfigurations(ANALYTICS_CONFIG),
  PutBucketMetricsConfiguration: putConfiguration(METRICS_CONFIG),
  GetBucketMetricsConfiguration: getConfiguration(METRICS_CONFIG),
  DeleteBucketMetricsConfiguration: deleteConfiguration(METRICS_CONFIG),
  ListBucketMetricsConfigurations: listConfigurations(METRICS_CONFIG),
  PutBucketInventoryConfiguration: putConfiguration(INVENTORY_CONFIG),
  GetBucketInventoryConfiguration: getConfiguration(INVENTORY_CONFIG),
  DeleteBucketInventoryConfiguration: deleteConfiguration(INVENTORY_CONFIG),
  ListBucketInventoryConfigurations: listConfigurations(INVENTORY_CONFIG),
  PutBucketIntelligentTieringConfiguration: putConfiguration(INTELLIGENT_TIERING_CONFIG),
  GetBucketIntelligentTieringConfiguration: getConfiguration(INTELLIGENT_TIERING_CONFIG),
  DeleteBucketIntelligentTieringConfiguration: deleteConfiguration(INTELLIGENT_TIERING_CONFIG),
  ListBucketIntelligentTieringConfigurations: listConfigurations(INTELLIGENT_TIERING_CONFIG),
};
