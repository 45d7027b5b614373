import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { createChecksum, parseChecksumAlgorithm, type ChecksumAlgorithm } from "../../src/core/checksums.ts";
import { vectors } from "../helpers/vectors.ts";

function inputOf(c: (typeof vectors.checksums)[number]): Uint8Array {
  if (c.input_utf8 !== undefined) return new TextEncoder().encode(c.input_utf8);
  if (c.input_hex !== undefined) return Uint8Array.from(Buffer.from(c.input_hex, "hex"));
  return new Uint8Array(c.input_repeat!.count).fill(c.input_repeat!.byte_utf8.charCodeAt(0));
}

describe("flexible checksums match the published vectors", () => {
  test.each(vectors.checksums.map((c, i) => [`${c.algorithm} #${i}`, c] as const))("%s", (_name, c) => {
    const input = inputOf(c);
    const whole = createChecksum(c.algorithm as ChecksumAlgorithm);
    whole.update(input);
    expect(whole.digest()).toBe(c.base64);
    // Fed in uneven pieces, the result is the same: the server hashes as bytes stream in.
    const pieces = createChecksum(c.algorithm as ChecksumAlgorithm);
    for (let i = 0; i < input.length; i += 7) pieces.update(input.subarray(i, i + 7));
    expect(pieces.digest()).toBe(c.base64);
  });
});

test("algorithm names parse from header names and SDK values", () => {
  expect(parseChecksumAlgorithm("x-amz-checksum-crc64nvme")).toBe("CRC64NVME");
  expect(parseChecksumAlgorithm("crc32c")).toBe("CRC32C");
  expect(parseChecksumAlgorithm("md5")).toBe("MD5");
  expect(parseChecksumAlgorithm("x-amz-checksum-xxhash64")).toBeUndefined();
});

test("SHA512 and MD5 checksums are the base64 digests", () => {
  for (const [algorithm, name] of [["SHA512", "sha512"], ["MD5", "md5"]] as const) {
    const checksum = createChecksum(algorithm);
    checksum.update(new TextEncoder().encode("hello "));
    checksum.update(new TextEncoder().encode("world"));
    expect(checksum.digest()).toBe(createHash(name).update("hello world").digest("base64"));
  }
});
