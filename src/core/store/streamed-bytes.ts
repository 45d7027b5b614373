// Bodies streamed through JavaScript arrive as ~64 KiB chunks that die at once, but JavaScriptCore
// schedules collections by its own heap's growth and lets such chunks pile up: four 5 MiB uploads at
// once held 30–40 MiB of dead chunks, and a 5 GiB multipart upload peaked at ~120 MiB. `s3lite serve`
// owns its process, so it collects every 16 MiB streamed (a full collection of its small heap takes
// under a millisecond). A server embedded in a test process leaves collection to its host, whose
// heap may be large enough to make a forced collection expensive.
let collectEvery = 0;
let streamed = 0;

/** Collect garbage every `bytes` streamed through JavaScript, process-wide; 0 turns it off (the default). */
export function collectGarbageEvery(bytes: number): void {
  collectEvery = bytes;
  streamed = 0;
}

/** Counts bytes a body moved through JavaScript. */
export function countStreamed(bytes: number): void {
  if (collectEvery === 0) return;
  streamed += bytes;
  if (streamed >= collectEvery) {
    streamed = 0;
    Bun.gc(true);
  }
}
