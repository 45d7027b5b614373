// Percent-encoding as S3 and SigV4 use it, shared by request parsing, signing and the XML that
// names keys (encoding-type=url, Location). Pure functions on strings and bytes.

const HEX = "0123456789ABCDEF";
export const textEncoder = new TextEncoder();
/** Each byte as SigV4 writes it: unreserved ASCII as itself, everything else as %XX. */
const BYTE_TEXT = Array.from({ length: 256 }, (_, b) =>
  b < 0x80 && /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : "%" + HEX[b >> 4] + HEX[b & 15]);
const ONLY_UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
export const ONLY_UNRESERVED_OR_SLASH = /^[A-Za-z0-9\-._~/]*$/;
/** What encodeURIComponent leaves alone but SigV4 encodes. */
const SUB_DELIMS = /[!'()*]/g;

/** RFC 3986 encoding as SigV4 wants it: every byte but A-Z a-z 0-9 - . _ ~ (and `/` if kept) as %XX. */
export function uriEncode(input: string | Uint8Array, keepSlash = false): string {
  if (typeof input === "string") {
    // Every request signs a handful of these; most need no escaping at all, and the rest are valid UTF-16.
    if ((keepSlash ? ONLY_UNRESERVED_OR_SLASH : ONLY_UNRESERVED).test(input)) return input;
    if (input.isWellFormed()) {
      const encoded = encodeURIComponent(input).replace(SUB_DELIMS, (c) => BYTE_TEXT[c.charCodeAt(0)]!);
      return keepSlash ? encoded.replaceAll("%2F", "/") : encoded;
    }
    input = textEncoder.encode(input);
  }
  let out = "";
  for (const b of input) out += keepSlash && b === 0x2f ? "/" : BYTE_TEXT[b]!;
  return out;
}

/** Percent-decodes to raw bytes; a malformed escape returns null. */
export function percentDecode(input: string): Uint8Array | null {
  if (!input.includes("%")) return textEncoder.encode(input);
  const bytes: number[] = [];
  const utf8 = textEncoder.encode(input);
  for (let i = 0; i < utf8.length; i++) {
    if (utf8[i] !== 0x25) { bytes.push(utf8[i]!); continue; }
    const hex = String.fromCharCode(utf8[i + 1] ?? 0, utf8[i + 2] ?? 0);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Uint8Array.from(bytes);
}

/**
 * Percent-decodes to text when the bytes are UTF-8, else undefined (the caller then works on bytes).
 * decodeURIComponent refuses malformed escapes and invalid UTF-8 alike, so both take the slow path.
 */
export function percentDecodeText(input: string): string | undefined {
  if (!input.includes("%")) return input.isWellFormed() ? input : undefined;
  try {
    return decodeURIComponent(input);
  } catch {
    return undefined;
  }
}

