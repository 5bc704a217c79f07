import assert from "node:assert/strict";
import { test } from "node:test";
import { edgeMap, lowResolution, luma } from "../../src/eval/shift";

/** n images of side s from per-pixel gray values (rows of the first image, then the next). */
function grayImages(values: number[][][]): { images: Uint8Array; n: number; size: number } {
  const n = values.length;
  const size = values[0]!.length;
  const images = new Uint8Array(n * size * size * 3);
  for (const [k, img] of values.entries()) {
    for (const [r, row] of img.entries()) {
      for (const [c, v] of row.entries()) {
        const o = 3 * (k * size * size + r * size + c);
        images.fill(v, o, o + 3);
      }
    }
  }
  return { images, n, size };
}

/** Channel 0 of image k as rows. */
function plane(images: Uint8Array, size: number, k = 0): number[][] {
  return Array.from({ length: size }, (_, r) =>
    Array.from({ length: size }, (_, c) => images[3 * (k * size * size + r * size + c)]!),
  );
}

test("luma uses the BT.601 weights", () => {
  const px = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 100, 100, 100]);
  const y = luma(px, 1, 2);
  assert.deepEqual(
    Array.from(y).map((v) => Math.round(v * 1000) / 1000),
    [76.245, 149.685, 29.07, 100],
  );
});

test("edge map of a black|white step: lines on the two columns beside the step, white elsewhere", () => {
  // Columns 0,1 black, 2,3 white. Sobel gx at column 1 and 2 = 255·(1+2+1) = 1020 ≥ 128; at the
  // borders the replicated pixel equals its neighbour, so gx = 0 there; gy = 0 everywhere.
  const row = [0, 0, 255, 255];
  const { images, n, size } = grayImages([[row, row, row, row]]);
  const e = edgeMap(images, n, size);
  for (const r of plane(e, size)) assert.deepEqual(r, [255, 0, 0, 255]);
  // All three channels are equal (a grayscale drawing).
  for (let p = 0; p < size * size; p++) assert.ok(e[3 * p] === e[3 * p + 1] && e[3 * p] === e[3 * p + 2]);
});

test("edge map threshold: a 30-level step (gradient 120) draws at threshold 120 but not at 121", () => {
  const row = [100, 100, 130, 130];
  const { images, n, size } = grayImages([[row, row, row, row]]);
  assert.deepEqual(plane(edgeMap(images, n, size, { threshold: 120 }), size)[0], [255, 0, 0, 255]);
  assert.deepEqual(plane(edgeMap(images, n, size, { threshold: 121 }), size)[0], [255, 255, 255, 255]);
  // A flat image has no lines, also not at its frame.
  const flat = grayImages([[row.map(() => 77), row.map(() => 77), row.map(() => 77), row.map(() => 77)]]);
  assert.ok(edgeMap(flat.images, 1, 4).every((v) => v === 255));
});

test("low resolution ×2 replaces each 2×2 block by its rounded mean", () => {
  const { images, n, size } = grayImages([
    [
      [0, 10, 200, 200],
      [20, 31, 200, 201],
      [7, 7, 50, 0],
      [7, 7, 0, 0],
    ],
  ]);
  const lo = lowResolution(images, n, size, 2);
  // Means: (0+10+20+31)/4 = 15.25 → 15; (200+200+200+201)/4 = 200.25 → 200; 7; 12.5 → 13.
  assert.deepEqual(plane(lo, size), [
    [15, 15, 200, 200],
    [15, 15, 200, 200],
    [7, 7, 13, 13],
    [7, 7, 13, 13],
  ]);
});

test("low resolution with a size the factor does not divide, and per-image independence", () => {
  // size 3, factor 2 → small = round(1.5) = 2: source blocks rows/cols {0} and {1, 2}.
  const a = [
    [10, 20, 30],
    [40, 50, 60],
    [70, 80, 90],
  ];
  const b = a.map((r) => r.map((v) => 255 - v));
  const { images, n, size } = grayImages([a, b]);
  const lo = lowResolution(images, n, size, 2);
  // Block (0,0) = 10; (0,1) = mean(20,30) = 25; (1,0) = mean(40,70) = 55; (1,1) = mean(50,60,80,90) = 70.
  // Upsampling: pixel x → block ⌊x·2/3⌋ = 0, 0, 1.
  assert.deepEqual(plane(lo, size, 0), [
    [10, 10, 25],
    [10, 10, 25],
    [55, 55, 70],
  ]);
  assert.deepEqual(plane(lo, size, 1), [
    [245, 245, 230],
    [245, 245, 230],
    [200, 200, 185],
  ]);
  assert.throws(() => lowResolution(images, 3, size, 2), /expected n\*size\*size\*3/);
  assert.throws(() => lowResolution(images, n, size, 0.5), /factor must be ≥ 1/);
});
