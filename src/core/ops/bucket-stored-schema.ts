// Configuration documents checked against their shape in the S3 model and rendered back in its element
// order. A document that does not fit is MalformedXML, as AWS answers a body that fails its schema: no
// element is ever dropped. Knows no operation; the shapes themselves are in bucket-stored-shapes.ts.
import { S3Error } from "../errors.ts";
import { escapeXml, parseXml, S3_XMLNS } from "../xml.ts";

export type Shape = TextShape | EnumShape | { kind: "integer" } | { kind: "boolean" } | Structure;
interface TextShape { kind: "text" }
interface EnumShape { kind: "enum"; values: readonly string[] }

export interface Structure {
  kind: "structure";
  /** In the model's order, which is the order they render in. */
  members: Readonly<Record<string, Member>>;
  /** At most one member may be present (a Filter's Prefix, Tag or And). */
  choice?: boolean;
  /** Carries an xsi:type attribute with one of these values (a Grantee). */
  xsiType?: readonly string[];
}

export interface Member {
  shape: Shape;
  required?: boolean;
  /** A flattened list: the element itself repeats (`<Event>…</Event><Event>…</Event>`). */
  repeated?: boolean;
  /** A wrapped list: this element holds repeats of `item` (`<RoutingRules><RoutingRule>…`). */
  item?: string;
  /** The fewest entries a list may have. */
  min?: number;
}

/** A checked document: text, or elements by name (lists as arrays); a Grantee's xsi:type under XSI_TYPE. */
export type Value = string | Doc | Value[];
export interface Doc { [name: string]: Value }

export const XSI_TYPE = "xsi:type";
const XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance";
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export const text: TextShape = { kind: "text" };
export const integer: Shape = { kind: "integer" };
export const boolean: Shape = { kind: "boolean" };
export const oneOf = (...values: string[]): EnumShape => ({ kind: "enum", values });
export const required = (shape: Shape): Member => ({ shape, required: true });
export const repeated = (shape: Shape, min = 0): Member => ({ shape, repeated: true, min });
export const listOf = (item: string, shape: Shape, min = 0): Member => ({ shape, item, min });

/** A structure from its members in model order; a bare shape is an optional member. */
export function struct(members: Record<string, Member | Shape>, options: { choice?: boolean; xsiType?: readonly string[] } = {}): Structure {
  const normalized: Record<string, Member> = {};
  for (const [name, m] of Object.entries(members)) normalized[name] = "kind" in m ? { shape: m } : m;
  return { kind: "structure", members: normalized, ...options };
}

const malformed = () => new S3Error("MalformedXML");

/** A request body → its root element checked against `shape`. Anything else at the root is MalformedXML. */
export function parseDocument(body: string, root: string, shape: Structure): Doc {
  const parsed = parseXml(body);
  const names = Object.keys(parsed);
  if (names.length !== 1 || names[0] !== root) throw malformed();
  return readStructure(parsed[root], shape, { body, types: undefined });
}

interface ReadContext {
  body: string;
  /** The xsi:type of each Grantee in document order, read from the body when first needed (the parser drops attributes). */
  types: (string | undefined)[] | undefined;
}

function readStructure(raw: unknown, shape: Structure, ctx: ReadContext): Doc {
  // An element with no child elements parses as its text; only whitespace may stand for "no members".
  if (typeof raw === "string") {
    if (raw.trim() !== "") throw malformed();
    raw = {};
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw malformed();
  const given = raw as Record<string, unknown>;
  for (const name of Object.keys(given)) if (!Object.hasOwn(shape.members, name)) throw malformed();
  const out: Doc = {};
  if (shape.xsiType) {
    ctx.types ??= xsiTypes(ctx.body);
    const type = ctx.types.shift();
    if (type === undefined || !shape.xsiType.includes(type)) throw malformed();
    out[XSI_TYPE] = type;
  }
  for (const [name, member] of Object.entries(shape.members)) {
    const value = given[name];
    if (value === undefined) {
      // An absent flattened list has no entries, too few if it needs some.
      if (member.required || (member.repeated && (member.min ?? 0) > 0)) throw malformed();
      continue;
    }
    out[name] = readMember(value, member, ctx);
  }
  if (shape.choice && Object.keys(out).length > 1) throw malformed();
  return out;
}

function readMember(raw: unknown, member: Member, ctx: ReadContext): Value {
  if (member.repeated) {
    const items = Array.isArray(raw) ? raw : [raw];
    if (items.length < (member.min ?? 0)) throw malformed();
    return items.map((item) => readValue(item, member.shape, ctx));
  }
  const single = only(raw);
  if (member.item !== undefined) {
    const wrapper = readStructure(single, struct({ [member.item]: repeated(member.shape) }), ctx);
    const items = (wrapper[member.item] as Value[] | undefined) ?? [];
    if (items.length < (member.min ?? 0)) throw malformed();
    return items;
  }
  return readValue(single, member.shape, ctx);
}

/** An element that may appear once: twice is MalformedXML (the parser always makes `Tag` an array). */
function only(raw: unknown): unknown {
  if (!Array.isArray(raw)) return raw;
  if (raw.length !== 1) throw malformed();
  return raw[0];
}

function readValue(raw: unknown, shape: Shape, ctx: ReadContext): Value {
  if (shape.kind === "structure") return readStructure(raw, shape, ctx);
  if (typeof raw !== "string") throw malformed();
  switch (shape.kind) {
    case "text":
      return raw;
    case "enum":
      if (!shape.values.includes(raw)) throw malformed();
      return raw;
    case "integer":
      // xs:int collapses surrounding whitespace.
      if (!/^[+-]?\d{1,10}$/.test(raw.trim())) throw malformed();
      return raw.trim();
    case "boolean":
      if (raw.trim() !== "true" && raw.trim() !== "false") throw malformed();
      return raw.trim();
  }
}

/**
 * The xsi:type attribute of every Grantee start tag, in document order (undefined where a Grantee has
 * none). Comments and CDATA sections are skipped, so only real elements count.
 */
function xsiTypes(body: string): (string | undefined)[] {
  const markup = body.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, "");
  const types: (string | undefined)[] = [];
  for (const tag of markup.matchAll(/<(?:[^\s/>:]+:)?Grantee((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/g)) {
    const attribute = /\s[^\s=/>:]+:type\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(tag[1]!);
    types.push(attribute ? (attribute[1] ?? attribute[2]) : undefined);
  }
  return types;
}

/** A checked document's members as XML, in the shape's order: what a configuration stores and returns. */
export function renderMembers(shape: Structure, doc: Doc): string {
  const out: string[] = [];
  renderChildren(shape, doc, out);
  return out.join("");
}

function renderChildren(shape: Structure, doc: Doc, out: string[]): void {
  for (const [name, member] of Object.entries(shape.members)) {
    const value = doc[name];
    if (value === undefined) continue;
    if (member.item !== undefined) {
      out.push(`<${name}>`);
      for (const item of value as Value[]) renderValue(member.item, member.shape, item, out);
      out.push(`</${name}>`);
    } else if (member.repeated) for (const item of value as Value[]) renderValue(name, member.shape, item, out);
    else renderValue(name, member.shape, value, out);
  }
}

function renderValue(name: string, shape: Shape, value: Value, out: string[]): void {
  if (shape.kind !== "structure") {
    out.push(`<${name}>${escapeXml(value as string)}</${name}>`);
    return;
  }
  const doc = value as Doc;
  const type = shape.xsiType ? ` xmlns:xsi="${XSI_NAMESPACE}" xsi:type="${escapeXml(doc[XSI_TYPE] as string)}"` : "";
  out.push(`<${name}${type}>`);
  renderChildren(shape, doc, out);
  out.push(`</${name}>`);
}

/** A stored document's members under `root` with the S3 namespace, as a GET answers it. */
export function documentResponse(root: string, members: string): Response {
  return new Response(`${XML_DECLARATION}<${root} xmlns="${S3_XMLNS}">${members}</${root}>`, { headers: { "content-type": "application/xml" } });
}
