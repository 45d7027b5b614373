"""boto3 with random keys: put/get header-signed and through presigned URLs; prints the failures as JSON."""
import json
import os
import sys
import urllib.request

import boto3
from botocore.config import Config

job = json.load(sys.stdin)
bucket, keys = job["bucket"], job["keys"]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
failures = []
for key in keys:
    body = ("boto3|" + key).encode()
    try:
        s3.put_object(Bucket=bucket, Key="b3/" + key, Body=body)
        if s3.get_object(Bucket=bucket, Key="b3/" + key)["Body"].read() != body:
            failures.append([key, "header-signed get returned other bytes"])
        put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "b3p/" + key}, ExpiresIn=300)
        urllib.request.urlopen(urllib.request.Request(put_url, data=body, method="PUT")).read()
        get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "b3p/" + key}, ExpiresIn=300)
        if urllib.request.urlopen(get_url).read() != body:
            failures.append([key, "presigned get returned other bytes"])
    except Exception as e:  # report and go on: the test names every failing key
        failures.append([key, repr(e)[:300]])
print(json.dumps(failures))
