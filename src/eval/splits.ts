/**
 * Seeded, stratified index selections for the probe evaluations: train/test and train/validation
 * splits, k-shot draws and fractions of the labelled data. Every function works per class (in
 * class order, each class's members shuffled by one seeded permutation), so the same seed gives the
 * same indices on any machine and the selections of different sizes nest.
 */
import { mulberry32 } from "../util/rng";

/** Members of `pool` grouped by label, each group shuffled by a permutation seeded with `seed`. */
function shuffledByClass(labels: Int32Array, pool: Int32Array, seed: number): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const i of pool) {
    const y = labels[i];
    if (y === undefined) throw new Error(`index ${i} outside the ${labels.length} labelled samples`);
    let g = groups.get(y);
    if (!g) {
      g = [];
      groups.set(y, g);
    }
    g.push(i);
  }
  const sorted = new Map([...groups].sort((a, b) => a[0] - b[0]));
  const rng = mulberry32(seed);
  for (const g of sorted.values()) {
    g.sort((a, b) => a - b);
    for (let i = g.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [g[i], g[j]] = [g[j]!, g[i]!];
    }
  }
  return sorted;
}

function allIndices(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

const sortedInt32 = (a: number[]) => Int32Array.from(a).sort();

/**
 * Splits `pool` (default: every sample) per class into a held-out part of ⌊fraction·n_c⌉ samples and
 * the rest; a class with at least 2 samples keeps at least one on each side. Returns sorted indices.
 */
export function stratifiedSplit(
  labels: Int32Array,
  fraction: number,
  seed: number,
  pool: Int32Array = allIndices(labels.length),
): { rest: Int32Array; heldOut: Int32Array } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`split fraction must be in (0, 1), got ${fraction}`);
  const rest: number[] = [];
  const heldOut: number[] = [];
  for (const g of shuffledByClass(labels, pool, seed).values()) {
    let k = Math.round(fraction * g.length);
    if (g.length >= 2) k = Math.min(g.length - 1, Math.max(1, k));
    heldOut.push(...g.slice(0, k));
    rest.push(...g.slice(k));
  }
  return { rest: sortedInt32(rest), heldOut: sortedInt32(heldOut) };
}

/**
 * `k` samples of every class from `pool` (all of a class's samples when it has fewer), the first k
 * of that class's seeded permutation, so the 5-shot draw is inside the 10-shot draw for one seed.
 */
export function kShotIndices(labels: Int32Array, pool: Int32Array, k: number, seed: number): Int32Array {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`k-shot: k must be a positive integer, got ${k}`);
  const out: number[] = [];
  for (const g of shuffledByClass(labels, pool, seed).values()) out.push(...g.slice(0, k));
  return sortedInt32(out);
}

/**
 * A fraction of `pool` per class: max(1, ⌊fraction·n_c⌉) samples of each class (so 1 % of a small
 * class is still one labelled example), first of the seeded permutation; fraction 1 returns the pool.
 */
export function fractionIndices(
  labels: Int32Array,
  pool: Int32Array,
  fraction: number,
  seed: number,
): Int32Array {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`data fraction must be in (0, 1], got ${fraction}`);
  const out: number[] = [];
  for (const g of shuffledByClass(labels, pool, seed).values()) {
    out.push(...g.slice(0, Math.max(1, Math.round(fraction * g.length))));
  }
  return sortedInt32(out);
}

/** Rows `idx` of a row-major [n, d] matrix, and their labels. */
export function takeRows(
  x: Float32Array,
  d: number,
  labels: Int32Array,
  idx: Int32Array,
): { x: Float32Array; n: number; d: number; labels: Int32Array } {
  const out = new Float32Array(idx.length * d);
  idx.forEach((r, i) => {
    out.set(x.subarray(r * d, (r + 1) * d), i * d);
  });
  return { x: out, n: idx.length, d, labels: Int32Array.from(idx, (r) => labels[r]!) };
}
