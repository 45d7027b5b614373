// npm run build (npm pack runs it as prepack): the library for Node, compiled by tsc into dist/ (ES modules)
// and dist/cjs/ (CommonJS), each with the .d.ts files its entry's types reach. Bun runs the sources as they
// are (the CLI, and the library through the "bun" export condition), so nothing else is built.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const root = join(import.meta.dir, "..");
const dist = join(root, "dist");
const ENTRIES = [join(dist, "node/index.d.ts"), join(dist, "cjs/node/index.d.cts")];

rmSync(dist, { recursive: true, force: true });
for (const project of ["tsconfig.build.json", "tsconfig.build-cjs.json"]) {
  const tsc = Bun.spawnSync([join(root, "node_modules/.bin/tsc"), "-p", join(root, project)], { stdout: "inherit", stderr: "inherit" });
  if (tsc.exitCode !== 0) throw new Error(`tsc -p ${project} failed`);
}
// tsc names the CommonJS files .js, which the package's "type": "module" would make ES modules.
writeFileSync(join(dist, "cjs/package.json"), `{ "type": "commonjs" }\n`);

// Declarations import each other as "./x.ts", as the sources do; every TypeScript version reads "./x.js" as x.d.ts.
const declarations = files(dist).filter((file) => /\.d\.c?ts$/.test(file));
for (const file of declarations) {
  writeFileSync(file, readFileSync(file, "utf8").replace(/(from\s+"\.{1,2}\/[^"]*?)\.(c?)ts"/g, `$1.$2js"`));
}
// Only what the entries' types reach is API; the rest (the child process's internals, the fault seam's
// Node types) goes, so that a consumer's type check never meets a declaration naming Bun's or Node's types.
const kept = new Set(ENTRIES.flatMap((entry) => [...reachable(entry)]));
for (const file of declarations) if (!kept.has(file)) rmSync(file);
for (const file of kept) {
  const text = readFileSync(file, "utf8");
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/(?!\/).*$/gm, "");
  const ambient = /\b(Bun|NodeJS)\.|\b(from\s+|import\()"(bun|node:)|\/\/\/\s*<reference/.exec(code);
  if (ambient) throw new Error(`${file} names "${ambient[0]}": the published types must need neither @types/bun nor @types/node`);
}
console.error(`built dist/: ${files(dist).length} files, of which ${kept.size} declarations`);

/** The declaration files `entry` imports, directly or not, itself included. */
function reachable(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const [, specifier] of readFileSync(entry, "utf8").matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)) {
    reachable(resolve(dirname(entry), specifier!.replace(/\.js$/, ".d.ts").replace(/\.cjs$/, ".d.cts")), seen);
  }
  return seen;
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
