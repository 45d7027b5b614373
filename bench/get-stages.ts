// Where a 4 KiB GET's time goes under load: one in-process server whose handler stops after a given
// stage and answers with the stored body, so each stage's cost is the drop in throughput it causes.
// A CPU profile of a server under wrk misattributes native time (SQLite, hashing, Response) and a
// loop without HTTP under-counts it by half, so stages are measured here the way the bench is: wrk,
// 16 connections, presigned URL. The stages are s3lite's own, so the peer's column shows "—".
import { join } from "node:path";
import { Authorizer } from "../src/core/access/authorize.ts";
import { ANONYMOUS, buildIdentities } from "../src/core/access/identities.ts";
import { verifyRequest } from "../src/core/auth/verify.ts";
import { createApp, newRequestId } from "../src/core/app.ts";
import { resolveConfig } from "../src/core/config.ts";
import { setLogLevel } from "../src/core/log.ts";
import { handlers } from "../src/core/ops/index.ts";
import { parseRequest } from "../src/core/request.ts";
import { resolveOperation, resolveParams } from "../src/core/router.ts";
import { PartMerger } from "../src/core/store/merge-parts.ts";
import { openStore } from "../src/core/store/open.ts";
import { CREDENTIALS, BUCKET, expectOk, median, presigned, record, flags, work } from "./common.ts";
import { runWrk } from "./small-objects.ts";

const STAGES = [
  ["file", "GET 4 KiB by stage, µs/request: the stored body alone"],
  ["request", "  + reading URL and headers"],
  ["parse", "  + bucket, key, query, operation"],
  ["auth", "  + SigV4 presigned check"],
  ["lookup", "  + the object's row from SQLite"],
  ["handler", "  + GetObject (headers, conditions, range)"],
  ["app", "  + the rest of the app = s3lite"],
] as const;
type Stage = (typeof STAGES)[number][0];

export async function getStages(): Promise<void> {
  setLogLevel("error");
  const config = resolveConfig({ port: 0, data: join(work, "stages"), credentials: `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`, bucket: [BUCKET] }, {});
  const { meta, blobs, close } = openStore(config.dataDir);
  meta.createBucket(BUCKET, config.region, Date.now());
  const merger = new PartMerger(meta, blobs);
  const app = createApp({ config, meta, blobs, merger });
  const identities = buildIdentities(config.users);
  const credentials = identities.secrets;
  const access = new Authorizer(meta, identities);
  let stage: Stage = "app";
  // The object's body as the store gives it: a blob file, or bytes from the database for one kept inline.
  let body: Blob = new Blob([]);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      if (stage === "app") return app(req);
      if (stage === "file") return new Response(body);
      if (stage === "request") return req.url && req.headers.get("host") ? new Response(body) : new Response(null, { status: 400 });
      const parsed = parseRequest(req, config.domains);
      const route = resolveOperation(parsed);
      const params = resolveParams(route, parsed);
      if (stage === "parse") return new Response(body);
      const auth = verifyRequest(parsed, credentials, Date.now());
      if (stage === "auth") return new Response(body);
      if (stage === "lookup") {
        const { object } = meta.findObject(parsed.bucket!, parsed.key!);
        return new Response(blobs.served(object!.sha256, object!.size));
      }
      const now = Date.now();
      const principal = auth ? identities.byAccessKey(auth.accessKeyId)! : ANONYMOUS;
      const facts = { principal, parsed, auth, now };
      access.authorizeRequest(route.op, facts);
      return handlers[route.op]!({ req, parsed, params, auth, principal, facts, access, identities, meta, blobs, merger, config, credentials, now, requestId: newRequestId() });
    },
  });
  try {
    const url = (key: string, method: string) => presigned(`http://127.0.0.1:${server.port}/${BUCKET}/${key}`, method);
    await expectOk(await fetch(await url("stages.bin", "PUT"), { method: "PUT", body: new Uint8Array(4096).fill(115) }));
    body = blobs.served(meta.getObject(BUCKET, "stages.bin")!.sha256, 4096);
    const get = await url("stages.bin", "GET");
    // Stages interleaved over rounds, so drift in the machine's speed spreads over all of them.
    const rates = new Map<Stage, number[]>(STAGES.map(([s]) => [s, []]));
    for (let round = 0; round < (flags.quick ? 1 : 3); round++) {
      for (const [s] of STAGES) {
        stage = s;
        const load = await runWrk(get, "GET", 16, flags.quick ? 1 : 3);
        if (load.errors > 0) throw new Error(`stage ${s}: ${load.errors} errors`);
        rates.get(s)!.push(load.requestsPerSecond);
      }
    }
    let previous = 0;
    for (const [s, label] of STAGES) {
      const micros = 1e6 / median(rates.get(s)!);
      record({ scenario: `${label}${previous ? ` (+${(micros - previous).toFixed(1)})` : ""}`, unit: "µs", s3lite: micros, higherIsBetter: false });
      previous = micros;
    }
    // The SigV4 check alone, in a loop over one parsed request: steadier than the difference of two
    // wrk runs above, and lower (no HTTP around it, caches warm), so a before/after figure for it.
    const parsed = parseRequest(new Request(get, { headers: { host: `127.0.0.1:${server.port}` } }), config.domains);
    const calls = flags.quick ? 20_000 : 200_000;
    const loop = median(Array.from({ length: 5 }, () => {
      const started = performance.now();
      for (let i = 0; i < calls; i++) verifyRequest(parsed, credentials, Date.now());
      return performance.now() - started;
    }));
    record({ scenario: "  (the SigV4 presigned check alone, in-process loop, median of 5)", unit: "µs", s3lite: loop * 1000 / calls, higherIsBetter: false });
  } finally {
    await server.stop(true);
    close();
  }
}
