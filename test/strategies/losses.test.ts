/**
 * The strategies' loss formulas against hand-derived values and independent plain-JS loops on small
 * fixed inputs: SigLIP (±1 labels, sum ÷ N), SLIP's NT-Xent (positives, self-similarity mask), CatLIP's
 * BCE (sum over classes, mean over the batch) and caption → multi-hot targets (corenet's example).
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { bceBatchMean, createCatlip } from "../../src/strategies/catlip";
import { siglipLossFromLogits } from "../../src/strategies/siglip";
import { ntXentLoss } from "../../src/strategies/slip";
import { synsetVocabFromIds } from "../../src/text/synset-vocab";
import { initBackend, tf } from "../../src/tf";

before(async () => {
  await initBackend();
});

const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function scalar(t: tf.Scalar): number {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

test("SigLIP: −Σ log σ(label·z) / N with +1 on the diagonal and −1 elsewhere", () => {
  // 2×2 by hand: diagonal terms −log σ(z_ii), off-diagonal −log σ(−z_ij) = −log(1 − σ(z_ij)).
  const z = [
    [2, -1],
    [0.5, 3],
  ];
  const hand =
    (-Math.log(sigmoid(2)) - Math.log(1 - sigmoid(-1)) - Math.log(1 - sigmoid(0.5)) - Math.log(sigmoid(3))) /
    2;
  const t2 = tf.tensor2d(z);
  assert.ok(Math.abs(scalar(siglipLossFromLogits(t2)) - hand) < 1e-5);
  // 4×4 plain-JS loop over all pairs.
  const m = [
    [1.2, -3, 0.4, -10],
    [-2, 0.7, 5, -1],
    [0.1, -0.2, -0.3, 2],
    [-4, 1, -6, 8],
  ];
  let ref = 0;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) ref += softplus(-(i === j ? 1 : -1) * m[i]![j]!);
  const t4 = tf.tensor2d(m);
  assert.ok(Math.abs(scalar(siglipLossFromLogits(t4)) - ref / 4) < 1e-5);
  // Divided by N, not N²: all-zero logits give N² ln 2 / N = N ln 2.
  const zeros = tf.zeros([5, 5]) as tf.Tensor2D;
  assert.ok(Math.abs(scalar(siglipLossFromLogits(zeros)) - 5 * Math.LN2) < 1e-5);
  tf.dispose([t2, t4, zeros]);
});

/** SimCLR NT-Xent by loops: row i of view a: positive a_i·b_i, negatives a_i·b_j (j≠i) and a_i·a_j (j≠i). */
function ntXentRef(a: number[][], b: number[][], tau: number): number {
  const norm = (v: number[]) => v.map((x) => x / Math.hypot(...v));
  const qa = a.map(norm);
  const qb = b.map(norm);
  const dot = (x: number[], y: number[]) => x.reduce((s, v, k) => s + v * y[k]!, 0);
  const side = (p: number[][], q: number[][]) => {
    let loss = 0;
    for (let i = 0; i < p.length; i++) {
      const logits: number[] = [];
      for (let j = 0; j < p.length; j++) logits.push(dot(p[i]!, q[j]!) / tau);
      for (let j = 0; j < p.length; j++) if (j !== i) logits.push(dot(p[i]!, p[j]!) / tau);
      const mx = Math.max(...logits);
      const lse = mx + Math.log(logits.reduce((s, v) => s + Math.exp(v - mx), 0));
      loss += lse - dot(p[i]!, q[i]!) / tau;
    }
    return loss / p.length;
  };
  return (side(qa, qb) + side(qb, qa)) / 2;
}

test("NT-Xent (τ 0.1): hand value for perfect positives, plain-JS loops for random views", () => {
  // a = b = I₂: row 0 logits [10, 0 | masked, 0] → log(1 + 2e⁻¹⁰); without the self mask it would be ≈ ln 2.
  const eye = tf.tensor2d([
    [1, 0],
    [0, 1],
  ]);
  const perfect = ntXentLoss(eye, eye, 0.1);
  assert.ok(Math.abs(perfect.loss.dataSync()[0]! - Math.log(1 + 2 * Math.exp(-10))) < 1e-6);
  assert.equal(perfect.acc.dataSync()[0], 1);
  const a = [
    [0.3, -1.2, 0.5],
    [1.1, 0.2, -0.4],
    [-0.7, 0.9, 0.8],
    [0.05, 0.6, -1.5],
  ];
  const b = [
    [0.2, -1, 0.9],
    [-0.3, 0.4, 0.1],
    [-1, 0.5, 0.6],
    [0.9, 0.8, -0.2],
  ];
  const ta = tf.tensor2d(a);
  const tb = tf.tensor2d(b);
  const out = ntXentLoss(ta, tb, 0.1);
  assert.ok(Math.abs(out.loss.dataSync()[0]! - ntXentRef(a, b, 0.1)) < 1e-4, `${out.loss.dataSync()[0]}`);
  // Asymmetric in a and b per side, symmetric overall.
  const swapped = ntXentLoss(tb, ta, 0.1);
  assert.ok(Math.abs(swapped.loss.dataSync()[0]! - out.loss.dataSync()[0]!) < 1e-5);
  tf.dispose([eye, ta, tb, perfect.loss, perfect.acc, out.loss, out.acc, swapped.loss, swapped.acc]);
});

test("CatLIP BCE: summed over classes and samples, divided by the batch size (corenet batch_mean)", () => {
  const z = [
    [2, -1, 0.5],
    [-3, 0, 4],
  ];
  const y = [
    [1, 0, 0],
    [0, 1, 1],
  ];
  let ref = 0;
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 3; j++)
      ref += -(y[i]![j]! * Math.log(sigmoid(z[i]![j]!)) + (1 - y[i]![j]!) * Math.log(1 - sigmoid(z[i]![j]!)));
  const tz = tf.tensor2d(z);
  const ty = tf.tensor2d(y);
  const got = scalar(bceBatchMean(tz, ty));
  assert.ok(Math.abs(got - ref / 2) < 1e-5, `${got} vs ${ref / 2}`);
  // Not the mean over classes (that would be 3× smaller).
  assert.ok(Math.abs(got - ref / 6) > 0.1);
  // Stable for saturated logits: a wrong confident class costs |z|.
  const big = tf.tensor2d([[100, -100]]);
  const wrong = tf.tensor2d([[0, 1]]);
  assert.ok(Math.abs(scalar(bceBatchMean(big, wrong)) - 200) < 1e-3);
  tf.dispose([tz, ty, big, wrong]);
});

test('CatLIP targets: vocabulary [image, stock, black, …], "An image of black dog." → {0, 2} (reference rule)', () => {
  const vocab = synsetVocabFromIds(
    [
      "n5928118",
      "n13333833",
      "n4960277",
      "n7947958",
      "n9638875",
      "n928077",
      "n7996689",
      "n10787470",
      "n5938976",
      "n8559508",
    ],
    "reference",
  );
  assert.deepEqual(
    vocab.entries.slice(0, 3).map((e) => e.lemma),
    ["image", "stock", "black"],
  );
  const s = createCatlip({ vocab });
  const images = tf.zeros([2, 16, 16, 3]) as tf.Tensor4D;
  const batch = s.prepareBatch!(
    { images, captions: ["An image of black dog.", "a dog"] },
    { training: true, step: 0, seed: 0, extra: {} },
  );
  const rows = batch.targets!.arraySync();
  assert.deepEqual(rows[0], [1, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(rows[1], Array(10).fill(0)); // no match → all-zero target, still used
  tf.dispose([images, batch.targets!]);
});
