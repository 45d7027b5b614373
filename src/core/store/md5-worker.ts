// The worker side of md5.ts: one MD5 per body, fed batches in order from memory shared with the
// sender. Each batch is acknowledged once hashed, and the sender may then fill its slot again.
import type { FromWorker, ToWorker } from "./md5.ts";

declare const self: Worker;

const lanes = new Map<number, SharedArrayBuffer>();
const hashers = new Map<number, Bun.CryptoHasher>();
const reply = (message: FromWorker) => self.postMessage(message);

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "lane") {
    lanes.set(message.lane, message.memory);
  } else if (message.type === "data") {
    let hasher = hashers.get(message.id);
    if (!hasher) hashers.set(message.id, (hasher = new Bun.CryptoHasher("md5")));
    hasher.update(new Uint8Array(lanes.get(message.lane)!, message.offset, message.length));
    reply({ type: "ack", id: message.id, slot: message.slot });
  } else if (message.type === "end") {
    reply({ type: "digest", id: message.id, digest: (hashers.get(message.id) ?? new Bun.CryptoHasher("md5")).digest("hex") });
    hashers.delete(message.id);
  } else {
    hashers.delete(message.id);
    lanes.delete(message.lane);
  }
};
