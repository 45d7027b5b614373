// A seam for fault-injection tests: the store calls the hook before each step that touches the disk,
// and a test makes that step fail the way the OS would (ENOSPC, EIO). Production passes no hook.

/** write: a chunk of a body to its temp file; fsync: a file or folder flushed (only with --fsync);
 *  rename: a temp file published under its address; commit: a metadata transaction. */
export type IoStep = "write" | "fsync" | "rename" | "commit";

export type FaultHook = (step: IoStep) => void;

const MESSAGES = { ENOSPC: "no space left on device", EIO: "i/o error", EDQUOT: "disk quota exceeded" } as const;

/** An error shaped like the one Node's fs raises for `code`. */
export function ioError(code: keyof typeof MESSAGES, step: IoStep): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${MESSAGES[code]}, ${step}`), { code, syscall: step });
}

/** Disk-full errors: the client may retry later (503); anything else is an internal error (500). */
export const isOutOfSpace = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
};
