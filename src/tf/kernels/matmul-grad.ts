/**
 * BatchMatMul gradient that only issues NN matmuls (explicit transposes). wasm's stock BatchMatMul
 * uses XNNPACK only for transposeA = transposeB = false; the stock gradient's NT/TN forms run ~10x
 * slower (compute-notes §1: 1.4-2.2 vs 18-28 GFLOP/s). Same maths as tfjs's stock gradient.
 * When the fused kernels are on, BatchMatMul is clipdown's GEMM (matmul.ts), which takes the
 * transposed forms at full speed, so the transposes are left to it instead of copied out.
 */
import * as tf from "@tensorflow/tfjs-core";
import { fusedEnabled } from "../fused";

/** Swaps the last two axes. */
export function swapLast2(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  perm[r - 1] = r - 2;
  perm[r - 2] = r - 1;
  return tf.transpose(t, perm);
}

const nn = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.matMul(a, b, false, false);

/** op(a)·op(b): transposed operands go to the GEMM directly when it is clipdown's. */
function mm(a: tf.Tensor, ta: boolean, b: tf.Tensor, tb: boolean): tf.Tensor {
  if (fusedEnabled()) return tf.matMul(a, b, ta, tb);
  return nn(ta ? swapLast2(a) : a, tb ? swapLast2(b) : b);
}

export const batchMatMulNNGrad: tf.GradConfig = {
  kernelName: "BatchMatMul",
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const g = Array.isArray(dy) ? dy[0]! : dy;
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return { a: () => mm(g, false, b, true), b: () => mm(a, true, g, false) };
    if (!transposeA && transposeB) return { a: () => mm(g, false, b, false), b: () => mm(g, true, a, false) };
    if (transposeA && !transposeB) return { a: () => mm(b, false, g, true), b: () => mm(a, false, g, false) };
    return { a: () => mm(b, true, g, true), b: () => mm(g, true, a, true) };
  },
};
