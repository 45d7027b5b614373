// The peer: s3rver (npm), started the way s3lite and the baseline are (a child process printing
// "listening on"), with its own data folder, seeded as s3lite's is for the rows it can do.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnListening, type ChildServer } from "../test/helpers/server-process.ts";
import { CREDENTIALS } from "./common.ts";
import { LIST_SMALL } from "./listing.ts";

export interface Peer extends ChildServer {
  /** What the table's header says of it: name, version, runtime. */
  label: string;
}

const S3RVER_VERSION: string = (await Bun.file(join(import.meta.dir, "../node_modules/s3rver/package.json")).json().catch(() => ({ version: "?" }))).version;

/**
 * s3rver under Node when the machine has it (as its users run it), else under this Bun. Its
 * ListObjectsV2 continuation tokens are DES-encrypted, which OpenSSL 3 (Node 17 and later) offers
 * only with the legacy provider, and BoringSSL (Bun) not at all: without the flag every paged
 * listing fails with InternalError, so s3rver's users on current Node pass it too.
 */
export async function spawnPeer(dataDir: string): Promise<Peer> {
  mkdirSync(dataDir, { recursive: true });
  const node = Bun.which("node");
  const runtime = node ? `Node ${Bun.spawnSync([node, "--version"]).stdout.toString().trim()}` : `Bun ${Bun.version}`;
  const argv = node ? [node, "--openssl-legacy-provider"] : [process.execPath];
  const child = await spawnListening([...argv, join(import.meta.dir, "peer-s3rver.mjs"), dataDir, CREDENTIALS.accessKeyId, CREDENTIALS.secretAccessKey]);
  return { ...child, label: `s3rver ${S3RVER_VERSION} on ${runtime}` };
}

/**
 * The 10,000-key listing bucket in s3rver's own layout (`<bucket>/<key>._S3rver_object`, beside its
 * `.md5` and `._S3rver_metadata.json`), written before it starts, as s3lite's rows are written into
 * its metadata. The 1,000,000-key and versioned buckets are not: that is three million files, and
 * s3rver walks the bucket's folder tree for every listing.
 */
export function seedPeerListing(dataDir: string): void {
  const emptyMd5 = "d41d8cd98f00b204e9800998ecf8427e";
  for (let d = 0; d < 10; d++) {
    const dir = join(dataDir, LIST_SMALL, `dir-${String(d).padStart(4, "0")}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 1000; f++) {
      const base = join(dir, `file-${String(f).padStart(4, "0")}.txt._S3rver_`);
      writeFileSync(`${base}object`, "");
      writeFileSync(`${base}object.md5`, emptyMd5);
      writeFileSync(`${base}metadata.json`, JSON.stringify({ "content-type": "text/plain" }));
    }
  }
}
