/**
 * BatchMatMul gradient that only issues NN matmuls (explicit transposes). wasm's BatchMatMul uses
 * XNNPACK only for transposeA = transposeB = false; the stock gradient's NT/TN forms run ~10x
 * slower (compute-notes §1: 1.4-2.2 vs 18-28 GFLOP/s). Same maths as tfjs's stock gradient.
 */
import * as tf from "@tensorflow/tfjs-core";

/** Swaps the last two axes. */
export function swapLast2(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  perm[r - 1] = r - 2;
  perm[r - 2] = r - 1;
  return tf.transpose(t, perm);
}

const nn = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.matMul(a, b, false, false);

export const batchMatMulNNGrad: tf.GradConfig = {
  kernelName: "BatchMatMul",
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const g = Array.isArray(dy) ? dy[0]! : dy;
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const T = swapLast2;
    if (!transposeA && !transposeB) return { a: () => nn(g, T(b)), b: () => nn(T(a), g) };
    if (!transposeA && transposeB) return { a: () => nn(g, b), b: () => nn(T(g), a) };
    if (transposeA && !transposeB) return { a: () => nn(b, T(g)), b: () => nn(a, g) };
    return { a: () => T(nn(g, b)), b: () => T(nn(a, g)) };
  },
};
