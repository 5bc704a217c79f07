import assert from "node:assert/strict";
import { before, test } from "node:test";
import { lbfgs } from "../../src/eval/lbfgs";
import { fewShotProbe, linearProbe } from "../../src/eval/linear-probe";
import {
  fitSoftmaxAdam,
  fitSoftmaxLbfgs,
  headScores,
  type LabeledFeatures,
  SoftmaxObjective,
  zeroHead,
} from "../../src/eval/logreg";
import { initBackend, tf } from "../../src/tf";
import { mulberry32 } from "../../src/util/rng";

before(async () => {
  await initBackend();
});

/** `perClass` rows per class around well-separated centres ±4 on axis c (plus small noise). */
function separable(classes: number, perClass: number, d: number, seed: number): LabeledFeatures {
  const rng = mulberry32(seed);
  const n = classes * perClass;
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = (j === c ? 4 : 0) + (rng() - 0.5) * 0.5;
  }
  return { x, n, d, labels };
}

test("L-BFGS minimises an ill-conditioned quadratic to its known minimum", async () => {
  // f(x) = Σ a_i (x_i − i)², a_i from 1 to 1000: minimum 0 at x_i = i.
  const a = [1, 10, 100, 1000, 3, 30];
  const r = await lbfgs(
    async (x) => {
      let f = 0;
      const g = new Float64Array(x.length);
      x.forEach((v, i) => {
        f += a[i]! * (v - i) ** 2;
        g[i] = 2 * a[i]! * (v - i);
      });
      return { f, g };
    },
    new Float64Array(a.length),
    { gradTol: 1e-9, fTol: 0 },
  );
  assert.equal(r.reason, "gradient");
  for (const [i, v] of r.x.entries()) assert.ok(Math.abs(v - i) < 1e-6, `x[${i}] = ${v}`);
});

test("softmax objective: value at zero is ln C and the gradient matches finite differences", async () => {
  const data = separable(3, 4, 5, 1);
  const l2 = 0.1;
  const obj = new SoftmaxObjective(data, 3, l2);
  try {
    const zero = await obj.valueAndGradient(new Float64Array(5 * 3 + 3));
    assert.ok(Math.abs(zero.f - Math.log(3)) < 1e-6);
    const rng = mulberry32(5);
    const theta = Float64Array.from({ length: 18 }, () => rng() - 0.5);
    const { g } = await obj.valueAndGradient(theta);
    for (const k of [0, 4, 7, 14, 15, 17]) {
      const h = 1e-2;
      const up = Float64Array.from(theta);
      const dn = Float64Array.from(theta);
      up[k]! += h;
      dn[k]! -= h;
      const fd = ((await obj.valueAndGradient(up)).f - (await obj.valueAndGradient(dn)).f) / (2 * h);
      assert.ok(Math.abs(fd - g[k]!) < 2e-4, `θ[${k}]: analytic ${g[k]} vs numeric ${fd}`);
    }
  } finally {
    obj.dispose();
  }
});

test("perfectly separable features: the L-BFGS probe is 100 % accurate and leaks no tensors", async () => {
  const train = separable(4, 10, 6, 2);
  const test_ = separable(4, 5, 6, 3);
  const before = tf.memory().numTensors;
  const r = await linearProbe(train, test_, { numClasses: 4, seed: 0 });
  assert.equal(r.metrics.acc1, 1);
  assert.equal(r.metrics.meanPerClassRecall, 1);
  assert.equal(r.sweep.length, 6);
  assert.ok(r.sweep.every((s) => s.valAcc1 === 1));
  // All λ tie at 100 % on validation: the strongest is kept.
  assert.equal(r.l2, 0.1);
  await linearProbe(train, test_, { numClasses: 4, seed: 0, l2Grid: [1e-2] });
  assert.equal(tf.memory().numTensors, before);
});

test("the probe's λ sweep picks a weak decay when only a feature difference separates the classes", async () => {
  // x0 = ±0.2 + n, x1 = n with the same noise n ∈ (−2, 2): x0 − x1 separates perfectly, but a heavily
  // decayed head points along the class-mean difference (x0 alone), which the noise swamps.
  const rng = mulberry32(9);
  const make = (n: number): LabeledFeatures => {
    const x = new Float32Array(n * 2);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2;
      const noise = (rng() - 0.5) * 4;
      x[i * 2] = (i % 2 ? 0.2 : -0.2) + noise;
      x[i * 2 + 1] = noise;
    }
    return { x, n, d: 2, labels };
  };
  const train = make(300);
  const test_ = make(200);
  const strong = await linearProbe(train, test_, { numClasses: 2, seed: 1, l2Grid: [10] });
  const swept = await linearProbe(train, test_, { numClasses: 2, seed: 1, l2Grid: [10, 1e-1, 1e-3, 1e-5] });
  assert.ok(strong.metrics.acc1 < 0.8, `λ = 10 underfits: ${strong.metrics.acc1}`);
  assert.ok(swept.metrics.acc1 > 0.97, `swept: ${swept.metrics.acc1}`);
  assert.ok(swept.l2 <= 1e-1, `λ ${swept.l2}`);
  assert.equal(swept.sweep[0]!.l2, 10, "walked from strong to weak");
});

test("few-shot probe: k-shot draws per seed, 100 % on separable features", async () => {
  const train = separable(3, 30, 3, 4);
  const test_ = separable(3, 10, 3, 5);
  const rows = await fewShotProbe(train, test_, { numClasses: 3, shots: [1, 5], seeds: [0, 1] });
  assert.deepEqual(
    rows.map((r) => r.k),
    [1, 5],
  );
  for (const r of rows) {
    assert.equal(r.acc1, 1);
    assert.equal(r.acc1Std, 0);
    assert.equal(r.runs.length, 2);
  }
});

test("minibatch Adam: deterministic for a seed, learns separable data, init respected at 0 epochs-ish", async () => {
  const data = separable(3, 20, 4, 6);
  const a = await fitSoftmaxAdam(data, {
    numClasses: 3,
    init: zeroHead(4, 3),
    epochs: 20,
    batchSize: 16,
    seed: 3,
  });
  const b = await fitSoftmaxAdam(data, {
    numClasses: 3,
    init: zeroHead(4, 3),
    epochs: 20,
    batchSize: 16,
    seed: 3,
  });
  assert.deepEqual(a.head.w, b.head.w);
  assert.equal(a.iterations, 20 * 4);
  const s = headScores(a.head, data.x, data.n);
  let ok = 0;
  for (let i = 0; i < data.n; i++) {
    const row = Array.from(s.subarray(i * 3, i * 3 + 3));
    if (row.indexOf(Math.max(...row)) === data.labels[i]) ok++;
  }
  assert.equal(ok, data.n);
  // A tiny learning rate barely moves a given init.
  const init = { ...zeroHead(4, 3), w: Float32Array.from({ length: 12 }, (_, i) => i / 10) };
  const c = await fitSoftmaxAdam(data, { numClasses: 3, init, epochs: 1, lr: 1e-9 });
  for (const [i, v] of c.head.w.entries()) assert.ok(Math.abs(v - init.w[i]!) < 1e-6);
});

test("L-BFGS fit from different starts converges to the same head (strictly convex objective)", async () => {
  const data = separable(3, 8, 3, 7);
  const z = await fitSoftmaxLbfgs(data, { numClasses: 3, l2: 0.05, gradTol: 1e-7 });
  const init = { ...zeroHead(3, 3), w: Float32Array.from({ length: 9 }, (_, i) => (i % 4) - 1.5) };
  const w = await fitSoftmaxLbfgs(data, { numClasses: 3, l2: 0.05, init, gradTol: 1e-7 });
  // Equal up to the float32 resolution of the objective (the stop is on f's relative change).
  for (const [i, v] of z.head.w.entries()) assert.ok(Math.abs(v - w.head.w[i]!) < 2e-3, `w[${i}] ${v}`);
  for (const [i, v] of z.head.b.entries()) assert.ok(Math.abs(v - w.head.b[i]!) < 2e-3, `b[${i}] ${v}`);
  assert.throws(
    () => new SoftmaxObjective({ ...data, labels: data.labels.map(() => 5) }, 3, 0),
    /label 5 of row 0 outside \[0, 3\)/,
  );
});
