/**
 * The data-quantity findings (D4, D5, D6, D8) on hand-built result lines: for each, a set of
 * numbers that reproduces the claim, one that contradicts it, and one the rule cannot decide.
 * Accuracies are fractions in result lines; the rule works in points (×100). Runs in well under 1 s.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ALL_FINDINGS } from "../../src/papers/findings";
import { seedSpread } from "../../src/papers/findings/stats";
import { DQ_AXES } from "../../src/papers/scaling-down/data-quantity";
import {
  DATA_QUANTITY_FINDINGS,
  evaluateEpochsTimesSize,
  evaluateRetrievalSaturation,
  evaluateSizeAtFixedSamples,
  evaluateVariantsDiverge,
  evaluateVariantsLinear,
  RECIPE_ZS_SPREAD,
  ZS,
  ZS_SHIFT,
} from "../../src/papers/scaling-down/data-quantity-findings";
import { loadResultsFile, type ResultLine } from "../../src/sweep/results";

let counter = 0;
/** One finished run of `subset` pairs for `epochs` epochs with the given metrics. */
function line(
  subset: number,
  epochs: number,
  metrics: Record<string, number>,
  seed = 0,
  axis: string = DQ_AXES.grid,
): ResultLine {
  const samples = subset * epochs;
  const hash = (counter++).toString(16).padStart(16, "0");
  return {
    hash,
    section: "data-quantity",
    kind: "train",
    spec: { kind: "train", model: "vit-ti/8", subset, samples, seed },
    metrics,
    samples,
    flops: samples * 1e8,
    wallSeconds: 1,
    attempts: 1,
    finishedAt: "2026-11-23T00:00:00Z",
    provenance: {} as ResultLine["provenance"],
    profile: "quick",
    index: 0,
    labels: { axis: [axis] },
  };
}

// ── D4 ──────────────────────────────────────────────────────────────────────────────────────────
const grid = (zs: Record<string, number>) =>
  Object.entries(zs).map(([k, v]) => {
    const [n, e] = k.split("x").map(Number) as [number, number];
    return line(n, e, { [ZS]: v });
  });

// One seed: a gap decides by its sign alone only from 7.5 points (2·√2 × the recipe's seed SD).
test("D4 reproduced: the large set gains ≥ 7.5 points between the longest schedules, the small one not", () => {
  const r = evaluateEpochsTimesSize(
    grid({ "256x2": 0.05, "256x4": 0.1, "256x8": 0.105, "1024x2": 0.05, "1024x4": 0.1, "1024x8": 0.18 }),
  );
  assert.equal(r.verdict, "reproduced");
  assert.match(r.rule, /from 7\.5 points/);
  // A 5-point single-seed gain is within the seeds' noise.
  assert.equal(
    evaluateEpochsTimesSize(grid({ "256x4": 0.1, "256x8": 0.1, "1024x4": 0.1, "1024x8": 0.15 })).verdict,
    "inconclusive",
  );
  // Compares 4 → 8 epochs (the two longest both sizes share), in points.
  assert.deepEqual(
    r.evidence.map((e) => Math.round(e.mean * 10) / 10),
    [10, 10.5, 10, 18],
  );
  assert.match(r.measured, /256 pairs .*\(\+0\.5\).*1024 pairs .*\(\+8\.0\)/);
});

test("D4 not reproduced when the small set still improves; inconclusive when nothing moves", () => {
  const still = evaluateEpochsTimesSize(
    grid({ "256x4": 0.05, "256x8": 0.13, "1024x4": 0.05, "1024x8": 0.14 }),
  );
  assert.equal(still.verdict, "not reproduced");
  assert.match(still.note!, /small set still improves/);
  const flat = evaluateEpochsTimesSize(
    grid({ "256x4": 0.005, "256x8": 0.006, "1024x4": 0.004, "1024x8": 0.01 }),
  );
  assert.equal(flat.verdict, "inconclusive");
  // One size only: cannot be tested, said so.
  assert.equal(evaluateEpochsTimesSize(grid({ "256x4": 0.1, "256x8": 0.2 })).verdict, "inconclusive");
});

test("D4 with 3 seeds decides a sub-2-point gain by the 2·SE rule", () => {
  const rs: ResultLine[] = [];
  for (const [s, d] of [
    [0, 0],
    [1, 0.001],
    [2, -0.001],
  ] as const) {
    rs.push(line(256, 4, { [ZS]: 0.1 + d }, s), line(256, 8, { [ZS]: 0.1 + d }, s));
    rs.push(line(1024, 4, { [ZS]: 0.1 + d }, s), line(1024, 8, { [ZS]: 0.11 + d }, s));
  }
  const r = evaluateEpochsTimesSize(rs);
  assert.equal(r.verdict, "reproduced"); // +1 point, SE ≈ 0.08 points
  assert.equal(r.evidence[3]!.n, 3);
});

// ── D5 ──────────────────────────────────────────────────────────────────────────────────────────
const ret = (n: number, e: number, r1: number) =>
  line(n, e, {
    [ZS]: 0,
    "heldout-noto/text_retrieval_recall@1": r1,
    "heldout-noto/image_retrieval_recall@1": r1,
  });

test("D5 reproduced when R@1 rose up to 8 epochs and not after; not reproduced when it keeps rising", () => {
  const ok = evaluateRetrievalSaturation([
    ret(256, 2, 0.02),
    ret(256, 8, 0.08),
    ret(256, 16, 0.085),
    ret(1024, 8, 0.1),
  ]);
  assert.equal(ok.verdict, "reproduced");
  assert.equal(ok.evidence.length, 6); // 1 size with > 8 epochs × 2 directions × (first, 8, last)
  const no = evaluateRetrievalSaturation([ret(256, 2, 0.02), ret(256, 8, 0.08), ret(256, 16, 0.12)]);
  assert.equal(no.verdict, "not reproduced");
  const flat = evaluateRetrievalSaturation([ret(256, 2, 0.01), ret(256, 8, 0.012), ret(256, 16, 0.013)]);
  assert.equal(flat.verdict, "inconclusive");
  assert.equal(evaluateRetrievalSaturation([ret(256, 2, 0.01), ret(256, 8, 0.2)]).verdict, "not testable");
});

// ── D6 ──────────────────────────────────────────────────────────────────────────────────────────
const shift = (e: number, base: number, variants: number) =>
  line(256, e, { [ZS]: base, [ZS_SHIFT]: variants });

test("D6: variants gain while the base set does not → reproduced; both gain → not; neither → inconclusive", () => {
  assert.equal(evaluateVariantsDiverge([shift(8, 0.1, 0.05), shift(16, 0.1, 0.13)]).verdict, "reproduced");
  assert.equal(
    evaluateVariantsDiverge([shift(8, 0.1, 0.05), shift(16, 0.18, 0.13)]).verdict,
    "not reproduced",
  );
  const r = evaluateVariantsDiverge([shift(4, 0.1, 0.1), shift(8, 0.1, 0.05), shift(16, 0.1, 0.055)]);
  assert.equal(r.verdict, "inconclusive");
  assert.match(r.measured, /8 → 16 epochs/);
  // Runs without the shift evaluation cannot test it.
  assert.equal(evaluateVariantsDiverge(grid({ "256x8": 0.1, "256x16": 0.1 })).verdict, "not testable");
});

// ── D8 ──────────────────────────────────────────────────────────────────────────────────────────
const fixed = (zs: number[], sizes = [256, 1024, 2048, 4096], s = 4096) =>
  sizes.map((n, i) => line(n, s / n, { [ZS]: zs[i]! }, 0, DQ_AXES.fixed));

test("D8: gains from a bigger pool at first, none at the last step → reproduced", () => {
  const r = evaluateSizeAtFixedSamples([...fixed([0.02, 0.1, 0.11, 0.111]), line(256, 2, { [ZS]: 0.5 })]);
  assert.equal(r.verdict, "reproduced");
  assert.equal(r.evidence.length, 4); // the fixed-samples runs, not the grid's 512-sample run
  // The grids are told apart by label: a fixed-samples run does not join the epochs × size grid.
  const withFixed = [
    ...grid({ "256x4": 0.1, "256x8": 0.1, "1024x4": 0.1, "1024x8": 0.15 }),
    ...fixed([0.3, 0.3, 0.3, 0.3]),
  ];
  assert.match(evaluateEpochsTimesSize(withFixed).measured, /from 4 to 8 epochs/);
  assert.equal(evaluateSizeAtFixedSamples(fixed([0.02, 0.1, 0.11, 0.19])).verdict, "not reproduced");
  assert.equal(evaluateSizeAtFixedSamples(fixed([0.05, 0.051, 0.052, 0.052])).verdict, "inconclusive");
  assert.equal(evaluateSizeAtFixedSamples(fixed([0.05, 0.1], [256, 1024])).verdict, "not testable");
});

test("the recipe's seed spread of noto-nouns recall is what data-quantity full's seeded runs give", () => {
  const lines = loadResultsFile("results/data-quantity.jsonl").records.filter((l) => l.profile === "full");
  const sp = seedSpread(lines, ZS)!;
  assert.equal(sp.configs, RECIPE_ZS_SPREAD.configs);
  assert.equal(sp.runs, RECIPE_ZS_SPREAD.runs);
  assert.ok(Math.abs(sp.sd - RECIPE_ZS_SPREAD.sd) < 0.005, `${sp.sd}`);
});

// ── D14 ─────────────────────────────────────────────────────────────────────────────────────────
const variantsLine = (x: number, sketch: number, edges: number, lowres: number) =>
  line(2000, 2, {
    [ZS]: x,
    "noto-nouns-sketch/mean_per_class_recall": sketch,
    "noto-nouns-edges/mean_per_class_recall": edges,
    "noto-nouns-lowres/mean_per_class_recall": lowres,
  });

test("D14: every variant near-linear in the primary benchmark → reproduced; one scattered → not; too narrow → inconclusive", () => {
  const xs = [0.02, 0.05, 0.08, 0.11, 0.14, 0.17];
  const linear = xs.map((x) => variantsLine(x, 0.8 * x + 0.01, 0.5 * x, 0.9 * x - 0.005));
  const r = evaluateVariantsLinear(linear);
  assert.equal(r.verdict, "reproduced");
  assert.match(r.measured, /over 6 runs .*sketch = 1\.0 \+ 0\.80·x, R² 1\.00/);
  assert.match(r.note!, /ImageNet-A/);
  // Edges do not follow the primary benchmark at all.
  const scattered = xs.map((x, i) =>
    variantsLine(x, 0.8 * x, [0.05, 0.01, 0.06, 0.0, 0.05, 0.01][i]!, 0.9 * x),
  );
  assert.equal(evaluateVariantsLinear(scattered).verdict, "not reproduced");
  // A 3-point range (or fewer than 6 runs) is too little to fit.
  const narrow = xs.map((x) => variantsLine(0.1 + x / 6, x, x, x));
  assert.equal(evaluateVariantsLinear(narrow).verdict, "inconclusive");
  assert.equal(evaluateVariantsLinear(linear.slice(0, 5)).verdict, "inconclusive");
});

test("the section's findings are listed once in ALL_FINDINGS with their papers.md numbers", () => {
  assert.deepEqual(
    DATA_QUANTITY_FINDINGS.map((f) => f.id),
    [4, 5, 6, 8, 14],
  );
  for (const f of DATA_QUANTITY_FINDINGS) {
    assert.equal(f.section, "data-quantity");
    assert.equal(ALL_FINDINGS.filter((g) => g === f).length, 1);
  }
});
