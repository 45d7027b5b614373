"""boto3 as two users of one server: alice owns a bucket and opens part of it to bob by a bucket
policy; bob reads what it opens and is refused the rest. Keys come as argv; outcomes as JSON on stdout."""
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

bucket, alice_key, alice_secret, bob_key, bob_secret, bob_arn = sys.argv[1:7]
config = Config(s3={"addressing_style": "path"})


def client(key, secret):
    return boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=config,
                        aws_access_key_id=key, aws_secret_access_key=secret)


def code(call):
    try:
        call()
        return None
    except ClientError as e:
        return [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]


alice = client(alice_key, alice_secret)
bob = client(bob_key, bob_secret)
out = {}

alice.create_bucket(Bucket=bucket)
alice.put_object(Bucket=bucket, Key="shared/a.txt", Body=b"for bob")
alice.put_object(Bucket=bucket, Key="private/b.txt", Body=b"not for bob")
out["acl_refused"] = code(lambda: alice.put_object(Bucket=bucket, Key="public.txt", Body=b"x", ACL="public-read"))
out["owner"] = alice.get_bucket_acl(Bucket=bucket)["Owner"]["DisplayName"]
out["bob_before"] = code(lambda: bob.get_object(Bucket=bucket, Key="shared/a.txt"))

alice.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": bob_arn}, "Action": "s3:GetObject",
                   "Resource": f"arn:aws:s3:::{bucket}/shared/*"}],
}))
out["policy_public"] = alice.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"]
out["bob_shared"] = bob.get_object(Bucket=bucket, Key="shared/a.txt")["Body"].read().decode()
out["bob_private"] = code(lambda: bob.get_object(Bucket=bucket, Key="private/b.txt"))
out["bob_list"] = code(lambda: bob.list_objects_v2(Bucket=bucket))
out["bob_put"] = code(lambda: bob.put_object(Bucket=bucket, Key="shared/c.txt", Body=b"x"))
out["bob_head_missing"] = code(lambda: bob.head_object(Bucket=bucket, Key="shared/missing"))
out["alice_head_missing"] = code(lambda: alice.head_object(Bucket=bucket, Key="shared/missing"))
out["bob_buckets"] = [b["Name"] for b in bob.list_buckets()["Buckets"]]
out["alice_buckets"] = [b["Name"] for b in alice.list_buckets()["Buckets"]]
out["bob_create"] = code(lambda: bob.create_bucket(Bucket=bucket))
out["keys"] = [o["Key"] for o in alice.list_objects_v2(Bucket=bucket)["Contents"]]
print(json.dumps(out))
