"""boto3 with signature_version "s3": Signature Version 2 in the Authorization header, path style and
virtual-hosted, for everyday calls, multipart uploads and errors. Prints what it saw as JSON."""
import json
import os
import sys
import urllib.request
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

bucket = sys.argv[1]
endpoint = os.environ["AWS_ENDPOINT_URL"]
authorizations = []


def client(style="path", **kwargs):
    s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(signature_version="s3", s3={"addressing_style": style}), **kwargs)
    s3.meta.events.register("before-send.s3", lambda request, **_: authorizations.append(request.headers.get("Authorization", b"")))
    return s3


def error_of(call):
    try:
        call()
    except ClientError as e:
        return [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
    return None


s3 = client()
out = {}
s3.create_bucket(Bucket=bucket)
s3.put_object(Bucket=bucket, Key="docs/a b+c.txt", Body=b"signed the old way", ContentType="text/plain", Metadata={"origin": "boto3-v2", "list": "a, b"})
got = s3.get_object(Bucket=bucket, Key="docs/a b+c.txt")
out["get"] = {"body": got["Body"].read().decode(), "type": got["ContentType"], "metadata": got["Metadata"]}
out["head_metadata"] = s3.head_object(Bucket=bucket, Key="docs/a b+c.txt")["Metadata"]
s3.put_object(Bucket=bucket, Key="ü/é.txt", Body=b"x")
out["list_v2"] = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
out["list_v1"] = [o["Key"] for o in s3.list_objects(Bucket=bucket, Prefix="docs/")["Contents"]]
out["location"] = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")

upload = s3.create_multipart_upload(Bucket=bucket, Key="big.bin", Metadata={"kind": "multipart"})
part1 = s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"], PartNumber=1, Body=b"a" * (5 * 1024 * 1024))
part2 = s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"], PartNumber=2, Body=b"b" * 10)
out["listed_parts"] = [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"])["Parts"]]
out["uploads"] = [u["Key"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]]
s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"], MultipartUpload={"Parts": [
    {"PartNumber": 1, "ETag": part1["ETag"]}, {"PartNumber": 2, "ETag": part2["ETag"]}]})
big = s3.head_object(Bucket=bucket, Key="big.bin")
out["multipart"] = {"size": big["ContentLength"], "etag_parts": big["ETag"].strip('"').split("-")[-1], "metadata": big["Metadata"]}
aborted = s3.create_multipart_upload(Bucket=bucket, Key="dropped.bin")
s3.abort_multipart_upload(Bucket=bucket, Key="dropped.bin", UploadId=aborted["UploadId"])

deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "ü/é.txt"}, {"Key": "never-there"}]})
out["deleted"] = sorted(d["Key"] for d in deleted["Deleted"])
s3.delete_object(Bucket=bucket, Key="big.bin")
out["after_delete"] = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
out["missing"] = error_of(lambda: s3.get_object(Bucket=bucket, Key="never-there"))


def to_loopback(request, **_):
    """Python does not resolve *.localhost; connect to 127.0.0.1 and keep the signed Host."""
    parts = urlsplit(request.url)
    request.headers["Host"] = parts.netloc
    request.url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port}"))


hosted = client("virtual")
hosted.meta.events.register("before-send.s3", to_loopback)
hosted.put_object(Bucket=bucket, Key="hosted/k.txt", Body=b"virtual", Metadata={"style": "virtual"})
out["virtual"] = {
    "body": hosted.get_object(Bucket=bucket, Key="hosted/k.txt")["Body"].read().decode(),
    "keys": [o["Key"] for o in hosted.list_objects_v2(Bucket=bucket, Prefix="hosted/")["Contents"]],
}

wrong = client(aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key="not-the-secret")
out["wrong_secret"] = error_of(lambda: wrong.put_object(Bucket=bucket, Key="forged", Body=b"x"))
unknown = client(aws_access_key_id="AKIAUNKNOWN", aws_secret_access_key="whatever")
out["unknown_key"] = error_of(lambda: unknown.list_objects_v2(Bucket=bucket))
out["forged_exists"] = error_of(lambda: s3.head_object(Bucket=bucket, Key="forged"))

# A bucket-level presigned URL: boto3 signs the resource /bucket/ and requests /bucket.
listing = s3.generate_presigned_url("list_objects_v2", Params={"Bucket": bucket}, ExpiresIn=300)
out["presigned_list_path"] = urlsplit(listing).path
with urllib.request.urlopen(listing) as response:
    out["presigned_list"] = [response.status, "<Key>docs/a" in response.read().decode()]

out["schemes"] = sorted({a.decode().split(" ")[0] for a in authorizations if a})
print(json.dumps(out))
