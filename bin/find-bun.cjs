// @ts-check
// Finds the Bun binary that came with s3lite (its `bun` dependency), for the launcher (s3lite.js) and for
// the library's startServer under Node. CommonJS, so that both builds of the library can require it.
"use strict";
const { statSync } = require("node:fs");
const { delimiter, dirname, join } = require("node:path");

/** npm's `bun` package ships bin/bun.exe as a placeholder of a few hundred bytes, which its postinstall
 *  script replaces with the binary of the platform package (@oven/bun-<os>-<arch>); without install
 *  scripts (`--ignore-scripts`, or an npm that blocks them) the binary stays in the platform package. */
const PLACEHOLDER_MAX_BYTES = 1024 * 1024;

/**
 * The path of a Bun binary: the `bun` dependency's, else its platform package's, else `bun` on the PATH.
 * Throws an Error whose message says what to do when there is none.
 * @param {string} packageDir the folder of s3lite's package.json
 * @returns {string}
 */
function findBun(packageDir) {
  const tried = [];
  const bunDir = resolveDir("bun", [packageDir]);
  if (bunDir) {
    const binary = join(bunDir, "bin", "bun.exe");
    if (isFile(binary, PLACEHOLDER_MAX_BYTES)) return binary;
    tried.push(binary);
    for (const name of platformPackages(bunDir)) {
      const dir = resolveDir(name, [bunDir, packageDir]);
      if (!dir) continue;
      const binary = join(dir, "bin", process.platform === "win32" ? "bun.exe" : "bun");
      if (isFile(binary, 0)) return binary;
      tried.push(binary);
    }
  }
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const binary = join(dir, process.platform === "win32" ? "bun.exe" : "bun");
    if (isFile(binary, 0)) return binary;
  }
  throw new Error([
    "s3lite runs on Bun, which it brings as its dependency `bun`, but found no Bun binary",
    bunDir ? `(it looked at ${tried.join(", ")}, then the PATH).` : "(the `bun` package is not installed, and there is no bun on the PATH).",
    "Reinstall s3lite without --omit=optional (Bun's binary is an optional dependency of `bun`), or install Bun from https://bun.sh and put it on the PATH.",
  ].join(" "));
}

/**
 * The platform packages among the `bun` package's optional dependencies that fit this machine, the
 * one for this libc first (npm installs only those whose os, cpu and libc match).
 * @param {string} bunDir
 * @returns {string[]}
 */
function platformPackages(bunDir) {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const arch = process.arch === "arm64" ? "aarch64" : process.arch;
  /** @type {{ optionalDependencies?: Record<string, string> }} */
  const pkg = require(join(bunDir, "package.json"));
  const prefix = `@oven/bun-${os}-${arch}`;
  const names = Object.keys(pkg.optionalDependencies ?? {}).filter((name) => name === prefix || name.startsWith(`${prefix}-`));
  const musl = process.platform === "linux" && !isGlibc();
  return names.sort((a, b) => rank(a, musl) - rank(b, musl));
}

/** @param {string} name @param {boolean} musl */
const rank = (name, musl) => (name.includes("-musl") === musl ? 0 : 1) + (name.includes("-android") ? 2 : 0) + (name.includes("-baseline") ? 1 : 0);

function isGlibc() {
  const report = /** @type {{ header?: { glibcVersionRuntime?: string } }} */ (process.report?.getReport() ?? {});
  return Boolean(report.header?.glibcVersionRuntime);
}

/** @param {string} name @param {string[]} paths @returns {string | undefined} */
function resolveDir(name, paths) {
  try {
    return dirname(require.resolve(`${name}/package.json`, { paths }));
  } catch {
    return undefined;
  }
}

/** @param {string} path @param {number} minBytes */
function isFile(path, minBytes) {
  try {
    const stat = statSync(path);
    return stat.isFile() && stat.size > minBytes;
  } catch {
    return false;
  }
}

module.exports = { findBun };
