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
  const parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false, // ETags, "0001" and "true" stay strings
    processEntities: true,
    ignoreDeclaration: true,
    removeNSPrefix: true,
    isArray: (name) => REPEATED.has(name),
  });
  return (xml = { parser, validator: XMLValidator });
}


/** Parses a request body; anything that is not well-formed XML is S3's MalformedXML. */
export function parseXml(text: string): Record<string, unknown> {
  const { parser, validator } = loadParser();
  // Entity declarations invite expansion bombs; S3 bodies never need them.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new S3Error("MalformedXML");
  try {
    if (validator.validate(text) !== true) throw new S3Error("MalformedXML");
    return parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    // The parser's own limits (nesting depth, among others) throw plain errors: still the client's XML.
    if (error instanceof S3Error) throw error;
    throw new S3Error("MalformedXML");
  }
}

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

function renderChildren(body: XmlObject, out: string[]): void {
  for (const name in body) renderElement(name, body[name], out);
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

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&apos;", '"': "&quot;" };
export function escapeXml(text: string): string {
  return /[&<>'"]/.test(text) ? text.replace(/[&<>'"]/g, (c) => XML_ESCAPES[c]!) : text;
}

export function xmlResponse(root: string, body: XmlObject | string, status = 200): Response {
  return new Response(renderXml(root, body), { status, headers: { "content-type": "application/xml" } });
}
