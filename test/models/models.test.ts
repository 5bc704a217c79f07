import assert from "node:assert/strict";
import { before, test } from "node:test";
import { buildClipModel, type ClipModel } from "../../src/models/clip-model";
import { imagesToTensor } from "../../src/models/input";
import { PRESET_NAMES, resolvePreset } from "../../src/models/presets";
import { embedTokens, eotMask, textFeatures, textTokens } from "../../src/models/text";
import { keptCount, keptPatchIndices } from "../../src/models/vit";
import { clipStrategy } from "../../src/strategies/clip";
import { initBackend, tf } from "../../src/tf";

before(async () => {
  await initBackend();
});

const VOCAB = 64;
const nano = (name = "nano", imageSize = 32) => resolvePreset(name, { imageSize, vocabSize: VOCAB });

function randomImages(b: number, size: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([b, size, size, 3], -1, 1, "float32", seed) as tf.Tensor4D;
}

/** Rows of [sot=1, ...words, eot=VOCAB-1, 0...] like the BPE tokenizer's output. */
function tokens(rows: number[][], ctx = 16): tf.Tensor2D {
  const out = new Int32Array(rows.length * ctx);
  rows.forEach((r, i) => {
    out.set([1, ...r, VOCAB - 1].slice(0, ctx), i * ctx);
  });
  return tf.tensor2d(out, [rows.length, ctx], "int32");
}

test("every preset builds and maps a batch of 2 to [2, embedDim] image and text embeddings", () => {
  const toks = tokens([[5, 6], [7]]);
  for (const name of PRESET_NAMES) {
    const cfg = resolvePreset(name, { imageSize: 32, vocabSize: VOCAB });
    const model = buildClipModel(cfg, 0);
    const x = randomImages(2, 32, 1);
    const img = model.encodeImage(x, { training: false });
    const txt = model.encodeText(toks, { training: false });
    assert.deepEqual(img.shape, [2, cfg.embedDim], name);
    assert.deepEqual(txt.shape, [2, cfg.embedDim], name);
    assert.ok(img.dataSync().every(Number.isFinite), `${name} image embedding finite`);
    tf.dispose([x, img, txt]);
    model.dispose();
  }
  toks.dispose();
});

test("same seed gives the same weights, a different seed different ones", () => {
  const a = buildClipModel(nano(), 7);
  const b = buildClipModel(nano(), 7);
  const c = buildClipModel(nano(), 8);
  for (const name of Object.keys(a.params)) {
    assert.deepEqual(a.params[name]!.dataSync(), b.params[name]!.dataSync(), name);
  }
  assert.notDeepEqual(
    a.params["visual.blocks.0.attn.qkv.w"]!.dataSync(),
    c.params["visual.blocks.0.attn.qkv.w"]!.dataSync(),
  );
  assert.equal(a.params.logit_scale!.dataSync()[0]!.toFixed(4), Math.log(1 / 0.07).toFixed(4));
  assert.ok(a.decay("visual.blocks.0.mlp.fc1.w") && !a.decay("visual.blocks.0.mlp.fc1.b"));
  assert.ok(!a.decay("logit_scale") && !a.decay("text.token") && !a.decay("visual.ln_pre.g"));
  for (const m of [a, b, c]) m.dispose();
});

test("causal mask: changing a later token leaves earlier positions unchanged", () => {
  const model = buildClipModel(nano(), 3);
  const t1 = tokens([[5, 6, 7, 8, 9, 10, 11, 12, 13]]);
  const t2 = tokens([[5, 6, 7, 8, 9, 10, 11, 40, 13]]); // position 8 differs
  const h1 = textTokens(model.params, model.config.text, t1).arraySync()[0]!;
  const h2 = textTokens(model.params, model.config.text, t2).arraySync()[0]!;
  for (let i = 0; i < 8; i++) assert.deepEqual(h1[i], h2[i], `position ${i}`);
  assert.notDeepEqual(h1[8], h2[8]);
  tf.dispose([t1, t2]);
  model.dispose();
});

test("eot pooling takes the hidden state at the largest id (first one on ties)", () => {
  const model = buildClipModel(nano(), 3);
  const toks = tokens([
    [5, 6],
    [7, 8, 9, 10, 11],
  ]);
  const h = textTokens(model.params, model.config.text, toks).arraySync();
  const pooled = textFeatures(model.params, model.config.text, toks).arraySync();
  assert.deepEqual(pooled[0], h[0]![3]); // [sot, 5, 6, eot]
  assert.deepEqual(pooled[1], h[1]![6]);
  const m = eotMask(tf.tensor2d([[5, 3, 5, 0]], [1, 4], "int32"));
  assert.deepEqual(Array.from(m.dataSync()), [1, 0, 0, 0]);
  tf.dispose([toks, m]);
  model.dispose();
});

test("patch dropout keeps the class token plus round(keep·N) patches, seeded per sample", () => {
  assert.equal(keptCount(16, 0.25), 4);
  assert.equal(keptCount(64, 0.5), 32);
  assert.throws(() => keptCount(16, 0), /patchDropout.keep must be in \(0, 1\], got 0/);
  const idx = keptPatchIndices(3, 16, 4, 42);
  assert.equal(idx.length, 12);
  for (let b = 0; b < 3; b++) {
    const row = Array.from(idx.subarray(b * 4, b * 4 + 4));
    assert.equal(new Set(row).size, 4);
    assert.deepEqual(
      row,
      [...row].sort((x, y) => x - y),
    );
    assert.ok(row.every((i) => i >= 0 && i < 16));
  }
  assert.deepEqual(keptPatchIndices(3, 16, 4, 42), idx);
  assert.notDeepEqual(Array.from(idx.subarray(0, 4)), Array.from(idx.subarray(4, 8)));
  // keep = 1 selects every patch in order, so the output equals the undropped forward.
  const model = buildClipModel(nano(), 5);
  const x = randomImages(2, 32, 9);
  const full = model.encodeImage(x, { training: true });
  const kept = model.encodeImage(x, { training: true, patchDropout: { keep: 1, seed: 1 } });
  const half = model.encodeImage(x, { training: true, patchDropout: { keep: 0.5, seed: 1 } });
  const diff = tf.max(tf.abs(tf.sub(full, kept)));
  assert.ok(diff.dataSync()[0]! < 1e-5);
  assert.deepEqual(half.shape, [2, 16]);
  assert.notDeepEqual(half.dataSync(), full.dataSync());
  tf.dispose([x, full, kept, half, diff]);
  model.dispose();
});

test("BatchNorm: training uses batch stats and updates running stats; eval uses them and is per-sample", () => {
  const model = buildClipModel(nano("nano-rn"), 11);
  const x = randomImages(4, 32, 2);
  const evalBefore = model.encodeImage(x, { training: false });
  // Independent reference for the stem BN update: conv output statistics per channel.
  const y = tf.conv2d(x, model.params["visual.stem.w"] as tf.Variable<tf.Rank.R4>, 1, "same");
  const { mean, variance } = tf.moments(y, [0, 1, 2]);
  const n = 4 * 32 * 32;
  const expMean = Array.from(mean.dataSync()).map((m) => 0.1 * m);
  const expVar = Array.from(variance.dataSync()).map((v) => 0.9 + 0.1 * v * (n / (n - 1)));
  const train = model.encodeImage(x, { training: true });
  const gotMean = Array.from(model.buffers["visual.stem.bn.mean"]!.dataSync());
  const gotVar = Array.from(model.buffers["visual.stem.bn.var"]!.dataSync());
  for (const [i, g] of gotMean.entries())
    assert.ok(Math.abs(g - expMean[i]!) < 1e-5, `mean ${i}: ${g} vs ${expMean[i]}`);
  for (const [i, g] of gotVar.entries())
    assert.ok(Math.abs(g - expVar[i]!) < 1e-4, `var ${i}: ${g} vs ${expVar[i]}`);
  // Eval mode does not touch the buffers and a sample's output does not depend on the batch.
  const evalAfter = model.encodeImage(x, { training: false });
  assert.deepEqual(Array.from(model.buffers["visual.stem.bn.mean"]!.dataSync()), gotMean);
  assert.notDeepEqual(evalAfter.dataSync(), evalBefore.dataSync()); // running stats changed
  assert.notDeepEqual(train.dataSync(), evalAfter.dataSync());
  const one = tf.slice(x, [0, 0, 0, 0], [1, 32, 32, 3]);
  const evalOne = model.encodeImage(one, { training: false });
  const trainOne = model.encodeImage(tf.concat([one, one]), { training: true });
  const d = tf.max(tf.abs(tf.sub(evalOne, tf.slice(evalAfter, [0, 0], [1, 16]))));
  assert.ok(d.dataSync()[0]! < 1e-4);
  tf.dispose([x, evalBefore, y, mean, variance, train, evalAfter, one, evalOne, trainOne, d]);
  // Running-stat updates replace buffer values without leaking tensors.
  const n0 = tf.memory().numTensors;
  const z = randomImages(2, 32, 5);
  for (let i = 0; i < 3; i++) tf.dispose(model.encodeImage(z, { training: true }));
  z.dispose();
  assert.equal(tf.memory().numTensors, n0);
  model.dispose();
});

function gradsReachAll(model: ClipModel): void {
  const x = randomImages(4, 32, 4);
  const toks = tokens([[5, 6], [7], [8, 9, 10], [11, 12]]);
  const ctx = { training: true, step: 0, seed: 0, extra: {} };
  const names = Object.keys(model.params);
  const { value, grads } = tf.variableGrads(
    () => clipStrategy.loss(model, { images: x, tokens: toks }, ctx).loss,
    names.map((n) => model.params[n]!),
  );
  for (const n of names) {
    const g = grads[model.params[n]!.name];
    assert.ok(g, `no gradient for ${n}`);
    assert.ok(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]!) > 0, `zero gradient for ${n}`);
  }
  tf.dispose([x, toks, value, ...Object.values(grads)]);
}

for (const preset of ["nano", "nano-mixer", "nano-rn"]) {
  test(`gradients reach every trainable parameter (${preset}, text tower included)`, async () => {
    // wasm may lack Conv2DBackpropFilter until src/tf registers it; the cpu backend has it.
    const backend = tf.getBackend();
    const needCpu = preset === "nano-rn" && !tf.getKernel("Conv2DBackpropFilter", backend);
    if (needCpu) await tf.setBackend("cpu");
    try {
      const model = buildClipModel(nano(preset), 1);
      gradsReachAll(model);
      model.dispose();
    } finally {
      if (needCpu) await tf.setBackend(backend);
    }
  });
}

test("tensor count stays flat across repeated forward + backward", () => {
  const model = buildClipModel(nano(), 2);
  const x = randomImages(4, 32, 4);
  const toks = tokens([[5], [6], [7], [8]]);
  const ctx = { training: true, step: 0, seed: 0, extra: {} };
  const step = () => {
    const { value, grads } = tf.variableGrads(
      () => clipStrategy.loss(model, { images: x, tokens: toks }, ctx).loss,
    );
    tf.dispose([value, ...Object.values(grads)]);
  };
  step();
  const n0 = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) step();
  assert.equal(tf.memory().numTensors, n0);
  tf.dispose([x, toks]);
  model.dispose();
});

test("imagesToTensor scales bytes to [-1, 1] in HWC order and checks the length", () => {
  const u8 = new Uint8Array(2 * 2 * 2 * 3);
  u8[0] = 255;
  u8[5] = 51;
  const t = imagesToTensor(u8, 2, 2);
  assert.deepEqual(t.shape, [2, 2, 2, 3]);
  const d = t.dataSync();
  assert.equal(d[0], 1);
  assert.equal(d[1], -1);
  assert.ok(Math.abs(d[5]! - (51 / 127.5 - 1)) < 1e-6);
  t.dispose();
  assert.throws(() => imagesToTensor(u8, 3, 2), /got 24 bytes, expected n\*size\*size\*3 = 3\*2\*2\*3 = 36/);
});

test("model input errors name the problem", () => {
  const model = buildClipModel(nano(), 0);
  const x = randomImages(1, 16, 0);
  assert.throws(
    () => model.encodeImage(x, { training: false }),
    /images have shape \[B,16,16,3\] but the model expects \[B,32,32,3\]/,
  );
  const t = tf.zeros([1, 8], "int32") as tf.Tensor2D;
  assert.throws(
    () => model.encodeText(t, { training: false }),
    /text tokens have length 8 but the model's context length is 16/,
  );
  tf.dispose([x, t]);
  model.dispose();
  const rn = buildClipModel(nano("nano-rn"), 0);
  const y = randomImages(1, 32, 0);
  assert.throws(
    () => rn.encodeImage(y, { training: true, patchDropout: { keep: 0.5, seed: 0 } }),
    /patchDropout needs a ViT image tower, this model's is "resnet"/,
  );
  y.dispose();
  rn.dispose();
});

test("token embedding: gather and one-hot paths agree", () => {
  const table = tf.randomNormal([10, 4], 0, 1, "float32", 1) as tf.Tensor2D;
  const ids = tf.tensor2d(
    [
      [1, 9, 0],
      [3, 3, 7],
    ],
    [2, 3],
    "int32",
  );
  const a = embedTokens(table, ids, "gather");
  const b = embedTokens(table, ids, "onehot");
  assert.deepEqual(a.shape, [6, 4]);
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  assert.deepEqual(Array.from(a.dataSync().slice(4, 8)), Array.from(table.dataSync().slice(36, 40)));
  tf.dispose([table, ids, a, b]);
});
