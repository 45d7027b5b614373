import { expect, test } from "bun:test";
import { canonicalResourceV2, signV2, stringToSignV2 } from "../../src/core/auth/sigv2.ts";
import vectors from "../fixtures/sigv2/vectors.json";

test.each(vectors.vectors.map((v) => [v.name, v] as const))("AWS's published V2 example: %s", (_, v) => {
  expect(signV2(vectors.secretAccessKey, v.stringToSign)).toBe(v.signature);
});

test("the presigned GET example's string to sign is built from the request", () => {
  const toSign = stringToSignV2({
    method: "GET", resourcePath: "/johnsmith/photos/puppy.jpg",
    rawQuery: "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D",
    header: () => undefined, amzHeaders: [], expires: "1175139620",
  });
  expect(toSign).toBe(vectors.vectors[0]!.stringToSign);
});

test("signed subresources are sorted and decoded; other parameters are left out", () => {
  expect(canonicalResourceV2("/b/k", "versionId=null&x-id=GetObject&response-content-type=text%2Fplain&acl"))
    .toBe("/b/k?acl&response-content-type=text/plain&versionId=null");
});

test("x-amz-* headers are sorted, lower-case and joined", () => {
  const toSign = stringToSignV2({
    method: "PUT", resourcePath: "/b/k", rawQuery: "", expires: "100",
    header: (name) => (name === "content-type" ? "text/plain" : undefined),
    amzHeaders: [["x-amz-meta-b", "2"], ["x-amz-meta-a", " 1 "], ["x-amz-meta-b", "3"]],
  });
  expect(toSign).toBe("PUT\n\ntext/plain\n100\nx-amz-meta-a:1\nx-amz-meta-b:2,3\n/b/k");
});
