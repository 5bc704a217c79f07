import assert from "node:assert/strict";
import { test } from "node:test";
import { heatmap, subplots, toRows } from "../../src/viz/heatmap";
import { imageGrid, imagesFromBatch, imageZ } from "../../src/viz/images";

test("heatmap: packed and nested matrices give the same rows; row 0 is drawn at the top", () => {
  assert.deepEqual(toRows({ data: new Float32Array([1, 2, 3, 4, 5, 6]), rows: 2, cols: 3 }), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const fig = heatmap([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const t = fig.data[0]!;
  assert.equal(t.type, "heatmap");
  assert.deepEqual(t.z, [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(t.x, [0, 1, 2]);
  assert.deepEqual(t.y, [0, 1]);
  assert.equal((fig.layout.yaxis as { autorange: string }).autorange, "reversed");
  assert.throws(() => toRows({ data: [1, 2, 3], rows: 2, cols: 2 }), /3 values for a 2×2 matrix/);
  assert.throws(() => toRows([[1, 2], [3]]), /row 1 has 1 values, row 0 has 2/);
});

test("heatmap: duplicate labels stay separate rows (tick text at integer positions), values as text", () => {
  const fig = heatmap(
    [
      [0.9, 0.1],
      [0.2, 0.8],
    ],
    { xLabels: ["a cat", "a cat"], yLabels: ["img 0", "img 1"], decimals: 2, zmin: -1, zmax: 1 },
  );
  const t = fig.data[0]!;
  const xaxis = fig.layout.xaxis as Record<string, unknown>;
  assert.deepEqual(xaxis.tickvals, [0, 1]);
  assert.deepEqual(xaxis.ticktext, ["a cat", "a cat"]);
  assert.equal(t.texttemplate, "%{z:.2f}");
  assert.equal(t.zmin, -1);
  assert.deepEqual(t.text, [
    ["img 0 · a cat", "img 0 · a cat"],
    ["img 1 · a cat", "img 1 · a cat"],
  ]);
  assert.throws(() => heatmap([[1, 2]], { xLabels: ["a"] }), /xLabels has 1 labels for 2 cells/);
});

test("subplots: panels move to their own axes with split domains and one shared colour axis", () => {
  const a = heatmap([[1]], { title: "before", zmin: -1, zmax: 1, colorscale: "RdBu" });
  const b = heatmap([[0]], { title: "after", zmin: -1, zmax: 1, colorscale: "RdBu" });
  const fig = subplots([a, b], { shareColors: true, gap: 0.1 });
  assert.deepEqual(
    fig.data.map((t) => [t.xaxis, t.yaxis, t.coloraxis, t.zmin]),
    [
      ["x", "y", "coloraxis", undefined],
      ["x2", "y2", "coloraxis", undefined],
    ],
  );
  assert.deepEqual((fig.layout.xaxis as { domain: number[] }).domain, [0, 0.45]);
  assert.deepEqual((fig.layout.xaxis2 as { domain: number[] }).domain, [0.55, 1]);
  assert.equal((fig.layout.yaxis2 as { anchor: string }).anchor, "x2");
  assert.equal((fig.layout.yaxis2 as { autorange: string }).autorange, "reversed");
  assert.deepEqual(fig.layout.coloraxis, { colorscale: "RdBu", cmin: -1, cmax: 1 });
  assert.deepEqual(
    (fig.layout.annotations as Array<{ text: string }>).map((n) => n.text),
    ["before", "after"],
  );
  assert.throws(() => subplots([subplots([a, b])]), /only one-panel figures/);
});

test("imageZ: HWC RGB bytes become z[row][col] = [r, g, b]", () => {
  // 2 wide × 1 high: red then blue
  assert.deepEqual(imageZ({ pixels: [255, 0, 0, 0, 0, 255], width: 2, height: 1 }), [
    [
      [255, 0, 0],
      [0, 0, 255],
    ],
  ]);
  assert.throws(() => imageZ({ pixels: [1, 2, 3], width: 2, height: 1 }), /needs 6 bytes \(RGB\), got 3/);
});

test("imageGrid: one image trace per image on its own axes, captions escaped below, rows by columns", () => {
  const pixels = Uint8Array.from({ length: 3 * 2 * 2 * 3 }, (_, i) => i);
  const images = imagesFromBatch(pixels, 3, 2, ["a <cat>", "two\nlines", "c"]);
  assert.deepEqual(Array.from(images[1]!.pixels as Uint8Array), Array.from(pixels.subarray(12, 24)));
  const fig = imageGrid(images, { columns: 2, title: "batch", cellPx: 50 });
  assert.equal(fig.data.length, 3);
  assert.deepEqual(
    fig.data.map((t) => [t.type, t.xaxis, t.yaxis]),
    [
      ["image", "x", "y"],
      ["image", "x2", "y2"],
      ["image", "x3", "y3"],
    ],
  );
  assert.deepEqual((fig.data[2]!.z as number[][][])[0]![0], [24, 25, 26]);
  const notes = (fig.layout.annotations as Array<{ text: string }>).map((n) => n.text);
  assert.deepEqual(notes, ["a &lt;cat&gt;", "two<br>lines", "c"]);
  // third image starts the second row: left column, lower domain than the first row
  const y1 = (fig.layout.yaxis as { domain: number[] }).domain;
  const y3 = (fig.layout.yaxis3 as { domain: number[] }).domain;
  assert.deepEqual(
    (fig.layout.xaxis3 as { domain: number[] }).domain,
    (fig.layout.xaxis as { domain: number[] }).domain,
  );
  assert.ok(y3[1]! < y1[0]!, `row 2 ${y3} must lie below row 1 ${y1}`);
  // 2 caption lines reserved under each 50 px image, two rows, title margin 50
  assert.equal(fig.layout.height, 50 + 2 * (50 + 2 * 14 + 10) + 10);
  assert.throws(() => imageGrid([]), /no images/);
  assert.throws(() => imagesFromBatch(pixels, 4, 2), /4 images of 2×2 need 48 bytes, got 36/);
});
