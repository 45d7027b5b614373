// Loads the checked-in AWS signing vectors and parses their raw HTTP requests.
import vectors from "../fixtures/sigv4/vectors.json";

export { vectors };

export interface RawRequest {
  method: string;
  path: string;
  query: string;
  headers: Map<string, string[]>;
  body: string;
}

/** Parses a vector's request text: a request line (the target may hold spaces), headers with obs-folds, body. */
export function parseRawRequest(raw: string): RawRequest {
  const text = raw.replace(/\r\n/g, "\n");
  const split = text.indexOf("\n\n");
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? "" : text.slice(split + 2);
  const [requestLine, ...lines] = head.split("\n");
  const words = requestLine!.split(" ");
  const target = words.slice(1, words.length - 1).join(" ");
  const q = target.indexOf("?");
  const headers = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last) { last[last.length - 1] += " " + line.trim(); continue; }
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    if (!headers.has(name)) headers.set(name, []);
    last = headers.get(name)!;
    last.push(line.slice(colon + 1));
  }
  return { method: words[0]!, path: q < 0 ? target : target.slice(0, q), query: q < 0 ? "" : target.slice(q + 1), headers, body };
}
