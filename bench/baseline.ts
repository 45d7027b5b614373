// The floor s3lite is measured against: a minimal Bun.serve file server with no S3 logic.
// GET answers with the file; PUT streams the body to a temp file and renames it into place.
import { rename } from "node:fs/promises";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir) throw new Error("usage: bun bench/baseline.ts <dir>");
const nameOf = (req: Request) => encodeURIComponent(new URL(req.url).pathname.slice(1));

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  maxRequestBodySize: 6 * 1024 ** 3,
  async fetch(req) {
    const path = join(dir, nameOf(req));
    if (req.method === "GET") {
      const file = Bun.file(path);
      return (await file.exists()) ? new Response(file) : new Response(null, { status: 404 });
    }
    if (req.method === "PUT") {
      const tmp = join(dir, `.tmp-${crypto.randomUUID()}`);
      await Bun.write(tmp, req);
      await rename(tmp, path);
      return new Response(null, { status: 200 });
    }
    return new Response(null, { status: 405 });
  },
});
console.log(`baseline listening on ${server.url.href.replace(/\/$/, "")}`);
