// The stored configurations' documents as the S3 model (service-2.json, 2006-03-01) defines them:
// element names, nesting, required members and enumerations, members in the model's order. Data only.
import { boolean, integer, listOf, oneOf, repeated, required, struct, text } from "./bucket-stored-schema.ts";

const enabledOrDisabled = oneOf("Enabled", "Disabled");
const Tag = struct({ Key: required(text), Value: required(text) });

/** The Filter of analytics, intelligent-tiering and replication rules: a Prefix, a Tag, or an And of both. */
const prefixTagFilter = struct({
  Prefix: text,
  Tag,
  And: struct({ Prefix: text, Tag: repeated(Tag) }),
}, { choice: true });

// GetBucketWebsiteOutput's order; Protocol and IndexDocument's Suffix are checked by the handler, which
// answers them as AWS does rather than as schema errors.
const Redirect = struct({ HostName: text, HttpRedirectCode: text, Protocol: text, ReplaceKeyPrefixWith: text, ReplaceKeyWith: text });
export const WEBSITE = struct({
  RedirectAllRequestsTo: struct({ HostName: required(text), Protocol: text }),
  IndexDocument: struct({ Suffix: text }),
  ErrorDocument: struct({ Key: required(text) }),
  RoutingRules: listOf("RoutingRule", struct({
    Condition: struct({ HttpErrorCodeReturnedEquals: text, KeyPrefixEquals: text }),
    Redirect: required(Redirect),
  }), 1),
});

const Grantee = struct({ DisplayName: text, EmailAddress: text, ID: text, URI: text }, { xsiType: ["CanonicalUser", "AmazonCustomerByEmail", "Group"] });
export const LOGGING = struct({
  LoggingEnabled: struct({
    TargetBucket: required(text),
    TargetGrants: listOf("Grant", struct({ Grantee, Permission: oneOf("FULL_CONTROL", "READ", "WRITE") })),
    // Required by the model; one left out is taken as the empty prefix, as LocalStack (checked against AWS) does.
    TargetPrefix: text,
    TargetObjectKeyFormat: struct({
      SimplePrefix: struct({}),
      PartitionedPrefix: struct({ PartitionDateSource: oneOf("EventTime", "DeliveryTime") }),
    }, { choice: true }),
  }),
});

/** The events a notification may name (the model's Event enumeration). */
export const NOTIFICATION_EVENTS: ReadonlySet<string> = new Set([
  "s3:ReducedRedundancyLostObject", "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
  "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
  "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:Replication:*", "s3:Replication:OperationFailedReplication",
  "s3:Replication:OperationNotTracked", "s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
  "s3:ObjectRestore:Delete", "s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectAcl:Put", "s3:LifecycleExpiration:*",
  "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:ObjectTagging:*", "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete",
]);

/** The element naming each destination kind's ARN. Events and filter rule names are checked by the handler (InvalidArgument). */
export const NOTIFICATION_DESTINATIONS = { TopicConfiguration: "Topic", QueueConfiguration: "Queue", CloudFunctionConfiguration: "CloudFunction" } as const;
const notificationTarget = (arn: string) => struct({
  Id: text,
  [arn]: required(text),
  Event: repeated(text, 1),
  Filter: struct({ S3Key: struct({ FilterRule: repeated(struct({ Name: text, Value: text })) }) }),
});
export const NOTIFICATION = struct({
  TopicConfiguration: repeated(notificationTarget(NOTIFICATION_DESTINATIONS.TopicConfiguration)),
  QueueConfiguration: repeated(notificationTarget(NOTIFICATION_DESTINATIONS.QueueConfiguration)),
  CloudFunctionConfiguration: repeated(notificationTarget(NOTIFICATION_DESTINATIONS.CloudFunctionConfiguration)),
  EventBridgeConfiguration: struct({}),
});

const STORAGE_CLASSES = ["STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS", "FSX_ONTAP"];
const withStatus = struct({ Status: required(enabledOrDisabled) });
const minutes = struct({ Minutes: integer });
export const REPLICATION = struct({
  Role: required(text),
  Rule: repeated(struct({
    ID: text,
    Priority: integer,
    Prefix: text,
    Filter: prefixTagFilter,
    Status: required(enabledOrDisabled),
    SourceSelectionCriteria: struct({ SseKmsEncryptedObjects: withStatus, ReplicaModifications: withStatus }),
    ExistingObjectReplication: withStatus,
    Destination: required(struct({
      Bucket: required(text),
      Account: text,
      StorageClass: oneOf(...STORAGE_CLASSES),
      AccessControlTranslation: struct({ Owner: required(oneOf("Destination")) }),
      EncryptionConfiguration: struct({ ReplicaKmsKeyID: text }),
      ReplicationTime: struct({ Status: required(enabledOrDisabled), Time: required(minutes) }),
      Metrics: struct({ Status: required(enabledOrDisabled), EventThreshold: minutes }),
    })),
    DeleteMarkerReplication: struct({ Status: enabledOrDisabled }),
  }), 1),
});

export const ACCELERATE = struct({ Status: required(oneOf("Enabled", "Suspended")) });
export const REQUEST_PAYMENT = struct({ Payer: required(oneOf("Requester", "BucketOwner")) });

export const ANALYTICS = struct({
  Id: required(text),
  Filter: prefixTagFilter,
  StorageClassAnalysis: required(struct({
    DataExport: struct({
      OutputSchemaVersion: required(oneOf("V_1")),
      Destination: required(struct({
        S3BucketDestination: required(struct({ Format: required(oneOf("CSV")), BucketAccountId: text, Bucket: required(text), Prefix: text })),
      })),
    }),
  })),
});

export const METRICS = struct({
  Id: required(text),
  Filter: struct({
    Prefix: text,
    Tag,
    AccessPointArn: text,
    And: struct({ Prefix: text, Tag: repeated(Tag), AccessPointArn: text }),
  }, { choice: true }),
});

const INVENTORY_FIELDS = [
  "Size", "LastModifiedDate", "StorageClass", "ETag", "IsMultipartUploaded", "ReplicationStatus", "EncryptionStatus", "ObjectLockRetainUntilDate",
  "ObjectLockMode", "ObjectLockLegalHoldStatus", "IntelligentTieringAccessTier", "BucketKeyStatus", "ChecksumAlgorithm", "ObjectAccessControlList",
  "ObjectOwner", "LifecycleExpirationDate",
];
export const INVENTORY = struct({
  Destination: required(struct({
    S3BucketDestination: required(struct({
      AccountId: text,
      Bucket: required(text),
      Format: required(oneOf("CSV", "ORC", "Parquet")),
      Prefix: text,
      Encryption: struct({ "SSE-S3": struct({}), "SSE-KMS": struct({ KeyId: required(text) }) }, { choice: true }),
    })),
  })),
  IsEnabled: required(boolean),
  Filter: struct({ Prefix: required(text) }),
  Id: required(text),
  IncludedObjectVersions: required(oneOf("All", "Current")),
  OptionalFields: listOf("Field", oneOf(...INVENTORY_FIELDS)),
  Schedule: required(struct({ Frequency: required(oneOf("Daily", "Weekly")) })),
});

export const INTELLIGENT_TIERING = struct({
  Id: required(text),
  Filter: prefixTagFilter,
  Status: required(enabledOrDisabled),
  Tiering: repeated(struct({ Days: required(integer), AccessTier: required(oneOf("ARCHIVE_ACCESS", "DEEP_ARCHIVE_ACCESS")) }), 1),
});

