// POST /_s3lite/reset, /_s3lite/settle and /_s3lite/lifecycle: what a test harness in another process
// (the library's startServer under Node, a container's test suite) calls between tests. They exist only
// when the server was given a token, and answer only requests bearing it; no S3 request reaches them.
import { createHash, timingSafeEqual } from "node:crypto";
import type { RunningServer } from "./server.ts";

type AdminCalls = Pick<RunningServer, "reset" | "settled" | "runLifecycle">;
type AdminRoute = { POST: (req: Request) => Promise<Response> };

/**
 * The admin routes for Bun.serve's `routes`, or none without a token. `calls` is read at request
 * time, so the server's handle may be made after the routes.
 */
export function adminRoutes(token: string | undefined, calls: () => AdminCalls): Record<string, AdminRoute> {
  if (!token) return {};
  const expected = digest(`Bearer ${token}`);
  const guarded = (run: (c: AdminCalls) => Promise<Response>): AdminRoute => ({
    async POST(req) {
      // Compared as digests, so neither the length nor a prefix of the token leaks through timing.
      if (!timingSafeEqual(digest(req.headers.get("authorization") ?? ""), expected)) {
        return Response.json({ error: "This route needs the server's admin token: Authorization: Bearer <S3LITE_ADMIN_TOKEN>" }, { status: 403 });
      }
      return run(calls());
    },
  });
  return {
    "/_s3lite/reset": guarded(async (c) => { await c.reset(); return new Response(null, { status: 204 }); }),
    "/_s3lite/settle": guarded(async (c) => { await c.settled(); return new Response(null, { status: 204 }); }),
    "/_s3lite/lifecycle": guarded(async (c) => Response.json(await c.runLifecycle())),
  };
}

const digest = (text: string) => createHash("sha256").update(text).digest();
