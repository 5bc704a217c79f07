/** The one seeded generator (src/util/rng.ts) every layer uses: values against an independent implementation. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mixSeed, mulberry32, permutation } from "../../src/util/rng";

test("mulberry32 gives the reference sequence (computed independently in Python)", () => {
  const close = (a: number[], b: number[]) => {
    for (const [i, x] of a.entries()) assert.ok(Math.abs(x - b[i]!) < 1e-15, `${x} vs ${b[i]}`);
  };
  const take = (seed: number) => {
    const r = mulberry32(seed);
    return [r(), r(), r()];
  };
  close(take(1), [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  close(take(42), [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
});

test("permutation is a seeded permutation; mixSeed separates (seed, part) streams", () => {
  const p = Array.from(permutation(50, 7));
  assert.deepEqual(
    [...p].sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.deepEqual(Array.from(permutation(50, 7)), p);
  assert.notDeepEqual(Array.from(permutation(50, 8)), p);
  assert.notEqual(mixSeed(1, 1), mixSeed(2, 0));
});
