/**
 * Every strategy trains on the `nano` preset through the real Trainer + clipTask on 16 synthetic
 * pairs: the loss falls, `tf.memory().numTensors` stays flat, and each strategy's specifics hold
 * (views, masks, FLOPs, initial values, which variables get gradients, artefacts on disk).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { buildClipModel } from "../../src/models/clip-model";
import { vitFlops } from "../../src/models/flops";
import { resolvePreset } from "../../src/models/presets";
import { checkStrategyConfig, createStrategy, type Strategy } from "../../src/strategies";
import { createCatlip } from "../../src/strategies/catlip";
import { clipTrainFlops } from "../../src/strategies/clip";
import { slipHeadFlops } from "../../src/strategies/slip";
import { SynsetVocab } from "../../src/text/synset-vocab";
import { initBackend, tf } from "../../src/tf";
import { loadCheckpoint } from "../../src/train/checkpoint";
import { mean, setupNano } from "./helpers";

before(async () => {
  await initBackend();
});

/**
 * Trains `steps` steps; asserts the tensor count is unchanged from step 5 to the end and that the
 * mean loss of the last 5 steps is below `drop` × that of the first 5. Returns the run.
 */
async function canTrain(
  strategy: Strategy,
  steps: number,
  drop: number,
  over: { lr?: number; outDir?: string } = {},
) {
  const r = setupNano(strategy, { steps, ...over });
  for (let i = 0; i < 5; i++) await r.trainer.trainStep();
  await r.trainer.flush();
  const base = tf.memory().numTensors;
  await r.trainer.run();
  const metrics = r.records.at(-1);
  assert.equal(tf.memory().numTensors, base, `${strategy.name}: tensors leaked over ${steps - 5} steps`);
  const first = mean(r.losses.slice(0, 5));
  const last = mean(r.losses.slice(-5));
  assert.ok(last < drop * first, `${strategy.name}: loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
  return { ...r, metrics };
}

function dispose(r: {
  trainer: { dispose(): void };
  model: { dispose(): void };
  extra: Record<string, tf.Variable>;
}) {
  r.trainer.dispose();
  tf.dispose(Object.values(r.extra));
  r.model.dispose();
}

test("clip-aug trains on augmented views; same FLOPs as CLIP; no augmentation outside training", async () => {
  const s = createStrategy("clip-aug", { augment: "crop-flip" });
  const r = await canTrain(s, 30, 0.8);
  assert.equal(s.trainFlopsPerSample(r.model.config), clipTrainFlops(r.model.config));
  const images = tf.randomUniform([2, 16, 16, 3], -1, 1, "float32", 1) as tf.Tensor4D;
  const ctx = { step: 0, seed: 3, extra: {} };
  const stacked = createStrategy("clip-aug", { augment: "stacked-randaug" });
  const train = stacked.prepareBatch!({ images, captions: ["a", "b"] }, { ...ctx, training: true });
  const evalB = stacked.prepareBatch!({ images, captions: ["a", "b"] }, { ...ctx, training: false });
  assert.equal(evalB.images, images);
  assert.notDeepEqual(train.images.dataSync(), images.dataSync());
  tf.dispose([images, train.images]);
  assert.throws(
    () => createStrategy("clip-aug", { augment: "cutout" }),
    /unknown augmentation policy "cutout"/,
  );
  dispose(r);
});

test("siglip starts at t = ln 10, b = −10, trains both, and clamps t", async () => {
  const s = createStrategy("siglip");
  const probe = buildClipModel(resolvePreset("nano", { imageSize: 16, vocabSize: 280, contextLength: 8 }), 0);
  const ex = s.initParams!(probe);
  assert.ok(Math.abs(probe.params.logit_scale!.dataSync()[0]! - Math.log(10)) < 1e-6);
  assert.equal(ex.logit_bias!.dataSync()[0], -10);
  tf.dispose(Object.values(ex));
  probe.dispose();
  const r = await canTrain(s, 30, 0.7);
  assert.notEqual(r.extra.logit_bias!.dataSync()[0], -10, "the bias is learned");
  assert.ok(r.metrics && "logit_bias" in r.metrics && "siglip_loss" in r.metrics);
  r.model.params.logit_scale!.assign(tf.scalar(9));
  s.afterStep!(r.model, r.extra);
  assert.ok(Math.abs(r.model.params.logit_scale!.dataSync()[0]! - Math.log(100)) < 1e-5);
  dispose(r);
});

test("slip: CLIP view + two SSL views, SimCLR head on pooled features, FLOPs of 3 image passes + head", async () => {
  const s = createStrategy("slip");
  const r = await canTrain(s, 30, 0.85, { lr: 0.005 });
  assert.deepEqual(r.extra["slip.head.fc1.w"]!.shape, [16, 1024]);
  assert.deepEqual(r.extra["slip.head.fc3.w"]!.shape, [1024, 64]);
  assert.ok(r.metrics && r.metrics.ssl_loss! > 0 && "clip_loss" in r.metrics);
  const images = tf.randomUniform([3, 16, 16, 3], -1, 1, "float32", 2) as tf.Tensor4D;
  const b = s.prepareBatch!(
    { images, captions: ["a", "b", "c"] },
    { training: true, step: 1, seed: 9, extra: {} },
  );
  assert.equal(b.views!.length, 2);
  const [d0, d1, d2] = [b.images, ...b.views!].map((t) => t.dataSync());
  assert.notDeepEqual(d1, d2, "the two SSL views differ");
  assert.notDeepEqual(d0, d1);
  tf.dispose([images, b.images, ...b.views!]);
  const f = r.model.flops();
  const features = f.image - 2 * 16 * 16; // nano: width 16, embed 16
  assert.equal(
    s.trainFlopsPerSample(r.model.config),
    3 * (f.image + 2 * features + f.text + 2 * slipHeadFlops(16)),
  );
  dispose(r);
});

test("flip: 50 % patch dropout while training, unmasked tail, FLOPs of visible patches, ViT only", async () => {
  const s = createStrategy("flip", { maskRatio: 0.5, unmaskedTuneSamples: 32, flipBatchScale: 2 });
  assert.equal(s.batchScale, 2);
  const r = setupNano(s, { steps: 30 });
  for (let i = 0; i < 5; i++) await r.trainer.trainStep();
  await r.trainer.flush();
  const base = tf.memory().numTensors;
  await r.trainer.run();
  assert.equal(tf.memory().numTensors, base);
  assert.ok(
    mean(r.losses.slice(-5)) < 0.8 * mean(r.losses.slice(0, 5)),
    `${r.losses[0]} → ${r.losses.at(-1)}`,
  );
  const masks = r.records.map((rec) => rec.mask_ratio);
  // Logged every 5 steps: masked until the last ⌈32/16⌉ = 2 steps.
  assert.equal(masks[0], 0.5);
  assert.equal(masks.at(-1), 0);
  const img = r.model.config.image;
  assert.equal(img.kind, "vit");
  if (img.kind === "vit") {
    const masked = 3 * (vitFlops(img, 16, 2) + r.model.flops().text); // 4 patches at 16 px → keep 2
    assert.equal(s.trainFlopsPerSample(r.model.config), masked);
    const full = clipTrainFlops(r.model.config);
    assert.ok(masked < full);
    const avg = s.trainFlopsPerSample(r.model.config, { samples: 320 });
    assert.ok(Math.abs(avg - (288 * masked + 32 * full) / 320) < 1e-6);
  }
  // A fresh mask per step: the same batch under two step seeds gives two losses; the same seed repeats.
  const images = tf.randomUniform([4, 16, 16, 3], -1, 1, "float32", 5) as tf.Tensor4D;
  const tokens = tf.tensor2d(r.tokenizer.encodeBatch(r.p.captions.slice(0, 4), 8), [4, 8], "int32");
  const lossAt = (seed: number) => {
    const out = s.loss(r.model, { images, tokens }, { training: true, step: 0, seed, extra: {} });
    const v = out.loss.dataSync()[0]!;
    tf.dispose([out.loss, ...Object.values(out.metrics)]);
    return v;
  };
  assert.equal(lossAt(1), lossAt(1));
  assert.notEqual(lossAt(1), lossAt(2));
  tf.dispose([images, tokens]);
  dispose(r);
  const rn = buildClipModel(resolvePreset("nano-rn", { imageSize: 16, vocabSize: 280 }), 0);
  assert.throws(
    () => s.check!(rn),
    /strategy "flip" drops image patches, which needs a ViT image tower, but model "nano-rn" has a resnet tower; use a ViT preset/,
  );
  rn.dispose();
  assert.throws(
    () => checkStrategyConfig({ strategy: "flip", model: "mixer-b/8" }),
    /model "mixer-b\/8" has a mixer tower; use a ViT preset \(e.g. vit-ti\/8/,
  );
  assert.throws(() => createStrategy("flip", { maskRatio: 1 }), /mask-ratio must be in \[0, 1\), got 1/);
});

test("catlip: image tower + synset head only, vocab.json saved, BCE falls, text tower untouched", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "catlip-"));
  const s = createCatlip({ catlipRule: "reference", catlipMinCount: 0 });
  assert.equal(s.usesText, false);
  const r = await canTrain(s, 30, 0.7, { outDir: dir });
  // "a red square" → red, square under the reference rule (a token counts when its first noun synset is
  // named after it); "bar" (bar.n.01 is headed by "barroom") and "dot" (by "point") do not.
  const saved = SynsetVocab.load(path.join(dir, "vocab.json"));
  assert.deepEqual(saved.entries.map((e) => e.lemma).sort(), [
    "black",
    "blue",
    "frame",
    "green",
    "red",
    "square",
  ]);
  assert.ok(
    saved.entries.every((e) => e.count === 4 && /^n\d+$/.test(e.id) && e.hypernyms.at(-1) === "n1740"),
  );
  assert.deepEqual(r.extra["catlip.head.w"]!.shape, [16, 6]);
  assert.deepEqual(r.extra["catlip.head.b"]!.shape, [6]);
  // The optimiser (and so the checkpoint) holds the image tower and the head, nothing of the text tower.
  const params = Object.keys(r.trainer.task.params);
  assert.ok(params.includes("catlip.head.w") && params.includes("visual.patch.w"));
  assert.ok(!params.some((n) => n.startsWith("text.") || n === "visual.proj" || n === "logit_scale"));
  const ckpt = path.join(dir, "c.safetensors");
  await r.trainer.checkpoint("c.safetensors", ckpt);
  const st = loadCheckpoint(ckpt, { param: r.trainer.task.params });
  assert.equal(st.step, 30);
  const f = r.model.flops();
  assert.equal(s.trainFlopsPerSample(r.model.config), 3 * (f.image - 2 * 16 * 16 + 2 * 16 * 6));
  assert.ok(r.metrics && r.metrics.catlip_p1! > 0.5, `precision@1 ${r.metrics?.catlip_p1}`);
  // Held-out read-out through the head: class "red" → its synset's logit.
  const set = {
    n: 16,
    size: 16,
    images: r.p.images,
    labels: Int32Array.from({ length: 16 }, (_, i) => i >> 2),
    classNames: ["red", "green", "blue", "black"],
  };
  const ev = await s.evaluateClassification!(r.model, r.extra, set, {});
  assert.equal(ev["heldout-emoji-441/synset_class_coverage"], 1);
  assert.equal(ev["heldout-emoji-441/synset_images"], 16);
  assert.ok(ev["heldout-emoji-441/synset_acc1"]! >= 0.5, JSON.stringify(ev));
  dispose(r);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.throws(
    () => createCatlip({ catlipMinCount: 100 }).initParams!(r.model, { trainCaptions: () => ["a dog"] }),
    /CatLIP vocabulary is empty: no synset occurs in more than Vτ = 100 of the 1 training captions/,
  );
});
