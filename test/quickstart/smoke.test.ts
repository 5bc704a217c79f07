/**
 * `clipdown quickstart --smoke` end to end on the real corpus (built by ensureData if missing):
 * trains, evaluates, writes the report; the second invocation reuses the finished run.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { run } from "../../src/quickstart/cli";
import { tf } from "../../src/tf";

test("quickstart --smoke trains, writes the report, then reuses the finished run", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-quickstart-"));
  const out: string[] = [];
  const err: string[] = [];
  t.mock.method(console, "log", (s: string) => out.push(String(s)));
  t.mock.method(console, "error", (s: string) => err.push(String(s)));
  try {
    const runDir = path.join(dir, "run");
    const report = path.join(dir, "report.html");
    const argv = ["--smoke", "--run-dir", runDir, "--report", report];
    assert.equal(await run([...argv, "--quiet"]), 0);
    for (const f of ["config.json", "metrics.jsonl", "eval.json", "final.safetensors"]) {
      assert.ok(fs.existsSync(path.join(runDir, f)), `${f} written`);
    }
    const cfg = JSON.parse(fs.readFileSync(path.join(runDir, "config.json"), "utf8"));
    assert.equal(cfg.model, "nano");
    const evals = JSON.parse(fs.readFileSync(path.join(runDir, "eval.json"), "utf8")) as Array<
      Record<string, number>
    >;
    assert.equal(evals.length, 2, "evaluated during training and at the end");
    assert.ok(
      evals.every(
        (e) =>
          e["heldout-emoji-441/acc1"]! >= 0 &&
          e["heldout-emoji-441/acc1"]! <= 1 &&
          e["heldout-noto/text_retrieval_recall@5"]! >= 0,
      ),
    );
    const html = fs.readFileSync(report, "utf8");
    const figs = [...html.matchAll(/<div id="(fig-\d+)" class="clipdown-plotly"/g)].map((m) => m[1]);
    assert.deepEqual(
      figs,
      Array.from({ length: 10 }, (_, i) => `fig-${i + 1}`),
    );
    for (const h of [
      "Training loss",
      "Zero-shot accuracy over training \\(the primary benchmark\\)",
      "Diagnostics over training",
      "Temperature and in-batch accuracy",
      "Similarity matrix of a batch",
      "Retrieval examples",
    ]) {
      assert.match(html, new RegExp(`<h2>${h}</h2>`));
    }
    assert.match(html, /<table class="clipdown-table">/);
    assert.equal(html.match(/window\.Plotly\s*=/g)?.length, 1);
    assert.ok(
      out.some((l) => l.includes(`report: ${report}`)),
      out.join("\n"),
    );
    // The headline names the primary benchmark against its chance level.
    assert.ok(
      out.some((l) => /noto-nouns, 50 classes .* mean per-class recall [\d.]+% \(chance 2\.0%/.test(l)),
      out.join("\n"),
    );
    assert.ok(
      evals.every((e) => e["noto-nouns/mean_per_class_recall"]! >= 0 && e["train-images/acc1"]! >= 0),
    );
    const metricsAt = fs.statSync(path.join(runDir, "metrics.jsonl")).mtimeMs;

    // Second run: nothing retrained, the report is rewritten from the same run.
    out.length = 0;
    const tensors = tf.memory().numTensors;
    assert.equal(await run(argv), 0);
    assert.ok(
      err.some((l) => l.includes(`reusing the finished run in ${runDir}`)),
      err.join("\n"),
    );
    assert.ok(out.some((l) => l.includes("(reused)")));
    assert.equal(fs.statSync(path.join(runDir, "metrics.jsonl")).mtimeMs, metricsAt, "metrics untouched");
    assert.equal(tf.memory().numTensors, tensors, "inspection leaves no tensors behind");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("quickstart flags: bad values are usage errors naming the flag", async (t) => {
  t.mock.method(console, "log", () => {});
  await assert.rejects(
    run(["--profile", "huge"]),
    /--profile: unknown profile "huge"; valid: smoke, quick, full/,
  );
  await assert.rejects(run(["--smoke", "--samples", "10"]), /samples \(10\) must be >= batch \(64\)/);
  await assert.rejects(run(["--smoke", "--batch", "0"]), /--batch must be a positive integer/);
  await assert.rejects(run(["--smoke", "extra"]), /unexpected argument "extra"/);
  assert.equal(await run(["--help"]), 0);
});
