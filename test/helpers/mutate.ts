// Seeded mutation of valid inputs for fuzz tests: byte flips, cuts, repeats, random bytes and
// tokens that matter to the format being fuzzed.
export function mutate(rand: () => number, input: Uint8Array, tokens: readonly string[] = []): Uint8Array {
  let bytes = Buffer.from(input);
  const at = () => Math.floor(rand() * (bytes.length + 1));
  const encoder = new TextEncoder();
  for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
    const i = at();
    switch (Math.floor(rand() * 7)) {
      case 0: // flip a bit
        if (bytes.length) bytes[Math.min(i, bytes.length - 1)]! ^= 1 << Math.floor(rand() * 8);
        break;
      case 1: { // cut a span
        const j = Math.min(bytes.length, i + Math.floor(rand() * 64));
        bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(j)]);
        break;
      }
      case 2: { // repeat a span
        const j = Math.min(bytes.length, i + Math.floor(rand() * 64));
        bytes = Buffer.concat([bytes.subarray(0, j), bytes.subarray(i, j), bytes.subarray(j)]);
        break;
      }
      case 3: { // random bytes
        const noise = new Uint8Array(1 + Math.floor(rand() * 16)).map(() => Math.floor(rand() * 256));
        bytes = Buffer.concat([bytes.subarray(0, i), noise, bytes.subarray(i)]);
        break;
      }
      case 4: // cut the end off
        bytes = bytes.subarray(0, i);
        break;
      default: { // a token of the format, inserted or overwriting
        if (tokens.length === 0) break;
        const token = encoder.encode(tokens[Math.floor(rand() * tokens.length)]!);
        const overwrite = rand() < 0.5 ? token.length : 0;
        bytes = Buffer.concat([bytes.subarray(0, i), token, bytes.subarray(Math.min(bytes.length, i + overwrite))]);
      }
    }
  }
  return new Uint8Array(bytes);
}

/** Resolves with `p`'s outcome, or rejects when it takes longer than `ms`: a hang is a failure. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: Timer;
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`hung: ${what}`)), ms); })]).finally(() => clearTimeout(timer));
}
