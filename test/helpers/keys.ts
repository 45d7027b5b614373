// Random object keys for property tests: unicode, reserved and unsafe characters, empty segments,
// keys at the 1,024-byte limit. Never a "." or ".." segment (Bun resolves those; see README) and no
// C0 control characters (XML 1.0, which listings are written in, cannot carry them).
const PIECES = [
  "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "-_.~",
  "!*'();:@&=+$,?#[]", " %\"<>\\^`{|}", "/", "//",
  "é", "ü", "ñ", "ß", "日本語", "中文", "한국어", "😀", "🚀", "👩‍💻", "e\u0301", "עברית", "العربية", "\u200b", "\u00a0", "\u2028", "\ufeff",
];

const utf8Length = (s: string) => Buffer.byteLength(s);

/** One random key of at most `maxBytes` UTF-8 bytes. */
export function randomKey(rand: () => number, maxBytes = 1024): string {
  const target = rand() < 0.1 ? maxBytes : 1 + Math.floor(rand() * 80);
  let key = "";
  while (utf8Length(key) < target) {
    const alphabet = PIECES[Math.floor(rand() * PIECES.length)]!;
    // Multi-character pieces go in whole (a combining mark stays on its letter, an emoji sequence whole).
    const piece = alphabet.length > 4 && /^[\x20-\x7e]+$/.test(alphabet) ? alphabet[Math.floor(rand() * alphabet.length)]! : alphabet;
    if (utf8Length(key + piece) > maxBytes) break;
    key += piece;
  }
  // A dot segment would be resolved away by Bun before s3lite sees the path.
  key = key.split("/").map((segment) => (segment === "." || segment === ".." ? `${segment}x` : segment)).join("/");
  while (utf8Length(key) > maxBytes) key = key.slice(0, -1);
  return key || "k";
}

/** `count` distinct keys of at most `maxBytes`, one of exactly `maxBytes` among them (ending in a 3-byte character). */
export function randomKeys(rand: () => number, count: number, maxBytes = 1024): string[] {
  const keys = new Set<string>(["x".repeat(maxBytes - 3) + "日"]);
  while (keys.size < count) keys.add(randomKey(rand, maxBytes));
  return [...keys];
}
