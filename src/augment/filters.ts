/**
 * Convolution-based augmentations with a different kernel per sample: Gaussian blur (separable,
 * reflect padding, as torchvision's `gaussian_blur` and the SimCLR/SLIP recipes) and RandAugment's
 * sharpness. Per-sample kernels use one depthwise convolution over the batch folded into channels:
 * [B, H, W, 3] → [1, H, W, B·3], so channel b·3+c is filtered with sample b's kernel.
 */
import { tf } from "../tf";
import { blend, perSample } from "./color";

/** Normalised 1-D Gaussian weights for offsets −r..r; sigma ≤ 0 gives the identity kernel. */
export function gaussianWeights(sigma: number, radius: number): number[] {
  if (!(sigma > 0)) return Array.from({ length: 2 * radius + 1 }, (_, i) => (i === radius ? 1 : 0));
  const w = Array.from({ length: 2 * radius + 1 }, (_, i) =>
    Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)),
  );
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

/**
 * Blurs sample b with a Gaussian of standard deviation `sigmas[b]` pixels (0 = unchanged), kernel
 * size 2·radius+1, borders reflected (…, x1 | x0, x1, …).
 */
export function gaussianBlur(x: tf.Tensor4D, sigmas: readonly number[], radius: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (sigmas.length !== b) throw new Error(`gaussianBlur: ${sigmas.length} sigmas for a batch of ${b}`);
  if (!Number.isInteger(radius) || radius < 1 || radius >= Math.min(h, w)) {
    throw new Error(`gaussianBlur: radius must be an integer in [1, ${Math.min(h, w) - 1}], got ${radius}`);
  }
  if (sigmas.every((s) => !(s > 0))) return tf.clone(x);
  const k = 2 * radius + 1;
  // Filter [k, 1, B·C, 1]: column j·… holds sample b's weights for channel b·C + ch.
  const taps = new Float32Array(k * b * c);
  sigmas.forEach((s, bi) => {
    gaussianWeights(s, radius).forEach((v, i) => {
      for (let ch = 0; ch < c; ch++) taps[i * b * c + bi * c + ch] = v;
    });
  });
  return tf.tidy(() => {
    const folded = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, b * c]) as tf.Tensor4D;
    const padded = tf.mirrorPad(
      folded,
      [
        [0, 0],
        [radius, radius],
        [radius, radius],
        [0, 0],
      ],
      "reflect",
    );
    const vertical = tf.depthwiseConv2d(padded, tf.tensor4d(taps, [k, 1, b * c, 1]), 1, "valid");
    const both = tf.depthwiseConv2d(vertical, tf.tensor4d(taps, [1, k, b * c, 1]), 1, "valid");
    return tf.transpose(tf.reshape(both, [h, w, b, c]), [2, 0, 1, 3]) as tf.Tensor4D;
  });
}

/**
 * PIL/torchvision sharpness: blend the image with its smoothed version (kernel [[1,1,1],[1,5,1],
 * [1,1,1]]/13 inside, border pixels unchanged) by `factors[b]` (1 = unchanged, >1 sharpens).
 */
export function adjustSharpness(x: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (factors.length !== b) throw new Error(`adjustSharpness: ${factors.length} factors for a batch of ${b}`);
  if (factors.every((f) => f === 1) || h < 3 || w < 3) return tf.clone(x);
  return tf.tidy(() => {
    const kernel = new Float32Array(9 * c).fill(1 / 13);
    for (let ch = 0; ch < c; ch++) kernel[4 * c + ch] = 5 / 13;
    const smooth = tf.depthwiseConv2d(x, tf.tensor4d(kernel, [3, 3, c, 1]), 1, "valid");
    const inner = tf.pad(smooth, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
    const interior = new Float32Array(h * w);
    for (let y = 1; y < h - 1; y++) for (let xx = 1; xx < w - 1; xx++) interior[y * w + xx] = 1;
    const m = tf.tensor4d(interior, [1, h, w, 1]);
    const degenerate = tf.add(tf.mul(m, inner), tf.mul(tf.sub(1, m), x));
    return blend(x, degenerate, perSample(factors));
  });
}
