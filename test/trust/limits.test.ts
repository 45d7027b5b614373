// S3's limits hold, refused with S3's error, in bounded time and memory: header and metadata sizes,
// XML bodies that are bombs, too deep or too big, and keys or buckets that try to leave the data folder.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { CreateMultipartUploadCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { errorOf } from "../helpers/data.ts";
import { sendRaw } from "../helpers/raw-http.ts";
import { fetchSigned, presign } from "../helpers/signed-fetch.ts";
import type { TestServer } from "../helpers/server.ts";
import { startWithBucket } from "../helpers/suite.ts";

let s: TestServer;
let bucket: string;
beforeAll(async () => ({ s, bucket } = await startWithBucket("limits")));
afterAll(() => s.stop());

const codeOf = (text: string) => /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
const md5Base64 = (text: string) => new Bun.CryptoHasher("md5").update(text).digest("base64");

/** A signed POST of an XML body to `path`, with the Content-MD5 the XML operations want. */
const postXml = (path: string, xml: string, method = "POST") =>
  fetchSigned(`${s.url}${path}`, { method, body: xml, headers: { "content-md5": md5Base64(xml), "content-type": "application/xml" } });

/** The server still answers an ordinary request. */
const stillServing = async () => {
  await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "alive", Body: "yes" }));
  expect(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "alive" }))).Body!.transformToString()).toBe("yes");
};

describe("headers", () => {
  test("more than 8 KB of headers is RequestHeaderSectionTooLarge; 8 KB is fine", async () => {
    const ok = await fetchSigned(`${s.url}/${bucket}?list-type=2`, { headers: { "x-filler": "a".repeat(7000) } });
    expect(ok.status).toBe(200);
    const res = await fetchSigned(`${s.url}/${bucket}?list-type=2`, { headers: { "x-filler": "a".repeat(8500) } });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(codeOf(text)).toBe("RequestHeaderSectionTooLarge");
    expect(text).toContain("<MaxSizeAllowed>8192</MaxSizeAllowed>");
  });

  test("a long Set-Cookie header in a request counts like any other", async () => {
    const res = await fetchSigned(`${s.url}/${bucket}?list-type=2`, { afterSigning: (h) => { h["set-cookie"] = `a=${"c".repeat(9000)}`; } });
    expect(res.status).toBe(400);
    expect(codeOf(await res.text())).toBe("RequestHeaderSectionTooLarge");
  });

  test("a browser's cookies for localhost do not count: AWS would never receive them", async () => {
    const res = await fetchSigned(`${s.url}/${bucket}?list-type=2`, { afterSigning: (h) => { h.cookie = `session=${"c".repeat(9000)}`; } });
    expect(res.status).toBe(200);
  });

  test("headers beyond Bun's own 16 KB cut are refused before s3lite sees them, and the server carries on", async () => {
    const { host } = new URL(s.url);
    const res = await sendRaw(s.url, `GET /${bucket} HTTP/1.1\r\nHost: ${host}\r\nX-Filler: ${"a".repeat(20_000)}\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(431);
    await stillServing();
  });

  test("user metadata over 2 KB is MetadataTooLarge, 2 KB is stored", async () => {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "meta-ok", Body: "x", Metadata: { big: "m".repeat(2048 - 3) } }));
    const e = await errorOf(s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "meta-big", Body: "x", Metadata: { big: "m".repeat(2048 - 2) } })));
    expect([e.name, e.$metadata.httpStatusCode]).toEqual(["MetadataTooLarge", 400]);
    const e2 = await errorOf(s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "meta-big", Metadata: { a: "m".repeat(1500), b: "m".repeat(1500) } })));
    expect(e2.name).toBe("MetadataTooLarge");
  });
});

describe("sizes", () => {
  test("a PUT or UploadPart declaring more than 5 GiB is EntityTooLarge at once, before any byte is read", async () => {
    const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "huge" }));
    for (const path of [`/${bucket}/huge`, `/${bucket}/huge?partNumber=1&uploadId=${UploadId}`]) {
      const url = await presign(`${s.url}${path}`, { method: "PUT" });
      const { host } = new URL(s.url);
      const started = performance.now();
      const res = await sendRaw(s.url, `PUT ${url.slice(url.indexOf("/", 8))} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${5 * 1024 ** 3 + 1}\r\nConnection: close\r\n\r\n`, new Uint8Array(1024), 3000);
      expect([path, res.status, codeOf(res.body)]).toEqual([path, 400, "EntityTooLarge"]);
      expect(res.body).toContain(`<MaxSizeAllowed>${5 * 1024 ** 3}</MaxSizeAllowed>`);
      expect(performance.now() - started).toBeLessThan(2500); // answered, not waiting for 5 GiB
    }
    await stillServing();
  });
});

describe("XML bodies", () => {
  const deleteOf = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Delete>${inner}</Delete>`;

  test("an entity expansion bomb is MalformedXML at once, and expands nothing", async () => {
    const entities = Array.from({ length: 10 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join("");
    const bomb = `<?xml version="1.0"?><!DOCTYPE Delete [<!ENTITY l0 "lol">${entities}]><Delete><Object><Key>&l10;</Key></Object></Delete>`;
    const started = performance.now();
    const res = await postXml(`/${bucket}?delete`, bomb);
    expect(codeOf(await res.text())).toBe("MalformedXML");
    expect(res.status).toBe(400);
    expect(performance.now() - started).toBeLessThan(2000); // 10^10 expansions would take forever
    await stillServing();
  });

  test("an external entity (XXE) is MalformedXML and reads no file", async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE Delete [<!ENTITY x SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&x;</Key></Object></Delete>`;
    const res = await postXml(`/${bucket}?delete`, xxe);
    const text = await res.text();
    expect(codeOf(text)).toBe("MalformedXML");
    expect(text).not.toContain("root:");
  });

  test("100,000 levels of nesting are MalformedXML, not a crash", async () => {
    const deep = deleteOf(`${"<Object>".repeat(100_000)}${"</Object>".repeat(100_000)}`);
    const res = await postXml(`/${bucket}?delete`, deep);
    expect(res.status).toBe(400);
    expect(codeOf(await res.text())).toBe("MalformedXML");
    await stillServing();
  });

  test("XML bodies larger than the operation allows are MaxMessageLengthExceeded, read no further", async () => {
    const huge = deleteOf(`<Object><Key>${"k".repeat(9 * 1024 * 1024)}</Key></Object>`);
    const del = await postXml(`/${bucket}?delete`, huge);
    expect([del.status, codeOf(await del.text())]).toEqual([400, "MaxMessageLengthExceeded"]);
    const cors = await postXml(`/${bucket}?cors`, `<CORSConfiguration>${"<CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule>".repeat(2000)}</CORSConfiguration>`, "PUT");
    expect([cors.status, codeOf(await cors.text())]).toEqual([400, "MaxMessageLengthExceeded"]);
    await stillServing();
  });

  test("not XML at all, or XML of another shape, is MalformedXML", async () => {
    for (const body of ["", "not xml", "<Delete>", "<Delete><Object><Key>a</Key></Object>", "<Other/>", "<Delete><Object/></Delete>"]) {
      const res = await postXml(`/${bucket}?delete`, body);
      expect([body, res.status, codeOf(await res.text())]).toEqual([body, 400, "MalformedXML"]);
    }
  });
});

describe("names that try to leave the data folder", () => {
  /** Every file under the folder that holds the data folder: only blobs, metadata and their folders. */
  function filesNear(): string[] {
    const root = dirname(s.dataDir);
    const found: string[] = [];
    const walk = (dir: string, depth: number) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.name.includes("escape")) found.push(join(dir, entry.name));
        if (entry.isDirectory() && depth < 6) walk(join(dir, entry.name), depth + 1);
      }
    };
    walk(s.dataDir, 0);
    for (const entry of readdirSync(root)) if (entry.includes("escape")) found.push(join(root, entry));
    return found;
  }

  test("keys made of ../, \\ and absolute paths are just keys: stored by content hash, listed as sent", async () => {
    // As the SDK sends them ("/" kept), and as clients that write "/" as %2F send them.
    const sdkKeys = ["/etc/escape-1", "..\\..\\escape-2", "~/escape-3", "....//escape-4", "..a/..b/escape-5", "%2e%2e%2fescape-6"];
    for (const key of sdkKeys) {
      await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
      expect(await (await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString()).toBe(key);
    }
    const rawKeys = { "..%2F..%2F..%2Fescape-7": "../../../escape-7", "blobs%2F..%2F..%2Fescape-8": "blobs/../../escape-8", "%2Ftmp%2Fescape-9": "/tmp/escape-9" };
    for (const [raw, key] of Object.entries(rawKeys)) {
      const res = await fetchSigned(`${s.url}/${bucket}/${raw}`, { method: "PUT", body: key, payload: "sha256" });
      expect([raw, res.status]).toEqual([raw, 200]);
      expect(await (await fetchSigned(`${s.url}/${bucket}/${raw}`)).text()).toBe(key);
    }
    const listed = (await s.client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents!.map((c) => c.Key);
    expect(listed).toEqual(expect.arrayContaining([...sdkKeys, ...Object.values(rawKeys)]));
    expect(filesNear()).toEqual([]);
    for (const name of readdirSync(join(s.dataDir, "blobs"))) expect(name).toMatch(/^[0-9a-f]{2}$/);
  });

  test("keys with dot segments sent as such are refused (see README), and reach no file either", async () => {
    for (const key of ["../../escape-10", "a/../../../escape-11", "./escape-12"]) {
      const e = await errorOf(s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key })));
      expect([key, e.name]).toEqual([key, "SignatureDoesNotMatch"]);
    }
    expect(filesNear()).toEqual([]);
  });

  test("bucket names that are paths are InvalidBucketName", async () => {
    for (const raw of ["..%2Fescape", "%2E%2E%2Fescape", "a%2Fb", "escape%5C.."]) {
      const res = await fetchSigned(`${s.url}/${raw}`, { method: "PUT" });
      expect([raw, res.status, codeOf(await res.text())]).toEqual([raw, 400, "InvalidBucketName"]);
    }
    expect(filesNear()).toEqual([]);
  });
});
