// The SDKs' flexible checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5), computed
// incrementally. The XXHASH family of the S3 model is not supported: requests naming it are refused.
// Values travel as base64 of the big-endian digest, as in the x-amz-checksum-* headers.

export const CHECKSUM_ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "MD5"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface Checksum {
  update(chunk: Uint8Array): void;
  /** Base64 of the big-endian digest. */
  digest(): string;
}

export const checksumHeader = (algorithm: ChecksumAlgorithm): string => `x-amz-checksum-${algorithm.toLowerCase()}`;

/** "x-amz-checksum-crc32" or "crc32" → "CRC32"; anything else → undefined. */
export function parseChecksumAlgorithm(name: string): ChecksumAlgorithm | undefined {
  const upper = name.trim().toUpperCase().replace(/^X-AMZ-CHECKSUM-/, "");
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(upper) ? (upper as ChecksumAlgorithm) : undefined;
}

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case "CRC32": return new Crc32();
    case "CRC32C": return new Crc32c();
    case "CRC64NVME": return new Crc64Nvme();
    case "SHA1": return new ShaChecksum("sha1");
    case "SHA256": return new ShaChecksum("sha256");
    case "SHA512": return new ShaChecksum("sha512");
    case "MD5": return new ShaChecksum("md5");
  }
}

const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

function uint32Base64(value: number): string {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return toBase64(out);
}

/** The cryptographic digests (MD5 included, which S3 lists beside the SHAs). */
class ShaChecksum implements Checksum {
  private readonly hasher: Bun.CryptoHasher;
  constructor(algorithm: "sha1" | "sha256" | "sha512" | "md5") { this.hasher = new Bun.CryptoHasher(algorithm); }
  update(chunk: Uint8Array): void { this.hasher.update(chunk); }
  digest(): string { return this.hasher.digest("base64"); }
}

/** CRC32 (ISO-HDLC): Bun's native implementation, chained through its seed argument. */
class Crc32 implements Checksum {
  private crc = 0;
  update(chunk: Uint8Array): void { this.crc = Bun.hash.crc32(chunk, this.crc); }
  digest(): string { return uint32Base64(this.crc); }
}

/** Slicing-by-8 tables for a reflected 32-bit CRC. */
function crc32Tables(poly: number): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    tables[0]![n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) tables[t]![n] = (tables[t - 1]![n]! >>> 8) ^ tables[0]![tables[t - 1]![n]! & 0xff]!;
  }
  return tables;
}

const CRC32C_TABLES = crc32Tables(0x82f63b78);

class Crc32c implements Checksum {
  private crc = 0xffffffff;
  update(chunk: Uint8Array): void {
    const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC32C_TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    let crc = this.crc;
    let i = 0;
    const end8 = chunk.length - (chunk.length % 8);
    for (; i < end8; i += 8) {
      const a = (crc ^ (chunk[i]! | (chunk[i + 1]! << 8) | (chunk[i + 2]! << 16) | (chunk[i + 3]! << 24))) >>> 0;
      crc = t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]!
        ^ t3[chunk[i + 4]!]! ^ t2[chunk[i + 5]!]! ^ t1[chunk[i + 6]!]! ^ t0[chunk[i + 7]!]!;
    }
    for (; i < chunk.length; i++) crc = t0[(crc ^ chunk[i]!) & 0xff]! ^ (crc >>> 8);
    this.crc = crc >>> 0;
  }
  digest(): string { return uint32Base64(~this.crc); }
}

/** Slicing-by-8 tables for reflected CRC-64/NVME, each 64-bit entry split into hi and lo 32-bit halves. */
function crc64Tables(polyHi: number, polyLo: number): { hi: Uint32Array[]; lo: Uint32Array[] } {
  const hi = Array.from({ length: 8 }, () => new Uint32Array(256));
  const lo = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let h = 0, l = n;
    for (let k = 0; k < 8; k++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = h >>> 1;
      if (carry) { h = (h ^ polyHi) >>> 0; l = (l ^ polyLo) >>> 0; }
    }
    hi[0]![n] = h; lo[0]![n] = l;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) {
      const ph = hi[t - 1]![n]!, pl = lo[t - 1]![n]!;
      const idx = pl & 0xff;
      lo[t]![n] = (((pl >>> 8) | (ph << 24)) ^ lo[0]![idx]!) >>> 0;
      hi[t]![n] = ((ph >>> 8) ^ hi[0]![idx]!) >>> 0;
    }
  }
  return { hi, lo };
}

const CRC64_TABLES = crc64Tables(0x9a6c9329, 0xac4bc9b5);

class Crc64Nvme implements Checksum {
  private hi = 0xffffffff;
  private lo = 0xffffffff;
  update(chunk: Uint8Array): void {
    const H = CRC64_TABLES.hi, L = CRC64_TABLES.lo;
    let hi = this.hi, lo = this.lo;
    let i = 0;
    const end8 = chunk.length - (chunk.length % 8);
    for (; i < end8; i += 8) {
      const a = (lo ^ (chunk[i]! | (chunk[i + 1]! << 8) | (chunk[i + 2]! << 16) | (chunk[i + 3]! << 24))) >>> 0;
      const b = (hi ^ (chunk[i + 4]! | (chunk[i + 5]! << 8) | (chunk[i + 6]! << 16) | (chunk[i + 7]! << 24))) >>> 0;
      lo = L[7]![a & 0xff]! ^ L[6]![(a >>> 8) & 0xff]! ^ L[5]![(a >>> 16) & 0xff]! ^ L[4]![a >>> 24]!
        ^ L[3]![b & 0xff]! ^ L[2]![(b >>> 8) & 0xff]! ^ L[1]![(b >>> 16) & 0xff]! ^ L[0]![b >>> 24]!;
      hi = H[7]![a & 0xff]! ^ H[6]![(a >>> 8) & 0xff]! ^ H[5]![(a >>> 16) & 0xff]! ^ H[4]![a >>> 24]!
        ^ H[3]![b & 0xff]! ^ H[2]![(b >>> 8) & 0xff]! ^ H[1]![(b >>> 16) & 0xff]! ^ H[0]![b >>> 24]!;
    }
    for (; i < chunk.length; i++) {
      const idx = (lo ^ chunk[i]!) & 0xff;
      lo = (((lo >>> 8) | (hi << 24)) ^ L[0]![idx]!) >>> 0;
      hi = ((hi >>> 8) ^ H[0]![idx]!) >>> 0;
    }
    this.hi = hi >>> 0; this.lo = lo >>> 0;
  }
  digest(): string {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, ~this.hi >>> 0);
    view.setUint32(4, ~this.lo >>> 0);
    return toBase64(out);
  }
}
