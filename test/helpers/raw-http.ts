// Raw HTTP/1.1 over a socket: for replaying exact request bytes and for clients that hang up mid-body.
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

function parse(text: string): RawResponse {
  const split = text.indexOf("\r\n\r\n");
  const head = split < 0 ? text : text.slice(0, split);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: split < 0 ? "" : text.slice(split + 4) };
}

/** Sends `head` and `body` as given and reads until the server closes or `timeoutMs` passes. */
export function sendRaw(url: string, head: string, body: Uint8Array = new Uint8Array(0), timeoutMs = 5000): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(head);
      socket.write(body);
    });
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => resolve(parse(Buffer.concat(chunks).toString("utf8"))));
    setTimeout(() => socket.destroy(), timeoutMs);
  });
}

/** Starts an upload, sends `sent` bytes of a promised `total`, then drops the connection. */
export function hangUpMidBody(url: string, path: string, headers: Record<string, string>, total: number, sent: number): Promise<void> {
  const { hostname, port, host } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      const lines = [`PUT ${path} HTTP/1.1`, `Host: ${host}`, `Content-Length: ${total}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(lines.join("\r\n") + "\r\n\r\n");
      socket.write(new Uint8Array(sent).fill(0x61), () => setTimeout(() => { socket.destroy(); resolve(); }, 100));
    });
    socket.on("error", () => resolve());
  });
}
