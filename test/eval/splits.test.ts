import assert from "node:assert/strict";
import { test } from "node:test";
import { fractionIndices, kShotIndices, stratifiedSplit, takeRows } from "../../src/eval/splits";

// 3 classes with 10, 4 and 1 members, interleaved.
const labels = Int32Array.from([0, 1, 0, 0, 1, 0, 0, 2, 0, 1, 0, 0, 1, 0, 0]);
const all = Int32Array.from(labels.keys());
const count = (idx: Int32Array, c: number) => Array.from(idx).filter((i) => labels[i] === c).length;

test("stratified split: per-class counts, disjoint, covering, seeded", () => {
  const { rest, heldOut } = stratifiedSplit(labels, 0.3, 1);
  // round(0.3·10) = 3, round(0.3·4) = 1, a single-member class stays on the training side.
  assert.deepEqual(
    [0, 1, 2].map((c) => count(heldOut, c)),
    [3, 1, 0],
  );
  assert.deepEqual(
    [...rest, ...heldOut].sort((a, b) => a - b),
    Array.from(all),
  );
  assert.deepEqual(stratifiedSplit(labels, 0.3, 1), { rest, heldOut });
  assert.notDeepEqual(stratifiedSplit(labels, 0.3, 2).heldOut, heldOut);
  // A 2-member class keeps one on each side even at a tiny fraction.
  const two = stratifiedSplit(Int32Array.from([5, 5]), 0.01, 0);
  assert.equal(two.heldOut.length, 1);
  assert.throws(() => stratifiedSplit(labels, 1, 0), /split fraction must be in \(0, 1\)/);
});

test("k-shot: k per class (all of a smaller class), nested across k, drawn from the pool only", () => {
  const five = kShotIndices(labels, all, 5, 3);
  assert.deepEqual(
    [0, 1, 2].map((c) => count(five, c)),
    [5, 4, 1],
  );
  const two = kShotIndices(labels, all, 2, 3);
  assert.ok(
    Array.from(two).every((i) => five.includes(i)),
    "the 2-shot draw is inside the 5-shot draw",
  );
  const pool = Int32Array.from([0, 2, 3, 1]);
  assert.deepEqual(Array.from(kShotIndices(labels, pool, 10, 0)), [0, 1, 2, 3]);
  assert.throws(() => kShotIndices(labels, all, 0, 0), /positive integer/);
});

test("fractions: at least one per class, nested, the whole pool at 1", () => {
  const tenth = fractionIndices(labels, all, 0.1, 0);
  assert.deepEqual(
    [0, 1, 2].map((c) => count(tenth, c)),
    [1, 1, 1],
  );
  const half = fractionIndices(labels, all, 0.5, 0);
  assert.deepEqual(
    [0, 1, 2].map((c) => count(half, c)),
    [5, 2, 1],
  );
  assert.ok(Array.from(tenth).every((i) => half.includes(i)));
  assert.deepEqual(Array.from(fractionIndices(labels, all, 1, 0)), Array.from(all));
});

test("takeRows copies rows and labels", () => {
  const x = Float32Array.from([0, 1, 10, 11, 20, 21]);
  const r = takeRows(x, 2, Int32Array.from([7, 8, 9]), Int32Array.from([2, 0]));
  assert.deepEqual(Array.from(r.x), [20, 21, 0, 1]);
  assert.deepEqual(Array.from(r.labels), [9, 7]);
  assert.equal(r.n, 2);
});
