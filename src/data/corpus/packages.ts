/**
 * Locating the installed data packages (npm and Debian) the corpora are built from, and their
 * versions, which go into each dataset's build fingerprint so an upgrade triggers a rebuild.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const dirCache = new Map<string, string>();

/**
 * Root folder of an installed npm package. Some packages (`@phosphor-icons/core`, `@tabler/icons`)
 * do not export `package.json`, so this walks Node's module search paths instead of `require.resolve`.
 */
export function packageDir(name: string): string {
  const hit = dirCache.get(name);
  if (hit) return hit;
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = path.join(base, name);
    if (fs.existsSync(path.join(dir, "package.json"))) {
      dirCache.set(name, dir);
      return dir;
    }
  }
  throw new Error(
    `npm package ${name} is not installed; it is a dependency of clipdown, run \`npm install\` in the project root`,
  );
}

/** `version` from an installed npm package's package.json. */
export function packageVersion(name: string): string {
  const pj = JSON.parse(fs.readFileSync(path.join(packageDir(name), "package.json"), "utf8"));
  return String(pj.version);
}

/** Reads and parses a JSON file inside an npm package. */
export function readPackageJson<T = unknown>(name: string, rel: string): T {
  const file = path.join(packageDir(name), rel);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch (err) {
    throw new Error(`cannot read ${file} (${(err as Error).message}); reinstall ${name} with npm install`);
  }
}

/**
 * Installed version of a Debian package, or undefined if it is not installed (or this is not a Debian
 * system). Used only for optional sources (openclipart-svg, dataset-fashion-mnist).
 */
export function debVersion(pkg: string): string | undefined {
  try {
    const format = ["$", "{Status}|$", "{Version}"].join(""); // dpkg-query's own ${field} syntax
    const out = execFileSync("dpkg-query", ["-W", `-f=${format}`, pkg], {
      stdio: ["ignore", "pipe", "ignore"],
    }).toString();
    const [status, version] = out.split("|");
    return status?.endsWith(" installed") ? version : undefined;
  } catch {
    // dpkg-query fails when the package is not installed (or dpkg is absent): no version.
    return undefined;
  }
}
