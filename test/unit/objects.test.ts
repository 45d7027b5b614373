import { expect, test } from "bun:test";
import { parseRange } from "../../src/core/ops/objects.ts";
import { isValidBucketName } from "../../src/core/bucket-names.ts";
import { ConfigError, DEFAULT_CREDENTIALS, resolveConfig } from "../../src/core/config.ts";

test.each([
  ["bytes=0-9", 100, { start: 0, end: 9 }],
  ["bytes=90-", 100, { start: 90, end: 99 }],
  ["bytes=-10", 100, { start: 90, end: 99 }],
  ["bytes=-1000", 100, { start: 0, end: 99 }],
  ["bytes=50-1000", 100, { start: 50, end: 99 }],
  ["bytes=0-1,5-6", 100, undefined],
  ["items=0-1", 100, undefined],
  ["bytes=9-2", 100, undefined],
] as const)("Range %s of %d bytes", (header, size, expected) => {
  expect(parseRange(header, size)).toEqual(expected as never);
});

test.each([["bytes=100-", 100], ["bytes=0-", 0], ["bytes=-0", 100]] as const)("Range %s of %d bytes is InvalidRange", (header, size) => {
  expect(() => parseRange(header, size)).toThrow(expect.objectContaining({ code: "InvalidRange" }));
});

test.each(["abc", "a-b.c", "a".repeat(63), "1.2.3"])("bucket name %s is valid", (name) => expect(isValidBucketName(name)).toBe(true));
test.each(["ab", "a".repeat(64), "ABC", "a_b", "-ab", "ab-", "a..b", "192.168.1.1", "xn--abc", "_s3lite", "abc-s3alias"])(
  "bucket name %s is invalid", (name) => expect(isValidBucketName(name)).toBe(false));

test("config: flags beat environment, which beats defaults", () => {
  const config = resolveConfig({ port: "0" }, { S3LITE_PORT: "1234", S3LITE_REGION: "eu-west-1" });
  expect(config.port).toBe(0);
  expect(config.region).toBe("eu-west-1");
  expect(config.host).toBe("127.0.0.1");
  expect(config.credentials).toEqual([DEFAULT_CREDENTIALS]);
  expect(config.usesDefaultCredentials).toBe(true);
});

test("config: several credential pairs, secrets may hold colons", () => {
  const config = resolveConfig({ credentials: "a:b:c, d:e" }, {});
  expect(config.credentials).toEqual([{ accessKeyId: "a", secretAccessKey: "b:c" }, { accessKeyId: "d", secretAccessKey: "e" }]);
  expect(config.usesDefaultCredentials).toBe(false);
  expect(() => resolveConfig({ credentials: "nocolon" }, {})).toThrow(ConfigError);
  expect(() => resolveConfig({ port: "70000" }, {})).toThrow(ConfigError);
});
