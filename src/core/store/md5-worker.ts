// The worker side of md5.ts: one MD5 per body, fed batches in order. Each batch goes back to the
// sender once hashed, so the sender reuses it and neither thread allocates per batch.
import type { FromWorker, ToWorker } from "./md5.ts";

declare const self: Worker;

const hashers = new Map<number, Bun.CryptoHasher>();
const reply = (message: FromWorker, transfer: ArrayBuffer[] = []) => self.postMessage(message, transfer);

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "data") {
    let hasher = hashers.get(message.id);
    if (!hasher) hashers.set(message.id, (hasher = new Bun.CryptoHasher("md5")));
    hasher.update(message.batch.subarray(0, message.length));
    reply({ id: message.id, type: "ack", batch: message.batch }, [message.batch.buffer]);
  } else if (message.type === "end") {
    reply({ id: message.id, type: "digest", digest: (hashers.get(message.id) ?? new Bun.CryptoHasher("md5")).digest("hex") });
    hashers.delete(message.id);
  } else {
    hashers.delete(message.id);
  }
};
