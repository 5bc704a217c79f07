/**
 * Sanity check that the whole training path can learn: nano CLIP on 64 fixed real pairs, one batch
 * of 64 per step, must reach in-batch image→text and text→image accuracy ≥ 0.95 within 150 steps.
 * A broken loss, gradient, optimiser or data path (shuffled captions, frozen weights) stays near
 * 1/64; this is the first test to look at when a recipe "learns nothing".
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { ensureData } from "../../src/data/corpus/build";
import { initBackend } from "../../src/tf";
import { configFromArgv } from "../../src/train/cli";
import { readMetrics } from "../../src/train/metrics";
import { trainRun } from "../../src/train/run";

const STEPS = 150;

before(async () => {
  await initBackend();
  await ensureData("data", { quiet: true, only: ["pictograms"] });
});

test(`nano overfits 64 fixed pairs: in-batch accuracy ≥ 0.95 within ${STEPS} steps`, {
  timeout: 300_000,
}, async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-overfit-"));
  try {
    const argv = ["--model", "nano", "--data", "data/pictograms", "--subset", "64", "--batch", "64"];
    argv.push("--samples", String(64 * STEPS), "--lr", "1e-2", "--warmup", "10", "--wd", "0");
    argv.push(
      "--augment",
      "none",
      "--log-every",
      "10",
      "--eval-data",
      "/nonexistent",
      "--out",
      out,
      "--quiet",
    );
    const res = await trainRun(configFromArgv(argv)!, () => {});
    assert.equal(res.steps, STEPS);
    const recs = readMetrics(path.join(out, "metrics.jsonl")).filter((r) => !r.eval);
    const first = recs[0]!;
    const hit = recs.find((r) => (r.i2t_acc as number) >= 0.95 && (r.t2i_acc as number) >= 0.95);
    t.diagnostic(
      `step ${first.step}: i2t ${first.i2t_acc}, loss ${first.loss}; ` +
        (hit
          ? `≥ 0.95 both ways at step ${hit.step} (loss ${hit.loss})`
          : `last ${JSON.stringify(recs.at(-1))}`),
    );
    assert.ok((first.i2t_acc as number) < 0.5, "starts far from the target (the check is not vacuous)");
    assert.ok(hit, `in-batch accuracy never reached 0.95 in ${STEPS} steps`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
