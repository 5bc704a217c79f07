import assert from "node:assert/strict";
import { test } from "node:test";
import { groupedBars, lineChart, scatterChart } from "../../src/viz/charts";
import { describeFigure, PALETTE, withAlpha } from "../../src/viz/figure";

test("lineChart: a ±err band is a closed polygon drawn before its line, in the line's colour", () => {
  const fig = lineChart(
    [
      { name: "vit", x: [1, 2, 3], y: [10, 20, 30], err: [1, 2, 3] },
      { name: "rn", x: [1, 2, 3], y: [5, 6, 7] },
    ],
    { title: "acc", xTitle: "samples", yTitle: "top-1", logX: true },
  );
  assert.equal(fig.data.length, 3);
  const [band, line, line2] = fig.data;
  assert.deepEqual(band!.x, [1, 2, 3, 3, 2, 1]);
  // upper edge forward (y + err), then lower edge backwards (y − err)
  assert.deepEqual(band!.y, [11, 22, 33, 27, 18, 9]);
  assert.equal(band!.fill, "toself");
  assert.equal(band!.fillcolor, "rgba(31,119,180,0.2)");
  assert.equal(band!.showlegend, false);
  assert.equal(band!.legendgroup, "vit");
  assert.deepEqual(line!.x, [1, 2, 3]);
  assert.deepEqual(line!.y, [10, 20, 30]);
  assert.deepEqual(line!.line, { color: PALETTE[0] });
  assert.equal(line!.legendgroup, "vit");
  assert.deepEqual(line2!.line, { color: PALETTE[1] });
  assert.deepEqual(fig.layout.title, { text: "acc" });
  assert.deepEqual(fig.layout.xaxis, { title: { text: "samples" }, type: "log", automargin: true });
  assert.deepEqual(fig.layout.yaxis, { title: { text: "top-1" }, automargin: true });
});

test("lineChart: explicit lower/upper edges win over err; half a band is an error", () => {
  const fig = lineChart([{ name: "a", x: [0, 1], y: [2, 3], lower: [1, 1], upper: [4, 5], err: [9, 9] }]);
  assert.deepEqual(fig.data[0]!.y, [4, 5, 1, 1]);
  assert.throws(() => lineChart([{ name: "a", x: [0], y: [1], lower: [0] }]), /give both lower and upper/);
});

test("lineChart: series arrays of different lengths are rejected with the series name", () => {
  assert.throws(() => lineChart([{ name: "loss", x: [1, 2, 3], y: [1, 2] }]), /"loss".*x=3, y=2/);
});

test("scatterChart: markers, hover text, and labels drawn only when asked", () => {
  const s = { name: "runs", x: [1e9, 2e9], y: [0.1, 0.2], text: ["a", "b"] };
  const plain = scatterChart([s]);
  assert.equal(plain.data[0]!.mode, "markers");
  assert.deepEqual(plain.data[0]!.text, ["a", "b"]);
  assert.equal(plain.data[0]!.textposition, undefined);
  const labelled = scatterChart([s], { labels: true });
  assert.equal(labelled.data[0]!.mode, "markers+text");
  assert.deepEqual(labelled.data[0]!.marker, { size: 9, color: PALETTE[0] });
  assert.throws(() => scatterChart([{ name: "x", x: [1], y: [1, 2] }]), /equal lengths/);
});

test("groupedBars: one bar trace per series over the categories, error bars, barmode group", () => {
  const fig = groupedBars(
    ["clip", "slip"],
    [
      { name: "ti", values: [0.3, 0.4], err: [0.01, 0.02] },
      { name: "s", values: [0.35, 0.45] },
    ],
    { yRange: [0, 1] },
  );
  assert.equal(fig.layout.barmode, "group");
  assert.deepEqual(
    fig.data.map((t) => [t.type, t.name, t.x, t.y]),
    [
      ["bar", "ti", ["clip", "slip"], [0.3, 0.4]],
      ["bar", "s", ["clip", "slip"], [0.35, 0.45]],
    ],
  );
  assert.deepEqual(fig.data[0]!.error_y, { type: "data", array: [0.01, 0.02], visible: true });
  assert.equal(fig.data[1]!.error_y, undefined);
  assert.deepEqual((fig.layout.yaxis as { range: number[] }).range, [0, 1]);
  assert.throws(
    () => groupedBars(["a", "b", "c"], [{ name: "x", values: [1, 2] }]),
    /2 values for 3 categories/,
  );
});

test("figures are plain JSON and describe themselves", () => {
  const fig = lineChart([{ name: "a", x: [1], y: [2], err: [0.5] }], { title: "T" });
  assert.deepEqual(JSON.parse(JSON.stringify(fig)), fig);
  assert.equal(describeFigure(fig), '<Plotly figure "T": 2 scatter>');
  assert.equal(withAlpha("#ff7f0e", 0.5), "rgba(255,127,14,0.5)");
  assert.throws(() => withAlpha("red", 0.5), /#1f77b4/);
});

test("chance: a dashed line across the whole plot at the chance level, labelled, on every chart type", () => {
  const line = lineChart([{ name: "a", x: [1, 10], y: [5, 20] }], { chance: 2, chanceLabel: "chance 2 %" });
  const bars = groupedBars(["x", "y"], [{ name: "a", values: [1, 2] }], { chance: 0.5 });
  const scatter = scatterChart([{ name: "a", x: [1], y: [3] }], { chance: 0.25 });
  for (const [fig, y] of [
    [line, 2],
    [bars, 0.5],
    [scatter, 0.25],
  ] as const) {
    const [shape] = fig.layout.shapes as Array<Record<string, unknown>>;
    assert.deepEqual([shape!.xref, shape!.x0, shape!.x1, shape!.y0, shape!.y1], ["paper", 0, 1, y, y]);
    assert.equal((shape!.line as { dash: string }).dash, "dash");
  }
  assert.equal((line.layout.annotations as Array<{ text: string }>)[0]!.text, "chance 2 %");
  assert.equal((bars.layout.annotations as Array<{ text: string }>)[0]!.text, "chance");
  // A log y axis places it by log10; no chance given, no shape; a NaN chance is refused.
  const log = lineChart([{ name: "a", x: [1], y: [5] }], { chance: 100, logY: true });
  assert.equal((log.layout.shapes as Array<{ y0: number }>)[0]!.y0, 2);
  assert.equal(lineChart([{ name: "a", x: [1], y: [5] }]).layout.shapes, undefined);
  assert.throws(() => lineChart([], { chance: Number.NaN }), /chance must be a finite number/);
  // Two levels on one chart (top-1 and top-5 errors).
  const two = lineChart([], {
    chance: [
      { y: 99.8, label: "top-1 chance" },
      { y: 98.9, label: "top-5 chance" },
    ],
  });
  assert.deepEqual(
    (two.layout.shapes as Array<{ y0: number }>).map((x) => x.y0),
    [99.8, 98.9],
  );
  assert.deepEqual(
    (two.layout.annotations as Array<{ text: string }>).map((x) => x.text),
    ["top-1 chance", "top-5 chance"],
  );
});
