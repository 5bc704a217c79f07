/**
 * Bundles src/infer/web/app.ts and the src modules it imports into one classic script for the demo
 * page, with TypeScript's own transpiler (a declared dependency) and a 20-line module loader, so the
 * page runs the very model, tokenizer and scoring code of the CLI. Two modules are replaced:
 * src/tf (the page's global `tf` from the tfjs bundles, no fused wasm kernels) and node:fs (the
 * browser path never touches files; using it throws). Any other package import is an error here, so
 * a new Node-only import on this path is caught when exporting, not in a user's browser.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

const SRC = path.resolve(__dirname, "../..");
const ENTRY = path.join(SRC, "infer/web/app.ts");

const SHIMS: Record<string, string> = {
  [path.join(SRC, "tf/index.ts")]: `
    const tf = globalThis.tf;
    if (!tf) throw new Error("the tfjs bundle (tfjs/tf-core.min.js) did not load before clipdown.js");
    exports.tf = tf;
    exports.fusedEnabled = () => false;
    exports.fused = {};`,
  "node:fs": `
    const no = () => { throw new Error("no file system in the browser"); };
    module.exports = new Proxy({}, { get: () => no });`,
};

function resolveImport(spec: string, from: string): string {
  if (SHIMS[spec] !== undefined) return spec;
  if (!spec.startsWith("."))
    throw new Error(`${from}: imports "${spec}", which the browser bundle cannot provide`);
  const base = path.resolve(path.dirname(from), spec);
  for (const f of [`${base}.ts`, path.join(base, "index.ts")]) if (fs.existsSync(f)) return f;
  throw new Error(`${from}: cannot resolve "${spec}"`);
}

/** The bundle's source: every module reachable from the entry, transpiled to CommonJS. */
export function bundleWebApp(): string {
  const modules = new Map<string, { code: string; deps: Record<string, string> }>();
  const visit = (file: string) => {
    if (modules.has(file)) return;
    const shim = SHIMS[file];
    if (shim !== undefined) {
      modules.set(file, { code: shim, deps: {} });
      return;
    }
    const out = ts.transpileModule(fs.readFileSync(file, "utf8"), {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2020,
        esModuleInterop: true,
      },
      fileName: file,
    }).outputText;
    const deps: Record<string, string> = {};
    modules.set(file, { code: out, deps });
    for (const m of out.matchAll(/require\("([^"]+)"\)/g)) deps[m[1]!] = resolveImport(m[1]!, file);
    for (const d of Object.values(deps)) visit(d);
  };
  visit(ENTRY);
  const ids = [...modules.keys()];
  const id = (f: string) => ids.indexOf(f);
  const defs = ids.map((f) => {
    const { code, deps } = modules.get(f)!;
    const map = Object.fromEntries(Object.entries(deps).map(([s, d]) => [s, id(d)]));
    const name = path.isAbsolute(f) ? path.relative(SRC, f) : f;
    return `/* ${name} */ [function (require, module, exports) {\n${code}\n}, ${JSON.stringify(map)}]`;
  });
  return `/* clipdown web demo: src/infer/web/app.ts and its imports, bundled by src/infer/web/bundle.ts */
(function () {
  "use strict";
  const defs = [\n${defs.join(",\n")}\n];
  const cache = [];
  function load(i) {
    if (cache[i]) return cache[i].exports;
    const module = { exports: {} };
    cache[i] = module;
    const [fn, deps] = defs[i];
    fn((spec) => {
      if (!(spec in deps)) throw new Error("clipdown bundle: unknown import " + spec);
      return load(deps[spec]);
    }, module, module.exports);
    return module.exports;
  }
  globalThis.clipdownWeb = load(${id(ENTRY)});
})();
`;
}
