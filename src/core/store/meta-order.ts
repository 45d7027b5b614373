// Key order as SQLite's BINARY collation has it (UTF-8 bytes, which is S3's listing order, not JS's
// UTF-16 units), the bounds listings seek with, and rows converted as a listing steps them.

const SURROGATE = /[\uD800-\uDFFF]/;

/** Compares as SQLite's BINARY collation does: UTF-8 bytes, not UTF-16 code units as JS's < does. */
export function utf8Compare(a: string, b: string): number {
  if (a === b) return 0;
  // Without surrogates (characters past U+FFFF), UTF-16 order is code point order, which is UTF-8's.
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * The least string greater than every string that starts with `prefix`: its last code point plus one.
 * UTF-8 keeps code point order, so this bound holds in SQLite's byte order. Undefined means no bound.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const chars = [...prefix];
  while (chars.length > 0) {
    const last = chars.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return chars.join("") + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** Rows converted as they are stepped: a listing that stops early reads no further. */
export function* mapRows<R, T>(rows: IterableIterator<R>, convert: (row: R) => T): IterableIterator<T> {
  for (const row of rows) yield convert(row);
}
