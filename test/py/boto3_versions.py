"""Versioning through boto3 (argv: bucket; the endpoint from AWS_ENDPOINT_URL): versions of one key read
back by id, a delete marker, the list_object_versions paginator a version at a time, delete_objects by
version id. Outcomes as JSON on stdout."""
import json
import os
import sys

import boto3
from botocore.config import Config

bucket = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(s3={"addressing_style": "path"}))
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
ids = [s3.put_object(Bucket=bucket, Key="doc", Body=f"v{i}".encode())["VersionId"] for i in range(3)]
bodies = [s3.get_object(Bucket=bucket, Key="doc", VersionId=v)["Body"].read().decode() for v in ids]
marker = s3.delete_object(Bucket=bucket, Key="doc")
listed = []
for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 1}):
    listed += [("version", v["VersionId"], v["IsLatest"]) for v in page.get("Versions", [])]
    listed += [("marker", m["VersionId"], m["IsLatest"]) for m in page.get("DeleteMarkers", [])]
gone = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "doc", "VersionId": v} for v in ids + [marker["VersionId"]]]})
after = s3.list_object_versions(Bucket=bucket)
print(json.dumps({
    "ids": ids, "bodies": bodies, "marker": [marker["DeleteMarker"], marker["VersionId"]], "listed": listed,
    "deleted": sorted(d["VersionId"] for d in gone["Deleted"]), "left": len(after.get("Versions", [])) + len(after.get("DeleteMarkers", [])),
}))
