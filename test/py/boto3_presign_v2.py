"""Presigned URLs as boto3 makes them with signature_version "s3" (Signature Version 2): printed as
JSON for the test to fetch, tamper with and let expire."""
import json
import os
import sys

import boto3
from botocore.config import Config

bucket = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(signature_version="s3", s3={"addressing_style": "path"}))
print(json.dumps({
    "get": s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "v2/ü file.txt"}, ExpiresIn=300),
    "get_override": s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "v2/ü file.txt", "ResponseContentType": "text/x-v2"}, ExpiresIn=300),
    "put": s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "v2/uploaded.txt", "ContentType": "text/plain"}, ExpiresIn=300),
    "expired": s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "v2/ü file.txt"}, ExpiresIn=-10),
}))
