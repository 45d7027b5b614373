// The version is written once, in package.json; everything that prints it reads it from there.
import pkg from "../../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
