/**
 * The vit-size findings (D7, model-size half of D8) on hand-built result lines: for each, numbers
 * that reproduce the claim, numbers that contradict it, and numbers the rule cannot decide.
 * Accuracies are fractions in result lines; the rule works in points (×100). Well under 1 s.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ALL_FINDINGS } from "../../src/papers/findings";
import { VIT_SIZE_FINDINGS, vitsBySize } from "../../src/papers/scaling-down/vit-size-findings";
import type { ResultLine } from "../../src/sweep/results";

let counter = 0;
function line(
  model: string,
  samples: number,
  subset: number,
  metrics: Record<string, number>,
  seed = 0,
): ResultLine {
  const hash = (counter++).toString(16).padStart(16, "0");
  return {
    hash,
    section: "vit-size",
    kind: "train",
    spec: { kind: "train", model, samples, subset, seed, imageSize: 32 },
    // The sweep's axis labels (vit-size.ts): a one-epoch point may also be the fixed budget's.
    labels: { axis: samples === subset ? ["one epoch", "fixed samples"] : ["fixed samples"] },
    metrics,
    samples,
    flops: samples * 1e8,
    wallSeconds: 1,
    attempts: 1,
    finishedAt: "2026-11-23T00:00:00Z",
    provenance: {} as ResultLine["provenance"],
    profile: "quick",
    index: 0,
  };
}

const d7 = VIT_SIZE_FINDINGS.find((f) => f.id === 7)!.evaluate!;
const d8 = VIT_SIZE_FINDINGS.find((f) => f.id === 8)!.evaluate!;

/** One-epoch grid: zs[model] = [at 256, at 2048], retrieval R@1 the same numbers. */
function oneEpoch(zs: Record<string, [number, number]>): ResultLine[] {
  return Object.entries(zs).flatMap(([m, [a, b]]) => [
    line(m, 256, 256, {
      "heldout-emoji-441/acc1": a,
      "heldout-noto/text_retrieval_recall@1": a,
      "heldout-noto/image_retrieval_recall@1": a,
    }),
    line(m, 2048, 2048, {
      "heldout-emoji-441/acc1": b,
      "heldout-noto/text_retrieval_recall@1": b,
      "heldout-noto/image_retrieval_recall@1": b,
    }),
  ]);
}

test("ViTs are ordered by image FLOPs, whatever order the runs come in; other towers are left out", () => {
  const runs = ["vit-l/8", "rn-m", "vit-ti/8", "vit-b/8"].map((m) => line(m, 256, 256, {}));
  assert.deepEqual(vitsBySize(runs), ["vit-ti/8", "vit-b/8", "vit-l/8"]);
});

test("D7 reproduced: L/8 worst at the smallest budget by ≥ 2 points, best over Ti at the largest", () => {
  const r = d7(oneEpoch({ "vit-ti/8": [0.06, 0.1], "vit-s/8": [0.05, 0.12], "vit-l/8": [0.02, 0.2] }));
  assert.equal(r.verdict, "reproduced");
  // Zero-shot parts: worst smaller (S, 5) vs L (2); L (20) vs Ti (10).
  assert.deepEqual(
    r.evidence.slice(0, 4).map((e) => Math.round(e.mean * 10) / 10),
    [5, 2, 20, 10],
  );
  assert.match(r.measured, /worst smaller ViT \(vit-s\/8\) > vit-l\/8/);
});

test("D7 not reproduced when L/8 is not the worst at small budgets; inconclusive on tiny gaps", () => {
  const worse = d7(oneEpoch({ "vit-ti/8": [0.02, 0.1], "vit-l/8": [0.06, 0.2] }));
  assert.equal(worse.verdict, "not reproduced");
  const tiny = d7(oneEpoch({ "vit-ti/8": [0.01, 0.01], "vit-l/8": [0.005, 0.015] }));
  assert.equal(tiny.verdict, "inconclusive");
  assert.ok(tiny.note);
});

test("D7 with three seeds decides a sub-2-point gap when it exceeds 2 SE", () => {
  const runs: ResultLine[] = [];
  for (const [seed, j] of [
    [0, 0],
    [1, 0.001],
    [2, -0.001],
  ] as const) {
    runs.push(
      line(
        "vit-ti/8",
        256,
        256,
        {
          "heldout-emoji-441/acc1": 0.02 + j,
          "heldout-noto/text_retrieval_recall@1": 0.02 + j,
          "heldout-noto/image_retrieval_recall@1": 0.02 + j,
        },
        seed,
      ),
    );
    runs.push(
      line(
        "vit-l/8",
        256,
        256,
        {
          "heldout-emoji-441/acc1": 0.01 + j,
          "heldout-noto/text_retrieval_recall@1": 0.01 + j,
          "heldout-noto/image_retrieval_recall@1": 0.01 + j,
        },
        seed,
      ),
    );
    runs.push(
      line(
        "vit-ti/8",
        2048,
        2048,
        {
          "heldout-emoji-441/acc1": 0.03 + j,
          "heldout-noto/text_retrieval_recall@1": 0.03 + j,
          "heldout-noto/image_retrieval_recall@1": 0.03 + j,
        },
        seed,
      ),
    );
    runs.push(
      line(
        "vit-l/8",
        2048,
        2048,
        {
          "heldout-emoji-441/acc1": 0.04 + j,
          "heldout-noto/text_retrieval_recall@1": 0.04 + j,
          "heldout-noto/image_retrieval_recall@1": 0.04 + j,
        },
        seed,
      ),
    );
  }
  const r = d7(runs);
  assert.equal(r.verdict, "reproduced");
  assert.ok(r.evidence.every((e) => e.n === 3));
});

test("D7 is not testable with one ViT size", () => {
  assert.equal(d7(oneEpoch({ "vit-ti/8": [0.01, 0.02] })).verdict, "not testable");
});

/** Fixed-budget grid at S = 2048: lp[model] = [subset 128, 512, 2048] linear-probe accuracy. */
function fixed(lp: Record<string, [number, number, number]>): ResultLine[] {
  return Object.entries(lp).flatMap(([m, v]) =>
    [128, 512, 2048].map((sub, i) =>
      line(m, 2048, sub, {
        "noto-subgroups/lp_acc1": v[i]!,
        "heldout-emoji-441/acc1": 0,
        "heldout-noto/text_retrieval_recall@1": 0,
        "heldout-noto/image_retrieval_recall@1": 0,
      }),
    ),
  );
}

test("D8 reproduced: the larger ViT gains more from the largest subset than Ti, by the probe's points", () => {
  // One seed: the probe borrows catlip's first-pass spread (5.5 points); a difference of two gains
  // decides from √2 × that, 8 points.
  const r = d8(fixed({ "vit-ti/8": [0.2, 0.3, 0.3], "vit-s/8": [0.2, 0.3, 0.39] }));
  assert.equal(r.verdict, "reproduced", r.measured);
  assert.deepEqual(
    r.evidence.map((e) => Math.round(e.mean * 10) / 10),
    [9, 0],
  );
  assert.match(r.measured, /vit-s\/8 > vit-ti\/8/);
  assert.match(r.rule, /≥ 8 points \(√2 × the probe's 5\.5\)/);
});

test("D8 not reproduced when Ti gains more; inconclusive when the gains differ by less than the points", () => {
  assert.equal(
    d8(fixed({ "vit-ti/8": [0.2, 0.3, 0.39], "vit-s/8": [0.2, 0.3, 0.3] })).verdict,
    "not reproduced",
  );
  assert.equal(
    d8(fixed({ "vit-ti/8": [0.2, 0.3, 0.3], "vit-s/8": [0.2, 0.3, 0.36] })).verdict,
    "inconclusive",
    "a 6-point gap between two single-seed gains is within the probe's noise",
  );
});

/** The re-planned grid's metrics: noto-nouns recall and Noto R@10 over all images, in points. */
function recipeOneEpoch(zs: Record<string, [number, number]>, seed = 0): ResultLine[] {
  return Object.entries(zs).flatMap(([m, [a, b]]) =>
    [
      [4096, a],
      [32_000, b],
    ].map(([n, v]) =>
      line(
        m,
        n!,
        n!,
        {
          "noto-nouns/mean_per_class_recall": v! / 100,
          "noto/text_retrieval_recall@10": v! / 100,
          "noto/image_retrieval_recall@10": v! / 100,
          "heldout-emoji-441/acc1": 0.002,
          "heldout-noto/text_retrieval_recall@1": 0.002,
          "heldout-noto/image_retrieval_recall@1": 0.002,
        },
        seed,
      ),
    ),
  );
}

test("D7 on the re-planned metrics: noto-nouns recall and R@10, zero-shot gaps from 7.5 points at one seed", () => {
  const r = d7(recipeOneEpoch({ "vit-ti/8": [12, 10], "vit-s/8": [11, 14], "vit-b/8": [3, 20] }));
  assert.equal(r.verdict, "reproduced", r.measured);
  assert.match(r.measured, /noto-nouns recall \(%\) at 4096: worst smaller ViT \(vit-s\/8\) > vit-b\/8/);
  assert.match(r.measured, /retrieval R@10 \(%\) at 32000: vit-b\/8 > vit-ti\/8/);
  assert.match(r.rule, /from 7\.5 points/);
  // A 5-point zero-shot gap at one seed is within the recipe's spread: undecided.
  const close = d7(recipeOneEpoch({ "vit-ti/8": [12, 10], "vit-s/8": [11, 14], "vit-b/8": [6, 20] }));
  assert.equal(close.verdict, "inconclusive", close.measured);
  assert.match(close.note ?? "", /noto-nouns recall of these 6 runs is at most 20\.0 % \(chance 2\.00 %\)/);
});

test("D7 with three seeds judges by the measured spread: a small SD lets a 3-point gap decide", () => {
  const runs = [0, 1, 2].flatMap((seed) =>
    recipeOneEpoch(
      { "vit-ti/8": [8 + (seed - 1) * 0.2, 10], "vit-s/8": [9, 14], "vit-b/8": [5 + (seed - 1) * 0.2, 20] },
      seed,
    ),
  );
  const r = d7(runs);
  assert.match(
    r.measured,
    /at 4096: worst smaller ViT \(vit-ti\/8\) > vit-b\/8: 8\.0 ± 0\.2 \(n=3\) vs 5\.0 ± 0\.2 \(n=3\), Δ \+3\.0 → holds/,
  );
  assert.match(r.rule, /seed-to-seed SD 0\.\d points/);
});

test("D8 is not testable without a fixed-budget grid of two sizes or without a probe", () => {
  assert.equal(d8(oneEpoch({ "vit-ti/8": [0.01, 0.02], "vit-l/8": [0.01, 0.02] })).verdict, "not testable");
  const noProbe = fixed({ "vit-ti/8": [0.2, 0.3, 0.3], "vit-s/8": [0.2, 0.3, 0.36] }).map((l) => ({
    ...l,
    metrics: { "heldout-emoji-441/acc1": 0 },
  }));
  assert.equal(d8(noProbe).verdict, "not testable");
});

test("the vit-size findings are listed in ALL_FINDINGS with their papers.md numbers", () => {
  for (const f of VIT_SIZE_FINDINGS) {
    assert.ok(ALL_FINDINGS.includes(f), `finding ${f.id} in ALL_FINDINGS`);
    assert.equal(f.section, "vit-size");
  }
  assert.deepEqual(
    VIT_SIZE_FINDINGS.map((f) => f.id),
    [7, 8],
  );
});

test("D7 uses only the budgets every size reached (a sweep still running has holes)", () => {
  const runs = oneEpoch({ "vit-ti/8": [0.06, 0.1], "vit-s/8": [0.05, 0.12], "vit-l/8": [0.02, 0.2] });
  runs.push(
    line("vit-ti/8", 4096, 4096, {
      "heldout-emoji-441/acc1": 0.3,
      "heldout-noto/text_retrieval_recall@1": 0.3,
      "heldout-noto/image_retrieval_recall@1": 0.3,
    }),
  );
  const r = d7(runs);
  assert.equal(r.verdict, "reproduced");
  assert.match(r.measured, /at 2048: vit-l\/8 > vit-ti\/8/);
  assert.doesNotMatch(r.measured, /4096/);
});
