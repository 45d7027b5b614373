// One page of a listing in S3's order, with delimiter roll-up. Shared by ListObjects v1 and v2 and by
// ListMultipartUploads. A rolled-up common prefix is skipped with one jump past its last possible key,
// not walked key by key, so a page costs O(page) whatever the bucket holds.
import type { Metadata, ObjectRow } from "../store/meta.ts";
import { prefixUpperBound } from "../store/meta.ts";

/**
 * Where a listing reads its rows: in key order, after a cursor, from a key on, at most `limit`.
 * Rows are produced as they are consumed, so a batch abandoned at a rolled-up prefix costs nothing more.
 */
export interface ListSource<T, C> {
  fetch(after: C, from: string, limit: number): Iterable<T>;
  cursorOf(row: T): C;
}

export interface ListingRequest<C> {
  prefix: string;
  delimiter: string;
  /** List strictly after this cursor (marker, start-after or continuation token)… */
  after: C;
  /** …whose key this is. */
  afterKey: string;
  maxKeys: number;
}

export interface ListingPage<T> {
  contents: T[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last?: string;
  /** The last row returned, if the page ended on one. */
  lastRow?: T;
}

export function listPage<T extends { key: string }, C>(source: ListSource<T, C>, r: ListingRequest<C>): ListingPage<T> {
  const page: ListingPage<T> = { contents: [], commonPrefixes: [], isTruncated: false };
  if (r.maxKeys === 0) return page;
  const batch = Math.min(r.maxKeys + 1, 1001);
  let after = r.after, afterKey = r.afterKey;
  let from = r.prefix;
  for (;;) {
    let jumped = false, seen = 0;
    for (const row of source.fetch(after, from, batch)) {
      seen++;
      if (page.contents.length + page.commonPrefixes.length === r.maxKeys) {
        page.isTruncated = true;
        return page;
      }
      const common = r.delimiter ? commonPrefixOf(row.key, r.prefix, r.delimiter) : undefined;
      if (common === undefined) {
        page.contents.push(row);
        page.last = afterKey = row.key;
        page.lastRow = row;
        after = source.cursorOf(row);
        continue;
      }
      // A marker inside this prefix means the prefix was returned on an earlier page.
      if (!afterKey.startsWith(common)) {
        page.commonPrefixes.push(common);
        page.last = common;
        page.lastRow = undefined;
      }
      const next = prefixUpperBound(common);
      if (next === undefined) return page;
      from = next;
      jumped = true;
      break;
    }
    if (!jumped && seen < batch) return page;
  }
}

/** A page of a bucket's objects; `after` is a key. */
export function listObjectPage(meta: Metadata, bucket: string, r: Omit<ListingRequest<string>, "afterKey">): ListingPage<ObjectRow> {
  const source: ListSource<ObjectRow, string> = {
    fetch: (after, from, limit) => meta.listObjects(bucket, r.prefix, after, limit, from),
    cursorOf: (row) => row.key,
  };
  return listPage(source, { ...r, afterKey: r.after });
}

function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}
