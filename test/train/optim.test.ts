import assert from "node:assert/strict";
import { before, test } from "node:test";
import { initBackend, tf } from "../../src/tf";
import { AdamW, clipByGlobalNorm } from "../../src/train/optimizer";
import { lrAt } from "../../src/train/schedule";

before(async () => {
  await initBackend();
});

test("schedule: linear warmup, cosine to the floor, pure in the step", () => {
  const o = { base: 1e-3, warmup: 10, total: 110, floor: 1e-5 };
  assert.equal(lrAt(0, o), 1e-4);
  assert.ok(Math.abs(lrAt(9, o) - 1e-3) < 1e-15);
  assert.ok(Math.abs(lrAt(10, o) - 1e-3) < 1e-15);
  // Halfway through decay: floor + (base-floor)/2.
  assert.ok(Math.abs(lrAt(60, o) - (1e-5 + (1e-3 - 1e-5) / 2)) < 1e-12);
  assert.ok(Math.abs(lrAt(110, o) - 1e-5) < 1e-15);
  assert.ok(Math.abs(lrAt(500, o) - 1e-5) < 1e-15);
  assert.equal(lrAt(0, { ...o, warmup: 0 }), 1e-3);
});

test("AdamW: two steps match a hand computation, decay only where asked", () => {
  const w = tf.variable(tf.tensor1d([1, -2]), true);
  const b = tf.variable(tf.tensor1d([0.5]), true);
  const opt = new AdamW(
    { w, b },
    { beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.1, decay: (n) => n === "w" },
  );
  const ref = { w: [1, -2], b: [0.5] };
  const m: Record<string, number[]> = { w: [0, 0], b: [0] };
  const v: Record<string, number[]> = { w: [0, 0], b: [0] };
  const gs = [
    { w: [0.3, -0.1], b: [2] },
    { w: [-0.2, 0.4], b: [-1] },
  ];
  const lr = 0.01;
  gs.forEach((g, t) => {
    const grads = { w: tf.tensor1d(g.w), b: tf.tensor1d(g.b) };
    opt.apply(grads, lr);
    tf.dispose(Object.values(grads));
    for (const n of ["w", "b"] as const) {
      const wd = n === "w" ? 0.1 : 0;
      ref[n] = ref[n].map((p, i) => {
        m[n]![i] = 0.9 * m[n]![i]! + 0.1 * g[n][i]!;
        v[n]![i] = 0.98 * v[n]![i]! + 0.02 * g[n][i]! ** 2;
        const mh = m[n]![i]! / (1 - 0.9 ** (t + 1));
        const vh = v[n]![i]! / (1 - 0.98 ** (t + 1));
        return p * (1 - lr * wd) - (lr * mh) / (Math.sqrt(vh) + 1e-6);
      });
    }
  });
  const got = { w: Array.from(w.dataSync()), b: Array.from(b.dataSync()) };
  for (const n of ["w", "b"] as const)
    got[n].forEach((x, i) => {
      assert.ok(Math.abs(x - ref[n][i]!) < 1e-6, `${n}[${i}] ${x} vs ${ref[n][i]}`);
    });
  assert.equal(opt.t, 2);
  assert.deepEqual(Object.keys(opt.stateVariables()).sort(), [
    "adam_m/b",
    "adam_m/w",
    "adam_v/b",
    "adam_v/w",
  ]);
  assert.throws(() => opt.apply({ w: tf.zeros([2]) }, lr), /no gradient for parameter "b"/);
  opt.dispose();
  tf.dispose([w, b]);
});

test("clipByGlobalNorm scales to the max norm and reports the pre-clip norm", () => {
  const before = tf.memory().numTensors;
  const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([4]) };
  const { grads, norm } = clipByGlobalNorm(g, 1);
  assert.ok(Math.abs(norm.dataSync()[0]! - 5) < 1e-6);
  const a = grads.a!.dataSync();
  assert.ok(Math.abs(a[0]! - 0.6) < 1e-5 && Math.abs(grads.b!.dataSync()[0]! - 0.8) < 1e-5);
  const unclipped = clipByGlobalNorm(g, 10);
  assert.ok(Math.abs(unclipped.grads.a!.dataSync()[0]! - 3) < 1e-5, "norm below max: unchanged");
  tf.dispose([
    ...Object.values(g),
    ...Object.values(grads),
    norm,
    ...Object.values(unclipped.grads),
    unclipped.norm,
  ]);
  assert.equal(tf.memory().numTensors, before);
});
