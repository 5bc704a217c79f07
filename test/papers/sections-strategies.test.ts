/**
 * The strategies sweep: specs validate for every profile, the grid has the axes the paper's figures
 * need (strategies × one-epoch budgets, equal-FLOPs points, multi-epoch grid with the augmentation
 * policies), equal-FLOPs runs really cost CLIP's FLOPs, and the smoke sweep runs end to end.
 * About 20–40 s (the smoke sweep trains four nano runs in-process; more on a loaded machine).
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { catalog } from "../../src/papers/catalog";
import { PICTOGRAM_PAIRS } from "../../src/papers/catlip/catlip";
import {
  buildStrategies,
  equalFlopsSamples,
  MAIN_VARIANTS,
  regimeOf,
  STRATEGIES_SETTINGS,
  strategyFlopsPerSample,
  variantOf,
} from "../../src/papers/scaling-down/strategies";
import { specFlopsPerSample, type TrainSpec } from "../../src/runs/train";
import { loadSweepResults } from "../../src/sweep/results";
import { runSweep } from "../../src/sweep/runner";
import { buildSweep, PROFILES } from "../../src/sweep/sweep";
import { initBackend } from "../../src/tf";

const runsOf = (profile: (typeof PROFILES)[number]) =>
  buildSweep(buildStrategies(profile), catalog().kinds, "/tmp/none").runs.map((r) => ({
    spec: r.spec as TrainSpec,
    labels: r.labels,
  }));
const specsOf = (profile: (typeof PROFILES)[number]) => runsOf(profile).map((r) => r.spec);

test("every run's variant and regime labels say what its spec trains", () => {
  for (const p of PROFILES) {
    for (const r of runsOf(p)) {
      const x = r.spec as unknown as Record<string, unknown>;
      // Independently of the build: the label from the strategy and its options, the regime from
      // whether samples seen exceed the subset.
      const variant =
        x.strategy === "flip"
          ? `flip-${Math.round(Number(x.maskRatio) * 100)}`
          : x.strategy === "clip-aug"
            ? `clip-aug:${String(x.augment)}`
            : String(x.strategy);
      assert.deepEqual(r.labels.variant, [variant], `${p}: ${JSON.stringify(x)}`);
      assert.deepEqual(r.labels.regime, [r.spec.samples <= r.spec.subset ? "one-epoch" : "multi-epoch"]);
    }
  }
});

test("every profile's specs validate, and all runs share model, batch and lr", () => {
  for (const p of PROFILES) {
    const specs = specsOf(p);
    assert.ok(specs.length >= 4, p);
    const s = STRATEGIES_SETTINGS[p];
    for (const spec of specs) {
      assert.equal(spec.model, s.model);
      assert.equal(spec.batch, s.batch);
      assert.equal(spec.lr, s.lr);
      assert.equal(spec.samples % spec.batch, 0, "whole batches");
      assert.ok(spec.subset <= PICTOGRAM_PAIRS, "a subset fits in the corpus");
    }
  }
});

test("smoke has exactly one run per strategy (the issue's acceptance table)", () => {
  assert.deepEqual(
    runsOf("smoke").map((r) => variantOf(r)),
    MAIN_VARIANTS.map((v) => v.label),
  );
});

test("quick and full hold the strategies × one-epoch budgets grid and the multi-epoch grid", () => {
  for (const p of ["quick", "full"] as const) {
    const s = STRATEGIES_SETTINGS[p];
    const runs = runsOf(p);
    const specs = runs.map((r) => r.spec);
    for (const budget of s.oneEpochBudgets) {
      for (const v of MAIN_VARIANTS) {
        assert.ok(
          runs.some(
            (x) => variantOf(x) === v.label && x.spec.samples === budget && regimeOf(x) === "one-epoch",
          ),
          `${p}: ${v.label} one epoch of ${budget}`,
        );
      }
    }
    for (const subset of s.multiEpochSubsets) {
      const multi = runs.filter((x) => x.spec.subset === subset && regimeOf(x) === "multi-epoch");
      const labels = multi.map((x) => variantOf(x));
      for (const l of ["clip", "slip", "flip-50", "clip-aug:crop-flip", "clip-aug:stacked-randaug"])
        assert.ok(labels.includes(l), `${p}: ${l} over ${subset} pairs`);
      for (const x of multi) assert.equal(x.spec.samples, s.multiEpochSamples);
    }
    // Samples seen span at least 30× (issue 17), from one pass over the smallest budget.
    assert.ok(s.multiEpochSamples / Math.min(...s.oneEpochBudgets) >= 30, p);
    if (p === "full") assert.equal(new Set(specs.map((x) => x.seed)).size, 3);
  }
});

test("equal-FLOPs runs cost CLIP's FLOPs within 2 % by the runner's own count, and SLIP really costs more per sample", () => {
  for (const p of ["quick", "full"] as const) {
    const s = STRATEGIES_SETTINGS[p];
    const runs = runsOf(p);
    // The runner's FLOPs of a run's own spec (text tower included), independent of the section's helper.
    const runFlops = (spec: TrainSpec) => specFlopsPerSample(spec) * spec.samples;
    const clipRun = runs.find(
      (x) =>
        variantOf(x) === "clip" && x.spec.samples === s.equalFlopsClipSamples && regimeOf(x) === "one-epoch",
    )?.spec;
    assert.ok(clipRun, `${p}: CLIP at the equal-FLOPs budget`);
    const budget = runFlops(clipRun);
    for (const v of s.oneEpochVariants) {
      const n = equalFlopsSamples(s, v, s.equalFlopsClipSamples);
      const spec = runs.find(
        (x) => variantOf(x) === v.label && x.spec.samples === n && regimeOf(x) === "one-epoch",
      )?.spec;
      assert.ok(spec, `${p}: ${v.label} at equal FLOPs (${n} samples)`);
      const f = runFlops(spec);
      assert.ok(Math.abs(f / budget - 1) < 0.02, `${p} ${v.label}: ${f} vs ${budget}`);
      assert.ok(spec.subset <= PICTOGRAM_PAIRS, `${p} ${v.label}: one pass at equal FLOPs fits the corpus`);
    }
    const text = { textWidth: s.textWidth, textDepth: s.textDepth };
    const clipF = strategyFlopsPerSample(s.model, s.imageSize, { strategy: "clip", options: {} }, 16, text);
    const slip = strategyFlopsPerSample(s.model, s.imageSize, { strategy: "slip", options: {} }, 16, text);
    const flip = strategyFlopsPerSample(
      s.model,
      s.imageSize,
      { strategy: "flip", options: { maskRatio: 0.5 } },
      16,
      text,
    );
    assert.ok(slip > 1.3 * clipF && flip < clipF, `${slip} ${flip} ${clipF}`);
    // The recipe's small text tower is in the count: CLIP costs less than with the preset's tower.
    assert.ok(clipF < strategyFlopsPerSample(s.model, s.imageSize, { strategy: "clip", options: {} }));
  }
  // 75 % masking keeps fewer patches than 50 %: fewer FLOPs (the options reach the strategy).
  const f50 = strategyFlopsPerSample("vit-ti/8", 32, { strategy: "flip", options: { maskRatio: 0.5 } });
  const f75 = strategyFlopsPerSample("vit-ti/8", 32, { strategy: "flip", options: { maskRatio: 0.75 } });
  assert.ok(f75 < f50);
});

test("the smoke sweep runs end to end: one result line per strategy with the expected metrics", async () => {
  await initBackend();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-strategies-"));
  try {
    const sweep = buildSweep(buildStrategies("smoke"), catalog().kinds, root);
    const t0 = Date.now();
    const report = await runSweep(sweep, { jobs: 0, log: () => {} });
    assert.equal(report.failed, 0, JSON.stringify(report.outcomes.map((o) => o.error ?? "")));
    const lines = loadSweepResults("strategies", "smoke", root);
    assert.equal(lines.length, 4);
    assert.deepEqual(lines.map((l) => variantOf(l)).sort(), MAIN_VARIANTS.map((v) => v.label).sort());
    for (const l of lines) {
      for (const m of [
        "heldout-emoji-441/acc1",
        "heldout-noto/text_retrieval_recall@1",
        "heldout-noto/image_retrieval_recall@1",
        "loss",
      ])
        assert.ok(Number.isFinite(l.metrics[m]), `${variantOf(l)} has ${m}`);
      assert.equal(l.samples, 128);
      assert.ok((l.flops ?? 0) > 0);
    }
    // SLIP's three image passes and head show in the recorded FLOPs.
    const byLabel = new Map(lines.map((l) => [variantOf(l), l]));
    assert.ok(byLabel.get("slip")!.flops! > byLabel.get("clip")!.flops!);
    assert.ok(byLabel.get("flip-50")!.flops! < byLabel.get("clip")!.flops!);
    console.log(`smoke sweep in-process: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
