import assert from "node:assert/strict";
import { test } from "node:test";
import { linearFit, meanStd } from "../../src/util/stats";

test("linearFit recovers an exact line (R² 1) and scores noise against numpy's polyfit/corrcoef", () => {
  const exact = linearFit([1, 2, 3, 4], [3, 5, 7, 9]);
  assert.deepEqual([exact.slope, exact.intercept, exact.r2, exact.n], [2, 1, 1, 4]);
  // numpy: polyfit([0,1,2,3,4],[1,3,2,5,4],1) → [0.8, 1.4]; corrcoef(...)[0,1]**2 → 0.64
  const noisy = linearFit([0, 1, 2, 3, 4], [1, 3, 2, 5, 4]);
  assert.ok(Math.abs(noisy.slope - 0.8) < 1e-12 && Math.abs(noisy.intercept - 1.4) < 1e-12);
  assert.ok(Math.abs(noisy.r2 - 0.64) < 1e-12);
  // No spread in x: no line; a constant y fits any line exactly.
  assert.ok(Number.isNaN(linearFit([2, 2], [1, 3]).slope));
  assert.equal(linearFit([1, 2, 3], [5, 5, 5]).r2, 1);
  assert.throws(() => linearFit([1, 2], [1]), /2 x values for 1 y values/);
  assert.deepEqual(meanStd([2, 4]), { mean: 3, std: Math.SQRT2, n: 2 });
});
