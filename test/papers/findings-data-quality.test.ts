/**
 * Findings D1–D3 on hand-built result lines: reproduced, not reproduced, inconclusive and not
 * testable cases, the regime split (equal samples vs one epoch) and the retrieval mean. < 1 s.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DATA_QUALITY_FINDINGS,
  levelEvidence,
  ZS,
} from "../../src/papers/scaling-down/data-quality-findings";
import type { ResultLine } from "../../src/sweep/results";

const POOL = 4096;
let n = 0;

function line(
  kind: string,
  spec: Record<string, unknown>,
  metrics: Record<string, number>,
  labels?: Record<string, string[]>,
): ResultLine {
  n++;
  return {
    ...(labels ? { labels } : {}),
    hash: n.toString(16).padStart(16, "0"),
    section: "data-quality",
    kind,
    spec: { kind, ...spec } as ResultLine["spec"],
    metrics,
    samples: (spec.samples as number) ?? 0,
    flops: 0,
    wallSeconds: 1,
    attempts: 1,
    finishedAt: "2026-01-01T00:00:00Z",
    provenance: {} as ResultLine["provenance"],
    profile: "quick",
    index: n,
  };
}

/** One seed of the grid: zs[pct] / r1[pct] (fractions) per regime. */
function grid(
  oneEpochZs: Record<number, number>,
  equalZs: Record<number, number>,
  equalR1: Record<number, number> = {},
  seed = 0,
): ResultLine[] {
  const out: ResultLine[] = [
    line("score", { data: "run:x", scorer: "y" }, { "precision@40": 0.9, clean_fraction: 0.5 }),
  ];
  for (const pct of [20, 40, 60, 80, 100]) {
    const base = { noise: 0.5, qualityTop: pct, seed };
    const r1 = equalR1[pct] ?? 0.05;
    out.push(
      line(
        "train",
        { ...base, samples: POOL },
        {
          [ZS]: equalZs[pct]!,
          "heldout-noto/text_retrieval_recall@1": r1,
          "heldout-noto/image_retrieval_recall@1": r1,
        },
        // The labels the sweep gives (data-quality.ts): the 100 % run is both regimes' point.
        { level: [String(pct)], regime: pct === 100 ? ["one-epoch", "equal"] : ["equal"] },
      ),
    );
    if (pct < 100)
      out.push(
        line(
          "train",
          { ...base, samples: Math.round((POOL * pct) / 100) },
          {
            [ZS]: oneEpochZs[pct]!,
            "heldout-noto/text_retrieval_recall@1": 0.01,
            "heldout-noto/image_retrieval_recall@1": 0.01,
          },
          { level: [String(pct)], regime: ["one-epoch"] },
        ),
      );
  }
  // The scorer (clean, noise 0) is not part of the grid.
  out.push(line("train", { noise: 0, qualityTop: 100, seed: 0, samples: 999 }, { [ZS]: 0.9 }));
  return out;
}

const [d1, d2, d3] = DATA_QUALITY_FINDINGS as [
  (typeof DATA_QUALITY_FINDINGS)[0],
  (typeof DATA_QUALITY_FINDINGS)[0],
  (typeof DATA_QUALITY_FINDINGS)[0],
];

test("findings D1–D3 have the paper's numbers and test the data-quality section", () => {
  assert.deepEqual(
    DATA_QUALITY_FINDINGS.map((f) => f.id),
    [1, 2, 3],
  );
  for (const f of DATA_QUALITY_FINDINGS) assert.equal(f.section, "data-quality");
  assert.match(d1.claim, /38–43/);
  assert.match(d2.claim, /35–39/);
  assert.match(d3.claim, /Fig\. 7c–d/);
});

test("regimes: equal samples = the 100 % run's budget; 100 % belongs to both", () => {
  const rs = grid(
    { 20: 0.01, 40: 0.02, 60: 0.03, 80: 0.04 },
    { 20: 0.11, 40: 0.12, 60: 0.13, 80: 0.14, 100: 0.15 },
  );
  assert.equal(levelEvidence(rs, 40, "one-epoch", ZS)!.mean, 2);
  assert.equal(levelEvidence(rs, 40, "equal", ZS)!.mean, 12);
  assert.equal(levelEvidence(rs, 100, "one-epoch", ZS)!.mean, 15);
  assert.equal(levelEvidence(rs, 100, "equal", ZS)!.mean, 15);
  // r1 = mean of i2t and t2i, in points.
  assert.ok(Math.abs(levelEvidence(rs, 60, "equal", "r1")!.mean - 5) < 1e-9);
});

test("D1: top-40 at one epoch beats 100 % → reproduced; loses → not reproduced; close → inconclusive", () => {
  const eq = { 20: 0.1, 40: 0.1, 60: 0.1, 80: 0.1, 100: 0.1 };
  // One seed: a gap decides by its sign only from 7.5 points (2·√2 × the recipe's seed SD of 2.55).
  const win = d1.evaluate!(grid({ 20: 0.1, 40: 0.18, 60: 0.1, 80: 0.1 }, eq));
  assert.equal(win.verdict, "reproduced", win.measured);
  assert.match(win.measured, /top-40 90 %/, "the selection precision is reported");
  assert.match(win.rule, /from 7\.5 points/);
  assert.equal(d1.evaluate!(grid({ 20: 0.1, 40: 0.02, 60: 0.1, 80: 0.1 }, eq)).verdict, "not reproduced");
  // 4 points from one seed each: within the seeds' noise.
  assert.equal(d1.evaluate!(grid({ 20: 0.1, 40: 0.14, 60: 0.1, 80: 0.1 }, eq)).verdict, "inconclusive");
  const close = d1.evaluate!(grid({ 20: 0.1, 40: 0.11, 60: 0.1, 80: 0.1 }, eq));
  assert.equal(close.verdict, "inconclusive");
  assert.ok(close.note);
  // Three seeds with a consistent 1-point gain and little spread are decided by the SE rule.
  const seeds = [0, 1, 2].flatMap((s) =>
    grid({ 20: 0.1, 40: 0.11 + s * 0.001, 60: 0.1, 80: 0.1 }, { ...eq, 100: 0.1 - s * 0.001 }, {}, s),
  );
  assert.equal(d1.evaluate!(seeds).verdict, "reproduced");
});

test("D2: top-40 best at equal samples (U shape); any level clearly better refutes it", () => {
  const one = { 20: 0.1, 40: 0.1, 60: 0.1, 80: 0.1 };
  assert.equal(
    d2.evaluate!(grid(one, { 20: 0.05, 40: 0.15, 60: 0.07, 80: 0.06, 100: 0.05 })).verdict,
    "reproduced",
  );
  // Monotone in the fraction kept: top-20 beats top-40.
  const mono = d2.evaluate!(grid(one, { 20: 0.25, 40: 0.15, 60: 0.12, 80: 0.11, 100: 0.1 }));
  assert.equal(mono.verdict, "not reproduced");
  assert.match(mono.measured, /top-40 vs top-20: .* reversed/);
  // Within a point of 20 (one seed): undecided.
  assert.equal(
    d2.evaluate!(grid(one, { 20: 0.14, 40: 0.15, 60: 0.1, 80: 0.1, 100: 0.1 })).verdict,
    "inconclusive",
  );
});

test("D3: top-80 gives the best R@1 at equal samples", () => {
  const one = { 20: 0.1, 40: 0.1, 60: 0.1, 80: 0.1 };
  const eq = { 20: 0.1, 40: 0.1, 60: 0.1, 80: 0.1, 100: 0.1 };
  assert.equal(
    d3.evaluate!(grid(one, eq, { 20: 0.02, 40: 0.03, 60: 0.04, 80: 0.08, 100: 0.05 })).verdict,
    "reproduced",
  );
  assert.equal(
    d3.evaluate!(grid(one, eq, { 20: 0.02, 40: 0.12, 60: 0.04, 80: 0.08, 100: 0.05 })).verdict,
    "not reproduced",
  );
});

test("a profile without the grid is not testable, naming the missing level", () => {
  const rs = grid(
    { 20: 0.1, 40: 0.1, 60: 0.1, 80: 0.1 },
    { 20: 0.1, 40: 0.1, 60: 0.1, 80: 0.1, 100: 0.1 },
  ).filter((r) => r.spec.qualityTop !== 20);
  const r = d2.evaluate!(rs);
  assert.equal(r.verdict, "not testable");
  assert.match(r.measured, /top-20/);
  assert.equal(d1.evaluate!([]).verdict, "not testable");
});
