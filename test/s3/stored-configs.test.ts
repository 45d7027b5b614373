// Configurations s3lite stores and returns as written without acting on them: website, logging,
// notification, replication, accelerate, request payment, and the id-keyed analytics, metrics, inventory
// and intelligent-tiering ones. Each round-trips through the SDK, each refusal is AWS's error code, and
// a refused write leaves the configuration as it was.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import {
  CreateBucketCommand, DeleteBucketAnalyticsConfigurationCommand, DeleteBucketIntelligentTieringConfigurationCommand,
  DeleteBucketInventoryConfigurationCommand, DeleteBucketMetricsConfigurationCommand, DeleteBucketReplicationCommand, DeleteBucketWebsiteCommand,
  GetBucketAccelerateConfigurationCommand, GetBucketAnalyticsConfigurationCommand, GetBucketIntelligentTieringConfigurationCommand,
  GetBucketInventoryConfigurationCommand, GetBucketLoggingCommand, GetBucketMetricsConfigurationCommand, GetBucketNotificationConfigurationCommand,
  GetBucketReplicationCommand, GetBucketRequestPaymentCommand, GetBucketWebsiteCommand, ListBucketAnalyticsConfigurationsCommand,
  ListBucketIntelligentTieringConfigurationsCommand, ListBucketInventoryConfigurationsCommand, ListBucketMetricsConfigurationsCommand,
  PutBucketAccelerateConfigurationCommand, PutBucketAnalyticsConfigurationCommand, PutBucketIntelligentTieringConfigurationCommand,
  PutBucketInventoryConfigurationCommand, PutBucketLoggingCommand, PutBucketMetricsConfigurationCommand, PutBucketNotificationConfigurationCommand,
  PutBucketReplicationCommand, PutBucketRequestPaymentCommand, PutBucketWebsiteCommand,
  type AnalyticsConfiguration, type IntelligentTieringConfiguration, type InventoryConfiguration, type MetricsConfiguration,
  type NotificationConfiguration, type ReplicationConfiguration, type WebsiteConfiguration,
} from "@aws-sdk/client-s3";
import { openMetadata } from "../../src/core/store/meta.ts";
import { META_FILE } from "../../src/core/store/open.ts";
import { errorOf } from "../helpers/data.ts";
import { startTestServer, uniqueBucket, type TestServer } from "../helpers/server.ts";
import { fetchSigned } from "../helpers/signed-fetch.ts";
import { hasAwsCli, run, skipWithout } from "../helpers/spawn.ts";
import { SLOW_TEST_MS } from "../setup.ts";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

/** One bucket per test. */
async function freshBucket(label: string, server: TestServer = s): Promise<string> {
  const bucket = uniqueBucket(label);
  await server.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** The error a request ends with, as [code, HTTP status]. */
async function refusal(sent: Promise<unknown>): Promise<[string, number | undefined]> {
  const error = await errorOf(sent);
  return [error.name, error.$metadata.httpStatusCode];
}

const XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
const put = (bucket: string, query: string, body: string) => fetchSigned(`${s.url}/${bucket}?${query}`, { method: "PUT", body });
const errorCode = async (response: Response) => /<Code>([^<]*)<\/Code>/.exec(await response.text())?.[1];

describe("website", () => {
  const config: WebsiteConfiguration = {
    IndexDocument: { Suffix: "index.html" },
    ErrorDocument: { Key: "errors/404.html" },
    RoutingRules: [
      { Condition: { KeyPrefixEquals: "docs/" }, Redirect: { ReplaceKeyPrefixWith: "documents/", HttpRedirectCode: "301" } },
      { Condition: { HttpErrorCodeReturnedEquals: "404" }, Redirect: { HostName: "example.com", Protocol: "https", ReplaceKeyWith: "missing.html" } },
    ],
  };

  test("PutBucketWebsite → GetBucketWebsite returns the document with its routing rules; delete → NoSuchWebsiteConfiguration", async () => {
    const bucket = await freshBucket("web");
    expect((await s.client.send(new PutBucketWebsiteCommand({ Bucket: bucket, WebsiteConfiguration: config }))).$metadata.httpStatusCode).toBe(200);
    const { $metadata, ...got } = await s.client.send(new GetBucketWebsiteCommand({ Bucket: bucket }));
    expect(got).toEqual(config);
    expect((await s.client.send(new DeleteBucketWebsiteCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(204);
    expect(await refusal(s.client.send(new GetBucketWebsiteCommand({ Bucket: bucket })))).toEqual(["NoSuchWebsiteConfiguration", 404]);
  });

  test("RedirectAllRequestsTo stands alone", async () => {
    const bucket = await freshBucket("webredirect");
    const redirect = { RedirectAllRequestsTo: { HostName: "www.example.com", Protocol: "https" as const } };
    await s.client.send(new PutBucketWebsiteCommand({ Bucket: bucket, WebsiteConfiguration: redirect }));
    const { $metadata, ...got } = await s.client.send(new GetBucketWebsiteCommand({ Bucket: bucket }));
    expect(got).toEqual(redirect);
    const both = { ...redirect, IndexDocument: { Suffix: "index.html" } };
    expect(await refusal(s.client.send(new PutBucketWebsiteCommand({ Bucket: bucket, WebsiteConfiguration: both })))).toEqual(["InvalidArgument", 400]);
  });

  test("refusals: no index document, a bad suffix or protocol, both key replacements, unknown or missing elements; none changes what is stored", async () => {
    const bucket = await freshBucket("webbad");
    const send = (WebsiteConfiguration: WebsiteConfiguration) => refusal(s.client.send(new PutBucketWebsiteCommand({ Bucket: bucket, WebsiteConfiguration })));
    expect(await send({ ErrorDocument: { Key: "e.html" } })).toEqual(["InvalidArgument", 400]);
    expect(await send({ IndexDocument: { Suffix: "a/index.html" } })).toEqual(["InvalidArgument", 400]);
    expect(await send({ RedirectAllRequestsTo: { HostName: "h", Protocol: "ftp" as "http" } })).toEqual(["InvalidRequest", 400]);
    expect(await send({ IndexDocument: { Suffix: "i" }, RoutingRules: [{ Redirect: { ReplaceKeyWith: "a", ReplaceKeyPrefixWith: "b" } }] })).toEqual(["InvalidRequest", 400]);
    expect(await send({ IndexDocument: { Suffix: "i" }, RoutingRules: [{ Condition: {}, Redirect: { HostName: "h" } }] })).toEqual(["InvalidRequest", 400]);
    const unknown = await put(bucket, "website", `<WebsiteConfiguration xmlns="${XMLNS}"><IndexDocument><Suffix>i</Suffix><Colour>red</Colour></IndexDocument></WebsiteConfiguration>`);
    expect([unknown.status, await errorCode(unknown)]).toEqual([400, "MalformedXML"]);
    const noRedirect = await put(bucket, "website", `<WebsiteConfiguration><IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules><RoutingRule/></RoutingRules></WebsiteConfiguration>`);
    expect([noRedirect.status, await errorCode(noRedirect)]).toEqual([400, "MalformedXML"]);
    const notXml = await put(bucket, "website", "<WebsiteConfiguration><IndexDocument>");
    expect([notXml.status, await errorCode(notXml)]).toEqual([400, "MalformedXML"]);
    const wrongRoot = await put(bucket, "website", "<CORSConfiguration/>");
    expect([wrongRoot.status, await errorCode(wrongRoot)]).toEqual([400, "MalformedXML"]);
    expect(await refusal(s.client.send(new GetBucketWebsiteCommand({ Bucket: bucket })))).toEqual(["NoSuchWebsiteConfiguration", 404]);
  });

  test("a raw body written with numeric character references is stored decoded", async () => {
    const bucket = await freshBucket("webref");
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<WebsiteConfiguration xmlns="${XMLNS}">\n  <IndexDocument>\n    <Suffix>&#x41;&#98;c&amp;.html</Suffix>\n  </IndexDocument>\n</WebsiteConfiguration>`;
    expect((await put(bucket, "website", body)).status).toBe(200);
    expect((await s.client.send(new GetBucketWebsiteCommand({ Bucket: bucket }))).IndexDocument).toEqual({ Suffix: "Abc&.html" });
    const raw = await (await fetchSigned(`${s.url}/${bucket}?website`)).text();
    expect(raw).toContain(`<WebsiteConfiguration xmlns="${XMLNS}"><IndexDocument><Suffix>Abc&amp;.html</Suffix></IndexDocument></WebsiteConfiguration>`);
  });
});

describe("logging", () => {
  test("PutBucketLogging with grants and a key format reads back as written; an empty status turns it off", async () => {
    const [bucket, target] = [await freshBucket("log"), await freshBucket("logtarget")];
    const LoggingEnabled = {
      TargetBucket: target,
      TargetPrefix: "logs/",
      TargetGrants: [
        { Grantee: { Type: "CanonicalUser" as const, ID: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" }, Permission: "READ" as const },
        { Grantee: { Type: "Group" as const, URI: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" }, Permission: "WRITE" as const },
      ],
      TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: "EventTime" as const } },
    };
    await s.client.send(new PutBucketLoggingCommand({ Bucket: bucket, BucketLoggingStatus: { LoggingEnabled } }));
    expect((await s.client.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled).toEqual(LoggingEnabled);
    await s.client.send(new PutBucketLoggingCommand({ Bucket: bucket, BucketLoggingStatus: {} }));
    expect((await s.client.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled).toBeUndefined();
  });

  test("a target bucket that does not exist is InvalidTargetBucketForLogging; a bad permission or grantee type is MalformedXML", async () => {
    const bucket = await freshBucket("logbad");
    const missing = { LoggingEnabled: { TargetBucket: "no-such-bucket-for-logs", TargetPrefix: "" } };
    expect(await refusal(s.client.send(new PutBucketLoggingCommand({ Bucket: bucket, BucketLoggingStatus: missing })))).toEqual(["InvalidTargetBucketForLogging", 400]);
    const badPermission = { LoggingEnabled: { TargetBucket: bucket, TargetPrefix: "", TargetGrants: [{ Grantee: { Type: "Group" as const, URI: "u" }, Permission: "ALL" as "READ" }] } };
    expect(await refusal(s.client.send(new PutBucketLoggingCommand({ Bucket: bucket, BucketLoggingStatus: badPermission })))).toEqual(["MalformedXML", 400]);
    const noType = await put(bucket, "logging", `<BucketLoggingStatus><LoggingEnabled><TargetBucket>${bucket}</TargetBucket><TargetPrefix/><TargetGrants><Grant><Grantee><ID>x</ID></Grantee></Grant></TargetGrants></LoggingEnabled></BucketLoggingStatus>`);
    expect([noType.status, await errorCode(noType)]).toEqual([400, "MalformedXML"]);
    expect((await s.client.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled).toBeUndefined();
  });
});

describe("notification", () => {
  test("topics, queues, functions and EventBridge read back; a missing Id is assigned and a filter rule name comes back capitalised", async () => {
    const bucket = await freshBucket("notify");
    const config: NotificationConfiguration = {
      TopicConfigurations: [{ Id: "images", TopicArn: "arn:aws:sns:us-east-1:123456789012:images", Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "images/" }, { Name: "SUFFIX" as "suffix", Value: ".jpg" }] } } }],
      QueueConfigurations: [{ QueueArn: "arn:aws:sqs:us-east-1:123456789012:q", Events: ["s3:ObjectCreated:Put"] }],
      LambdaFunctionConfigurations: [{ Id: "fn", LambdaFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f", Events: ["s3:ObjectTagging:*"] }],
      EventBridgeConfiguration: {},
    };
    await s.client.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: config }));
    const { $metadata, ...got } = await s.client.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    const queueId = got.QueueConfigurations?.[0]?.Id;
    expect(queueId).toBeString();
    // AWS takes a rule name in any case and answers with a capital.
    const rules: unknown = got.TopicConfigurations?.[0]?.Filter?.Key?.FilterRules;
    expect(rules).toEqual([{ Name: "Prefix", Value: "images/" }, { Name: "Suffix", Value: ".jpg" }]);
    const topic = { ...config.TopicConfigurations![0]!, Filter: got.TopicConfigurations?.[0]?.Filter };
    expect(got).toEqual({ ...config, TopicConfigurations: [topic], QueueConfigurations: [{ ...config.QueueConfigurations![0]!, Id: queueId }] });
    await s.client.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: {} }));
    const { $metadata: _m, ...empty } = await s.client.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    expect(empty).toEqual({});
  });

  test("an unknown event or filter rule name is InvalidArgument, a configuration without events MalformedXML", async () => {
    const bucket = await freshBucket("notifybad");
    const send = (NotificationConfiguration: NotificationConfiguration) => refusal(s.client.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration })));
    const queue = "arn:aws:sqs:us-east-1:123456789012:q";
    expect(await send({ QueueConfigurations: [{ QueueArn: queue, Events: ["s3:ObjectEaten" as "s3:ObjectCreated:*"] }] })).toEqual(["InvalidArgument", 400]);
    expect(await send({ QueueConfigurations: [{ QueueArn: queue, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "middle" as "prefix", Value: "x" }] } } }] })).toEqual(["InvalidArgument", 400]);
    expect(await send({ QueueConfigurations: [{ QueueArn: queue, Events: [] }] })).toEqual(["MalformedXML", 400]);
    const { $metadata, ...got } = await s.client.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    expect(got).toEqual({});
  });
});

describe("replication", () => {
  const config: ReplicationConfiguration = {
    Role: "arn:aws:iam::123456789012:role/replication",
    Rules: [
      {
        ID: "tagged", Priority: 1, Status: "Enabled",
        Filter: { And: { Prefix: "docs/", Tags: [{ Key: "team", Value: "a" }, { Key: "tier", Value: "gold" }] } },
        Destination: {
          Bucket: "arn:aws:s3:::replica", StorageClass: "STANDARD_IA", Account: "123456789012",
          AccessControlTranslation: { Owner: "Destination" },
          ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } }, Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } },
        },
        DeleteMarkerReplication: { Status: "Disabled" },
      },
      { ID: "one-tag", Priority: 2, Status: "Disabled", Filter: { Tag: { Key: "k", Value: "v" } }, Destination: { Bucket: "arn:aws:s3:::other" }, DeleteMarkerReplication: { Status: "Disabled" } },
    ],
  };

  test("without versioning Enabled, PutBucketReplication is InvalidRequest; an invalid document is MalformedXML first", async () => {
    const bucket = await freshBucket("repl");
    const error = await errorOf(s.client.send(new PutBucketReplicationCommand({ Bucket: bucket, ReplicationConfiguration: config })));
    expect([error.name, error.message, error.$metadata.httpStatusCode]).toEqual(["InvalidRequest", "Versioning must be 'Enabled' on the bucket to apply a replication configuration", 400]);
    const noRules = await put(bucket, "replication", `<ReplicationConfiguration><Role>r</Role></ReplicationConfiguration>`);
    expect([noRules.status, await errorCode(noRules)]).toEqual([400, "MalformedXML"]);
    const badStatus = { ...config, Rules: [{ ...config.Rules![0]!, Status: "Maybe" as "Enabled" }] };
    expect(await refusal(s.client.send(new PutBucketReplicationCommand({ Bucket: bucket, ReplicationConfiguration: badStatus })))).toEqual(["MalformedXML", 400]);
    expect(await refusal(s.client.send(new GetBucketReplicationCommand({ Bucket: bucket })))).toEqual(["ReplicationConfigurationNotFoundError", 404]);
  });

  test("with versioning Enabled, rules with Filter/And/Tag and destinations read back; delete → ReplicationConfigurationNotFoundError", async () => {
    // A data folder of its own: versioning is written into its metadata, as PutBucketVersioning will store it.
    const disk = await startTestServer({ store: "disk" });
    try {
      const bucket = await freshBucket("replon", disk);
      const meta = openMetadata(join(disk.dataDir, META_FILE));
      meta.setBucketConfig(bucket, "versioning", { Status: "Enabled" });
      meta.close();
      await disk.client.send(new PutBucketReplicationCommand({ Bucket: bucket, ReplicationConfiguration: config }));
      expect((await disk.client.send(new GetBucketReplicationCommand({ Bucket: bucket }))).ReplicationConfiguration).toEqual(config);
      expect((await disk.client.send(new DeleteBucketReplicationCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(204);
      expect(await refusal(disk.client.send(new GetBucketReplicationCommand({ Bucket: bucket })))).toEqual(["ReplicationConfigurationNotFoundError", 404]);
    } finally {
      await disk.stop();
    }
  });
});

describe("accelerate and request payment", () => {
  test("PutBucketAccelerateConfiguration Enabled, then Suspended; another status is MalformedXML", async () => {
    const bucket = await freshBucket("accel");
    for (const Status of ["Enabled", "Suspended"] as const) {
      await s.client.send(new PutBucketAccelerateConfigurationCommand({ Bucket: bucket, AccelerateConfiguration: { Status } }));
      expect((await s.client.send(new GetBucketAccelerateConfigurationCommand({ Bucket: bucket }))).Status).toBe(Status);
    }
    expect(await refusal(s.client.send(new PutBucketAccelerateConfigurationCommand({ Bucket: bucket, AccelerateConfiguration: { Status: "Fast" as "Enabled" } })))).toEqual(["MalformedXML", 400]);
    expect((await s.client.send(new GetBucketAccelerateConfigurationCommand({ Bucket: bucket }))).Status).toBe("Suspended");
  });

  test("a bucket name with dots cannot be accelerated: InvalidRequest", async () => {
    const bucket = `dotted.${uniqueBucket("accel")}`;
    await s.client.send(new CreateBucketCommand({ Bucket: bucket }));
    const error = await errorOf(s.client.send(new PutBucketAccelerateConfigurationCommand({ Bucket: bucket, AccelerateConfiguration: { Status: "Enabled" } })));
    expect([error.name, error.message]).toEqual(["InvalidRequest", "Amazon S3 Transfer Acceleration is not supported for buckets with periods (.) in their names."]);
  });

  test("PutBucketRequestPayment Requester reads back, BucketOwner again after; another payer is MalformedXML", async () => {
    const bucket = await freshBucket("payer");
    await s.client.send(new PutBucketRequestPaymentCommand({ Bucket: bucket, RequestPaymentConfiguration: { Payer: "Requester" } }));
    expect((await s.client.send(new GetBucketRequestPaymentCommand({ Bucket: bucket }))).Payer).toBe("Requester");
    expect(await refusal(s.client.send(new PutBucketRequestPaymentCommand({ Bucket: bucket, RequestPaymentConfiguration: { Payer: "Nobody" as "Requester" } })))).toEqual(["MalformedXML", 400]);
    await s.client.send(new PutBucketRequestPaymentCommand({ Bucket: bucket, RequestPaymentConfiguration: { Payer: "BucketOwner" } }));
    expect((await s.client.send(new GetBucketRequestPaymentCommand({ Bucket: bucket }))).Payer).toBe("BucketOwner");
  });
});

describe("configurations by id", () => {
  const analytics = (Id: string): AnalyticsConfiguration => ({
    Id,
    Filter: { And: { Prefix: "logs/", Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] } },
    StorageClassAnalysis: { DataExport: { OutputSchemaVersion: "V_1", Destination: { S3BucketDestination: { Format: "CSV", Bucket: "arn:aws:s3:::exports", Prefix: "analytics/", BucketAccountId: "123456789012" } } } },
  });
  const metrics = (Id: string): MetricsConfiguration => ({ Id, Filter: { Tag: { Key: "team", Value: "web" } } });
  const inventory = (Id: string): InventoryConfiguration => ({
    Id, IsEnabled: true, IncludedObjectVersions: "Current", Filter: { Prefix: "data/" }, OptionalFields: ["Size", "ETag", "StorageClass"], Schedule: { Frequency: "Weekly" },
    Destination: { S3BucketDestination: { Bucket: "arn:aws:s3:::inventories", Format: "Parquet", Prefix: "inv/", AccountId: "123456789012", Encryption: { SSEKMS: { KeyId: "arn:aws:kms:us-east-1:123456789012:key/k" } } } },
  });
  const tiering = (Id: string): IntelligentTieringConfiguration => ({
    Id, Status: "Enabled", Filter: { Prefix: "cold/" }, Tierings: [{ Days: 90, AccessTier: "ARCHIVE_ACCESS" }, { Days: 180, AccessTier: "DEEP_ARCHIVE_ACCESS" }],
  });

  test("analytics: put, get, list and delete by id; an unknown id is NoSuchConfiguration", async () => {
    const bucket = await freshBucket("analytics");
    for (const id of ["b", "a"]) await s.client.send(new PutBucketAnalyticsConfigurationCommand({ Bucket: bucket, Id: id, AnalyticsConfiguration: analytics(id) }));
    expect((await s.client.send(new GetBucketAnalyticsConfigurationCommand({ Bucket: bucket, Id: "a" }))).AnalyticsConfiguration).toEqual(analytics("a"));
    const listed = await s.client.send(new ListBucketAnalyticsConfigurationsCommand({ Bucket: bucket }));
    expect([listed.IsTruncated, listed.AnalyticsConfigurationList]).toEqual([false, [analytics("a"), analytics("b")]]);
    expect((await s.client.send(new DeleteBucketAnalyticsConfigurationCommand({ Bucket: bucket, Id: "a" }))).$metadata.httpStatusCode).toBe(204);
    expect(await refusal(s.client.send(new GetBucketAnalyticsConfigurationCommand({ Bucket: bucket, Id: "a" })))).toEqual(["NoSuchConfiguration", 404]);
    expect(await refusal(s.client.send(new DeleteBucketAnalyticsConfigurationCommand({ Bucket: bucket, Id: "a" })))).toEqual(["NoSuchConfiguration", 404]);
    expect((await s.client.send(new ListBucketAnalyticsConfigurationsCommand({ Bucket: bucket }))).AnalyticsConfigurationList).toEqual([analytics("b")]);
  });

  test("metrics, inventory and intelligent tiering round-trip through put, get, list and delete", async () => {
    const bucket = await freshBucket("byid");
    await s.client.send(new PutBucketMetricsConfigurationCommand({ Bucket: bucket, Id: "m", MetricsConfiguration: metrics("m") }));
    await s.client.send(new PutBucketInventoryConfigurationCommand({ Bucket: bucket, Id: "i", InventoryConfiguration: inventory("i") }));
    await s.client.send(new PutBucketIntelligentTieringConfigurationCommand({ Bucket: bucket, Id: "t", IntelligentTieringConfiguration: tiering("t") }));
    expect((await s.client.send(new GetBucketMetricsConfigurationCommand({ Bucket: bucket, Id: "m" }))).MetricsConfiguration).toEqual(metrics("m"));
    expect((await s.client.send(new GetBucketInventoryConfigurationCommand({ Bucket: bucket, Id: "i" }))).InventoryConfiguration).toEqual(inventory("i"));
    expect((await s.client.send(new GetBucketIntelligentTieringConfigurationCommand({ Bucket: bucket, Id: "t" }))).IntelligentTieringConfiguration).toEqual(tiering("t"));
    expect((await s.client.send(new ListBucketMetricsConfigurationsCommand({ Bucket: bucket }))).MetricsConfigurationList).toEqual([metrics("m")]);
    const inventories = await s.client.send(new ListBucketInventoryConfigurationsCommand({ Bucket: bucket }));
    expect([inventories.IsTruncated, inventories.InventoryConfigurationList]).toEqual([false, [inventory("i")]]);
    expect((await s.client.send(new ListBucketIntelligentTieringConfigurationsCommand({ Bucket: bucket }))).IntelligentTieringConfigurationList).toEqual([tiering("t")]);
    await s.client.send(new DeleteBucketMetricsConfigurationCommand({ Bucket: bucket, Id: "m" }));
    await s.client.send(new DeleteBucketInventoryConfigurationCommand({ Bucket: bucket, Id: "i" }));
    await s.client.send(new DeleteBucketIntelligentTieringConfigurationCommand({ Bucket: bucket, Id: "t" }));
    expect(await refusal(s.client.send(new GetBucketMetricsConfigurationCommand({ Bucket: bucket, Id: "m" })))).toEqual(["NoSuchConfiguration", 404]);
    expect(await refusal(s.client.send(new GetBucketInventoryConfigurationCommand({ Bucket: bucket, Id: "i" })))).toEqual(["NoSuchConfiguration", 404]);
    expect(await refusal(s.client.send(new GetBucketIntelligentTieringConfigurationCommand({ Bucket: bucket, Id: "t" })))).toEqual(["NoSuchConfiguration", 404]);
    expect((await s.client.send(new ListBucketMetricsConfigurationsCommand({ Bucket: bucket }))).MetricsConfigurationList).toBeUndefined();
  });

  test("a body whose Id is not the id parameter, a missing id, a missing required element or a bad enum are refused and store nothing", async () => {
    const bucket = await freshBucket("byidbad");
    expect(await refusal(s.client.send(new PutBucketAnalyticsConfigurationCommand({ Bucket: bucket, Id: "one", AnalyticsConfiguration: analytics("other") })))).toEqual(["MalformedXML", 400]);
    expect(await refusal(s.client.send(new PutBucketMetricsConfigurationCommand({ Bucket: bucket, Id: "one", MetricsConfiguration: metrics("other") })))).toEqual(["MalformedXML", 400]);
    expect(await refusal(s.client.send(new PutBucketIntelligentTieringConfigurationCommand({ Bucket: bucket, Id: "one", IntelligentTieringConfiguration: tiering("other") })))).toEqual(["MalformedXML", 400]);
    expect(await refusal(s.client.send(new PutBucketInventoryConfigurationCommand({ Bucket: bucket, Id: "one", InventoryConfiguration: { ...inventory("one"), Schedule: { Frequency: "Hourly" as "Daily" } } })))).toEqual(["MalformedXML", 400]);
    expect(await refusal(s.client.send(new PutBucketIntelligentTieringConfigurationCommand({ Bucket: bucket, Id: "one", IntelligentTieringConfiguration: { ...tiering("one"), Tierings: [] } })))).toEqual(["MalformedXML", 400]);
    const noId = await put(bucket, "metrics", `<MetricsConfiguration xmlns="${XMLNS}"><Id>m</Id></MetricsConfiguration>`);
    expect([noId.status, await errorCode(noId)]).toEqual([400, "InvalidArgument"]);
    const deleteNoId = await fetchSigned(`${s.url}/${bucket}?inventory`, { method: "DELETE" });
    expect([deleteNoId.status, await errorCode(deleteNoId)]).toEqual([400, "InvalidArgument"]);
    const twoFilters = await put(bucket, "metrics&id=m", `<MetricsConfiguration><Id>m</Id><Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter></MetricsConfiguration>`);
    expect([twoFilters.status, await errorCode(twoFilters)]).toEqual([400, "MalformedXML"]);
    expect((await s.client.send(new ListBucketAnalyticsConfigurationsCommand({ Bucket: bucket }))).AnalyticsConfigurationList).toBeUndefined();
    expect((await s.client.send(new ListBucketMetricsConfigurationsCommand({ Bucket: bucket }))).MetricsConfigurationList).toBeUndefined();
  });

  test("List… pages 100 at a time with continuation tokens, in id order; a made-up token is InvalidArgument", async () => {
    const bucket = await freshBucket("paging");
    const ids = Array.from({ length: 205 }, (_, i) => `m-${String(i).padStart(3, "0")}`);
    for (let i = 0; i < ids.length; i += 25) {
      await Promise.all(ids.slice(i, i + 25).map((id) => s.client.send(new PutBucketMetricsConfigurationCommand({ Bucket: bucket, Id: id, MetricsConfiguration: { Id: id } }))));
    }
    const seen: string[] = [];
    const pages: [boolean | undefined, number, boolean, boolean][] = [];
    let token: string | undefined;
    do {
      const page = await s.client.send(new ListBucketMetricsConfigurationsCommand({ Bucket: bucket, ContinuationToken: token }));
      expect(page.ContinuationToken).toBe(token);
      pages.push([page.IsTruncated, page.MetricsConfigurationList?.length ?? 0, page.ContinuationToken !== undefined, page.NextContinuationToken !== undefined]);
      seen.push(...page.MetricsConfigurationList!.map((m) => m.Id!));
      token = page.NextContinuationToken;
    } while (token);
    expect(pages).toEqual([[true, 100, false, true], [true, 100, true, true], [false, 5, true, false]]);
    expect(seen).toEqual(ids);
    expect(await refusal(s.client.send(new ListBucketMetricsConfigurationsCommand({ Bucket: bucket, ContinuationToken: "not a token" })))).toEqual(["InvalidArgument", 400]);
  });

  test("a bucket holds at most 1,000 of a kind: the 1,001st is refused, a replacement is not", async () => {
    const bucket = await freshBucket("limit");
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => `t-${i + j}`).map((id) => s.client.send(new PutBucketMetricsConfigurationCommand({ Bucket: bucket, Id: id, MetricsConfiguration: { Id: id } }))));
    }
    const [code, status] = await refusal(s.client.send(new PutBucketMetricsConfigurationCommand({ Bucket: bucket, Id: "t-1000", MetricsConfiguration: { Id: "t-1000" } })));
    expect(status).toBe(400);
    expect(code).not.toBe("MalformedXML");
    await s.client.send(new PutBucketMetricsConfigurationCommand({ Bucket: bucket, Id: "t-7", MetricsConfiguration: metrics("t-7") }));
    expect((await s.client.send(new GetBucketMetricsConfigurationCommand({ Bucket: bucket, Id: "t-7" }))).MetricsConfiguration).toEqual(metrics("t-7"));
  }, SLOW_TEST_MS);
});

test("a missing bucket is NoSuchBucket for writes and reads alike", async () => {
  const Bucket = "no-such-bucket-stored-configs";
  expect(await refusal(s.client.send(new PutBucketWebsiteCommand({ Bucket, WebsiteConfiguration: { IndexDocument: { Suffix: "i" } } })))).toEqual(["NoSuchBucket", 404]);
  expect(await refusal(s.client.send(new GetBucketLoggingCommand({ Bucket })))).toEqual(["NoSuchBucket", 404]);
  expect(await refusal(s.client.send(new ListBucketInventoryConfigurationsCommand({ Bucket })))).toEqual(["NoSuchBucket", 404]);
});

test.skipIf(skipWithout(hasAwsCli))("the AWS CLI writes and reads them: website, logging, metrics", async () => {
  const bucket = await freshBucket("cli");
  const target = await freshBucket("clitarget");
  const aws = (...args: string[]) => run(["aws", "--endpoint-url", s.url, "s3api", ...args, "--bucket", bucket], s.env);
  const website = { IndexDocument: { Suffix: "index.html" }, ErrorDocument: { Key: "error.html" }, RoutingRules: [{ Condition: { KeyPrefixEquals: "old/" }, Redirect: { ReplaceKeyPrefixWith: "new/" } }] };
  expect((await aws("put-bucket-website", "--website-configuration", JSON.stringify(website))).exitCode).toBe(0);
  expect(JSON.parse((await aws("get-bucket-website")).stdout)).toEqual(website);
  expect((await aws("delete-bucket-website")).exitCode).toBe(0);
  expect((await aws("get-bucket-website")).stderr).toContain("NoSuchWebsiteConfiguration");

  const logging = { LoggingEnabled: { TargetBucket: target, TargetPrefix: "access/" } };
  expect((await aws("put-bucket-logging", "--bucket-logging-status", JSON.stringify(logging))).exitCode).toBe(0);
  expect(JSON.parse((await aws("get-bucket-logging")).stdout)).toEqual(logging);
  const refused = await aws("put-bucket-logging", "--bucket-logging-status", JSON.stringify({ LoggingEnabled: { TargetBucket: "no-such-log-target", TargetPrefix: "" } }));
  expect([refused.exitCode !== 0, refused.stderr.includes("InvalidTargetBucketForLogging")]).toEqual([true, true]);

  expect((await aws("put-bucket-metrics-configuration", "--id", "all", "--metrics-configuration", JSON.stringify({ Id: "all" }))).exitCode).toBe(0);
  expect(JSON.parse((await aws("list-bucket-metrics-configurations")).stdout)).toEqual({ IsTruncated: false, MetricsConfigurationList: [{ Id: "all" }] });
}, SLOW_TEST_MS);
