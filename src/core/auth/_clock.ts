// The request-time rule every signature version shares: S3 refuses a request dated more than
// 15 minutes from its own clock.
import { S3Error } from "../errors.ts";

export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** Throws RequestTimeTooSkewed; `requestTime` is reported as the client sent it. */
export function checkClockSkew(requestTime: string, requestMs: number, nowMs: number): void {
  if (Math.abs(nowMs - requestMs) > MAX_CLOCK_SKEW_MS) {
    throw new S3Error("RequestTimeTooSkewed", { RequestTime: requestTime, ServerTime: new Date(nowMs).toISOString(), MaxAllowedSkewMilliseconds: MAX_CLOCK_SKEW_MS });
  }
}
