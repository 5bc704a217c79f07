/**
 * Helpers for wasm kernels that are written with tf ops instead of raw heap loops.
 *
 * `engine.makeTensorFromTensorInfo` does not bump the backend refcount, so without `incRef`
 * disposing the wrapper would free the caller's buffer (and leak 2 tensors per call): see
 * compute-notes "Pitfalls". Ops run inside a kernel are not taped, so this is gradient-safe.
 */
import * as tf from "@tensorflow/tfjs-core";

/** Wraps a kernel input as a Tensor that owns one extra reference (dispose it after use). */
export function wrapInput(backend: tf.KernelBackend, info: tf.TensorInfo): tf.Tensor {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/**
 * Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor, so
 * that a convolution can then run with `valid` padding whatever the original pads were.
 */
export function padOrCrop4D(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const t0 = Math.max(0, -top);
  const l0 = Math.max(0, -left);
  const hEnd = h - Math.max(0, -bottom);
  const wEnd = w - Math.max(0, -right);
  let y = x;
  if (t0 > 0 || l0 > 0 || hEnd < h || wEnd < w) y = tf.slice(x, [0, t0, l0, 0], [b, hEnd - t0, wEnd - l0, c]);
  const pt = Math.max(0, top);
  const pb = Math.max(0, bottom);
  const pl = Math.max(0, left);
  const pr = Math.max(0, right);
  if (pt || pb || pl || pr) {
    y = tf.pad(y, [
      [0, 0],
      [pt, pb],
      [pl, pr],
      [0, 0],
    ]);
  }
  return y;
}
