/**
 * The data-quantity sweep: every profile validates, the grids have the axes the paper's figures
 * need (sizes × epochs for Fig. 2a/4, pool sizes at one budget for Fig. 9), shared points run once,
 * and the smoke sweep trains end to end with one result line per run and the expected metrics.
 * About 20–30 s on the idle 2-core machine (the smoke sweep is most of it).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { corpusIdentity } from "../../src/data/corpus/identity";
import { sweepFor } from "../../src/papers/catalog";
import { PICTOGRAM_PAIRS } from "../../src/papers/catlip/catlip";
import { CHOSEN_RECIPE } from "../../src/papers/clipdown/recipe";
import {
  DATA_QUANTITY_PLANS,
  DQ_AXES,
  dataQuantitySweep,
  epochsOf,
  SECTION_EVAL,
} from "../../src/papers/scaling-down/data-quantity";
import { evaluateEpochsTimesSize, ZS, ZS_SHIFT } from "../../src/papers/scaling-down/data-quantity-findings";
import { loadSweepResults } from "../../src/sweep/results";
import { runSweep } from "../../src/sweep/runner";
import { PROFILES } from "../../src/sweep/sweep";

test("every profile builds a valid sweep with the sizes × epochs grid and the fixed-samples grid", () => {
  for (const profile of PROFILES) {
    const sweep = sweepFor("data-quantity", profile, "/tmp/unused");
    const plan = DATA_QUANTITY_PLANS[profile];
    const specs = sweep.runs.map((r) => r.spec);
    // Fig. 2a / 4: every (size, epochs) point, samples = size × epochs.
    plan.sizes.forEach((n, i) => {
      for (const e of plan.epochs[i]!) {
        const s = specs.find((x) => x.subset === n && x.samples === n * e);
        assert.ok(s, `${profile}: missing ${n} pairs × ${e} epochs`);
        assert.equal(epochsOf(s), e);
      }
    });
    // Fig. 2a needs at least two sizes sharing at least two epoch counts.
    const common = plan.epochs[0]!.filter((e) => plan.epochs[plan.epochs.length - 1]!.includes(e));
    assert.ok(plan.sizes.length >= 2 && common.length >= 2, profile);
    // Fig. 9: every pool size trained to the same budget S.
    const atS = specs.filter((x) => x.samples === plan.fixed.samples).map((x) => x.subset);
    for (const n of plan.fixed.sizes) assert.ok(atS.includes(n), `${profile}: ${n} pairs at S`);
    // One model, one recipe: only subset, samples, warmup (a tenth of the steps) and eval vary.
    for (const f of ["model", "strategy", "batch", "lr", "imageSize", "data"])
      assert.equal(new Set(specs.map((x) => JSON.stringify(x[f]))).size, 1, `${profile}: ${f} varies`);
    for (const x of specs) {
      const steps = Math.floor((x.samples as number) / (x.batch as number));
      assert.equal(x.warmup, Math.max(1, Math.round(steps / 10)));
      assert.ok((x.eval as string[]).includes("heldout"));
    }
    // Subsets fit the corpus.
    assert.ok(Math.max(...specs.map((x) => x.subset as number)) <= PICTOGRAM_PAIRS);
    assert.match(sweep.notes ?? "", /Size mapping/);
  }
});

test("points shared by the two grids are one run; quick is a subset of full, both on the recipe", () => {
  const def = dataQuantitySweep("quick");
  const sweep = sweepFor("data-quantity", "quick", "/tmp/unused");
  // 8,000 × 16 reaches the 128,000-sample budget in both grids: listed twice, run once.
  assert.equal(def.runs.length, 9);
  assert.equal(sweep.runs.length, 8);
  // The shared run carries both grids' labels; the others one each.
  const shared = sweep.runs.find((r) => r.spec.subset === 8000 && r.spec.samples === 128_000)!;
  assert.deepEqual(shared.labels, { axis: [DQ_AXES.grid, DQ_AXES.fixed] });
  assert.equal(sweep.runs.filter((r) => r.labels.axis?.length === 1).length, 7);
  const full = sweepFor("data-quantity", "full", "/tmp/unused");
  const fullHashes = new Set(full.runs.map((r) => r.hash));
  for (const r of sweep.runs) assert.ok(fullHashes.has(r.hash), `quick run ${r.hash} is not in full`);
  for (const r of full.runs) {
    assert.deepEqual(r.spec.eval, SECTION_EVAL);
    assert.equal(r.spec.captions, CHOSEN_RECIPE.captions);
    assert.equal(r.spec.textWidth, CHOSEN_RECIPE.textWidth);
    assert.equal(r.spec.batch, CHOSEN_RECIPE.batch);
  }
  // full adds seeds 1 and 2 for the points listed in extraSeeds, and only those.
  const extra = DATA_QUANTITY_PLANS.full.extraSeeds!;
  const seeded = full.runs.filter((r) => r.spec.seed !== 0);
  assert.equal(seeded.length, extra.seeds.length * extra.grid.length);
  for (const r of seeded)
    assert.ok(
      extra.grid.some(([n, e]) => r.spec.subset === n && epochsOf(r.spec) === e),
      `${r.hash}`,
    );
  assert.throws(
    () =>
      dataQuantitySweep("full", {
        ...DATA_QUANTITY_PLANS.full,
        extraSeeds: { seeds: [1], grid: [[2000, 3]], fixed: false },
      }),
    /extra seeds name 2000 pairs × 3 epochs, which is not in the grid/,
  );
  // The samples seen span more than the 30× the re-planned sections need.
  const samples = full.runs.map((r) => r.spec.samples as number);
  assert.ok(Math.max(...samples) / Math.min(...samples) >= 30);
});

test("a bad plan is refused naming the mismatch", () => {
  assert.throws(
    () => dataQuantitySweep("smoke", { ...DATA_QUANTITY_PLANS.smoke, epochs: [[1, 2]] }),
    /epochs has 1 lists for 2 sizes/,
  );
});

test("the smoke sweep trains end to end: one result line per run, held-out and noto-nouns metrics", async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-dq-"));
  try {
    const sweep = sweepFor("data-quantity", "smoke", root);
    const t0 = Date.now();
    const report = await runSweep(sweep, { jobs: 0, log: () => {} });
    assert.equal(report.failed, 0);
    const lines = loadSweepResults("data-quantity", "smoke", root);
    assert.equal(lines.length, sweep.runs.length);
    assert.deepEqual(new Set(lines.map((l) => l.hash)), new Set(sweep.runs.map((r) => r.hash)));
    for (const l of lines) {
      for (const m of [
        "heldout-emoji-441/acc1",
        "heldout-noto/text_retrieval_recall@1",
        "heldout-noto/image_retrieval_recall@1",
        "loss",
      ])
        assert.equal(typeof l.metrics[m], "number", m);
      assert.equal(l.samples, l.spec.samples);
      // Every line names the corpus it trained on, as this machine's manifest has it.
      assert.deepEqual(l.corpus, corpusIdentity("data/pictograms"));
      const zs = (l.spec.eval as string[]).includes("zeroshot:noto-nouns");
      for (const m of [ZS, ZS_SHIFT])
        assert.equal(typeof l.metrics[m], zs ? "number" : "undefined", `${m} on ${l.hash}`);
    }
    // The findings read these lines without throwing (too small to decide anything).
    assert.ok(
      ["inconclusive", "not reproduced", "reproduced"].includes(evaluateEpochsTimesSize(lines).verdict),
    );
    // Timed, not asserted: the machine is shared and wall times are noisy.
    t.diagnostic(`smoke sweep: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
