// Tag sets as S3 takes them: the Tagging document (PutObjectTagging, PutBucketTagging, a form's
// `tagging` field), the URL-query form of x-amz-tagging, and AWS's checks and limits on both. Parsing
// and validation only; what is stored where is the handlers' business.
import { S3Error } from "../errors.ts";
import { utf8Compare, type ObjectTag } from "../store/meta.ts";
import { parseXml, type XmlObject } from "../xml.ts";

export const TAGGING_HEADER = "x-amz-tagging";
/** On GetObject and HeadObject: "The number of tags, if any, on the object". */
export const TAGGING_COUNT_HEADER = "x-amz-tagging-count";
/** "You can associate up to 10 tags with an object"; a bucket's tag set "can contain as many as 50 tags". */
const MAX_TAGS = { object: 10, bucket: 50 } as const;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;
/** Ten tags of 128 and 256 characters, each up to four bytes in UTF-8, fit with room to spare. */
export const MAX_TAGGING_BODY = 64 * 1024;

/**
 * "Keys can only contain Unicode letters or numbers, white space, and the following symbols:
 * _ . : / = + @ -", and values the same: the pattern AWS's API references give for tags,
 * [\p{L}\p{Z}\p{N}_.:/=+\-@]. White space here is \p{Z}: a tab or a line break is refused.
 */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export type TagTarget = keyof typeof MAX_TAGS;

const HEADER_ENCODING = "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.";

/**
 * A Tagging document → its tags in the order written. Anything but
 * `<Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>` is MalformedXML: a missing TagSet,
 * a Tag without its Key or its Value, or any other element.
 */
export function parseTaggingDocument(text: string): ObjectTag[] {
  const root = parseXml(text);
  const tagging = root.Tagging;
  if (Object.keys(root).length !== 1 || tagging === undefined || typeof tagging !== "object" || tagging === null) throw new S3Error("MalformedXML");
  const doc = tagging as XmlObject;
  if (Object.keys(doc).some((name) => name !== "TagSet") || doc.TagSet === undefined || Array.isArray(doc.TagSet)) throw new S3Error("MalformedXML");
  // An empty <TagSet/> parses as "", a tag set with tags as an object.
  if (typeof doc.TagSet === "string") {
    if (doc.TagSet.trim() !== "") throw new S3Error("MalformedXML");
    return [];
  }
  const set = doc.TagSet as XmlObject;
  if (Object.keys(set).some((name) => name !== "Tag")) throw new S3Error("MalformedXML");
  return ((set.Tag ?? []) as unknown[]).map((tag) => {
    if (typeof tag !== "object" || tag === null) throw new S3Error("MalformedXML");
    const { Key, Value, ...rest } = tag as XmlObject;
    if (typeof Key !== "string" || typeof Value !== "string" || Object.keys(rest).length > 0) throw new S3Error("MalformedXML");
    return { Key, Value };
  });
}

/**
 * x-amz-tagging (PutObject, CreateMultipartUpload, CopyObject): `k1=v1&k2=v2`, URL-query encoded
 * (`+` is a space). A pair without `=` is a key with the empty value and empty pairs are skipped, as
 * S3 takes `key` and `&&`; an empty key, a second `=` in one pair, a bad escape, bytes that are not
 * UTF-8 or a repeated key is InvalidArgument. Then the checks of any tag set. Sorted by key, as S3
 * reads such a tag set back.
 */
export function parseTaggingHeader(value: string | null): ObjectTag[] {
  if (value === null || value.trim() === "") return [];
  const tags = decodeTaggingHeader(value);
  if (!tags) throw new S3Error("InvalidArgument", { message: HEADER_ENCODING, ArgumentName: TAGGING_HEADER, ArgumentValue: value });
  validateTags(tags, "object");
  return tags.sort((a, b) => utf8Compare(a.Key, b.Key));
}

/** The header's pairs, undefined when they are not a URL-encoded query without repeated names. */
function decodeTaggingHeader(value: string): ObjectTag[] | undefined {
  const tags: ObjectTag[] = [];
  const seen = new Set<string>();
  for (const pair of value.split("&")) {
    if (pair === "") continue;
    const parts = pair.split("=");
    if (parts.length > 2) return undefined;
    const key = decodeComponent(parts[0]!), tagValue = decodeComponent(parts[1] ?? "");
    if (key === undefined || tagValue === undefined || key === "" || seen.has(key)) return undefined;
    seen.add(key);
    tags.push({ Key: key, Value: tagValue });
  }
  return tags;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** One name or value of the query: `+` is a space, `%XX` a byte, anything else the byte it arrived as. */
function decodeComponent(text: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2b) bytes.push(0x20);
    else if (c === 0x25) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c > 0xff) return undefined;
    else bytes.push(c);
  }
  try {
    return utf8.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

/** The header's tags for a policy's conditions, which weigh what was sent before the handler refuses it; undefined when unreadable. */
export function readableTaggingHeader(value: string | null): ObjectTag[] | undefined {
  return value === null || value.trim() === "" ? undefined : decodeTaggingHeader(value);
}

/**
 * AWS's checks of a tag set, tag by tag in the order given, then the count (as AWS answers a set
 * that is too large and holds a bad tag: with the bad tag). Lengths count UTF-16 units, as "Amazon S3
 * object tags are internally represented in UTF-16".
 */
export function validateTags(tags: readonly ObjectTag[], target: TagTarget): void {
  const seen = new Set<string>();
  for (const { Key, Value } of tags) {
    if (seen.has(Key)) throw new S3Error("InvalidTag", { message: "Cannot provide multiple Tags with the same key", TagKey: Key });
    // The reserved prefix; refused whatever its case, so that no key passes here that AWS would refuse.
    if (Key.slice(0, 4).toLowerCase() === "aws:") {
      const message = target === "object" ? "Your TagKey cannot be prefixed with aws:" : "System tags cannot be added/updated by requester";
      throw new S3Error("InvalidTag", { message, TagKey: Key });
    }
    if (Key.length < 1 || Key.length > MAX_KEY_LENGTH || !TAG_TEXT.test(Key)) {
      throw new S3Error("InvalidTag", { message: "The TagKey you have provided is invalid", TagKey: Key });
    }
    if (Value.length > MAX_VALUE_LENGTH || !TAG_TEXT.test(Value)) {
      throw new S3Error("InvalidTag", { message: "The TagValue you have provided is invalid", TagKey: Key, TagValue: Value });
    }
    seen.add(Key);
  }
  if (tags.length > MAX_TAGS[target]) {
    throw new S3Error("BadRequest", { message: target === "object" ? "Object tags cannot be greater than 10" : "Bucket tag count cannot be greater than 50" });
  }
}

/** The body of GetObjectTagging and GetBucketTagging. */
export const renderTagSet = (tags: readonly ObjectTag[]): XmlObject =>
  ({ TagSet: tags.length > 0 ? { Tag: tags.map(({ Key, Value }) => ({ Key, Value })) } : null });
