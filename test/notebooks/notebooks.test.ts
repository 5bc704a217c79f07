/**
 * Every notebook in notebooks/ executed headless with real Jupyter in the `smoke` profile, its
 * figures checked in the executed file, then its `nbconvert --to html` export opened in headless
 * Chromium: each figure must have drawn Plotly's SVG. Artifacts (executed notebook, HTML,
 * screenshot, timings.json) go to test-artifacts/notebooks/.
 *
 * A code cell declares the figures it must show in its metadata: `{"clipdown": {"figures": 1}}`.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { PLOTLY_MIME } from "../../src/viz/bundle";
import {
  ARTIFACTS,
  chromiumPath,
  executeNotebook,
  exportHtml,
  figureOutputs,
  joined,
  jupyterEnv,
  jupyterMissing,
  ROOT,
  readNotebook,
  renderInChromium,
  renderInClassicNotebook,
} from "./harness";

const NOTEBOOKS = fs
  .readdirSync(path.join(ROOT, "notebooks"))
  .filter((f) => f.endsWith(".ipynb") && !f.endsWith(".executed.ipynb"))
  .sort();

const missingJupyter = jupyterMissing();
const chromium = chromiumPath();

test("notebooks/ holds notebooks that use the clipdown kernel and declare their figures", () => {
  assert.ok(NOTEBOOKS.includes("00-quickstart.ipynb"), `found ${NOTEBOOKS.join(", ")}`);
  for (const f of NOTEBOOKS) {
    const nb = readNotebook(path.join(ROOT, "notebooks", f));
    assert.equal(
      (nb.metadata.kernelspec as { name?: string } | undefined)?.name,
      "clipdown",
      `${f}: kernelspec`,
    );
    const declared = nb.cells.reduce((n, c) => n + (c.metadata.clipdown?.figures ?? 0), 0);
    assert.ok(declared > 0, `${f}: no cell declares metadata.clipdown.figures`);
    const stale = nb.cells.filter((c) => (c.outputs ?? []).length > 0);
    assert.equal(stale.length, 0, `${f}: commit notebooks without outputs (Clear All Outputs)`);
  }
});

for (const file of NOTEBOOKS) {
  const name = file.replace(/\.ipynb$/, "");
  test(`notebook ${file} runs headless (smoke) and every figure draws in Chromium`, {
    skip: missingJupyter,
  }, async (t) => {
    const runs = fs.mkdtempSync(path.join(os.tmpdir(), `clipdown-nb-${name}-`));
    const executed = path.join(ARTIFACTS, `${name}.executed.ipynb`);
    try {
      const env = jupyterEnv({ CLIPDOWN_PROFILE: "smoke", CLIPDOWN_RUNS: runs });
      const res = executeNotebook(path.join(ROOT, "notebooks", file), executed, env);
      recordTiming(name, res.wall_s, res.kernel_start_s);
      t.diagnostic(`${file}: ${res.wall_s.toFixed(1)} s wall (kernel start ${res.kernel_start_s ?? "?"} s)`);
      const nb = readNotebook(executed);
      const errors = nb.cells.flatMap((c, i) =>
        (c.outputs ?? [])
          .filter(
            (o) =>
              o.output_type === "error" ||
              (o.name === "stderr" && /Error|error TS|\d+:\d+ - /.test(joined(o.text))),
          )
          .map((o) => `cell ${i}: ${o.ename ?? ""} ${o.evalue ?? joined(o.text)}`),
      );
      assert.ok(res.ok, `${file} failed: ${res.error}\n${errors.join("\n")}`);
      assert.deepEqual(errors, []);

      let expected = 0;
      let withLibrary = 0;
      nb.cells.forEach((c, i) => {
        const want = c.metadata.clipdown?.figures ?? 0;
        const figs = figureOutputs(c);
        assert.equal(figs.length, want, `cell ${i} shows ${figs.length} figures, declares ${want}`);
        for (const o of figs) {
          assert.deepEqual(
            Object.keys(o.data!).sort(),
            [PLOTLY_MIME, "text/html", "text/plain"].sort(),
            `cell ${i}`,
          );
          if (/window\.Plotly\s*=/.test(joined(o.data!["text/html"] as string[]))) withLibrary++;
        }
        expected += want;
      });
      assert.equal(withLibrary, 1, "plotly.js is inlined exactly once per kernel session");

      const html = exportHtml(executed, env);
      if (!chromium) {
        t.diagnostic("Chromium not installed (apt install chromium): browser rendering not checked");
        return;
      }
      const shot = path.join(ARTIFACTS, `${name}.png`);
      const page = await renderInChromium(html, shot, chromium);
      t.diagnostic(`screenshot: ${path.relative(ROOT, shot)}`);
      assert.deepEqual(page.errors, [], "no page errors, no network requests");
      assert.equal(page.figures.length, expected, "one drawn div per figure in the export");
      for (const f of page.figures) assert.ok(f.svgs > 0, `figure ${f.id} drew no SVG: "${f.text}"`);
      if (file === NOTEBOOKS[0]) {
        // One notebook is also opened the way a user sees it: a live classic Notebook server.
        const live = await renderInClassicNotebook(
          executed,
          path.join(ARTIFACTS, `${name}.classic.png`),
          chromium,
        );
        assert.deepEqual(live.errors, []);
        assert.equal(live.figures.length, expected, "classic Notebook shows every figure");
        for (const f of live.figures) assert.ok(f.svgs > 0, `classic Notebook: figure ${f.id} drew no SVG`);
      }
    } finally {
      fs.rmSync(runs, { recursive: true, force: true });
    }
  });
}

/** Appends this notebook's wall time to test-artifacts/notebooks/timings.json. */
function recordTiming(name: string, wallS: number, kernelStartS: number | undefined): void {
  const file = path.join(ARTIFACTS, "timings.json");
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const all = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>)
    : {};
  all[name] = { profile: "smoke", wall_s: wallS, kernel_start_s: kernelStartS, at: new Date().toISOString() };
  fs.writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}
