// The peer column's server: s3rver from npm, a dev S3 server users pick instead of s3lite, as a child
// process like the others. Plain JavaScript, so it runs under Node (as its users run it) or Bun.
// usage: node bench/peer-s3rver.mjs <dir> <accessKeyId> <secretAccessKey>
import { createRequire } from "node:module";

const START_TIMEOUT_MS = 30_000;
const require = createRequire(import.meta.url);
const S3rver = require("s3rver");
// s3rver knows one hard-coded account; the bench's credentials join it, so one presigner signs for every server.
const { DUMMY_ACCOUNT } = require("s3rver/lib/models/account");

const [directory, accessKeyId, secretAccessKey] = process.argv.slice(2);
if (!directory || !accessKeyId || !secretAccessKey) throw new Error("usage: bench/peer-s3rver.mjs <dir> <accessKeyId> <secretAccessKey>");
// A server that never starts must not hang the bench (CI's smoke run): give up, and say so.
const giveUp = setTimeout(() => {
  console.error(`s3rver did not start listening within ${START_TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, START_TIMEOUT_MS);
DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, vhostBuckets: false });
const { address, port } = await server.run();
clearTimeout(giveUp);
console.log(`s3rver listening on http://${address}:${port}`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
