import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { initBackend, tf } from "../../src/tf";
import { rand, wasmVsCpu } from "./helpers";

before(async () => {
  await initBackend();
});

/** Small conv patch embed + one attention head + token embedding, CLIP-style loss. */
function lossAndGrads(): tf.Tensor[] {
  const images = tf.tensor4d(rand(2 * 16 * 16 * 3, 31), [2, 16, 16, 3]);
  const tokens = tf.tensor2d([1, 4, 4, 7, 2, 0, 3, 1], [2, 4], "int32");
  const params = [
    tf.tensor4d(rand(8 * 8 * 3 * 8, 32), [8, 8, 3, 8]), // patchify 8x8/s8
    tf.tensor4d(rand(3 * 3 * 8 * 8, 33), [3, 3, 8, 8]), // 3x3 conv
    tf.tensor2d(rand(8 * 8, 34), [8, 8]), // wq
    tf.tensor2d(rand(8 * 8, 35), [8, 8]), // wk
    tf.tensor2d(rand(8 * 8, 36), [8, 8]), // wv
    tf.tensor2d(rand(10 * 8, 37), [10, 8]), // token table
  ];
  const f = (pw: tf.Tensor, cw: tf.Tensor, wq: tf.Tensor, wk: tf.Tensor, wv: tf.Tensor, table: tf.Tensor) => {
    const p = tf.conv2d(images, pw as tf.Tensor4D, 8, "valid"); // [2,2,2,8]
    const h = tf.relu(tf.conv2d(p, cw as tf.Tensor4D, 1, "same"));
    const seq = tf.reshape(h, [2, 4, 8]);
    const flat = tf.reshape(seq, [8, 8]);
    const q = tf.reshape(tf.matMul(flat, wq), [2, 4, 8]);
    const k = tf.reshape(tf.matMul(flat, wk), [2, 4, 8]);
    const v = tf.reshape(tf.matMul(flat, wv), [2, 4, 8]);
    const att = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(8)));
    const img = tf.mean(tf.matMul(att, v), 1); // [2,8]
    const txt = tf.mean(tf.gather(table, tokens), 1); // [2,8]
    const logits = tf.matMul(tf.tanh(img), tf.tanh(txt), false, true);
    const labels = tf.oneHot(tf.tensor1d([0, 1], "int32"), 2);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(f as (...a: tf.Tensor[]) => tf.Scalar)(params);
  // Inputs are disposed explicitly (not via tidy) so that the count test also sees any tensor a
  // custom kernel leaks into the engine.
  tf.dispose([images, tokens, ...params]);
  return [value, ...grads];
}

describe("full graph gradient on wasm vs cpu", () => {
  it("conv + attention + embedding: loss and all 6 gradients within 1e-4", async () => {
    const { err, wasm } = await wasmVsCpu(lossAndGrads);
    assert.equal(wasm.length, 7);
    assert.ok(err < 1e-4, `rel err ${err}`);
  });
  it("keeps tf.memory().numTensors flat over repeated calls", async () => {
    await tf.setBackend("wasm");
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const out = lossAndGrads();
      tf.dispose(out);
      counts.push(tf.memory().numTensors);
    }
    assert.deepEqual(counts, [counts[0], counts[0], counts[0], counts[0]]);
  });
});
