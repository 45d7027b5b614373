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

test("config: several credential pairs, each a user named by its key or by the third field; keys of one name are one user", () => {
  const config = resolveConfig({ credentials: "a:b:alice, d:e, f:g:alice" }, {});
  expect(config.credentials).toEqual([{ accessKeyId: "a", secretAccessKey: "b" }, { accessKeyId: "f", secretAccessKey: "g" }, { accessKeyId: "d", secretAccessKey: "e" }]);
  expect(config.users.map((u) => [u.name, u.keys.map((k) => k.accessKeyId)])).toEqual([["alice", ["a", "f"]], ["d", ["d"]]]);
  expect(config.usesDefaultCredentials).toBe(false);
  expect(() => resolveConfig({ credentials: "nocolon" }, {})).toThrow(ConfigError);
  // A secret with a colon would be misread as a name: such secrets go in a users file.
  expect(() => resolveConfig({ credentials: "a:b:c:d" }, {})).toThrow(/users file/);
  expect(() => resolveConfig({ credentials: "a:b:x, a:c:y" }, {})).toThrow(/both x and y/);
  expect(() => resolveConfig({ port: "70000" }, {})).toThrow(ConfigError);
});

test("config: a users file adds users with their canonical IDs, accounts and emails; its errors name the file and the user", () => {
  const files: Record<string, string> = {
    "users.json": JSON.stringify({ users: [{ name: "bob", keys: ["BK:bs:with:colons"], email: "bob@example.com", accountId: "111122223333" }, { name: "alice", keys: [{ accessKeyId: "AK2", secretAccessKey: "s2" }] }] }),
    "bad.json": JSON.stringify([{ name: "carol", keys: [] }]),
  };
  const io = { readText: (path: string) => { if (!(path in files)) throw new Error("ENOENT"); return files[path]!; } };
  const config = resolveConfig({ credentials: "AK1:s1:alice", users: "users.json" }, {}, io);
  expect(config.users).toEqual([
    { name: "alice", keys: [{ accessKeyId: "AK1", secretAccessKey: "s1" }, { accessKeyId: "AK2", secretAccessKey: "s2" }], canonicalId: undefined, accountId: undefined, email: undefined },
    { name: "bob", keys: [{ accessKeyId: "BK", secretAccessKey: "bs:with:colons" }], canonicalId: undefined, accountId: "111122223333", email: "bob@example.com" },
  ]);
  expect(config.usesDefaultCredentials).toBe(false);
  expect(() => resolveConfig({ users: "bad.json" }, {}, io)).toThrow(/bad\.json, user 1 \(carol\): "keys"/);
  expect(() => resolveConfig({ users: "missing.json" }, {}, io)).toThrow(/Cannot read the users file missing\.json/);
  expect(() => resolveConfig({}, { S3LITE_USERS: "users.json", S3LITE_LEGACY_BUCKET_DEFAULTS: "1", S3LITE_RESTORE_DELAY: "2s" }, io)).not.toThrow();
  const fromEnv = resolveConfig({}, { S3LITE_USERS: "users.json", S3LITE_LEGACY_BUCKET_DEFAULTS: "1", S3LITE_RESTORE_DELAY: "2s" }, io);
  expect([fromEnv.users.map((u) => u.name), fromEnv.legacyBucketDefaults, fromEnv.restoreDelayMs]).toEqual([["bob", "alice"], true, 2000]);
});
