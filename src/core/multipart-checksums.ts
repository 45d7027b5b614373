// The checksum of a multipart object from its parts' checksums, without reading a byte:
// COMPOSITE is the algorithm over the concatenated part digests plus "-N"; FULL_OBJECT (CRCs only)
// combines the part CRCs as if the whole object had been hashed in one pass.
import { createChecksum, type ChecksumAlgorithm } from "./checksums.ts";

export const CHECKSUM_TYPES = ["COMPOSITE", "FULL_OBJECT"] as const;
export type ChecksumType = (typeof CHECKSUM_TYPES)[number];

/** Which checksum types S3 allows for each algorithm in a multipart upload. */
export const ALLOWED_TYPES: Record<ChecksumAlgorithm, readonly ChecksumType[]> = {
  CRC32: ["COMPOSITE", "FULL_OBJECT"],
  CRC32C: ["COMPOSITE", "FULL_OBJECT"],
  CRC64NVME: ["FULL_OBJECT"],
  SHA1: ["COMPOSITE"],
  SHA256: ["COMPOSITE"],
  SHA512: ["COMPOSITE"],
  MD5: ["COMPOSITE"],
};

/** The type an upload gets when CreateMultipartUpload names only the algorithm. */
export const defaultChecksumType = (algorithm: ChecksumAlgorithm): ChecksumType => ALLOWED_TYPES[algorithm][0]!;

export function compositeChecksum(algorithm: ChecksumAlgorithm, partValues: readonly string[]): string {
  const checksum = createChecksum(algorithm);
  for (const value of partValues) checksum.update(Buffer.from(value, "base64"));
  return `${checksum.digest()}-${partValues.length}`;
}

/** Reflected polynomials and widths of the CRCs S3 can combine. */
const CRCS: Partial<Record<ChecksumAlgorithm, { poly: bigint; width: number }>> = {
  CRC32: { poly: 0xedb88320n, width: 32 },
  CRC32C: { poly: 0x82f63b78n, width: 32 },
  CRC64NVME: { poly: 0x9a6c9329ac4bc9b5n, width: 64 },
};

/**
 * CRC arithmetic modulo the polynomial, in the reflected bit order these CRCs use (the top bit is x^0).
 * All three start from and finish with all ones, so crc(A‖B) = crc(A)·x^(8·|B|) + crc(B): the
 * combination zlib's crc32_combine uses, generalised to any width.
 */
class CrcAlgebra {
  private readonly one: bigint;
  /** x^(2^k) mod P for k = 0, 1, …: squaring steps for exponentiation. */
  private readonly powers: bigint[] = [];
  /** x^(8n) mod P by byte count n: parts mostly share one size, so this is computed once or twice. */
  private readonly shifts = new Map<number, bigint>();

  constructor(private readonly poly: bigint, width: number) {
    this.one = 1n << BigInt(width - 1);
    this.powers.push(this.one >> 1n);
  }

  multiply(a: bigint, b: bigint): bigint {
    let product = 0n;
    for (let bit = this.one; bit > 0n; bit >>= 1n) {
      if (a & bit) product ^= b;
      b = b & 1n ? (b >> 1n) ^ this.poly : b >> 1n;
    }
    return product;
  }

  private power(k: number): bigint {
    while (this.powers.length <= k) {
      const last = this.powers.at(-1)!;
      this.powers.push(this.multiply(last, last));
    }
    return this.powers[k]!;
  }

  shiftFor(bytes: number): bigint {
    let shift = this.shifts.get(bytes);
    if (shift === undefined) {
      shift = this.one;
      let exponent = BigInt(bytes) * 8n;
      for (let k = 0; exponent > 0n; k++, exponent >>= 1n) {
        if (exponent & 1n) shift = this.multiply(this.power(k), shift);
      }
      this.shifts.set(bytes, shift);
    }
    return shift;
  }
}

const algebras = new Map<ChecksumAlgorithm, CrcAlgebra>();

export const canCombine = (algorithm: ChecksumAlgorithm): boolean => CRCS[algorithm] !== undefined;

/** The CRC of the concatenated parts, from each part's CRC (base64, big-endian) and size. */
export function combineCrcs(algorithm: ChecksumAlgorithm, parts: readonly { value: string; size: number }[]): string {
  const spec = CRCS[algorithm];
  if (!spec) throw new Error(`${algorithm} cannot be combined into a full-object checksum`);
  let algebra = algebras.get(algorithm);
  if (!algebra) algebras.set(algorithm, (algebra = new CrcAlgebra(spec.poly, spec.width)));
  const bytes = spec.width / 8;
  const decode = (value: string) => BigInt(`0x${Buffer.from(value, "base64").toString("hex") || "0"}`);
  // The CRC of zero bytes is 0 for all three, so it is the neutral start.
  let crc = 0n;
  for (const part of parts) crc = algebra.multiply(algebra.shiftFor(part.size), crc) ^ decode(part.value);
  return Buffer.from(crc.toString(16).padStart(bytes * 2, "0"), "hex").toString("base64");
}
