"""boto3 against s3lite: the steps the boto3 suite asserts, reported as JSON on stdout."""
import hashlib
import io
import json
import os
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

bucket = sys.argv[1]
# signature_version: generate_presigned_url would otherwise sign with SigV2, which s3lite does not take yet.
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
out = {}

s3.create_bucket(Bucket=bucket)
data = os.urandom(1024 * 1024 + 3)
put = s3.put_object(Bucket=bucket, Key="bin/data ü+.bin", Body=data, Metadata={"origin": "boto3"}, ChecksumAlgorithm="SHA256")
out["put_etag_ok"] = put["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
out["put_checksum"] = put.get("ChecksumSHA256")
got = s3.get_object(Bucket=bucket, Key="bin/data ü+.bin", ChecksumMode="ENABLED")
out["get_bytes_ok"] = got["Body"].read() == data
out["get_checksum"] = got.get("ChecksumSHA256")
out["metadata"] = got["Metadata"]
ranged = s3.get_object(Bucket=bucket, Key="bin/data ü+.bin", Range="bytes=10-19")
out["range_ok"] = ranged["Body"].read() == data[10:20] and ranged["ContentRange"] == "bytes 10-19/%d" % len(data)

big = os.urandom(12 * 1024 * 1024)
s3.upload_fileobj(io.BytesIO(big), bucket, "big.bin")  # above the 8 MiB threshold: multipart
out["upload_big_ok"] = s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read() == big
out["big_etag_parts"] = s3.head_object(Bucket=bucket, Key="big.bin")["ETag"].strip('"').split("-")[-1]

s3.upload_fileobj(io.BytesIO(b"small upload"), bucket, "small.txt")
out["upload_fileobj_ok"] = s3.get_object(Bucket=bucket, Key="small.txt")["Body"].read() == b"small upload"

pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 1})
out["listed"] = [o["Key"] for page in pages for o in page.get("Contents", [])]

url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "small.txt"}, ExpiresIn=60)
out["presigned_ok"] = urllib.request.urlopen(url).read() == b"small upload"

try:
    s3.get_object(Bucket=bucket, Key="missing")
except ClientError as e:
    out["missing"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
try:
    s3.delete_bucket(Bucket=bucket)
except ClientError as e:
    out["not_empty"] = e.response["Error"]["Code"]

for key in ["bin/data ü+.bin", "big.bin", "small.txt"]:
    s3.delete_object(Bucket=bucket, Key=key)
s3.delete_bucket(Bucket=bucket)
out["deleted"] = bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
print(json.dumps(out))
