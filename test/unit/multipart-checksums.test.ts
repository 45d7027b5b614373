import { describe, expect, test } from "bun:test";
import { createChecksum, type ChecksumAlgorithm } from "../../src/core/checksums.ts";
import { combineCrcs, compositeChecksum } from "../../src/core/multipart-checksums.ts";

function digest(algorithm: ChecksumAlgorithm, ...chunks: Uint8Array[]): string {
  const checksum = createChecksum(algorithm);
  for (const chunk of chunks) checksum.update(chunk);
  return checksum.digest();
}

const bytes = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed * 7 + (i >> 5)) & 0xff);

describe("full-object CRCs combined from part CRCs equal the CRC of the whole", () => {
  for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME"] as const) {
    test(algorithm, () => {
      // Uneven sizes, an empty part and a single byte: the shift must follow each part's size.
      const parts = [bytes(1000, 1), bytes(4096, 2), bytes(0, 3), bytes(1, 4), bytes(77_777, 5)];
      const combined = combineCrcs(algorithm, parts.map((p) => ({ value: digest(algorithm, p), size: p.length })));
      expect(combined).toBe(digest(algorithm, ...parts));
      expect(combineCrcs(algorithm, [{ value: digest(algorithm, parts[4]!), size: parts[4]!.length }])).toBe(digest(algorithm, parts[4]!));
    });
  }
});

test("a COMPOSITE checksum hashes the concatenated part digests and appends the part count", () => {
  const parts = [bytes(10, 1), bytes(20, 2)].map((p) => digest("SHA256", p));
  const expected = createChecksum("SHA256");
  for (const p of parts) expected.update(Buffer.from(p, "base64"));
  expect(compositeChecksum("SHA256", parts)).toBe(`${expected.digest()}-2`);
});
