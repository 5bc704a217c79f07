/**
 * Issue 17's seed rule: the seed-to-seed spread of a metric, pooled over the configurations run
 * with several seeds, and the gap that spread lets a single-seed difference decide from.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decidingPoints, seedSpread, spreadText } from "../../src/papers/findings/stats";
import type { ResultLine } from "../../src/sweep/results";

const line = (spec: Record<string, unknown>, v: number | undefined, i: number): ResultLine =>
  ({
    hash: `h${i}`,
    spec: { kind: "train", ...spec },
    metrics: v === undefined ? {} : { m: v },
  }) as unknown as ResultLine;

test("seedSpread pools each configuration's variance over its seeds; one-seed configurations do not count", () => {
  const lines = [
    // config A: 0.10, 0.12, 0.14 (in points 10, 12, 14: variance 4, 2 dof)
    ...[0.1, 0.12, 0.14].map((v, s) => line({ subset: 100, seed: s }, v, s)),
    // config B: 0.30, 0.36 (points 30, 36: squared deviations 9 + 9, 1 dof)
    ...[0.3, 0.36].map((v, s) => line({ subset: 200, seed: s }, v, 10 + s)),
    // config C: one seed, and a run without the metric: ignored
    line({ subset: 300, seed: 0 }, 0.5, 20),
    line({ subset: 100, seed: 5 }, undefined, 21),
  ];
  const sp = seedSpread(lines, "m")!;
  // Pooled: (8 + 18) / (2 + 1) = 26 / 3.
  assert.ok(Math.abs(sp.sd - Math.sqrt(26 / 3)) < 1e-9, `${sp.sd}`);
  assert.equal(sp.configs, 2);
  assert.equal(sp.runs, 5);
  assert.equal(
    seedSpread([line({ subset: 1, seed: 0 }, 0.1, 0), line({ subset: 2, seed: 0 }, 0.2, 1)], "m"),
    undefined,
  );
});

test("decidingPoints keeps the rule's 2 points until the spread says more: 2·√2·SD, up to half a point", () => {
  assert.equal(decidingPoints(undefined), 2);
  assert.equal(decidingPoints({ sd: 0.5, configs: 1, runs: 3 }), 2);
  // 2·√2·1.83 = 5.18 → 5.5; 2·√2·2.27 = 6.42 → 6.5.
  assert.equal(decidingPoints({ sd: 1.83, configs: 13, runs: 39 }), 5.5);
  assert.equal(decidingPoints({ sd: 2.27, configs: 3, runs: 9 }), 6.5);
  assert.match(
    spreadText({ sd: 1.83, configs: 13, runs: 39 }, "LP"),
    /SD 1\.8 points over 13 configurations \(39 runs\).*from 5\.5 points/,
  );
  assert.match(spreadText(undefined, "LP"), /not measured/);
});
