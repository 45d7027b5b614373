"""boto3's transfer manager and multipart calls against s3lite, reported as JSON on stdout."""
import base64
import hashlib
import json
import os
import sys
import tempfile
import zlib

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

bucket = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(s3={"addressing_style": "path"}))
out = {}
s3.create_bucket(Bucket=bucket)
MiB = 1024 * 1024

with tempfile.TemporaryDirectory() as tmp:
    source = os.path.join(tmp, "source.bin")
    data = os.urandom(21 * MiB + 11)
    with open(source, "wb") as f:
        f.write(data)
    digest = hashlib.sha256(data).hexdigest()
    small_parts = TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB, max_concurrency=4)

    # upload_file with boto3's defaults, then with SHA256 part checksums (COMPOSITE).
    s3.upload_file(source, bucket, "default.bin", Config=small_parts)
    s3.upload_file(source, bucket, "sha256.bin", Config=small_parts, ExtraArgs={"ChecksumAlgorithm": "SHA256"})
    for key in ["default.bin", "sha256.bin"]:
        back = os.path.join(tmp, key)
        s3.download_file(bucket, key, back, Config=small_parts)
        with open(back, "rb") as f:
            out[key] = {
                "bytes_ok": hashlib.sha256(f.read()).hexdigest() == digest,
                "parts": int(s3.head_object(Bucket=bucket, Key=key)["ETag"].strip('"').split("-")[1]),
            }
    attrs = s3.get_object_attributes(Bucket=bucket, Key="sha256.bin", ObjectAttributes=["Checksum", "ObjectParts"])
    out["sha256_checksum_type"] = attrs["Checksum"].get("ChecksumType")
    out["sha256_parts"] = [p["Size"] for p in attrs["ObjectParts"]["Parts"]]

    # A FULL_OBJECT CRC32 upload by hand, completed with the whole file's CRC32.
    created = s3.create_multipart_upload(Bucket=bucket, Key="full.bin", ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT")
    parts = []
    for number, offset in enumerate(range(0, len(data), 8 * MiB), start=1):
        r = s3.upload_part(Bucket=bucket, Key="full.bin", UploadId=created["UploadId"], PartNumber=number, Body=data[offset:offset + 8 * MiB], ChecksumAlgorithm="CRC32")
        parts.append({"PartNumber": number, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
    listed = s3.list_multipart_uploads(Bucket=bucket)
    out["listed_uploads"] = [u["Key"] for u in listed.get("Uploads", [])]
    whole_crc = base64.b64encode((zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big")).decode()
    done = s3.complete_multipart_upload(Bucket=bucket, Key="full.bin", UploadId=created["UploadId"], MultipartUpload={"Parts": parts}, ChecksumCRC32=whole_crc, ChecksumType="FULL_OBJECT")
    out["full_crc_ok"] = done.get("ChecksumCRC32") == whole_crc
    # Read straight after completion: code like this reads ContentLength at once.
    got = s3.get_object(Bucket=bucket, Key="full.bin", ChecksumMode="ENABLED")
    out["full_get_length"] = got["ContentLength"]
    out["full_get_ok"] = hashlib.sha256(got["Body"].read()).hexdigest() == digest and got.get("ChecksumCRC32") == whole_crc
    # A completion retried after it succeeded gets the same answer.
    again = s3.complete_multipart_upload(Bucket=bucket, Key="full.bin", UploadId=created["UploadId"], MultipartUpload={"Parts": parts}, ChecksumCRC32=whole_crc, ChecksumType="FULL_OBJECT")
    out["retried_same"] = [again["ETag"] == done["ETag"], again["Location"] == done["Location"], again.get("ChecksumCRC32") == whole_crc]

    # upload_part_copy of a range of the uploaded file into a new object.
    copy = s3.create_multipart_upload(Bucket=bucket, Key="copied.bin")
    part = s3.upload_part_copy(Bucket=bucket, Key="copied.bin", UploadId=copy["UploadId"], PartNumber=1, CopySource={"Bucket": bucket, "Key": "default.bin"}, CopySourceRange="bytes=100-199")
    s3.complete_multipart_upload(Bucket=bucket, Key="copied.bin", UploadId=copy["UploadId"], MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
    out["copied_ok"] = s3.get_object(Bucket=bucket, Key="copied.bin")["Body"].read() == data[100:200]

print(json.dumps(out))
