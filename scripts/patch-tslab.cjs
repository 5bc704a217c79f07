#!/usr/bin/env node
/**
 * Lets tslab 1.0.22 notebooks in `notebooks/` import the project's TypeScript as `../src/...`.
 *
 * Stock tslab roots its in-kernel TypeScript compile at the notebook's folder (`rootDir = cwd`), so
 * `import { x } from "../src/x"` fails with "File '…/src/x.ts' is not under 'rootDir'". This script
 * makes three small, idempotent edits to tslab's compiled files (run from the root `postinstall`,
 * so a fresh `npm ci` applies it; `npm run lab` and the notebook tests re-check it):
 *
 *   dist/converter.js  rootDir = the project that installed tslab (TSLAB_ROOT_DIR overrides it),
 *                      when the notebook's folder lies inside it; otherwise the old behaviour.
 *                      The cell's output file and the side outputs of imported files are placed
 *                      relative to that rootDir so the kernel still finds them.
 *   dist/executor.js   `require("../tf")` of an imported file also resolves a folder's index.js
 *                      (stock tslab only tries "<id>.js"), as Node and tsc do.
 *
 * Each edit anchors on an exact snippet of tslab 1.0.22; any other version, or a snippet that is
 * not found exactly once, stops with an error instead of guessing. Usage:
 *   node scripts/patch-tslab.cjs           apply (no-op when already applied)
 *   node scripts/patch-tslab.cjs --check   exit 1 unless every edit is applied
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const TSLAB_VERSION = "1.0.22";
const MARK = "/* clipdown-patch v1 */";

/** The edits: file, the exact stock snippet, and its replacement (which carries MARK). */
const EDITS = [
  {
    file: "dist/converter.js",
    name: "rootDir",
    from: "    const cwd = ts.sys.getCurrentDirectory();\n",
    to:
      "    const cwd = ts.sys.getCurrentDirectory();\n" +
      `    ${MARK} const rootDir = (() => {\n` +
      "        const env = process.env.TSLAB_ROOT_DIR;\n" +
      '        const root = (0, tspath_1.normalizeSlashes)(path_1.default.resolve(env || path_1.default.join(__dirname, "..", "..", "..")));\n' +
      "        const rel = path_1.default.relative(root, cwd);\n" +
      '        return rel === "" || (!rel.startsWith("..") && !path_1.default.isAbsolute(rel)) ? root : cwd;\n' +
      "    })();\n",
  },
  {
    file: "dist/converter.js",
    name: "output file",
    from: 'const dstFilename = (0, tspath_1.normalizeJoin)(outDir, "__tslab__.js");',
    to: `const dstFilename = ${MARK} (0, tspath_1.normalizeJoin)(outDir, path_1.default.relative(rootDir, cwd), "__tslab__.js");`,
  },
  {
    file: "dist/converter.js",
    name: "declaration file",
    from: 'const dstDeclFilename = (0, tspath_1.normalizeJoin)(outDir, "__tslab__.d.ts");',
    to: `const dstDeclFilename = ${MARK} (0, tspath_1.normalizeJoin)(outDir, path_1.default.relative(rootDir, cwd), "__tslab__.d.ts");`,
  },
  {
    file: "dist/converter.js",
    name: "compiler rootDir",
    from: "        rootDir: cwd,\n",
    to: `        rootDir: ${MARK} rootDir,\n`,
  },
  {
    file: "dist/converter.js",
    name: "side output paths",
    from: "path: (0, tspath_1.normalizeJoin)(cwd, rel),",
    to: `path: ${MARK} (0, tspath_1.normalizeJoin)(rootDir, rel),`,
  },
  {
    file: "dist/executor.js",
    name: "folder index imports",
    from:
      '        if (path_1.default.extname(filename) === "") {\n' +
      '            filename += ".js";\n' +
      "        }\n",
    to:
      `        ${MARK} filename = [filename + ".js", (0, tspath_1.normalizeJoin)(filename, "index.js"), filename]\n` +
      "            .find((f) => sideModules.has(f) || sideOutputs.has(f)) || filename;\n",
  },
];

function countOf(text, snippet) {
  return text.split(snippet).length - 1;
}

/** Returns the tslab package folder, or undefined when tslab is not installed. */
function tslabDir(root) {
  const dir = path.join(root, "node_modules", "tslab");
  return fs.existsSync(path.join(dir, "package.json")) ? dir : undefined;
}

/**
 * Inspects (and with `apply`, patches) tslab under `root`. Returns
 * { status: "absent" | "applied" | "patched" | "unpatched", messages } or throws on a mismatch.
 */
function patchTslab(root, { apply }) {
  const dir = tslabDir(root);
  if (!dir) return { status: "absent", messages: [`tslab is not installed under ${root}; nothing to patch`] };
  const version = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version;
  if (version !== TSLAB_VERSION) {
    throw new Error(
      `tslab ${version} is installed but scripts/patch-tslab.cjs only knows tslab ${TSLAB_VERSION}; ` +
        `pin "tslab": "${TSLAB_VERSION}" in package.json or update the patch`,
    );
  }
  const files = [...new Set(EDITS.map((e) => e.file))];
  const texts = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
  const todo = [];
  for (const e of EDITS) {
    const text = texts[e.file];
    const done = countOf(text, e.to);
    const stock = countOf(text, e.from);
    if (done === 1 && (e.to.includes(e.from) ? stock === 1 : stock === 0)) continue;
    if (done === 0 && stock === 1) {
      todo.push(e);
      continue;
    }
    throw new Error(
      `tslab ${dir}/${e.file}: edit "${e.name}" found its stock snippet ${stock}x and the patched one ${done}x ` +
        "(expected exactly one of them); reinstall tslab (rm -rf node_modules/tslab && npm install) and rerun",
    );
  }
  if (!todo.length) return { status: "applied", messages: ["tslab rootDir patch already applied"] };
  if (!apply)
    return { status: "unpatched", messages: todo.map((e) => `missing edit: ${e.file} (${e.name})`) };
  for (const e of todo) texts[e.file] = texts[e.file].replace(e.from, () => e.to);
  for (const f of new Set(todo.map((e) => e.file))) {
    const target = path.join(dir, f);
    const tmp = `${target}.clipdown-tmp`;
    fs.writeFileSync(tmp, texts[f]);
    fs.renameSync(tmp, target);
  }
  const after = patchTslab(root, { apply: false });
  if (after.status !== "applied") throw new Error(`tslab patch did not verify: ${after.messages.join("; ")}`);
  return { status: "patched", messages: todo.map((e) => `patched ${e.file} (${e.name})`) };
}

module.exports = { patchTslab, EDITS, TSLAB_VERSION, MARK };

if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  const check = process.argv.includes("--check");
  try {
    const r = patchTslab(root, { apply: !check });
    for (const m of r.messages) console.log(`patch-tslab: ${m}`);
    process.exitCode = r.status === "unpatched" ? 1 : 0;
  } catch (e) {
    console.error(`patch-tslab: ${e.message}`);
    process.exitCode = 1;
  }
}
