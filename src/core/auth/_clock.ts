// The request-time rule every signature version shares: S3 refuses a request dated more than
// 15 minutes from its own clock. And the one date form both versions read, SigV4's x-amz-date.
import { S3Error } from "../errors.ts";

const AMZ_DATE = /^\d{8}T\d{6}Z$/;

/** `YYYYMMDDTHHMMSSZ` → epoch ms, or NaN. Every signed request reads one: digits by position, no captures. */
export function parseAmzDate(value: string): number {
  if (!AMZ_DATE.test(value)) return NaN;
  const digits = (start: number, end: number): number => {
    let n = 0;
    for (let i = start; i < end; i++) n = n * 10 + value.charCodeAt(i) - 0x30;
    return n;
  };
  return Date.UTC(digits(0, 4), digits(4, 6) - 1, digits(6, 8), digits(9, 11), digits(11, 13), digits(13, 15));
}

export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** Throws RequestTimeTooSkewed; `requestTime` is reported as the client sent it. */
export function checkClockSkew(requestTime: string, requestMs: number, nowMs: number): void {
  if (Math.abs(nowMs - requestMs) > MAX_CLOCK_SKEW_MS) {
    throw new S3Error("RequestTimeTooSkewed", { RequestTime: requestTime, ServerTime: new Date(nowMs).toISOString(), MaxAllowedSkewMilliseconds: MAX_CLOCK_SKEW_MS });
  }
}
