// Listing: a bucket of 10,000 keys read in pages, single pages from a bucket of 1,000,000, and
// ListObjectVersions pages from a versioned bucket of 1,000,000 versions. The peer lists the
// 10,000-key bucket (bench/peer.ts seeds it); the other rows show "—" for it, each saying why.
import { openStore } from "../src/core/store/open.ts";
import type { ServerProcess } from "../test/helpers/server-process.ts";
import type { Peer } from "./peer.ts";
import { SIZES, expectOk, medianOf, peerFigure, presigned, record } from "./common.ts";

/**
 * Listing buckets of 10 and SIZES.listDirs folders of 1,000 keys each (10,000 and 1,000,000 keys),
 * written straight into the metadata before the server starts: a listing reads rows only, and a
 * million PUTs would measure the PUT path instead. Every row points at one blob that is never read.
 */
export const LIST_SMALL = "list-small", LIST_LARGE = "list-large", LIST_VERSIONS = "list-versions";
/** Versions per key in the versioned bucket: SIZES.listDirs × 100 keys of this many versions each. */
const VERSIONS_PER_KEY = 10;
export function seedListingBuckets(dataDir: string): void {
  const store = openStore(dataDir);
  const now = Date.now();
  const empty = new Bun.CryptoHasher("sha256").digest("hex");
  try {
    for (const [bucket, dirs] of [[LIST_SMALL, 10], [LIST_LARGE, SIZES.listDirs]] as const) {
      store.meta.createBucket(bucket, "us-east-1", now);
      store.meta.db.transaction(() => {
        for (let d = 0; d < dirs; d++) {
          for (let f = 0; f < 1000; f++) {
            store.meta.putObject({
              bucket, key: `dir-${String(d).padStart(4, "0")}/file-${String(f).padStart(4, "0")}.txt`, sha256: empty, size: 0,
              etag: '"d41d8cd98f00b204e9800998ecf8427e"', lastModified: now, contentType: "text/plain", headers: {}, metadata: {},
              checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 0, owner: "", acl: null,
            });
          }
        }
      })();
    }
    // Through putObject, as writes make them: each write turns the key's current version noncurrent.
    store.meta.createBucket(LIST_VERSIONS, "us-east-1", now);
    store.meta.setBucketConfig(LIST_VERSIONS, "versioning", { Status: "Enabled" });
    store.meta.db.transaction(() => {
      for (let k = 0; k < SIZES.listDirs * 100; k++) {
        for (let v = 0; v < VERSIONS_PER_KEY; v++) {
          store.meta.putObject({
            bucket: LIST_VERSIONS, key: `key-${String(k).padStart(6, "0")}`, sha256: empty, size: 0,
            etag: '"d41d8cd98f00b204e9800998ecf8427e"', lastModified: now, contentType: "text/plain", headers: {}, metadata: {},
            checksumAlgorithm: null, checksumValue: null, checksumType: null, partsCount: 0, owner: "", acl: null,
          });
        }
      }
    })();
  } finally {
    store.close();
  }
}

/** One ListObjectsV2 (or, with `versions`, ListObjectVersions) request, presigned beforehand so only the request is timed. */
async function listPage(s3: { url: string }, bucket: string, query: string, versions = false): Promise<{ ms: number; token?: string; count: number }> {
  const url = await presigned(`${s3.url}/${bucket}?${versions ? "versions" : "list-type=2"}&${query}`);
  const started = performance.now();
  const text = await (await expectOk(await fetch(url))).text();
  const ms = performance.now() - started;
  const token = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(text)?.[1];
  const count = (text.match(/<Key>|<CommonPrefixes>/g) ?? []).length;
  return { ms, token, count };
}

export async function listing(s3: ServerProcess, peer: Peer | undefined): Promise<void> {
  const large = `${(SIZES.listDirs * 1000).toLocaleString("en-US")}-key`;
  const fullListing = (server: { url: string }) => medianOf(5, async () => {
    let total = 0, keys = 0, token: string | undefined;
    do {
      const page = await listPage(server, LIST_SMALL, `max-keys=1000${token ? `&continuation-token=${encodeURIComponent(token)}` : ""}`);
      total += page.ms;
      keys += page.count;
      token = page.token;
    } while (token);
    if (keys !== 10_000) throw new Error(`listed ${keys} keys, expected 10000`);
    return total;
  });
  record({ scenario: "ListObjectsV2 of 10,000 keys in 10 pages of 1,000 (median of 5)", unit: "ms", s3lite: await fullListing(s3), peer: peer && await peerFigure("ListObjectsV2 of 10,000 keys", () => fullListing(peer)), higherIsBetter: false });
  const page = async (server: { url: string }, bucket: string, query: string, versions = false) => medianOf(21, async () => {
    const result = await listPage(server, bucket, query, versions);
    if (result.count !== 1000) throw new Error(`a page of ${result.count}, expected 1000 (${bucket}?${query})`);
    return result.ms;
  });
  const middle = `start-after=${encodeURIComponent(`dir-${String(Math.floor(SIZES.listDirs / 2)).padStart(4, "0")}/file-0500.txt`)}`;
  const smallPage = "start-after=dir-0004/file-0500.txt";
  record({ scenario: "one 1,000-key page from the 10,000-key bucket (median of 21)", unit: "ms", s3lite: await page(s3, LIST_SMALL, smallPage), peer: peer && await peerFigure("one page of 10,000", () => page(peer, LIST_SMALL, smallPage)), higherIsBetter: false });
  // The peer's column stays empty from here: its bucket of 1,000,000 keys would be three million
  // files (see seedPeerListing), and s3rver has no versioning (ListObjectVersions answers 405).
  record({ scenario: `one 1,000-key page from the ${large} bucket, from its middle`, unit: "ms", s3lite: await page(s3, LIST_LARGE, middle), higherIsBetter: false });
  const versions = (SIZES.listDirs * 100 * VERSIONS_PER_KEY).toLocaleString("en-US");
  const middleKey = `key-${String(SIZES.listDirs * 50).padStart(6, "0")}`;
  record({ scenario: `one ListObjectVersions page of 1,000 of ${versions} versions, mid-bucket`, unit: "ms", s3lite: await page(s3, LIST_VERSIONS, `key-marker=${middleKey}`, true), higherIsBetter: false });
  if (SIZES.listDirs >= 1000) {
    // Each CommonPrefix rolls up 1,000 keys: the page skips past them rather than walking a million rows.
    record({ scenario: `one page of 1,000 CommonPrefixes from the ${large} bucket`, unit: "ms", s3lite: await page(s3, LIST_LARGE, "delimiter=%2F"), higherIsBetter: false });
  }
}

