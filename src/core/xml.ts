// XML in and out with S3's conventions: one parser configuration, one renderer.
// Response shapes are plain objects built by the handlers; this module knows no operation.
import type { XMLParser as Parser, XMLValidator as Validator } from "fast-xml-parser";
import { S3Error } from "./errors.ts";

export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Elements that repeat in S3 request bodies: always arrays, even with one member. */
const REPEATED = new Set(["Object", "Part", "Tag", "CORSRule", "AllowedOrigin", "AllowedMethod", "AllowedHeader", "ExposeHeader"]);

// Loaded on the first XML request body rather than at start: importing it costs about 20 ms of start-up,
// and most servers in a test run parse no XML at all.
let xml: { parser: Parser; validator: typeof Validator } | undefined;
function loadParser(): NonNullable<typeof xml> {
  if (xml) return xml;
  const { XMLParser, XMLValidator } = require("fast-xml-parser") as typeof import("fast-xml-parser");
  // Ordered nodes with text, CDATA and references as written: references are decoded here (decodeText),
  // since the parser leaves numeric ones alone and passes undeclared ones through, and CDATA must not be decoded.
  const parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false, // ETags, "0001" and "true" stay strings
    processEntities: false,
    trimValues: false, // " a " is a key of its own
    ignoreDeclaration: true,
    ignorePiTags: true,
    removeNSPrefix: true,
    preserveOrder: true,
    cdataPropName: CDATA,
  });
  return (xml = { parser, validator: XMLValidator });
}

const CDATA = "#cdata";
const TEXT = "#text";
type OrderedNode = Record<string, OrderedNode[] | string>;

/**
 * Parses a request body; anything that is not well-formed XML 1.0 is S3's MalformedXML. Text comes back
 * as the characters it denotes, however an encoder wrote them: raw, as `&quot;`, `&#34;` or `&#x22;`
 * (Go's encoding/xml writes every quote of an ETag as `&#34;`).
 */
export function parseXml(text: string): Record<string, unknown> {
  const { parser, validator } = loadParser();
  // Entity declarations invite expansion bombs; S3 bodies never need them.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new S3Error("MalformedXML");
  // XML reads every line break as "\n"; a carriage return survives only as a reference (&#xD;).
  const normalized = text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
  if (FORBIDDEN_CHARACTER.test(normalized)) throw new S3Error("MalformedXML");
  try {
    if (validator.validate(normalized) !== true) throw new S3Error("MalformedXML");
    return elementChildren(parser.parse(normalized) as OrderedNode[]);
  } catch (error) {
    // The parser's own limits (nesting depth, among others) throw plain errors: still the client's XML.
    if (error instanceof S3Error) throw error;
    throw new S3Error("MalformedXML");
  }
}

/** Elements that hold elements become objects (repeats become arrays), elements that hold text become strings. */
function elementChildren(nodes: readonly OrderedNode[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const arrays = new Set<string>();
  for (const node of nodes) {
    const name = Object.keys(node).find((n) => n !== ":@");
    if (name === undefined || name === TEXT || name === CDATA) continue;
    const value = elementValue(node[name] as OrderedNode[]);
    if (arrays.has(name)) (out[name] as unknown[]).push(value);
    else if (REPEATED.has(name) || Object.hasOwn(out, name)) {
      out[name] = Object.hasOwn(out, name) ? [out[name], value] : [value];
      arrays.add(name);
    } else out[name] = value;
  }
  return out;
}

function elementValue(children: readonly OrderedNode[]): unknown {
  const hasElements = children.some((c) => !(TEXT in c) && !(CDATA in c));
  if (hasElements) return elementChildren(children);
  let text = "";
  for (const child of children) {
    if (TEXT in child) text += decodeText(child[TEXT] as string);
    else text += ((child[CDATA] as OrderedNode[])[0]?.[TEXT] as string | undefined) ?? "";
  }
  return text;
}

/** Characters XML 1.0 does not allow in a document, raw or as a reference. */
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NAMED = new Map([["amp", "&"], ["lt", "<"], ["gt", ">"], ["quot", '"'], ["apos", "'"]]);

/** Decodes the five named entities and decimal and hex character references; any other `&` is MalformedXML. */
function decodeText(raw: string): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(/&([^;&]*);?/g, (whole, body: string) => {
    if (!whole.endsWith(";")) throw new S3Error("MalformedXML");
    const named = NAMED.get(body);
    if (named !== undefined) return named;
    const m = /^#(?:([0-9]{1,7})|x([0-9a-fA-F]{1,6}))$/.exec(body);
    const code = m ? (m[1] !== undefined ? Number(m[1]) : parseInt(m[2]!, 16)) : NaN;
    if (!isXmlChar(code)) throw new S3Error("MalformedXML");
    return String.fromCodePoint(code);
  });
}

/** XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
const isXmlChar = (c: number): boolean =>
  c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);

type XmlValue = string | number | boolean | null | undefined | XmlObject | XmlValue[];
export interface XmlObject { [name: string]: XmlValue }

/**
 * Renders `{ root: body }` with the XML declaration and, unless told otherwise, the S3 namespace.
 * Arrays repeat their element, undefined drops it, null is an empty element. Written by hand rather
 * than through fast-xml-parser's builder: a 1,000-key listing renders several times faster.
 */
export function renderXml(root: string, body: XmlObject | string, options: { namespace?: boolean } = {}): string {
  const open = (options.namespace ?? true) ? `<${root} xmlns="${S3_XMLNS}">` : `<${root}>`;
  if (typeof body === "string") return `${XML_DECLARATION}${open}${escapeXml(body)}</${root}>`;
  const out = [XML_DECLARATION, open];
  renderChildren(body, out);
  out.push(`</${root}>`);
  return out.join("");
}

/** No element name holds a NUL: the key under which `inOrder` keeps its elements. */
const IN_ORDER = "\0in-order";

/** Sibling elements of different names in the order given (ListObjectVersions interleaves Version and DeleteMarker). */
export const inOrder = (elements: readonly [string, XmlValue][]): XmlObject => ({ [IN_ORDER]: elements as unknown as XmlValue });

function renderChildren(body: XmlObject, out: string[]): void {
  for (const name in body) {
    if (name === IN_ORDER) for (const [child, value] of body[name] as unknown as [string, XmlValue][]) renderElement(child, value, out);
    else renderElement(name, body[name], out);
  }
}

function renderElement(name: string, value: XmlValue, out: string[]): void {
  if (value === undefined) return;
  if (value === null) out.push(`<${name}/>`);
  else if (Array.isArray(value)) for (const item of value) renderElement(name, item, out);
  else if (typeof value === "object") {
    out.push(`<${name}>`);
    renderChildren(value, out);
    out.push(`</${name}>`);
  } else out.push(`<${name}>${typeof value === "string" ? escapeXml(value) : String(value)}</${name}>`);
}

// A raw carriage return would reach the client's parser as "\n" (XML normalizes line ends), so it goes
// out as a reference, as S3 writes it; tabs and newlines survive parsing as they are.
const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&apos;", '"': "&quot;", "\r": "&#13;" };
export function escapeXml(text: string): string {
  return /[&<>'"\r]/.test(text) ? text.replace(/[&<>'"\r]/g, (c) => XML_ESCAPES[c]!) : text;
}

export function xmlResponse(root: string, body: XmlObject | string, status = 200): Response {
  return new Response(renderXml(root, body), { status, headers: { "content-type": "application/xml" } });
}
