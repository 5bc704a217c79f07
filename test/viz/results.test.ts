import assert from "node:assert/strict";
import { test } from "node:test";
import { lineChart } from "../../src/viz/charts";
import { meanStd, type ResultRecord, resultsTable, seriesBy, varyingFields } from "../../src/viz/results";

const rec = (model: string, samples: number, seed: number, zs: number | undefined): ResultRecord => ({
  hash: `${model}-${samples}-${seed}`,
  spec: { kind: "train", model, samples, seed, strategy: "clip" },
  metrics: zs === undefined ? { loss: 1 } : { "heldout-emoji-441/acc1": zs, loss: 2 },
  samples,
  flops: samples * 1e6,
  wallSeconds: 10,
});

const records = [
  rec("vit-s/8", 2000, 0, 0.3),
  rec("vit-ti/8", 2000, 0, 0.1),
  rec("vit-ti/8", 1000, 0, 0.05),
  rec("vit-ti/8", 1000, 1, 0.07),
  rec("vit-ti/8", 2000, 1, 0.2),
  rec("vit-ti/8", 4000, 0, undefined),
];

test("meanStd: sample standard deviation, one value has no spread, non-finite values ignored", () => {
  const s = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(s.mean, 5);
  assert.ok(Math.abs(s.std - Math.sqrt(32 / 7)) < 1e-12);
  assert.deepEqual(meanStd([3, Number.NaN]), { mean: 3, std: 0, n: 1 });
  assert.equal(meanStd([]).n, 0);
});

test("seriesBy: one line per group, mean ± std over seeds at each x, sorted, unmeasured points dropped", () => {
  const series = seriesBy(records, {
    x: (r) => r.samples!,
    y: (r) => r.metrics["heldout-emoji-441/acc1"],
    group: (r) => String(r.spec.model),
    order: ["vit-ti/8", "vit-s/8", "rn-s"],
  });
  assert.deepEqual(
    series.map((s) => s.name),
    ["vit-ti/8", "vit-s/8"],
  );
  const ti = series[0]!;
  assert.deepEqual(ti.x, [1000, 2000]);
  assert.ok(Math.abs(ti.y[0]! - 0.06) < 1e-12 && Math.abs(ti.y[1]! - 0.15) < 1e-12);
  assert.ok(Math.abs(ti.err![0]! - Math.SQRT2 * 0.01) < 1e-12);
  assert.deepEqual(series[1], { name: "vit-s/8", x: [2000], y: [0.3], err: [0] });
  // straight into the line builder: band + line per group
  assert.equal(lineChart(series).data.length, 4);
});

test("resultsTable: varying spec fields, headline metrics first, GFLOPs", () => {
  assert.deepEqual(varyingFields(records), ["model", "samples", "seed"]);
  const t = resultsTable(records.slice(0, 2));
  assert.deepEqual(t.columns, ["model", "heldout-emoji-441/acc1", "loss", "samples", "GFLOPs", "wall s"]);
  assert.deepEqual(t.rows()[0], {
    model: "vit-s/8",
    "heldout-emoji-441/acc1": 0.3,
    loss: 2,
    samples: 2000,
    GFLOPs: 2,
    "wall s": 10,
  });
  assert.match(t.toHtml(), /<td class="num" style="text-align:right">0\.300<\/td>/);
});

test("resultsTable: a varying samples budget is one samples column; a missing metric is an empty cell", () => {
  const t = resultsTable(records);
  assert.deepEqual(t.columns, [
    "model",
    "seed",
    "heldout-emoji-441/acc1",
    "loss",
    "samples",
    "GFLOPs",
    "wall s",
  ]);
  assert.deepEqual(
    t.rows().map((r) => r.samples),
    [2000, 2000, 1000, 1000, 2000, 4000],
  );
  assert.equal(t.rows()[5]!["heldout-emoji-441/acc1"], null);
  // (danfo threw "Column names length mismatch" when samples was listed twice.)
  assert.match(t.toHtml(), /<th[^>]*>seed<\/th>/);
});
