/**
 * The plotly.js browser bundle as text, for inlining into notebook outputs and reports (no CDN:
 * reports and exported notebooks must draw offline).
 *
 * The installed `plotly.js-dist` ships only the unminified 10 MB bundle. It is minified once with
 * esbuild (the bundler plotly itself uses; installed with tsx) to ~4.8 MB and cached under
 * `node_modules/.cache/clipdown/`; if esbuild cannot be loaded the unminified text is used.
 * Never `require("plotly.js-dist")` in Node: it needs a DOM.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface PlotlyLibrary {
  version: string;
  /** The JavaScript source, not yet escaped for a `<script>` element. */
  source: string;
  minified: boolean;
}

let cached: PlotlyLibrary | undefined;

function plotlyDir(): string {
  return path.dirname(require.resolve("plotly.js-dist/package.json"));
}

/** Loads (and memoises) plotly.js; `minify: false` returns the shipped bundle unchanged. */
export function plotlyLibrary(opts: { minify?: boolean } = {}): PlotlyLibrary {
  const dir = plotlyDir();
  const version = (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string })
    .version;
  if (opts.minify === false) {
    return { version, source: fs.readFileSync(path.join(dir, "plotly.js"), "utf8"), minified: false };
  }
  if (cached?.version === version) return cached;
  cached = minifiedOrRaw(dir, version);
  return cached;
}

function minifiedOrRaw(dir: string, version: string): PlotlyLibrary {
  const cacheFile = path.join(cacheDir(dir), `plotly-${version}.min.js`);
  if (fs.existsSync(cacheFile))
    return { version, source: fs.readFileSync(cacheFile, "utf8"), minified: true };
  const raw = fs.readFileSync(path.join(dir, "plotly.js"), "utf8");
  const esbuild = loadEsbuild();
  if (!esbuild) return { version, source: raw, minified: false };
  const source = esbuild.transformSync(raw, { minify: true, legalComments: "none" }).code;
  try {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, source);
    fs.renameSync(tmp, cacheFile);
  } catch {
    // A read-only node_modules only costs the ~2 s minification on the next start.
  }
  return { version, source, minified: true };
}

/** `<project>/node_modules/.cache/clipdown` (next to the node_modules holding plotly.js-dist). */
function cacheDir(plotlyPackageDir: string): string {
  return path.join(plotlyPackageDir, "..", ".cache", "clipdown");
}

type Esbuild = { transformSync(code: string, o: Record<string, unknown>): { code: string } };

function loadEsbuild(): Esbuild | undefined {
  try {
    // esbuild is tsx's dependency; resolve it from tsx so a non-hoisted layout also works.
    const tsxDir = path.dirname(require.resolve("tsx/package.json"));
    return require(require.resolve("esbuild", { paths: [tsxDir] })) as Esbuild;
  } catch {
    // esbuild not installed: the library is used unminified.
    return undefined;
  }
}

/**
 * Makes text safe inside an HTML `<script>` element without changing what it means as JavaScript:
 * `</script` and `<!--` would end or confuse the element, so their `<` is written `\x3C`, which is
 * the same character in string, template and regular-expression literals.
 */
export function escapeScriptText(js: string): string {
  return js.replace(/<(\/script|!--)/gi, "\\x3C$1");
}

/**
 * JSON for embedding in a `<script>`: every `<` (only possible inside strings) becomes `\u003c`,
 * and the JS line terminators U+2028/U+2029 are escaped too.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
