import { describe, expect, test } from "bun:test";
import { AwsChunkedDecoder } from "../../src/core/auth/chunked.ts";
import { S3Error } from "../../src/core/errors.ts";
import { chunkSigningOf as signingOf, signedChunkedBody as signedBody, vectors } from "../helpers/vectors.ts";

/** Runs bytes through a decoder in pieces of `step` bytes; returns the decoded text and trailers. */
async function decode(body: Uint8Array, step: number, decoder = new AwsChunkedDecoder(undefined, 1 << 30)) {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < body.length; i += step) controller.enqueue(body.slice(i, i + step));
      controller.close();
    },
  });
  const out = Buffer.from(await new Response(source.pipeThrough(decoder.stream)).arrayBuffer());
  return { out, trailers: decoder.trailers, decoder };
}

const encode = (s: string) => new TextEncoder().encode(s);

describe("unsigned aws-chunked bodies with trailers", () => {
  for (const v of vectors.unsigned_trailer_framing) {
    for (const step of [1, 2, 3, 7, 1000]) {
      test(`${JSON.stringify(v.body).slice(0, 40)}… in ${step}-byte pieces`, async () => {
        const { out, trailers } = await decode(encode(v.body), step);
        expect(out.toString()).toBe(v.payload_utf8);
        const declared = v.request_headers.find(([n]) => n === "x-amz-trailer")?.[1];
        if (declared) expect(trailers.get(declared)).toBeString();
      });
    }
  }
});

describe("signed aws-chunked bodies (S3 API reference examples)", () => {
  const cases = vectors.chunked.filter((c) => c.chunks);
  test.each(cases.map((c) => [c.id, c] as const))("%s decodes and verifies", async (_id, c) => {
    const body = signedBody(c);
    expect(body.length).toBe(c.id.includes("trailer") ? 66946 : c.content_length!);
    const { out, trailers } = await decode(body, 4096, new AwsChunkedDecoder(signingOf(c), 1 << 30));
    expect(out.length).toBe(c.decoded_content_length!);
    expect(out.every((b) => b === 0x61)).toBe(true);
    if (c.trailer) expect(trailers.get("x-amz-checksum-crc32c")).toBe("sOO8/Q==");
  });

  test.each(cases.map((c) => [c.id, c] as const))("%s: one flipped data byte is SignatureDoesNotMatch", async (_id, c) => {
    const body = signedBody(c);
    body[1000] = 0x62;
    const error = await decode(body, 4096, new AwsChunkedDecoder(signingOf(c), 1 << 30)).catch((e) => e);
    expect(error).toBeInstanceOf(S3Error);
    expect(error.code).toBe("SignatureDoesNotMatch");
  });

  test("a tampered trailer value is SignatureDoesNotMatch", async () => {
    const c = vectors.chunked.find((x) => x.trailer && x.chunks)!;
    const body = Buffer.from(signedBody(c)).toString("latin1").replace("sOO8/Q==", "AAAAAA==");
    const error = await decode(Buffer.from(body, "latin1"), 4096, new AwsChunkedDecoder(signingOf(c), 1 << 30)).catch((e) => e);
    expect(error.code).toBe("SignatureDoesNotMatch");
  });

  test("a body cut short is IncompleteBody", async () => {
    const c = vectors.chunked[0]!;
    const body = signedBody(c).subarray(0, 5000);
    const error = await decode(body, 4096, new AwsChunkedDecoder(signingOf(c), 1 << 30)).catch((e) => e);
    expect(error.code).toBe("IncompleteBody");
  });
});

describe("malformed framing", () => {
  test.each([
    ["zz\r\nab\r\n0\r\n\r\n", "InvalidRequest"],
    ["2\r\nabXX0\r\n\r\n", "InvalidRequest"],
    ["2\nab\r\n0\r\n\r\n", "InvalidRequest"],
    ["2\r\nab\r\n0\r\n\r\nextra", "InvalidRequest"],
    ["5\r\nab", "IncompleteBody"],
    ["1".repeat(5000), "InvalidRequest"],
  ])("%j → %s", async (body, code) => {
    const error = await decode(encode(body), 3).catch((e) => e);
    expect(error).toBeInstanceOf(S3Error);
    expect(error.code).toBe(code);
  });

  test("more decoded bytes than allowed is EntityTooLarge", async () => {
    const error = await decode(encode("a\r\n0123456789\r\n0\r\n\r\n"), 100, new AwsChunkedDecoder(undefined, 5)).catch((e) => e);
    expect(error.code).toBe("EntityTooLarge");
  });
});
