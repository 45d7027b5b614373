"""Browser-style POST uploads from the forms boto3's generate_presigned_post makes, signed with
SigV4 (the default) and SigV2 (signature_version "s3"), sent with requests as a browser would."""
import json
import os
import sys

import boto3
import requests
from botocore.config import Config

bucket = sys.argv[1]
endpoint = os.environ["AWS_ENDPOINT_URL"]
path_style = {"addressing_style": "path"}
clients = {
    "v4": boto3.client("s3", endpoint_url=endpoint, config=Config(signature_version="s3v4", s3=path_style)),
    "v2": boto3.client("s3", endpoint_url=endpoint, config=Config(signature_version="s3", s3=path_style)),
}
clients["v4"].create_bucket(Bucket=bucket)

out = {}
for name, s3 in clients.items():
    post = s3.generate_presigned_post(
        bucket, f"boto/{name}/${{filename}}",
        Fields={"success_action_status": "201", "Content-Type": "text/plain"},
        Conditions=[["starts-with", "$key", f"boto/{name}/"], {"success_action_status": "201"},
                    {"Content-Type": "text/plain"}, ["content-length-range", 1, 1000]],
        ExpiresIn=300,
    )
    res = requests.post(post["url"], data=post["fields"], files={"file": ("note.txt", b"posted by boto3 " + name.encode())})
    stored = clients["v4"].get_object(Bucket=bucket, Key=f"boto/{name}/note.txt")
    too_big = requests.post(post["url"], data=post["fields"], files={"file": ("big.txt", b"x" * 1001)})
    out[name] = {
        "status": res.status_code,
        "signed_with": sorted(k for k in post["fields"] if k.lower() in ("x-amz-signature", "signature")),
        "body": stored["Body"].read().decode(),
        "content_type": stored["ContentType"],
        "too_big": [too_big.status_code, "EntityTooLarge" in too_big.text],
    }
print(json.dumps(out))
