"""boto3 in virtual-hosted style against bucket.localhost. Python's resolver does not map *.localhost to
loopback as browsers do, so a before-send hook connects to 127.0.0.1 and keeps the signed Host."""
import json
import os
import sys
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config

bucket = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(s3={"addressing_style": "virtual"}))
hosts = []


def to_loopback(request, **_):
    parts = urlsplit(request.url)
    hosts.append(parts.netloc)
    request.headers["Host"] = parts.netloc
    request.url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port}"))


s3.meta.events.register("before-send.s3", to_loopback)
s3.create_bucket(Bucket=bucket)
s3.put_object(Bucket=bucket, Key="x/y z.txt", Body=b"from boto3")
body = s3.get_object(Bucket=bucket, Key="x/y z.txt")["Body"].read().decode()
keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
print(json.dumps({"host": hosts[-1], "body": body, "keys": keys}))
