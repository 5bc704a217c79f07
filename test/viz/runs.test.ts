import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { run as reportCli } from "../../src/viz/report-cli";
import { evalFigure, evalKeys, lossFigure, readRunLog, runsTable } from "../../src/viz/runs";

/** A run directory as clipdown train leaves it: config, metrics with eval lines, optionally final. */
function fakeRun(root: string, name: string, finished: boolean): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ model: "nano", strategy: "clip" }));
  const lines = [
    { step: 1, samples: 64, loss: 4.1, lr: 0.001 },
    { step: 2, samples: 128, loss: 3.9, lr: 0.001 },
    {
      step: 2,
      samples: 128,
      "heldout-emoji-441/acc1": 0.1,
      "heldout-noto/text_retrieval_recall@1": 0.2,
      eval: true,
    },
    { step: 3, samples: 192, loss: 3.5, lr: 0.001 },
    {
      step: 3,
      samples: 192,
      "heldout-emoji-441/acc1": 0.25,
      "heldout-noto/text_retrieval_recall@1": 0.3,
      eval: true,
    },
  ];
  fs.writeFileSync(path.join(dir, "metrics.jsonl"), lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  if (finished) fs.writeFileSync(path.join(dir, "final.safetensors"), "");
  return dir;
}

test("readRunLog splits training lines from eval lines and notes whether the run finished", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-runs-"));
  try {
    const r = readRunLog(fakeRun(root, "a", true));
    assert.equal(r.name, "a");
    assert.deepEqual(
      r.steps.map((s) => [s.samples, s.loss]),
      [
        [64, 4.1],
        [128, 3.9],
        [192, 3.5],
      ],
    );
    assert.deepEqual(r.evals, [
      { step: 2, samples: 128, "heldout-emoji-441/acc1": 0.1, "heldout-noto/text_retrieval_recall@1": 0.2 },
      { step: 3, samples: 192, "heldout-emoji-441/acc1": 0.25, "heldout-noto/text_retrieval_recall@1": 0.3 },
    ]);
    assert.equal(r.finished, true);
    assert.equal(r.config?.model, "nano");
    assert.throws(() => readRunLog(root), /no metrics\.jsonl/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("loss and eval figures carry the logged numbers; the table holds the last evaluation", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-runs-"));
  try {
    const a = readRunLog(fakeRun(root, "a", true));
    const b = readRunLog(fakeRun(root, "b", false));
    const loss = lossFigure([a, b], { x: "step" });
    assert.deepEqual(loss.data[0]!.x, [1, 2, 3]);
    assert.deepEqual(loss.data[1]!.y, [4.1, 3.9, 3.5]);
    assert.deepEqual(
      loss.data.map((t) => t.name),
      ["a", "b"],
    );
    const ev = evalFigure([a], ["heldout-emoji-441/acc1", "heldout-noto/text_retrieval_recall@1"], {
      labels: { "heldout-emoji-441/acc1": "top-1" },
    });
    assert.deepEqual(
      ev.data.map((t) => [t.name, t.x, t.y]),
      [
        ["top-1", [128, 192], [0.1, 0.25]],
        ["heldout-noto/text_retrieval_recall@1", [128, 192], [0.2, 0.3]],
      ],
    );
    assert.equal((ev.layout.yaxis as { rangemode: string }).rangemode, "tozero");
    assert.deepEqual(evalKeys([a]), ["heldout-emoji-441/acc1", "heldout-noto/text_retrieval_recall@1"]);
    const t = runsTable([a, b], ["heldout-emoji-441/acc1"]);
    assert.deepEqual(t.rows()[1], {
      run: "b",
      model: "nano",
      strategy: "clip",
      samples: 192,
      "final loss": 3.5,
      finished: false,
      "heldout-emoji-441/acc1": 0.25,
    });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("clipdown report writes one HTML file for several runs and rejects unknown metrics", async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-runs-"));
  t.mock.method(console, "log", () => {});
  try {
    const a = fakeRun(root, "a", true);
    const b = fakeRun(root, "b", true);
    const out = path.join(root, "r.html");
    assert.equal(await reportCli([a, b, "--out", out, "--metrics", "heldout-emoji-441/acc1"]), 0);
    const html = fs.readFileSync(out, "utf8");
    assert.equal(html.match(/class="clipdown-plotly"/g)?.length, 2);
    assert.match(html, /<th>heldout-emoji-441\/acc1<\/th>/);
    await assert.rejects(
      reportCli([a, "--out", out, "--metrics", "nope"]),
      /nope not logged by these runs; logged: heldout-emoji-441\/acc1, heldout-noto\/text_retrieval_recall@1/,
    );
    await assert.rejects(reportCli([]), /at least one run directory/);
    await assert.rejects(reportCli([path.join(root, "missing")]), /no such run directory/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
