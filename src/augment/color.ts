/**
 * Colour augmentations on float images [B, H, W, 3] in [0, 1], batched with one parameter per
 * sample, following torchvision's tensor implementations (`functional_tensor`):
 * blend(a, b, f) = clamp(f·a + (1−f)·b, 0, 1); grey = 0.2989 R + 0.587 G + 0.114 B;
 * brightness blends with black, contrast with the image's mean grey, saturation with its grey image;
 * hue rotates H in HSV. Posterize / solarize / autocontrast / equalize are RandAugment's PIL ops.
 * An op's identity parameter (factor 1, shift 0, 8 bits, threshold > 1, flag false) leaves a sample
 * unchanged, which is how one batched call serves samples that did not draw the op.
 */
import { tf } from "../tf";
import { sampleMask } from "./geometry";

export const GRAY_WEIGHTS: readonly [number, number, number] = [0.2989, 0.587, 0.114];

/** One value per sample as a [B, 1, 1, 1] tensor. */
export function perSample(values: readonly number[]): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(values), [values.length, 1, 1, 1]);
}

function checkBatch(x: tf.Tensor4D, n: number, what: string): void {
  if (n !== x.shape[0]) throw new Error(`${what}: ${n} parameters for a batch of ${x.shape[0]}`);
}

/**
 * Channels as [B, H, W, 1] tensors. A [N, 3] × [3, 1] matMul per channel: on wasm, slicing or
 * splitting the innermost axis and concatenating along it are an order of magnitude slower.
 */
export function splitChannels(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  const [b, h, w] = x.shape;
  return tf.tidy(() => {
    const flat = tf.reshape(x, [-1, 3]);
    return [0, 1, 2].map((c) =>
      tf.reshape(tf.matMul(flat, tf.tensor2d([0, 1, 2].map((k) => [k === c ? 1 : 0]))), [b, h, w, 1]),
    ) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  });
}

/** The inverse of {@link splitChannels}: Σ_c channel_c · e_cᵀ as [N, 1] × [1, 3] matMuls. */
export function mergeChannels(r: tf.Tensor4D, g: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w] = r.shape;
  return tf.tidy(() => {
    const parts = [r, g, b].map((t, c) =>
      tf.matMul(tf.reshape(t, [-1, 1]), tf.tensor2d([[0, 1, 2].map((k) => (k === c ? 1 : 0))])),
    );
    return tf.reshape(tf.addN(parts), [n, h, w, 3]) as tf.Tensor4D;
  });
}

/** Luma [B, H, W, 1]. */
export function grayscale(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w] = x.shape;
  return tf.tidy(
    () =>
      tf.reshape(tf.matMul(tf.reshape(x, [-1, 3]), tf.tensor2d(GRAY_WEIGHTS.map((v) => [v]))), [
        b,
        h,
        w,
        1,
      ]) as tf.Tensor4D,
  );
}

/** A [B, H, W, 1] image repeated over 3 channels (a matMul by [1, 1, 1]; tile is slow on wasm). */
function toRgb(g: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w] = g.shape;
  return tf.tidy(
    () => tf.reshape(tf.matMul(tf.reshape(g, [-1, 1]), tf.ones([1, 3])), [b, h, w, 3]) as tf.Tensor4D,
  );
}

/** clamp(f·a + (1−f)·b, 0, 1) with f broadcast per sample. */
export function blend(a: tf.Tensor, b: tf.Tensor, f: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(f, a), tf.mul(tf.sub(1, f), b)), 0, 1) as tf.Tensor4D);
}

export function adjustBrightness(x: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  checkBatch(x, factors.length, "adjustBrightness");
  return tf.tidy(() => blend(x, tf.zerosLike(x), perSample(factors)));
}

export function adjustContrast(x: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  checkBatch(x, factors.length, "adjustContrast");
  return tf.tidy(() => blend(x, tf.mean(grayscale(x), [1, 2, 3], true), perSample(factors)));
}

export function adjustSaturation(x: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  checkBatch(x, factors.length, "adjustSaturation");
  return tf.tidy(() => blend(x, grayscale(x), perSample(factors)));
}

/** RGB → (h, s, v), each [B, H, W, 1], h in [0, 1) (torchvision `_rgb2hsv`). */
export function rgbToHsv(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  return tf.tidy(() => {
    const [r, g, b] = splitChannels(x);
    const maxc = tf.maximum(tf.maximum(r, g), b);
    const minc = tf.minimum(tf.minimum(r, g), b);
    const eqc = tf.equal(maxc, minc);
    const cr = tf.sub(maxc, minc);
    const ones = tf.onesLike(maxc);
    const s = tf.div(cr, tf.where(eqc, ones, maxc));
    const crDiv = tf.where(eqc, ones, cr);
    const rc = tf.div(tf.sub(maxc, r), crDiv);
    const gc = tf.div(tf.sub(maxc, g), crDiv);
    const bc = tf.div(tf.sub(maxc, b), crDiv);
    const isR = tf.cast(tf.equal(maxc, r), "float32");
    const notR = tf.sub(1, isR);
    const isG = tf.mul(tf.cast(tf.equal(maxc, g), "float32"), notR);
    const isB = tf.mul(tf.cast(tf.notEqual(maxc, g), "float32"), notR);
    const h = tf.addN([
      tf.mul(isR, tf.sub(bc, gc)),
      tf.mul(isG, tf.add(2, tf.sub(rc, bc))),
      tf.mul(isB, tf.add(4, tf.sub(gc, rc))),
    ]);
    const hNorm = tf.mod(tf.add(tf.div(h, 6), 1), 1) as tf.Tensor4D;
    return [hNorm, s as tf.Tensor4D, maxc as tf.Tensor4D];
  });
}

/**
 * (h, s, v) → RGB [B, H, W, 3]. Channel n ∈ {5, 3, 1} (R, G, B) is v − v·s·clamp(min(k, 4 − k), 0, 1)
 * with k = (n + 6h) mod 6: the same six-sector result as torchvision's `_hsv2rgb` in fewer ops.
 */
export function hsvToRgb(h: tf.Tensor4D, s: tf.Tensor4D, v: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const h6 = tf.mul(h, 6);
    const vs = tf.mul(v, s);
    const channel = (n: number) => {
      const k = tf.mod(tf.add(h6, n), 6);
      const ramp = tf.clipByValue(tf.minimum(k, tf.sub(4, k)), 0, 1);
      return tf.sub(v, tf.mul(vs, ramp)) as tf.Tensor4D;
    };
    return mergeChannels(channel(5), channel(3), channel(1));
  });
}

/** Adds `shifts[b]` (in turns, [−0.5, 0.5]) to each sample's hue. */
export function adjustHue(x: tf.Tensor4D, shifts: readonly number[]): tf.Tensor4D {
  checkBatch(x, shifts.length, "adjustHue");
  if (shifts.every((s) => s === 0)) return tf.clone(x);
  return tf.tidy(() => {
    const [h, s, v] = rgbToHsv(x);
    const rotated = tf.mod(tf.add(h, perSample(shifts)), 1) as tf.Tensor4D;
    // Samples with no shift keep their exact pixels (the HSV round trip is not bit-exact).
    const m = sampleMask(shifts.map((d) => d !== 0));
    return tf.add(tf.mul(m, hsvToRgb(rotated, s, v)), tf.mul(tf.sub(1, m), x)) as tf.Tensor4D;
  });
}

/** Replaces the flagged samples by their grey image (replicated over the 3 channels). */
export function randomGrayscale(x: tf.Tensor4D, flags: readonly boolean[]): tf.Tensor4D {
  checkBatch(x, flags.length, "randomGrayscale");
  if (!flags.some(Boolean)) return tf.clone(x);
  return tf.tidy(() => {
    const m = sampleMask(flags);
    const g = toRgb(grayscale(x));
    return tf.add(tf.mul(m, g), tf.mul(tf.sub(1, m), x)) as tf.Tensor4D;
  });
}

/** 8-bit levels of [0, 1] images. */
function toLevels(x: tf.Tensor): tf.Tensor {
  return tf.round(tf.mul(tf.clipByValue(x, 0, 1), 255));
}

/** Keeps the top `bits[b]` bits of each 8-bit level (8 = unchanged). */
export function posterize(x: tf.Tensor4D, bits: readonly number[]): tf.Tensor4D {
  checkBatch(x, bits.length, "posterize");
  if (bits.every((v) => v >= 8)) return tf.clone(x);
  return tf.tidy(() => {
    const step = perSample(bits.map((v) => 2 ** (8 - Math.max(0, Math.min(8, Math.round(v))))));
    const kept = tf.div(tf.mul(tf.floor(tf.div(toLevels(x), step)), step), 255);
    const m = sampleMask(bits.map((v) => v < 8));
    return tf.add(tf.mul(m, kept), tf.mul(tf.sub(1, m), x)) as tf.Tensor4D;
  });
}

/** Inverts pixels at or above `thresholds[b]` (a threshold above 1 leaves the sample unchanged). */
export function solarize(x: tf.Tensor4D, thresholds: readonly number[]): tf.Tensor4D {
  checkBatch(x, thresholds.length, "solarize");
  // Compare against a scalar: wasm's comparison kernels are slow when they broadcast a [B,1,1,1] operand.
  return tf.tidy(
    () => tf.where(tf.greaterEqual(tf.sub(x, perSample(thresholds)), 0), tf.sub(1, x), x) as tf.Tensor4D,
  );
}

/** Stretches each channel of the flagged samples to the full [0, 1] range (flat channels kept). */
export function autoContrast(x: tf.Tensor4D, flags: readonly boolean[]): tf.Tensor4D {
  checkBatch(x, flags.length, "autoContrast");
  if (!flags.some(Boolean)) return tf.clone(x);
  return tf.tidy(() => {
    const lo = tf.min(x, [1, 2], true); // [B, 1, 1, 3]
    const hi = tf.max(x, [1, 2], true);
    const range = tf.sub(hi, lo);
    // A flat channel gets offset 0 and scale 1 (unchanged); decided on the small [B,1,1,3] tensors.
    const flat = tf.lessEqual(range, 0);
    const offset = tf.where(flat, tf.zerosLike(lo), lo);
    const scale = tf.where(flat, tf.onesLike(range), range);
    const stretched = tf.clipByValue(tf.div(tf.sub(x, offset), scale), 0, 1);
    const m = sampleMask(flags);
    return tf.add(tf.mul(m, stretched), tf.mul(tf.sub(1, m), x)) as tf.Tensor4D;
  });
}

/**
 * torchvision's `equalize` per channel on 8-bit levels: step = (pixels − count of the top level)
 * // 255; lut[v] = (#pixels below v + step // 2) // step; a channel with step 0 is unchanged.
 */
function equalizeAll(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w] = x.shape;
  const hw = h * w;
  return tf.tidy(() => {
    const q = tf.reshape(tf.transpose(toLevels(x), [0, 3, 1, 2]), [b * 3, hw]); // [B·3, HW] levels
    const qi = tf.cast(q, "int32") as tf.Tensor2D;
    // [B·3, 256] per-row counts (no weights).
    const hist = tf.cast(tf.denseBincount(qi, tf.tensor2d([], [0, 0]), 256), "float32");
    const top = tf.max(q, 1, true);
    const topCount = tf.sum(tf.cast(tf.equal(tf.sub(q, top), 0), "float32"), 1, true);
    const step = tf.floor(tf.div(tf.sub(hw, topCount), 255)); // [B·3, 1]
    const below = tf.cumsum(hist, 1, true); // exclusive cumsum
    const safeStep = tf.maximum(step, 1);
    const lut = tf.clipByValue(tf.floor(tf.div(tf.add(below, tf.floor(tf.div(step, 2))), safeStep)), 0, 255);
    // Row r looks its levels up in lut[r]: flat index r·256 + level (wasm's batched gather is wrong).
    const rowBase = tf.tensor2d(
      Float32Array.from({ length: b * 3 }, (_, r) => r * 256),
      [b * 3, 1],
    );
    const flatIdx = tf.cast(tf.add(q, rowBase), "int32");
    const mapped = tf.reshape(tf.gather(tf.reshape(lut, [-1]), tf.reshape(flatIdx, [-1])), [b * 3, hw]);
    const unchanged = tf.cast(tf.equal(step, 0), "float32"); // [B·3, 1]: step 0 keeps the channel
    const out = tf.add(mapped, tf.mul(unchanged, tf.sub(q, mapped)));
    return tf.transpose(tf.reshape(tf.div(out, 255), [b, 3, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
  });
}

/** Histogram-equalises the flagged samples. */
export function equalize(x: tf.Tensor4D, flags: readonly boolean[]): tf.Tensor4D {
  checkBatch(x, flags.length, "equalize");
  const chosen = flags.flatMap((f, i) => (f ? [i] : []));
  if (!chosen.length) return tf.clone(x);
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => {
    const eq = equalizeAll(tf.gather(x, tf.tensor1d(chosen, "int32")) as tf.Tensor4D); // [n, H, W, 3]
    // Put each equalised image back at its row with a one-hot [B, n] matMul (a scatter as one fast kernel).
    const place = new Float32Array(b * chosen.length);
    chosen.forEach((row, j) => {
      place[row * chosen.length + j] = 1;
    });
    const placed = tf.matMul(tf.tensor2d(place, [b, chosen.length]), tf.reshape(eq, [chosen.length, -1]));
    const keep = tf.sub(1, sampleMask(flags));
    return tf.add(tf.reshape(placed, [b, h, w, c]), tf.mul(keep, x)) as tf.Tensor4D;
  });
}
