/** Random parameter sampling and the named policies: ranges, determinism per seed, no tensor leaks. */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  applyPolicy,
  augmentModelInput,
  blurRadius,
  getPolicy,
  POLICY_NAMES,
  Rng,
  sampleRandAugment,
  sampleResizedCrop,
} from "../../src/augment";
import { initBackend, tf } from "../../src/tf";

before(async () => {
  await initBackend();
});

test("sampleResizedCrop: boxes inside the image, area within the scale range, ratio within 3/4–4/3", () => {
  const rng = new Rng(3);
  for (let i = 0; i < 500; i++) {
    const b = sampleResizedCrop(rng, 32, 32, [0.08, 1]);
    assert.ok(
      b.top >= 0 && b.left >= 0 && b.top + b.height <= 32 && b.left + b.width <= 32,
      JSON.stringify(b),
    );
    // Rounding each side to whole pixels moves the area by at most about one row and column.
    const area = b.height * b.width;
    assert.ok(area >= 0.08 * 1024 - 2 * 32 && area <= 1024, `area ${area}`);
    const r = b.width / b.height;
    assert.ok(r >= (3 / 4) * (1 - 2 / b.height) - 1e-9 && r <= (4 / 3) * (1 + 2 / b.height), `ratio ${r}`);
  }
  // A scale range no box can satisfy falls back to the centre crop clamped to the ratio.
  assert.deepEqual(sampleResizedCrop(new Rng(1), 10, 40, [1, 1], [1, 1]), {
    top: 0,
    left: 15,
    height: 10,
    width: 10,
  });
});

test("RandAugment draws: N layers × B samples, levels in [0, 1], same seed → same draws", () => {
  const a = sampleRandAugment(new Rng(9), 64, { n: 2, m: 10, magnitudeStd: 0.5 });
  const b = sampleRandAugment(new Rng(9), 64, { n: 2, m: 10, magnitudeStd: 0.5 });
  assert.equal(a.length, 2);
  assert.equal(a[0]!.length, 64);
  assert.deepEqual(a, b);
  assert.ok(a.flat().every((d) => d.level >= 0 && d.level <= 1));
  assert.ok(new Set(a.flat().map((d) => d.op)).size > 8, "ops are drawn from the whole set");
  assert.ok(
    a.flat().some((d) => d.level < 1),
    "magnitude noise lowers some levels below M = 10",
  );
  assert.throws(
    () => sampleRandAugment(new Rng(1), 1, { n: 2, m: 11 }),
    /RandAugment m must be in \[0, 10\], got 11/,
  );
});

function testImages(n: number, size: number): tf.Tensor4D {
  // Deterministic smooth colour images with a dark square (so crops, flips and colour ops all matter).
  const d = new Float32Array(n * size * size * 3);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++) {
          const inSquare = x > size / 4 + i && x < size / 2 + i && y > size / 3 && y < (3 * size) / 4;
          d[((i * size + y) * size + x) * 3 + c] = inSquare
            ? 0.1 * c
            : (x / size + c * 0.3 + y / (2 * size)) % 1;
        }
  return tf.tensor4d(d, [n, size, size, 3]);
}

test("every named policy: same seed → same pixels, other seed → different, shape kept, values in [0, 1]", async () => {
  const x = testImages(6, 16);
  for (const name of POLICY_NAMES) {
    const a = applyPolicy(name, x, 11);
    const b = applyPolicy(name, x, 11);
    const c = applyPolicy(name, x, 12);
    assert.deepEqual(a.shape, [6, 16, 16, 3]);
    const [da, db, dc, dx] = await Promise.all([a.data(), b.data(), c.data(), x.data()]);
    assert.deepEqual(da, db, `${name}: not deterministic`);
    assert.ok(
      da.every((v) => v >= -1e-6 && v <= 1 + 1e-6),
      `${name}: values outside [0, 1]`,
    );
    if (name === "none") assert.deepEqual(da, dx);
    else {
      assert.notDeepEqual(da, dc, `${name}: seed has no effect`);
      assert.notDeepEqual(da, dx, `${name}: image unchanged`);
    }
    tf.dispose([a, b, c]);
  }
  x.dispose();
});

test("policies leak no tensors; augmentModelInput maps [−1, 1] → [−1, 1]", async () => {
  const x = testImages(8, 32);
  for (const name of POLICY_NAMES) applyPolicy(name, x, 0).dispose(); // warm-up
  const before = tf.memory().numTensors;
  for (let seed = 0; seed < 3; seed++) for (const name of POLICY_NAMES) applyPolicy(name, x, seed).dispose();
  const model = tf.tidy(() => tf.sub(tf.mul(x, 2), 1)) as tf.Tensor4D;
  const aug = augmentModelInput("stacked-randaug", model, 5);
  const d = await aug.data();
  assert.ok(d.every((v) => v >= -1 - 1e-6 && v <= 1 + 1e-6));
  tf.dispose([model, aug]);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test("policy lookup names the valid policies; blur kernel is about a tenth of the side", () => {
  assert.equal(getPolicy("simclr").stages.length, 5);
  assert.throws(
    () => getPolicy("randaugment"),
    /unknown augmentation policy "randaugment"; valid policies: none, crop-flip, randaug, stacked-randaug, simclr, slip-clip/,
  );
  assert.equal(blurRadius(32), 1);
  assert.equal(blurRadius(64), 3);
  assert.equal(blurRadius(224), 11);
});
