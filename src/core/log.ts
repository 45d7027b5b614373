// The one consola instance of s3lite; each area takes a tagged logger from it. Text for people by
// default; JSON lines (one object per line, with the request's fields) for log collectors.
// consola/core with a reporter of our own: the full consola (its fancy reporter, prompts, boxes)
// costs ~9 MiB of memory and ~13 ms of start-up, and a server's log is plain lines anyway.
import { createConsola, type ConsolaInstance, type ConsolaReporter, type LogObject, LogLevels } from "consola/core";

export { LogLevels };

export const consola: ConsolaInstance = createConsola({ level: LogLevels.info, reporters: [{ log: writeTextLine }] });

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
    instance.setReporters([jsonReporter ?? { log: writeTextLine }]);
  }
}

export const logFormat = () => format;

/** `[tag] message` for requests and plain output; warnings and errors name their level and go to stderr. */
function writeTextLine(entry: LogObject): void {
  const text = entry.args.map((arg) => (arg instanceof Error ? (entry.level >= LogLevels.debug ? arg.stack : arg.message) : typeof arg === "string" ? arg : Bun.inspect(arg))).join(" ");
  const tag = entry.tag ? `[${entry.tag}] ` : "";
  const label = entry.level <= LogLevels.warn ? `${entry.type.toUpperCase()} ` : entry.type === "debug" || entry.type === "trace" ? "DEBUG " : "";
  const line = entry.type === "log" ? `${text}\n` : `${label}${tag}${text}\n`;
  (entry.level <= LogLevels.warn ? process.stderr : process.stdout).write(line);
}

function writeJsonLine(entry: { date: Date; type: string; tag: string; args: unknown[] }): void {
  const [message, fields] = entry.args;
  const line: Record<string, unknown> = { time: entry.date.toISOString(), level: entry.type, tag: entry.tag || undefined };
  if (message instanceof Error) Object.assign(line, { msg: message.message });
  else line.msg = String(message);
  if (fields instanceof Error) line.error = fields.message;
  else if (fields && typeof fields === "object") Object.assign(line, fields);
  process.stdout.write(JSON.stringify(line) + "\n");
}
