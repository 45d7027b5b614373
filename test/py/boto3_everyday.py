"""boto3's everyday calls beyond put and get: copy, batch delete, versions listing, conditional
writes, the resource API's bulk deletes and its paginators. Reported as JSON on stdout."""
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

bucket = sys.argv[1]
config = Config(s3={"addressing_style": "path"})
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=config)
out = {}
s3.create_bucket(Bucket=bucket)


def code(call):
    try:
        call()
        return None
    except ClientError as e:
        return e.response["Error"]["Code"]


keys = ["docs/a b+c.txt", "docs/ü.txt", "img/1.png", "img/2.png", "top.txt"]
for key in keys:
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode(), Metadata={"k": "v"})

# copy_object (COPY and REPLACE) and the managed copy().
s3.copy_object(Bucket=bucket, Key="copies/one", CopySource={"Bucket": bucket, "Key": "docs/a b+c.txt"})
out["copy_body"] = s3.get_object(Bucket=bucket, Key="copies/one")["Body"].read().decode()
out["copy_meta"] = s3.head_object(Bucket=bucket, Key="copies/one")["Metadata"]
s3.copy_object(Bucket=bucket, Key="top.txt", CopySource=f"{bucket}/top.txt", MetadataDirective="REPLACE", Metadata={"k": "new"})
out["replaced_meta"] = s3.head_object(Bucket=bucket, Key="top.txt")["Metadata"]
s3.copy({"Bucket": bucket, "Key": "docs/ü.txt"}, bucket, "copies/ü")
out["managed_copy"] = s3.get_object(Bucket=bucket, Key="copies/ü")["Body"].read().decode()

# Conditional writes.
out["if_none_match_existing"] = code(lambda: s3.put_object(Bucket=bucket, Key="top.txt", Body=b"x", IfNoneMatch="*"))
out["if_none_match_new"] = code(lambda: s3.put_object(Bucket=bucket, Key="fresh.txt", Body=b"x", IfNoneMatch="*"))

# list_object_versions through its paginator.
versions = []
for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 3}):
    versions += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
out["versions"] = versions

# list_objects_v2 with encoding-type chosen by botocore (it decodes the keys itself).
out["v2_keys"] = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="docs/", PaginationConfig={"PageSize": 1}) for o in page["Contents"]]
out["v1_prefixes"] = [p["Prefix"] for p in s3.list_objects(Bucket=bucket, Delimiter="/")["CommonPrefixes"]]

# delete_objects, then the resource API's bulk deletes, which call DeleteObjects and ListObjectVersions.
deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "copies/one"}, {"Key": "missing"}]})
out["deleted"] = sorted(d["Key"] for d in deleted["Deleted"])
resource = boto3.resource("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=config)
resource.Bucket(bucket).objects.filter(Prefix="img/").delete()
out["after_filter_delete"] = sorted(o.key for o in resource.Bucket(bucket).objects.all())
resource.Bucket(bucket).object_versions.delete()
out["after_versions_delete"] = [o.key for o in resource.Bucket(bucket).objects.all()]
resource.Bucket(bucket).delete()
print(json.dumps(out))
