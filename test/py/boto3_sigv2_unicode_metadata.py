"""Non-ASCII user metadata from boto3, under SigV4 and under signature_version "s3" (V2). botocore refuses
such Metadata itself; a header set on the request (as Ceph's s3-tests do) goes out as its UTF-8 bytes,
signed as those bytes. Prints what happened as JSON."""
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ParamValidationError

bucket = sys.argv[1]
VALUE = "café ☕"
out = {}
for version in ["s3v4", "s3"]:
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(signature_version=version, s3={"addressing_style": "path"}))
    result = {}
    try:
        s3.put_object(Bucket=bucket, Key=f"{version}/refused", Body=b"x", Metadata={"name": VALUE})
        result["metadata_param"] = "sent"
    except ParamValidationError:
        result["metadata_param"] = "ParamValidationError"

    def set_header(params, **_):
        params["headers"]["x-amz-meta-name"] = VALUE

    sent = []
    s3.meta.events.register("before-call.s3.PutObject", set_header)
    s3.meta.events.register("before-send.s3.PutObject", lambda request, **_: sent.append(request.headers["x-amz-meta-name"]))
    put = s3.put_object(Bucket=bucket, Key=f"{version}/unicode", Body=b"x")
    result["put_status"] = put["ResponseMetadata"]["HTTPStatusCode"]
    result["sent_bytes"] = (sent[0] if isinstance(sent[0], bytes) else sent[0].encode("utf-8")).hex()
    # http.client reads response header bytes as Latin-1: encoding back gives the bytes the server sent.
    returned = s3.head_object(Bucket=bucket, Key=f"{version}/unicode")["Metadata"].get("name")
    result["returned_bytes"] = None if returned is None else returned.encode("latin-1").hex()
    out[version] = result
print(json.dumps(out))
