// SSE-C's CTR arithmetic: the counter block for any offset, carried across bytes, matches what one
// AES-256-CTR stream from the start produces, so a Range decrypts the same bytes as a whole read.
import { describe, expect, test } from "bun:test";
import { createCipheriv, randomBytes } from "node:crypto";
import { counterAt, readCustomerKey } from "../../src/core/ops/_sse-c.ts";
import { S3Error } from "../../src/core/errors.ts";

describe("counterAt", () => {
  test.each([
    ["00000000000000000000000000000000", 0, "00000000000000000000000000000000"],
    ["00000000000000000000000000000000", 15, "00000000000000000000000000000000"],
    ["00000000000000000000000000000000", 16, "00000000000000000000000000000001"],
    ["000000000000000000000000000000ff", 16, "00000000000000000000000000000100"],
    ["ffffffffffffffffffffffffffffffff", 16, "00000000000000000000000000000000"],
    ["0000000000000000ffffffffffffffff", 16 * 2, "00000000000000010000000000000001"],
  ])("IV %s at offset %d is %s", (iv, offset, counter) => {
    expect(counterAt(Buffer.from(iv, "hex"), offset).toString("hex")).toBe(counter);
  });

  test("a cipher started at counterAt(offset) continues the stream from byte offset, whatever the IV", () => {
    const key = randomBytes(32), plain = randomBytes(4096);
    for (const iv of [randomBytes(16), Buffer.alloc(16, 0xff), Buffer.from("fffffffffffffffffffffffffffffff0", "hex")]) {
      const whole = createCipheriv("aes-256-ctr", key, iv).update(plain);
      for (const offset of [0, 1, 16, 17, 1000, 4095]) {
        const cipher = createCipheriv("aes-256-ctr", key, counterAt(iv, offset));
        cipher.update(Buffer.alloc(offset % 16));
        expect(cipher.update(plain.subarray(offset)).equals(whole.subarray(offset))).toBe(true);
      }
    }
  });
});

describe("readCustomerKey", () => {
  const key = Buffer.alloc(32, 9);
  const md5 = new Bun.CryptoHasher("md5").update(key).digest("base64");
  const headers = (fields: Record<string, string>) => new Headers(fields);
  const A = "x-amz-server-side-encryption-customer-algorithm", K = "x-amz-server-side-encryption-customer-key", M = "x-amz-server-side-encryption-customer-key-md5";

  test("none of the headers is no key; all three give the key and its MD5", () => {
    expect(readCustomerKey(headers({}))).toBeUndefined();
    expect(readCustomerKey(headers({ [A]: "AES256", [K]: key.toString("base64"), [M]: md5 }))).toEqual({ key, md5 });
  });

  test.each([
    [{ [K]: key.toString("base64"), [M]: md5 }, "InvalidArgument"],
    [{ [A]: "AES128", [K]: key.toString("base64"), [M]: md5 }, "InvalidEncryptionAlgorithmError"],
    [{ [A]: "AES256", [M]: md5 }, "InvalidArgument"],
    [{ [A]: "AES256", [K]: key.toString("base64") }, "InvalidArgument"],
    [{ [A]: "AES256", [K]: key.subarray(0, 31).toString("base64"), [M]: md5 }, "InvalidArgument"],
    [{ [A]: "AES256", [K]: Buffer.alloc(32, 8).toString("base64"), [M]: md5 }, "InvalidArgument"],
  ])("%j is %s", (fields, code) => {
    let thrown: unknown;
    try { readCustomerKey(headers(fields)); } catch (error) { thrown = error; }
    expect(thrown).toBeInstanceOf(S3Error);
    expect(String((thrown as S3Error).code)).toBe(code);
  });
});
