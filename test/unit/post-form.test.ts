import { expect, test } from "bun:test";
import { formBoundary, readPostForm } from "../../src/core/post-form.ts";
import { S3Error } from "../../src/core/errors.ts";

/** The bytes and Content-Type Bun's own FormData encoder produces, as a browser would send them. */
async function encode(fields: Record<string, string>, file: Uint8Array, after: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("file", new Blob([file]), "f.bin");
  for (const [k, v] of Object.entries(after)) form.append(k, v);
  const res = new Response(form);
  const contentType = res.headers.get("content-type")!; // read first: Bun drops it once the body is consumed
  return { bytes: new Uint8Array(await res.arrayBuffer()), contentType };
}

/** Delivers bytes in chunks of the given sizes (cycled), so boundaries straddle reads. */
function chunked(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let offset = 0, i = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      const n = sizes[i++ % sizes.length]!;
      controller.enqueue(bytes.slice(offset, offset + n));
      offset += n;
    },
  });
}

test("fields and file come out whole however the body is split, even when the file holds near-boundaries", async () => {
  const { bytes: probe, contentType } = await encode({}, new Uint8Array());
  const boundary = formBoundary(contentType)!;
  expect(new TextDecoder().decode(probe)).toContain(boundary);
  // A file that contains the delimiter's every proper prefix: each must be passed through as data.
  const tricky = new TextEncoder().encode(Array.from({ length: 12 }, (_, n) => `\r\n--${"-".repeat(n)}x`).join("") + "\r\n-");
  const file = new Uint8Array([...crypto.getRandomValues(new Uint8Array(70_000)), ...tricky]);
  const { bytes, contentType: type } = await encode({ key: "a/${filename}", Policy: "cG9saWN5", "x-amz-meta-ü": "wert" }, file, { late: "x" });
  for (const sizes of [[1], [7, 3], [4096], [bytes.length]]) {
    const form = await readPostForm(chunked(bytes, sizes), formBoundary(type)!);
    expect(Object.fromEntries(form.fields)).toEqual({ key: "a/${filename}", policy: "cG9saWN5", "x-amz-meta-ü": "wert" });
    expect(form.file.filename).toBe("f.bin");
    const got = new Uint8Array(await new Response(form.file.stream).arrayBuffer());
    expect(Buffer.compare(got, file)).toBe(0);
  }
});

test("a form without a file, a truncated file and a malformed body are MalformedPOSTRequest", async () => {
  const codeOf = (p: Promise<unknown>) => p.then(() => "none", (e: S3Error) => e.code);
  const noFile = new Response((() => { const f = new FormData(); f.append("key", "k"); return f; })());
  const boundary = formBoundary(noFile.headers.get("content-type"))!;
  expect(await codeOf(readPostForm(noFile.body!, boundary))).toBe("MalformedPOSTRequest");

  const { bytes, contentType } = await encode({ key: "k" }, new Uint8Array(5000).fill(65));
  const cut = bytes.slice(0, bytes.length - 3000);
  const form = await readPostForm(chunked(cut, [512]), formBoundary(contentType)!);
  expect(await codeOf(new Response(form.file.stream).arrayBuffer())).toBe("MalformedPOSTRequest");

  expect(await codeOf(readPostForm(chunked(new TextEncoder().encode("not a form at all"), [5]), "xyz"))).toBe("MalformedPOSTRequest");
  expect(formBoundary("application/x-www-form-urlencoded")).toBeUndefined();
  expect(formBoundary('multipart/form-data; boundary="quoted b"')).toBe("quoted b");
});

test("fields before the file are capped; the file is not", async () => {
  const { bytes, contentType } = await encode({ big: "v".repeat(70 * 1024) }, new Uint8Array(10));
  const error = await readPostForm(chunked(bytes, [65536]), formBoundary(contentType)!).catch((e: S3Error) => e);
  expect((error as S3Error).code).toBe("MaxPostPreDataLengthExceeded");
  const large = await encode({ key: "k" }, new Uint8Array(3 * 1024 * 1024));
  const form = await readPostForm(chunked(large.bytes, [1024 * 1024]), formBoundary(large.contentType)!);
  expect((await new Response(form.file.stream).arrayBuffer()).byteLength).toBe(3 * 1024 * 1024);
});
