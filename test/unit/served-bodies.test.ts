import { expect, test } from "bun:test";
import { ServedBodies } from "../../src/core/store/served-bodies.ts";

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

test("served bodies keep the newest within their bound, dropping the oldest first, and take a body written again", async () => {
  const served = new ServedBodies(10_000);
  const a = served.add("a", bytes(4000, 1));
  served.add("b", bytes(4000, 2));
  expect(served.get("a")).toBe(a);
  expect(served.size).toBe(8000);
  served.add("c", bytes(4000, 3));
  expect(served.get("a")).toBeUndefined();
  expect(served.size).toBe(8000);
  expect(Array.from(await served.get("c")!.bytes())).toEqual(Array.from(bytes(4000, 3)));
  // Too large to keep: handed back, not held.
  const huge = served.add("d", bytes(20_000, 4));
  expect(huge.size).toBe(20_000);
  expect(served.get("d")).toBeUndefined();
  // Added again under an address it has: the new bytes replace the held (a write's are checked, what was held may not be).
  const b = served.get("b")!;
  const again = served.add("b", bytes(4000, 2));
  expect(served.get("b")).toBe(again);
  expect(again).not.toBe(b);
  expect(served.size).toBe(8000);
  served.delete("b");
  expect(served.get("b")).toBeUndefined();
  expect(served.size).toBe(4000);
});
