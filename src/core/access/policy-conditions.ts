// The matching half of the bucket-policy engine: wildcard patterns with policy variables, and the IAM
// Condition operators. Compiled once when a policy is parsed; evaluation is pure and allocation-light.
// Throws only S3Error("MalformedPolicy"), and only while compiling.
import { S3Error } from "../errors.ts";

/** Condition keys of one request, names in lower case; a missing key is absent from the map. */
export type PolicyContext = ReadonlyMap<string, string | readonly string[]>;

export const malformed = (message: string) => new S3Error("MalformedPolicy", { message });

// ── Patterns ─────────────────────────────────────────────────────────────────────────────────────

const ANY = 0;
const ONE = 1;
interface Variable { key: string; fallback?: string }
type Piece = string | typeof ANY | typeof ONE | Variable;

export interface PatternOptions {
  /** `*` and `?` are wildcards (Resource, Action, StringLike, ArnLike) rather than literal characters. */
  wildcards: boolean;
  /** `${key}` is a policy variable; only policies of Version 2012-10-17 have them. */
  variables: boolean;
  ignoreCase?: boolean;
}

/** A policy value compiled for matching; `source` is the text as the policy wrote it. */
export interface Pattern {
  readonly source: string;
  matches(text: string, context: PolicyContext): boolean;
}

// `${aws:username}` or `${aws:username, 'fallback'}`; '' inside the quotes is one quote (IAM's escape).
const VARIABLE = /^\s*([^\s,'{}]+)\s*(?:,\s*'((?:[^']|'')*)'\s*)?$/;

function parsePieces(source: string, options: PatternOptions): Piece[] {
  const pieces: Piece[] = [];
  const push = (piece: Piece) => {
    const last = pieces.at(-1);
    if (typeof piece === "string" && typeof last === "string") pieces[pieces.length - 1] = last + piece;
    else pieces.push(piece);
  };
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    const end = options.variables && char === "$" && source[i + 1] === "{" ? source.indexOf("}", i + 2) : -1;
    if (end >= 0) {
      const inner = source.slice(i + 2, end);
      // ${*} ${?} ${$} are how a policy writes those characters literally.
      const literal = /^[*?$]$/.test(inner);
      const variable = literal ? null : VARIABLE.exec(inner);
      if (literal || variable) {
        push(variable ? { key: variable[1]!.toLowerCase(), fallback: variable[2]?.replaceAll("''", "'") } : inner);
        i = end;
        continue;
      }
    }
    push(options.wildcards && char === "*" ? ANY : options.wildcards && char === "?" ? ONE : char);
  }
  return pieces;
}

/** A variable's value: single-valued keys only, as in IAM; undefined when it cannot be resolved. */
function resolveVariable(variable: Variable, context: PolicyContext): string | undefined {
  const value = context.get(variable.key);
  return typeof value === "string" ? value : variable.fallback;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

function toMatcher(pieces: readonly (string | typeof ANY | typeof ONE)[], ignoreCase: boolean): (text: string) => boolean {
  if (pieces.every((p) => typeof p === "string")) {
    const literal = ignoreCase ? pieces.join("").toLowerCase() : pieces.join("");
    return ignoreCase ? (text) => text.toLowerCase() === literal : (text) => text === literal;
  }
  const body = pieces.map((p) => (p === ANY ? ".*" : p === ONE ? "." : escapeRegExp(p))).join("");
  const regExp = new RegExp(`^${body}$`, ignoreCase ? "isu" : "su");
  return (text) => regExp.test(text);
}

function fromPieces(source: string, pieces: readonly Piece[], ignoreCase: boolean): Pattern {
  if (!pieces.some((p) => typeof p === "object")) {
    const matcher = toMatcher(pieces as (string | typeof ANY | typeof ONE)[], ignoreCase);
    return { source, matches: (text) => matcher(text) };
  }
  return {
    source,
    matches(text, context) {
      const resolved: (string | typeof ANY | typeof ONE)[] = [];
      for (const piece of pieces) {
        const value = typeof piece === "object" ? resolveVariable(piece, context) : piece;
        // An unresolvable variable "is effectively null": nothing equals or is like it.
        if (value === undefined) return false;
        resolved.push(value);
      }
      return toMatcher(resolved, ignoreCase)(text);
    },
  };
}

export function compilePattern(source: string, options: PatternOptions): Pattern {
  return fromPieces(source, parsePieces(source, options), options.ignoreCase ?? false);
}

/** ArnEquals/ArnLike: each of the six colon-separated parts is matched on its own, wildcards included. */
function compileArnPattern(source: string, variables: boolean): (text: string, context: PolicyContext) => boolean {
  const parts: Piece[][] = [[]];
  for (const piece of parsePieces(source, { wildcards: true, variables })) {
    if (typeof piece !== "string") parts.at(-1)!.push(piece);
    else for (const char of piece) {
      // The sixth part (the resource) keeps its colons.
      if (char === ":" && parts.length < 6) parts.push([]);
      else parts.at(-1)!.push(char);
    }
  }
  const patterns = parts.map((p) => fromPieces(source, p, false));
  return (text, context) => {
    const values = splitArn(text);
    return values.length === patterns.length && patterns.every((p, i) => p.matches(values[i]!, context));
  };
}

function splitArn(arn: string): string[] {
  const parts = arn.split(":");
  return parts.length <= 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(":")];
}

// ── Values ───────────────────────────────────────────────────────────────────────────────────────

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
export const parseNumber = (text: string) => (NUMBER.test(text.trim()) ? Number(text) : undefined);

// W3C profile of ISO 8601 (YYYY-MM-DD, optional Thh:mm[:ss[.s]] and zone), or epoch seconds, per IAM.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Milliseconds since the epoch, or undefined when the text is no date IAM would read. */
export function parseDate(text: string): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * 1000;
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((p) => (p === undefined ? undefined : Number(p)));
  const utc = Date.UTC(year!, month! - 1, day!, hour, minute, second);
  const check = new Date(utc);
  if (check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 60) return undefined;
  const zone = /^([+-])(\d{2}):?(\d{2})$/.exec(m[8] ?? "");
  const offset = zone ? (zone[1] === "-" ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) * 60_000 : 0;
  return utc + Math.round(Number(m[7] ?? 0) * 1000) - offset;
}

export interface Network { bits: 32 | 128; address: bigint; prefix: number }

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => (n << 8n) | BigInt(p), 0n);
}

function parseIPv6(text: string): bigint | undefined {
  let head = text;
  let tail: bigint[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    // The last 32 bits may be written as an IPv4 address (::ffff:192.0.2.1).
    const value = parseIPv4(v4[2]!);
    if (value === undefined) return undefined;
    tail = [value >> 16n, value & 0xffffn];
    head = v4[1]!.endsWith("::") ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const [left = [], right] = halves.map((h) => (h === "" ? [] : h.split(":")));
  const groups = [...left, ...(right ?? [])];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const missing = 8 - groups.length - tail.length;
  if (right === undefined ? missing !== 0 : missing < 1) return undefined;
  const words = [...left, ...Array<string>(right === undefined ? 0 : missing).fill("0"), ...(right ?? [])].map((g) => BigInt(`0x${g}`));
  return [...words, ...tail].reduce((n, w) => (n << 16n) | w, 0n);
}

/** An address or CIDR block, IPv4 or IPv6; a bare address is a block of one. */
export function parseNetwork(text: string): Network | undefined {
  const [host = "", length, extra] = text.trim().split("/");
  if (extra !== undefined) return undefined;
  const v6 = host.includes(":");
  const address = v6 ? parseIPv6(host) : parseIPv4(host);
  const bits = v6 ? 128 : 32;
  if (address === undefined) return undefined;
  if (length === undefined) return { bits, address, prefix: bits };
  if (!/^\d{1,3}$/.test(length) || Number(length) > bits) return undefined;
  return { bits, address, prefix: Number(length) };
}

function isInNetwork(addressText: string, network: Network): boolean {
  const parsed = addressText.includes("/") ? undefined : parseNetwork(addressText);
  if (!parsed) return false;
  let { address, bits } = parsed;
  // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d.
  if (bits === 128 && network.bits === 32 && address >> 32n === 0xffffn) [address, bits] = [address & 0xffffffffn, 32];
  if (bits !== network.bits) return false;
  const shift = BigInt(bits - network.prefix);
  return address >> shift === network.address >> shift;
}

// ── Operators ────────────────────────────────────────────────────────────────────────────────────

type Compare = (requestValue: string, context: PolicyContext) => boolean;
interface Family {
  negated?: true;
  /** Compiles one policy value; throws MalformedPolicy when AWS refuses the value at write time. */
  compile(value: string, variables: boolean): Compare;
}

const ordered = (parse: (t: string) => number | undefined, holds: (d: number) => boolean): Family["compile"] => (value) => {
  const expected = parse(value);
  return (text) => {
    const actual = parse(text);
    return expected !== undefined && actual !== undefined && holds(actual - expected);
  };
};
const string = (wildcards: boolean, ignoreCase = false): Family["compile"] => (value, variables) =>
  compilePattern(value, { wildcards, variables, ignoreCase }).matches;
const ip: Family["compile"] = (value) => {
  const network = parseNetwork(value);
  if (!network) throw malformed("Invalid IP address in Conditions");
  return (text) => isInNetwork(text, network);
};
const arn: Family["compile"] = (value, variables) => compileArnPattern(value, variables);
const base64 = (text: string) => Buffer.from(text, "base64").toString("base64");

const FAMILIES: Record<string, Family> = {
  StringEquals: { compile: string(false) },
  StringNotEquals: { negated: true, compile: string(false) },
  StringEqualsIgnoreCase: { compile: string(false, true) },
  StringNotEqualsIgnoreCase: { negated: true, compile: string(false, true) },
  StringLike: { compile: string(true) },
  StringNotLike: { negated: true, compile: string(true) },
  NumericEquals: { compile: ordered(parseNumber, (d) => d === 0) },
  NumericNotEquals: { negated: true, compile: ordered(parseNumber, (d) => d === 0) },
  NumericLessThan: { compile: ordered(parseNumber, (d) => d < 0) },
  NumericLessThanEquals: { compile: ordered(parseNumber, (d) => d <= 0) },
  NumericGreaterThan: { compile: ordered(parseNumber, (d) => d > 0) },
  NumericGreaterThanEquals: { compile: ordered(parseNumber, (d) => d >= 0) },
  DateEquals: { compile: ordered(parseDate, (d) => d === 0) },
  DateNotEquals: { negated: true, compile: ordered(parseDate, (d) => d === 0) },
  DateLessThan: { compile: ordered(parseDate, (d) => d < 0) },
  DateLessThanEquals: { compile: ordered(parseDate, (d) => d <= 0) },
  DateGreaterThan: { compile: ordered(parseDate, (d) => d > 0) },
  DateGreaterThanEquals: { compile: ordered(parseDate, (d) => d >= 0) },
  Bool: { compile: string(false, true) },
  BinaryEquals: { compile: (value) => (text) => base64(text) === base64(value) },
  IpAddress: { compile: ip },
  NotIpAddress: { negated: true, compile: ip },
  ArnEquals: { compile: arn },
  ArnLike: { compile: arn },
  ArnNotEquals: { negated: true, compile: arn },
  ArnNotLike: { negated: true, compile: arn },
};

/** AWS refuses a policy whose source-address values are no address or CIDR, whatever the operator. */
const IP_KEYS = new Set(["aws:sourceip", "aws:vpcsourceip"]);

/** IAM substitutes variables only in these families' values ("Policy variables: Supported"). */
const TAKES_VARIABLES = /^(String|Arn|Bool)/;

export interface Operator {
  /** As written, e.g. "ForAnyValue:StringLikeIfExists". */
  readonly name: string;
  /** Without qualifier and IfExists, e.g. "StringLike" or "Null". */
  readonly base: string;
  readonly qualifier?: "ForAnyValue" | "ForAllValues";
  readonly ifExists: boolean;
}

/** Operator names are case-sensitive, as AWS's "Invalid Condition type : stringequals" shows. */
export function parseOperator(name: string): Operator | undefined {
  const m = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(name);
  if (!m) return undefined;
  const [, qualifier, base = "", ifExists] = m;
  if (base === "Null" ? ifExists !== undefined : !Object.hasOwn(FAMILIES, base)) return undefined;
  return { name, base, qualifier: qualifier as Operator["qualifier"], ifExists: ifExists !== undefined };
}

/** One key under one operator: the unit IAM ANDs together. */
export interface Condition {
  readonly operator: Operator;
  readonly key: string;
  readonly values: readonly string[];
  holds(context: PolicyContext): boolean;
}

export function compileCondition(operator: Operator, key: string, values: readonly string[], variables: boolean): Condition {
  const lowerKey = key.toLowerCase();
  const lookup = (context: PolicyContext) => {
    const value = context.get(lowerKey);
    return value === undefined ? [] : typeof value === "string" ? [value] : value;
  };
  if (operator.base === "Null") {
    const wantsAbsent = values.map((v) => v.toLowerCase() === "true");
    return { operator, key: lowerKey, values, holds: (context) => wantsAbsent.includes(lookup(context).length === 0) };
  }
  if (IP_KEYS.has(lowerKey) && !values.every((v) => parseNetwork(v))) throw malformed("Invalid IP address in Conditions");
  const family = FAMILIES[operator.base]!;
  const compares = values.map((v) => family.compile(v, variables && TAKES_VARIABLES.test(operator.base)));
  return { operator, key: lowerKey, values, holds: (context) => holdsFor(operator, family, compares, lookup(context), context) };
}

// Several values for a key OR together; a negated operator holds when the value matches none of them.
function holdsFor(operator: Operator, family: Family, compares: Compare[], actual: readonly string[], context: PolicyContext): boolean {
  if (actual.length === 0) {
    // Missing key: IfExists and ForAllValues hold; otherwise only the negated operators do.
    if (operator.ifExists || operator.qualifier === "ForAllValues") return true;
    return operator.qualifier === undefined && family.negated === true;
  }
  const matchesOne = (value: string) => compares.some((compare) => compare(value, context));
  const holdsOne = family.negated ? (value: string) => !matchesOne(value) : matchesOne;
  if (operator.qualifier === "ForAllValues") return actual.every(holdsOne);
  if (operator.qualifier === "ForAnyValue") return actual.some(holdsOne);
  return family.negated ? actual.every(holdsOne) : actual.some(holdsOne);
}
