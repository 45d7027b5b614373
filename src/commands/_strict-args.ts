// Refuses what citty would silently drop: unknown flags and positionals a command does not declare.
// Reads the arguments the way citty's parser does (--flag=value, --no-flag, -r, camelCase, --); it only
// checks them, and citty still does the parsing.
import type { ArgsDef } from "citty";

/** A mistake in how the command was called: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Throws a UsageError naming the first argument `command` would ignore, with the closest known flag. */
export function checkArgs(command: string, rawArgs: readonly string[], argsDef: ArgsDef): void {
  const defs = Object.entries(argsDef);
  const positionals = defs.filter(([, def]) => def.type === "positional").map(([name]) => name.toUpperCase());
  // Each spelling citty accepts → the flag's type.
  const long = new Map<string, string>(), short = new Map<string, string>();
  for (const [name, def] of defs) {
    if (def.type === "positional") continue;
    const type = def.type ?? "string";
    for (const spelling of [name, camelCase(name)]) long.set(spelling, type);
    for (const alias of ["alias" in def ? def.alias ?? [] : []].flat()) (alias.length === 1 ? short : long).set(alias, type);
  }
  const names = defs.filter(([, def]) => def.type !== "positional").map(([name]) => name);
  const booleans = names.filter((name) => long.get(name) === "boolean");
  const isFlag = (arg: string) => long.has(arg.replace(/^--(no-)?/, "").split("=")[0]!) || short.has(arg.slice(1));
  const needsValue = (flag: string, next: string | undefined) => {
    // citty would take the next argument whatever it is, so `--port --json` quietly loses --json.
    if (next === undefined || (next.startsWith("-") && isFlag(next))) throw new UsageError(`flag ${flag} needs a value`);
  };

  let seen = 0;
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") {
      for (const rest of rawArgs.slice(i + 1)) positional(rest);
      break;
    }
    if (arg.startsWith("--no-")) {
      const [name, value] = split(arg.slice(5));
      if (long.has(name) && long.get(name) !== "boolean") throw new UsageError(`unknown flag --no-${name}; --${name} is not an on/off flag`);
      if (!long.has(name)) throw unknown(`--no-${name}`, booleans, name, "no-");
      if (value !== undefined) throw new UsageError(`flag --no-${name} takes no value`);
    } else if (arg.startsWith("--")) {
      const [name, value] = split(arg.slice(2));
      const type = long.get(name);
      if (!type) throw unknown(`--${name}`, names, name);
      if (type !== "boolean" && value === undefined) needsValue(`--${name}`, rawArgs[++i]);
    } else if (arg.startsWith("-") && arg !== "-") {
      // A short group: -rj is -r -j; a short flag that takes a value takes the rest, or the next argument.
      for (let j = 1; j < arg.length; j++) {
        const type = short.get(arg[j]!);
        if (!type) throw new UsageError(`unknown flag -${arg[j]}${arg.length > 2 ? ` in ${arg}` : ""}`);
        if (type !== "boolean") {
          if (j === arg.length - 1) needsValue(`-${arg[j]}`, rawArgs[++i]);
          break;
        }
      }
    } else positional(arg);
  }

  function positional(arg: string): void {
    if (++seen <= positionals.length) return;
    const count = positionals.length;
    const takes = count === 0 ? "no arguments" : `${count} argument${count === 1 ? "" : "s"} (${positionals.join(" ")})`;
    const hint = isFlag(`--${arg}`) ? `; did you mean --${arg}?` : "";
    throw new UsageError(`unexpected argument ${arg}; ${command} takes ${takes}${hint}`);
  }
}

function unknown(flag: string, candidates: readonly string[], typed: string, prefix = ""): UsageError {
  const near = closest(typed, candidates);
  return new UsageError(`unknown flag ${flag}${near ? `; did you mean --${prefix}${near}?` : ""}`);
}

const split = (body: string): [string, string | undefined] => {
  const eq = body.indexOf("=");
  return eq < 0 ? [body, undefined] : [body.slice(0, eq), body.slice(eq + 1)];
};

const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The candidate nearest to `typed`, if near enough to be a typo of it or a prefix of only it. */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const word = typed.toLowerCase();
  const prefixed = candidates.filter((c) => word.length >= 2 && c.startsWith(word));
  if (prefixed.length === 1) return prefixed[0];
  const allowed = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | undefined, bestDistance = allowed + 1;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Edit distance counting a swap of neighbours as one edit, since "prot" for "port" is one slip. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
