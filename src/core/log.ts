// The one consola instance of s3lite; each area takes a tagged logger from it.
import { createConsola, type ConsolaInstance, LogLevels } from "consola";

export { LogLevels };

export const consola: ConsolaInstance = createConsola({ level: LogLevels.info });

// consola's tagged instances copy the level when made, so setLogLevel() updates each of them.
const tagged = new Set<ConsolaInstance>([consola]);

export function logger(tag: string): ConsolaInstance {
  const instance = consola.withTag(tag);
  tagged.add(instance);
  return instance;
}

export function setLogLevel(level: "silent" | "info" | "debug"): void {
  for (const instance of tagged) instance.level = LogLevels[level];
}
