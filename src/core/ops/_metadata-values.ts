// User metadata values with characters beyond printable ASCII, as AWS treats them: decoded on the way
// in (RFC 2047 encoded-words, or the UTF-8 bytes a client sent raw) and stored as text, then sent back
// as one RFC 2047 encoded-word (`=?UTF-8?B?…?=`), since a header carries bytes, not characters.
// Header values arrive as Bun gives them: one character per byte received (Latin-1).

const utf8 = new TextDecoder("utf-8", { fatal: true });
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
/** Whitespace between two encoded-words belongs to neither (RFC 2047 §6.2). */
const BETWEEN_WORDS = /(\?=)[ \t]+(?==\?)/g;

/** A metadata value as received → the text it stands for. */
export function metadataFromWire(raw: string): string {
  if (PRINTABLE_ASCII.test(raw)) return raw.includes("=?") ? decodeEncodedWords(raw) : raw;
  const bytes = Buffer.from(raw, "latin1");
  try {
    return utf8.decode(bytes);
  } catch {
    return raw; // Not UTF-8: the Latin-1 characters the bytes spell.
  }
}

/** Stored text → a header value: as is when printable ASCII, else one UTF-8 encoded-word. */
export function metadataToWire(text: string): string {
  return PRINTABLE_ASCII.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString("base64")}?=`;
}

function decodeEncodedWords(raw: string): string {
  return raw.replace(BETWEEN_WORDS, "$1").replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
    const bytes = encoding.toUpperCase() === "B" ? Buffer.from(text, "base64") : decodeQ(text);
    const name = charset.toLowerCase().split("*")[0];
    if (name === "utf-8") {
      try { return utf8.decode(bytes); } catch { return word; }
    }
    if (name === "iso-8859-1" || name === "us-ascii" || name === "latin1") return bytes.toString("latin1");
    return word; // A charset s3lite does not know: kept as written.
  });
}

/** RFC 2047's Q encoding: "_" is a space, "=XX" a byte. */
function decodeQ(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "_") out.push(0x20);
    else if (c === "=" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) { out.push(parseInt(text.slice(i + 1, i + 3), 16)); i += 2; }
    else out.push(c.charCodeAt(0));
  }
  return Buffer.from(out);
}
