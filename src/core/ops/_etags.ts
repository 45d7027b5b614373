// ETags and times as conditional headers compare them: shared by reads, writes, copies, deletes and
// completions, so every condition matches the same way.

/** `"abc"`, `abc` and ` "ABC" ` name the same ETag. */
export const normalizeETag = (etag: string): string => etag.trim().replace(/^"|"$/g, "").toLowerCase();

/** An If-Match / If-None-Match list (`"a", "b"` or `*`) against an object's ETag. */
export const etagMatches = (condition: string, etag: string): boolean =>
  condition.split(",").some((c) => { const t = c.trim(); return t === "*" || t === etag || `"${t}"` === etag; });

/** Whole seconds, as HTTP dates carry them. */
export const wholeSeconds = (ms: number): number => Math.floor(ms / 1000);
