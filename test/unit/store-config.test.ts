// The store's settings: sizes, --memory and what it excludes, and gc/fsck's folder and ages.
import { expect, test } from "bun:test";
import { ConfigError, parseSize, resolveConfig, resolveMaintenanceConfig } from "../../src/core/config.ts";

test("sizes take binary and decimal units, or bare bytes", () => {
  expect(parseSize("64MiB")).toBe(64 * 1024 ** 2);
  expect(parseSize("2GiB")).toBe(2 * 1024 ** 3);
  expect(parseSize("1.5g")).toBe(1.5 * 1024 ** 3);
  expect(parseSize("500MB")).toBe(500e6);
  expect(parseSize(" 4096 ")).toBe(4096);
  for (const bad of ["", "MiB", "-1MiB", "0", "12 parsecs", "1e9"]) expect(() => parseSize(bad)).toThrow(ConfigError);
});

test("--memory: off by default, 512MiB unless --memory-limit says otherwise, and no ephemeral folder", () => {
  expect(resolveConfig({}, {})).toMatchObject({ memory: false, memoryLimit: 512 * 1024 ** 2 });
  expect(resolveConfig({ memory: true, "memory-limit": "64MiB" }, {})).toMatchObject({ memory: true, memoryLimit: 64 * 1024 ** 2, ephemeral: false });
  expect(resolveConfig({}, { S3LITE_MEMORY: "1", S3LITE_MEMORY_LIMIT: "1GiB", S3LITE_EPHEMERAL: "1" })).toMatchObject({ memory: true, memoryLimit: 1024 ** 3, ephemeral: false });
});

test("--memory refuses the flags of a data folder, and --memory-limit needs --memory", () => {
  for (const flags of [{ data: "./d" }, { ephemeral: true }, { fsync: true }]) {
    expect(() => resolveConfig({ memory: true, ...flags }, {})).toThrow(/--memory keeps everything in the process; --\w+ is about a data folder/);
  }
  expect(() => resolveConfig({ "memory-limit": "1GiB" }, {})).toThrow(/add --memory/);
  expect(() => resolveConfig({ memory: true, "memory-limit": "lots" }, {})).toThrow(/Invalid size/);
});

test("gc and fsck: the data folder as serve finds it, and their ages with defaults", () => {
  expect(resolveMaintenanceConfig({}, {})).toEqual({ dataDir: "./s3lite-data", graceMs: 15 * 60_000, uploadMaxAgeMs: 7 * 86_400_000 });
  expect(resolveMaintenanceConfig({ grace: "0s", "upload-age": "2h" }, { S3LITE_DATA: "/var/s3" })).toEqual({ dataDir: "/var/s3", graceMs: 0, uploadMaxAgeMs: 7_200_000 });
  expect(resolveMaintenanceConfig({ data: "/flag" }, { S3LITE_DATA: "/env" }).dataDir).toBe("/flag");
  expect(() => resolveMaintenanceConfig({ grace: "soon" }, {})).toThrow(ConfigError);
});
