// The store's own errors. The store knows nothing of S3: ops/ decides what a client is answered
// (ops/_payload.ts maps these to S3 errors). Anything else a store throws is an I/O failure.

/** A body grew past the size it may have: StageOptions.maxSize, or all a memory store may hold. */
export class BodyTooLarge extends Error {
  constructor(readonly maxSize: number, readonly size: number) {
    super(`the body is larger than ${maxSize} bytes`);
    this.name = "BodyTooLarge";
  }
}

/** The store has no room for the body now (a memory store at its limit); it may have later. */
export class StoreFull extends Error {
  constructor(readonly limit: number) {
    super(`the store holds as many bytes as it may (${limit})`);
    this.name = "StoreFull";
  }
}
