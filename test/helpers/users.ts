// Two users on one server, alice and bob, each with an SDK client: what the access suites start from.
import { afterAll, beforeAll } from "bun:test";
import type { S3Client } from "@aws-sdk/client-s3";
import type { KeyPair } from "../../src/index.ts";
import { startTestServer, type TestServer } from "./server.ts";

export interface TwoUsers { s: TestServer; alice: S3Client; bob: S3Client }

/**
 * Starts the server before the file's tests and stops it after; the returned object is filled in by
 * then. Keys without a `user` are users of their own, named by their key; `users` adds more.
 */
export function withTwoUsers(alice: KeyPair, bob: KeyPair, options: Parameters<typeof startTestServer>[0] = {}): TwoUsers {
  const ctx = {} as TwoUsers;
  beforeAll(async () => {
    ctx.s = await startTestServer({ extraCredentials: [alice, bob], ...options });
    ctx.alice = ctx.s.makeClient({ credentials: alice });
    ctx.bob = ctx.s.makeClient({ credentials: bob });
  });
  afterAll(async () => {
    ctx.alice.destroy();
    ctx.bob.destroy();
    await ctx.s.stop();
  });
  return ctx;
}
