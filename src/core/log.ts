// The one consola instance of s3lite; each area takes a tagged logger from it. Text for people by
// default; JSON lines (one object per line, with the request's fields) for log collectors.
import { createConsola, type ConsolaInstance, type ConsolaReporter, LogLevels } from "consola";

export { LogLevels };

export const consola: ConsolaInstance = createConsola({ level: LogLevels.info });

// consola's tagged instances copy the level and reporters when made, so the setters update each of them.
const tagged = new Set<ConsolaInstance>([consola]);
let format: "text" | "json" = "text";
let jsonReporter: ConsolaReporter | undefined;

export function logger(tag: string): ConsolaInstance {
  const instance = consola.withTag(tag);
  if (jsonReporter) instance.setReporters([jsonReporter]);
  tagged.add(instance);
  return instance;
}

export function setLogLevel(level: "silent" | "error" | "info" | "debug"): void {
  for (const instance of tagged) instance.level = LogLevels[level];
}

export function setLogFormat(next: "text" | "json"): void {
  if (next === format) return;
  format = next;
  jsonReporter = next === "json" ? { log: writeJsonLine } : undefined;
  for (const instance of tagged) {
    if (jsonReporter) instance.setReporters([jsonReporter]);
    else instance.setReporters(createConsola().options.reporters);
  }
}

export const logFormat = () => format;

function writeJsonLine(entry: { date: Date; type: string; tag: string; args: unknown[] }): void {
  const [message, fields] = entry.args;
  const line: Record<string, unknown> = { time: entry.date.toISOString(), level: entry.type, tag: entry.tag || undefined };
  if (message instanceof Error) Object.assign(line, { msg: message.message });
  else line.msg = String(message);
  if (fields instanceof Error) line.error = fields.message;
  else if (fields && typeof fields === "object") Object.assign(line, fields);
  process.stdout.write(JSON.stringify(line) + "\n");
}
