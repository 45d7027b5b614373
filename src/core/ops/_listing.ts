// One page of a bucket listing in S3's order, with delimiter roll-up. Shared by ListObjects v1 and v2.
// A rolled-up common prefix is skipped with one jump past its last possible key, not walked key by key.
import type { Metadata, ObjectRow } from "../store/meta.ts";
import { prefixUpperBound } from "../store/meta.ts";

export interface ListingRequest {
  prefix: string;
  delimiter: string;
  /** List strictly after this key (marker, start-after or continuation token). */
  after: string;
  maxKeys: number;
}

export interface ListingPage {
  contents: ObjectRow[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last?: string;
}

export function listPage(meta: Metadata, bucket: string, r: ListingRequest): ListingPage {
  const page: ListingPage = { contents: [], commonPrefixes: [], isTruncated: false };
  if (r.maxKeys === 0) return page;
  const batch = Math.min(r.maxKeys + 1, 1001);
  let after = r.after;
  let from = r.prefix;
  for (;;) {
    const rows = meta.listObjects(bucket, r.prefix, after, batch, from);
    let jumped = false;
    for (const row of rows) {
      if (page.contents.length + page.commonPrefixes.length === r.maxKeys) {
        page.isTruncated = true;
        return page;
      }
      const common = r.delimiter ? commonPrefixOf(row.key, r.prefix, r.delimiter) : undefined;
      if (common === undefined) {
        page.contents.push(row);
        page.last = after = row.key;
        continue;
      }
      // A marker inside this prefix means the prefix was returned on an earlier page.
      if (!after.startsWith(common)) {
        page.commonPrefixes.push(common);
        page.last = common;
      }
      const next = prefixUpperBound(common);
      if (next === undefined) return page;
      from = next;
      jumped = true;
      break;
    }
    if (!jumped && rows.length < batch) return page;
  }
}

function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}
