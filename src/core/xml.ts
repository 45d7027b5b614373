// XML in and out with S3's conventions: one parser configuration, one renderer.
// Response shapes are plain objects built by the handlers; this module knows no operation.
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { S3Error } from "./errors.ts";

export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Elements that repeat in S3 request bodies: always arrays, even with one member. */
const REPEATED = new Set(["Object", "Part", "Tag", "CORSRule", "AllowedOrigin", "AllowedMethod", "AllowedHeader", "ExposeHeader"]);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false, // ETags, "0001" and "true" stay strings
  processEntities: true,
  ignoreDeclaration: true,
  removeNSPrefix: true,
  isArray: (name) => REPEATED.has(name),
});

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false, processEntities: true });

/** Parses a request body; anything that is not well-formed XML is S3's MalformedXML. */
export function parseXml(text: string): Record<string, unknown> {
  if (XMLValidator.validate(text) !== true) throw new S3Error("MalformedXML");
  // Entity declarations invite expansion bombs; S3 bodies never need them.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new S3Error("MalformedXML");
  return parser.parse(text) as Record<string, unknown>;
}

type XmlValue = string | number | boolean | null | undefined | XmlObject | XmlValue[];
export interface XmlObject { [name: string]: XmlValue }

/** Renders `{ root: body }` with the XML declaration and, unless told otherwise, the S3 namespace. */
export function renderXml(root: string, body: XmlObject | string, options: { namespace?: boolean } = {}): string {
  const withNs = options.namespace ?? true;
  const element = typeof body === "string"
    ? { "#text": body, ...(withNs ? { "@_xmlns": S3_XMLNS } : {}) }
    : { ...(withNs ? { "@_xmlns": S3_XMLNS } : {}), ...dropUndefined(body) };
  return XML_DECLARATION + builder.build({ [root]: element });
}

function dropUndefined(value: XmlObject): XmlObject {
  const out: XmlObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map((item) => (isObject(item) ? dropUndefined(item) : item)) : isObject(v) ? dropUndefined(v) : v;
  }
  return out;
}

function isObject(v: unknown): v is XmlObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function xmlResponse(root: string, body: XmlObject | string, status = 200): Response {
  return new Response(renderXml(root, body), { status, headers: { "content-type": "application/xml" } });
}
