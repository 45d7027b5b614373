// The request-time rule every signature version shares: S3 refuses a request dated more than
// 15 minutes from its own clock. And the one date form both versions read, SigV4's x-amz-date.
import { S3Error } from "../errors.ts";

/** `YYYYMMDDTHHMMSSZ` → epoch ms, or NaN. */
export function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** Throws RequestTimeTooSkewed; `requestTime` is reported as the client sent it. */
export function checkClockSkew(requestTime: string, requestMs: number, nowMs: number): void {
  if (Math.abs(nowMs - requestMs) > MAX_CLOCK_SKEW_MS) {
    throw new S3Error("RequestTimeTooSkewed", { RequestTime: requestTime, ServerTime: new Date(nowMs).toISOString(), MaxAllowedSkewMilliseconds: MAX_CLOCK_SKEW_MS });
  }
}
