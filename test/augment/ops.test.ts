/**
 * Each augmentation op against values worked out by hand on tiny images (4×4 unless the op needs
 * more pixels), with explicit parameters so no randomness is involved.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  adjustSharpness,
  affineWarp,
  autoContrast,
  equalize,
  flipHorizontal,
  gaussianBlur,
  posterize,
  randomGrayscale,
  resizedCrop,
  rotateAffine,
  shearXAffine,
  solarize,
  translateAffine,
} from "../../src/augment";
import { applyRandAugmentLayer } from "../../src/augment/randaugment";
import { initBackend, tf } from "../../src/tf";

before(async () => {
  await initBackend();
});

type Img = number[][][]; // [H][W][3]

/** 4×4 test image: R = (4r + c)/16 (linear), G = 1 − R, B = 0.5. */
function ramp(): Img {
  return Array.from({ length: 4 }, (_, r) =>
    Array.from({ length: 4 }, (_, c) => {
      const v = (4 * r + c) / 16;
      return [v, 1 - v, 0.5];
    }),
  );
}

function batch(...imgs: Img[]): tf.Tensor4D {
  return tf.tensor4d(imgs as unknown as number[][][][]);
}

function read(t: tf.Tensor4D): Img[] {
  const out = t.arraySync() as Img[];
  t.dispose();
  return out;
}

function close(actual: unknown, expected: unknown, tol = 1e-5, path = "x"): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path} is not an array`);
    assert.equal((actual as unknown[]).length, expected.length, `${path} length`);
    expected.forEach((e, i) => {
      close((actual as unknown[])[i], e, tol, `${path}[${i}]`);
    });
    return;
  }
  assert.ok(Math.abs((actual as number) - (expected as number)) <= tol, `${path}: ${actual} vs ${expected}`);
}

function mapImg(img: Img, f: (p: number[], r: number, c: number) => number[]): Img {
  return img.map((row, r) => row.map((p, c) => f(p, r, c)));
}

test("resizedCrop: full box is the identity; a 2×2 box samples the ramp at 1 + i/3 (bilinear)", () => {
  const x = batch(ramp(), ramp());
  const [full, part] = read(
    resizedCrop(
      x,
      [
        { top: 0, left: 0, height: 4, width: 4 },
        { top: 1, left: 1, height: 2, width: 2 },
      ],
      4,
    ),
  );
  close(full, ramp());
  // Bilinear interpolation of a linear function is exact: R(i, j) = (4(1 + i/3) + (1 + j/3)) / 16.
  const want = Array.from({ length: 4 }, (_, i) =>
    Array.from({ length: 4 }, (_, j) => {
      const v = (4 * (1 + i / 3) + (1 + j / 3)) / 16;
      return [v, 1 - v, 0.5];
    }),
  );
  close(part, want);
  x.dispose();
});

test("flipHorizontal mirrors only the flagged samples", () => {
  const x = batch(ramp(), ramp());
  const [a, b] = read(flipHorizontal(x, [true, false]));
  close(
    a,
    mapImg(ramp(), (_p, r, c) => ramp()[r]![3 - c]!),
  );
  close(b, ramp());
  x.dispose();
});

test("affineWarp: integer translate, 90° rotation and shear by 2 copy exact pixels; outside is the fill", () => {
  const src = ramp();
  const x = batch(src, src, src);
  const [moved, rotated, sheared] = read(
    affineWarp(x, [translateAffine(1, 0), rotateAffine(90, 4, 4), shearXAffine(2, 4)], 0.25),
  );
  const fill = [0.25, 0.25, 0.25];
  close(
    moved,
    mapImg(src, (_p, r, c) => (c === 0 ? fill : src[r]![c - 1]!)),
  );
  // 90° counter-clockwise about (1.5, 1.5): out[y][x] = in[x][3 − y].
  close(
    rotated,
    mapImg(src, (_p, y, xx) => src[xx]![3 - y]!),
    1e-5,
  );
  // x_in = x + 2(y − 1.5): rows shift by −3, −1, +1, +3.
  close(
    sheared,
    mapImg(src, (_p, y, xx) => {
      const xi = xx + 2 * y - 3;
      return xi >= 0 && xi < 4 ? src[y]![xi]! : fill;
    }),
  );
  x.dispose();
});

test("brightness, contrast and saturation follow torchvision's blend formulas", () => {
  const src = ramp();
  const x = batch(src, src);
  const gray = (p: number[]) => 0.2989 * p[0]! + 0.587 * p[1]! + 0.114 * p[2]!;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const [half, dbl] = read(adjustBrightness(x, [0.5, 2]));
  close(
    half,
    mapImg(src, (p) => p.map((v) => v / 2)),
  );
  close(
    dbl,
    mapImg(src, (p) => p.map((v) => clamp(2 * v))),
  );
  // Contrast blends with the image's mean grey: mean R = 7.5/16, G = 1 − that, B = 0.5.
  const meanGray = 0.2989 * (7.5 / 16) + 0.587 * (1 - 7.5 / 16) + 0.114 * 0.5;
  const [c0, c15] = read(adjustContrast(x, [0, 1.5]));
  close(
    c0,
    mapImg(src, () => [meanGray, meanGray, meanGray]),
  );
  close(
    c15,
    mapImg(src, (p) => p.map((v) => clamp(1.5 * v - 0.5 * meanGray))),
  );
  const [s0, s05] = read(adjustSaturation(x, [0, 0.5]));
  close(
    s0,
    mapImg(src, (p) => [gray(p), gray(p), gray(p)]),
  );
  close(
    s05,
    mapImg(src, (p) => p.map((v) => 0.5 * v + 0.5 * gray(p))),
  );
  x.dispose();
});

test("hue: red + 1/3 turn = green; (1, .5, 0) + 1/2 turn = (0, .5, 1); shift 0 is exact", () => {
  const solid = (p: number[]): Img => Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => p));
  const x = batch(solid([1, 0, 0]), solid([1, 0.5, 0]), ramp());
  const [g, b, same] = read(adjustHue(x, [1 / 3, 0.5, 0]));
  close(g, solid([0, 1, 0]));
  close(b, solid([0, 0.5, 1]));
  assert.deepEqual(same, x.arraySync()[2]);
  x.dispose();
});

test("grayscale replaces flagged samples by 0.2989 R + 0.587 G + 0.114 B in all channels", () => {
  const src = ramp();
  const x = batch(src, src);
  const [g, same] = read(randomGrayscale(x, [true, false]));
  close(
    g,
    mapImg(src, (p) => {
      const v = 0.2989 * p[0]! + 0.587 * p[1]! + 0.114 * p[2]!;
      return [v, v, v];
    }),
  );
  close(same, src);
  x.dispose();
});

test("gaussian blur: separable normalised weights with reflect padding (impulse responses)", () => {
  const impulse = (n: number, r0: number, c0: number): Img =>
    Array.from({ length: n }, (_, r) =>
      Array.from({ length: n }, (_, c) => (r === r0 && c === c0 ? [1, 1, 1] : [0, 0, 0])),
    );
  const e = Math.exp(-1 / 2); // σ = 1, offsets −1, 0, +1
  const w = [e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e)];
  const x = batch(impulse(5, 2, 2), impulse(5, 0, 0), impulse(5, 1, 1), impulse(5, 2, 2));
  const [mid, corner, nearEdge, untouched] = read(gaussianBlur(x, [1, 1, 1, 0], 1));
  // Away from the border: the outer product of the weights around (2, 2).
  close(
    mid,
    impulse(5, 2, 2).map((row, r) =>
      row.map((_p, c) =>
        Array(3).fill(Math.abs(r - 2) <= 1 && Math.abs(c - 2) <= 1 ? w[r - 1]! * w[c - 1]! : 0),
      ),
    ),
  );
  // Reflect padding mirrors without repeating the edge (row −1 = row 1 = 0), so the corner impulse
  // keeps only its own taps: w1², w1·w0, w0².
  close(corner[0]![0], Array(3).fill(w[1]! ** 2));
  close(corner[0]![1], Array(3).fill(w[1]! * w[0]!));
  close(corner[1]![1], Array(3).fill(w[0]! ** 2));
  close(corner[2]![2], [0, 0, 0]);
  // An impulse at (1, 1) is mirrored into row −1 and column −1: pixel (0, 0) sees it twice per axis.
  close(nearEdge[0]![0], Array(3).fill((2 * w[0]!) ** 2));
  close(untouched, impulse(5, 2, 2));
  x.dispose();
});

test("sharpness: smoothing kernel [[1,1,1],[1,5,1],[1,1,1]]/13 inside, borders kept; blend and clamp", () => {
  const img = mapImg(ramp(), (_p, r, c) => (r === 1 && c === 1 ? [1, 1, 1] : [0, 0, 0]));
  const x = batch(img, img);
  const [smooth, sharp] = read(adjustSharpness(x, [0, 2]));
  const deg = (r: number, c: number) => {
    if (r === 0 || c === 0 || r === 3 || c === 3) return img[r]![c]![0]!; // border: unchanged
    if (r === 1 && c === 1) return 5 / 13;
    return Math.abs(r - 1) <= 1 && Math.abs(c - 1) <= 1 ? 1 / 13 : 0;
  };
  close(
    smooth,
    mapImg(img, (_p, r, c) => Array(3).fill(deg(r, c))),
  );
  close(
    sharp,
    mapImg(img, (p, r, c) => Array(3).fill(Math.min(1, Math.max(0, 2 * p[0]! - deg(r, c))))),
  );
  x.dispose();
});

test("posterize keeps the top bits of the 8-bit level; solarize inverts at or above the threshold", () => {
  const vals: Img = [[[0.6, 0.4, 0.31]]];
  const x = batch(vals, vals, vals);
  const [one, two, eight] = read(posterize(x, [1, 2, 8]));
  // 0.6 → 153, 0.4 → 102, 0.31 → 79. 1 bit: step 128; 2 bits: step 64.
  close(one, [[[128 / 255, 0, 0]]]);
  close(two, [[[128 / 255, 64 / 255, 64 / 255]]]);
  close(eight, vals);
  const [s, none] = read(solarize(tf.slice(x, 0, 2) as tf.Tensor4D, [0.5, 2]));
  close(s, [[[0.4, 0.4, 0.31]]]);
  close(none, vals);
  x.dispose();
});

test("autoContrast stretches each channel to [0, 1]; a flat channel is kept", () => {
  const img: Img = [
    [
      [0.2, 0.5, 0.3],
      [0.6, 0.5, 0.7],
    ],
  ];
  const x = batch(img, img);
  const [a, same] = read(autoContrast(x, [true, false]));
  close(a, [
    [
      [0, 0.5, 0],
      [1, 0.5, 1],
    ],
  ]);
  close(same, img);
  x.dispose();
});

test("equalize: torchvision's LUT on a 32×32 three-level image; step 0 leaves a 4×4 image unchanged", () => {
  // 512 pixels at level 10, 256 at 50, 256 at 90: step = (1024 − 256) // 255 = 3;
  // lut[v] = (#below + 1) // 3 → 10 → 0, 50 → 513 // 3 = 171, 90 → 769 // 3 = 256 → clamped 255.
  const big: Img = Array.from({ length: 32 }, (_, r) =>
    Array.from({ length: 32 }, () => {
      const lv = r < 16 ? 10 : r < 24 ? 50 : 90;
      return [lv / 255, lv / 255, lv / 255];
    }),
  );
  const x = batch(big, big);
  const [eq, same] = read(equalize(x, [true, false]));
  close(
    eq,
    big.map((row, r) => row.map(() => Array(3).fill((r < 16 ? 0 : r < 24 ? 171 : 255) / 255))),
  );
  close(same, big);
  x.dispose();
  const small = batch(ramp());
  // 16 pixels: (16 − 1) // 255 = 0 → unchanged (up to the 8-bit level rounding).
  const [s] = read(equalize(small, [true]));
  close(
    s,
    mapImg(ramp(), (p) => p.map((v) => Math.round(v * 255) / 255)),
  );
  small.dispose();
});

test("a RandAugment layer applies each sample's own op (identity, brightness, translate)", () => {
  const src = ramp();
  const x = batch(src, src, src);
  const [id, dark, moved] = read(
    applyRandAugmentLayer(
      x,
      [
        { op: "identity", level: 1, sign: 1 },
        { op: "brightness", level: 1, sign: -1 }, // factor 1 − 0.9 = 0.1
        { op: "translateX", level: 1 / (0.45 * 4), sign: 1 }, // 1 pixel right
      ],
      1,
    ),
  );
  close(id, src);
  close(
    dark,
    mapImg(src, (p) => p.map((v) => 0.1 * v)),
  );
  close(
    moved,
    mapImg(src, (_p, r, c) => (c === 0 ? [1, 1, 1] : src[r]![c - 1]!)),
  );
  x.dispose();
});
