// The one consola instance of s3lite; each area takes a tagged logger from it.
import { createConsola, type ConsolaInstance, LogLevels } from "consola";

export const consola: ConsolaInstance = createConsola({ level: LogLevels.info });

export function logger(tag: string): ConsolaInstance {
  return consola.withTag(tag);
}

export function setLogLevel(level: "silent" | "info" | "debug"): void {
  consola.level = LogLevels[level];
}
