import assert from "node:assert/strict";
import { before, test } from "node:test";
import { buildClipModel } from "../../src/models/clip-model";
import { resolvePreset } from "../../src/models/presets";
import {
  clipLossFromLogits,
  clipStrategy,
  imageFeatureWidth,
  MAX_LOGIT_SCALE,
} from "../../src/strategies/clip";
import { checkStrategyConfig, createStrategy, getStrategy, STRATEGY_NAMES } from "../../src/strategies/index";
import { initBackend, tf } from "../../src/tf";

before(async () => {
  await initBackend();
});

/** Plain-JS reference: mean of row-wise and column-wise CE with the diagonal as labels. */
function refLoss(l: number[][]): number {
  const n = l.length;
  const lse = (v: number[]) => {
    const m = Math.max(...v);
    return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
  };
  let row = 0;
  let col = 0;
  for (let i = 0; i < n; i++) {
    row += lse(l[i]!) - l[i]![i]!;
    col += lse(l.map((r) => r[i]!)) - l[i]![i]!;
  }
  return (row / n + col / n) / 2;
}

test("symmetric CE matches a hand-computed 2×2 value and a plain-JS 3×3 reference", () => {
  // 2×2 [[2,0],[1,3]]: rows: ln(e²+1)−2, ln(e+e³)−3; cols: ln(e²+e)−2, ln(1+e³)−3
  const e = Math.E;
  const hand =
    ((Math.log(e ** 2 + 1) - 2 + Math.log(e + e ** 3) - 3) / 2 +
      (Math.log(e ** 2 + e) - 2 + Math.log(1 + e ** 3) - 3) / 2) /
    2;
  const l2 = tf.tensor2d([
    [2, 0],
    [1, 3],
  ]);
  assert.ok(Math.abs(clipLossFromLogits(l2).dataSync()[0]! - hand) < 1e-5);
  const m3 = [
    [1.5, -0.3, 0.2],
    [0.1, 0.9, 2.2],
    [-1, 0.4, 0.7],
  ];
  const l3 = tf.tensor2d(m3);
  assert.ok(Math.abs(clipLossFromLogits(l3).dataSync()[0]! - refLoss(m3)) < 1e-5);
  // Asymmetric matrix: the two directions differ, so averaging is visible.
  const rowOnly = m3.reduce((s, r, i) => s + Math.log(r.reduce((a, x) => a + Math.exp(x), 0)) - r[i]!, 0) / 3;
  assert.ok(Math.abs(rowOnly - refLoss(m3)) > 1e-3);
  const u = tf.fill([5, 5], 0.7) as tf.Tensor2D;
  assert.ok(Math.abs(clipLossFromLogits(u).dataSync()[0]! - Math.log(5)) < 1e-6);
  tf.dispose([l2, l3, u]);
});

test("strategy loss equals the formula on the model's own embeddings, with metrics", () => {
  const model = buildClipModel(resolvePreset("nano", { imageSize: 32, vocabSize: 64 }), 4);
  const images = tf.randomUniform([3, 32, 32, 3], -1, 1, "float32", 3) as tf.Tensor4D;
  const toks = new Int32Array(3 * 16);
  toks.set([1, 5, 63], 0);
  toks.set([1, 9, 10, 63], 16);
  toks.set([1, 63], 32);
  const tokens = tf.tensor2d(toks, [3, 16], "int32");
  const img = model.encodeImage(images, { training: false }).arraySync();
  const txt = model.encodeText(tokens, { training: false }).arraySync();
  const norm = (v: number[]) => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const s = Math.exp(model.params.logit_scale!.dataSync()[0]!);
  const logits = img.map((a) => txt.map((b) => s * norm(a).reduce((acc, x, k) => acc + x * norm(b)[k]!, 0)));
  const out = clipStrategy.loss(model, { images, tokens }, { training: false, step: 0, seed: 0, extra: {} });
  assert.ok(Math.abs(out.loss.dataSync()[0]! - refLoss(logits)) < 1e-4);
  assert.deepEqual(Object.keys(out.metrics).sort(), ["clip_loss", "i2t_acc", "logit_scale", "t2i_acc"]);
  const acc = logits.filter((r, i) => r.indexOf(Math.max(...r)) === i).length / 3;
  assert.ok(Math.abs(out.metrics.i2t_acc!.dataSync()[0]! - acc) < 1e-6);
  tf.dispose([images, tokens, out.loss, ...Object.values(out.metrics)]);
  model.dispose();
});

test("afterStep clamps logit_scale to [0, ln 100]; train FLOPs are 3× forward", () => {
  const model = buildClipModel(resolvePreset("nano", { imageSize: 32, vocabSize: 64 }), 0);
  const t = model.params.logit_scale!;
  t.assign(tf.scalar(7));
  clipStrategy.afterStep!(model, {});
  assert.ok(Math.abs(t.dataSync()[0]! - MAX_LOGIT_SCALE) < 1e-6);
  t.assign(tf.scalar(-1));
  clipStrategy.afterStep!(model, {});
  assert.equal(t.dataSync()[0], 0);
  t.assign(tf.scalar(2.5));
  clipStrategy.afterStep!(model, {});
  assert.equal(t.dataSync()[0], 2.5);
  const f = model.flops();
  assert.equal(clipStrategy.trainFlopsPerSample(model.config), 3 * (f.image + f.text));
  model.dispose();
});

test("strategy registry: lookup by exact name, error lists valid names; config checks name the fix", () => {
  assert.equal(getStrategy("clip"), clipStrategy);
  for (const name of STRATEGY_NAMES) assert.equal(createStrategy(name, {}).name, name);
  assert.deepEqual(STRATEGY_NAMES, ["clip", "clip-aug", "slip", "flip", "siglip", "catlip"]);
  assert.throws(
    () => getStrategy("clp"),
    /unknown strategy "clp"; valid strategies: clip, clip-aug, slip, flip, siglip, catlip/,
  );
  assert.throws(
    () => checkStrategyConfig({ strategy: "clip-aug", model: "vit-ti/8", augment: "mixup" }),
    /augment must be one of none, crop-flip, randaug, stacked-randaug, simclr, slip-clip, got "mixup"/,
  );
  assert.throws(
    () => checkStrategyConfig({ strategy: "catlip", model: "vit-ti/8", catlipRule: "nltk" }),
    /catlip-rule must be one of paper, reference, got "nltk"/,
  );
  assert.throws(
    () => checkStrategyConfig({ strategy: "flip", model: "rn-s" }),
    /model "rn-s" has a resnet tower; use a ViT preset/,
  );
  checkStrategyConfig({ strategy: "flip", model: "vit-ti/8", maskRatio: 0.75 });
});

test("imageFeatureWidth (from the config) is the projection's input width for every tower kind", () => {
  for (const name of ["nano", "nano-rn", "nano-mixer", "vit-ti/8", "rn-m", "mixer-b/8"]) {
    const cfg = resolvePreset(name, { imageSize: 32, vocabSize: 64 });
    const model = buildClipModel(cfg, 0);
    assert.equal(imageFeatureWidth(cfg.image), model.params["visual.proj"]!.shape[0], name);
    model.dispose();
  }
});
