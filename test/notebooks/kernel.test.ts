/**
 * The clipdown kernel: the relocatable kernelspec, the tslab patch (idempotent, version-pinned),
 * and one real kernel run of a tiny notebook that imports ../../src and displays figures.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { jupyterPathWithProject } from "../../scripts/lab";
import { PLOTLY_MIME } from "../../src/viz/bundle";
import {
  ARTIFACTS,
  executeNotebook,
  figureOutputs,
  joined,
  jupyterEnv,
  jupyterMissing,
  type Notebook,
  ROOT,
  readNotebook,
} from "./harness";

type Edit = { file: string; from: string; to: string };
type PatchModule = {
  patchTslab(root: string, o: { apply: boolean }): { status: string; messages: string[] };
  EDITS: Edit[];
  TSLAB_VERSION: string;
};
const patch = require("../../scripts/patch-tslab.cjs") as PatchModule;

test("kernel.json is relocatable: {resource_dir}, no absolute paths, a launcher beside it", () => {
  const spec = JSON.parse(fs.readFileSync(path.join(ROOT, "kernels", "clipdown", "kernel.json"), "utf8"));
  assert.equal(spec.language, "typescript");
  assert.ok(spec.argv.includes("{connection_file}"));
  assert.ok(spec.argv.some((a: string) => a.startsWith("{resource_dir}/")));
  assert.ok(
    spec.argv.every((a: string) => !path.isAbsolute(a)),
    `no absolute paths: ${spec.argv}`,
  );
  assert.ok(fs.existsSync(path.join(ROOT, "kernels", "clipdown", "start-kernel.cjs")));
});

test("JUPYTER_PATH gets the project first, once, keeping the user's entries", () => {
  assert.equal(jupyterPathWithProject(undefined, "/p"), "/p");
  assert.equal(
    jupyterPathWithProject(`/a${path.delimiter}/p${path.delimiter}/b`, "/p"),
    ["/p", "/a", "/b"].join(path.delimiter),
  );
});

/** A scratch project with tslab's two patched files and package.json copied in. */
function scratchTslab(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-tslab-"));
  const src = path.join(ROOT, "node_modules", "tslab");
  const dst = path.join(dir, "node_modules", "tslab");
  fs.mkdirSync(path.join(dst, "dist"), { recursive: true });
  fs.copyFileSync(path.join(src, "package.json"), path.join(dst, "package.json"));
  for (const f of ["dist/converter.js", "dist/executor.js"])
    fs.copyFileSync(path.join(src, f), path.join(dst, f));
  return dir;
}

test("tslab patch: applied here; re-applies byte-identically to stock files; idempotent; refuses others", () => {
  assert.equal(
    patch.patchTslab(ROOT, { apply: false }).status,
    "applied",
    "postinstall patched this checkout",
  );
  const dir = scratchTslab();
  try {
    const tslab = path.join(dir, "node_modules", "tslab");
    const patched = Object.fromEntries(
      ["dist/converter.js", "dist/executor.js"].map((f) => [f, fs.readFileSync(path.join(tslab, f), "utf8")]),
    );
    // Undo every edit: the stock 1.0.22 files.
    for (const f of Object.keys(patched)) {
      let text = patched[f]!;
      for (const e of patch.EDITS.filter((x) => x.file === f)) text = text.replace(e.to, () => e.from);
      fs.writeFileSync(path.join(tslab, f), text);
    }
    assert.equal(patch.patchTslab(dir, { apply: false }).status, "unpatched");
    assert.equal(patch.patchTslab(dir, { apply: true }).status, "patched");
    for (const f of Object.keys(patched))
      assert.equal(fs.readFileSync(path.join(tslab, f), "utf8"), patched[f]);
    assert.equal(patch.patchTslab(dir, { apply: true }).status, "applied");
    // A snippet that is gone (another tslab build) is an error, not a guess.
    fs.writeFileSync(path.join(tslab, "dist/executor.js"), "// nothing here\n");
    assert.throws(() => patch.patchTslab(dir, { apply: true }), /folder index imports.*stock snippet 0x/);
    const pkg = path.join(tslab, "package.json");
    fs.writeFileSync(pkg, JSON.stringify({ name: "tslab", version: "1.0.23" }));
    assert.throws(
      () => patch.patchTslab(dir, { apply: true }),
      /tslab 1\.0\.23 is installed.*only knows tslab 1\.0\.22/,
    );
    fs.rmSync(tslab, { recursive: true });
    assert.equal(patch.patchTslab(dir, { apply: true }).status, "absent");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const missing = jupyterMissing();

test("Jupyter finds the clipdown kernelspec through JUPYTER_PATH alone", { skip: missing }, () => {
  const r = spawnSync("/usr/bin/python3", ["-m", "jupyter_client.kernelspecapp", "list", "--json"], {
    encoding: "utf8",
    env: jupyterEnv(),
  });
  assert.equal(r.status, 0, r.stderr);
  const specs = JSON.parse(r.stdout).kernelspecs;
  assert.equal(
    fs.realpathSync(specs.clipdown.resource_dir),
    fs.realpathSync(path.join(ROOT, "kernels", "clipdown")),
  );
});

test("a real kernel imports ../../src (folder index too), shows one bundle per figure, updates live figures in place", {
  skip: missing,
}, () => {
  // The notebook must live inside the project for the patched rootDir; test-artifacts/ is ignored by git.
  const dir = path.join(ARTIFACTS, "kernel");
  fs.mkdirSync(dir, { recursive: true });
  const cell = (source: string) => ({
    cell_type: "code",
    source,
    metadata: {},
    outputs: [],
    execution_count: null,
  });
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "clipdown", display_name: "TypeScript (clipdown)", language: "typescript" },
    },
    cells: [
      cell(
        'import { lineChart, show, liveFigure } from "../../../src/viz";\nimport { tf } from "../../../src/tf";\n' +
          'show(lineChart([{ name: "a </script>", x: [1, 2], y: [3, 4] }]));\nconsole.log(typeof tf.tensor);',
      ),
      cell(
        "const live = liveFigure(0);\nfor (let i = 1; i <= 4; i++) live.update(lineChart([{ name: 'loss', x: [i], y: [1 / i] }]));\n" +
          'show(lineChart([{ name: "b", x: [0], y: [0] }]));',
      ),
    ],
  };
  const src = path.join(dir, "tiny.ipynb");
  fs.writeFileSync(src, JSON.stringify(nb));
  const out = path.join(dir, "tiny.executed.ipynb");
  const res = executeNotebook(src, out, jupyterEnv(), 180);
  assert.ok(
    res.ok,
    `kernel run failed: ${res.error}\n${JSON.stringify(readNotebook(out).cells.map((c) => c.outputs))}`,
  );
  const done: Notebook = readNotebook(out);
  const [c0, c1] = done.cells;
  assert.equal(joined(c0!.outputs!.find((o) => o.output_type === "stream")?.text).trim(), "function");
  const f0 = figureOutputs(c0!);
  assert.equal(f0.length, 1);
  assert.deepEqual(Object.keys(f0[0]!.data!).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort());
  assert.ok(
    joined(f0[0]!.data!["text/html"] as string[]).length > 1_000_000,
    "the session's first figure carries plotly.js",
  );
  // Four live updates collapse into one output (nbclient applies update_display_data), plus one figure.
  const f1 = figureOutputs(c1!);
  assert.equal(f1.length, 2);
  assert.deepEqual((f1[0]!.data![PLOTLY_MIME] as { data: Array<{ y: number[] }> }).data[0]!.y, [0.25]);
  assert.ok(
    f1.every((o) => joined(o.data!["text/html"] as string[]).length < 50_000),
    "plotly.js is sent once per session",
  );
});

test("npm run lab -- --check: finds a Jupyter front end and the clipdown kernel, starts nothing", {
  skip: missing,
}, () => {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "scripts", "lab.ts"), "--check"],
    {
      encoding: "utf8",
      cwd: ROOT,
      env: { ...process.env, JUPYTER_PATH: "" },
      timeout: 120_000,
    },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`JUPYTER_PATH=${ROOT}`));
  assert.match(r.stdout, /kernel "clipdown" → .*kernels\/clipdown/);
  assert.match(r.stdout, /would start .*\((lab|notebook) [0-9.]+\)/);
});
