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

/** Luma [B, H, W, 1]. */
export function grayscale(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sum(tf.mul(x, tf.tensor1d([...GRAY_WEIGHTS])), -1, true) as tf.Tensor4D);
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
    const [r, g, b] = tf.split(x, 3, -1) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
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
    const isG = tf.cast(tf.logicalAnd(tf.equal(maxc, g), tf.notEqual(maxc, r)), "float32");
    const isB = tf.cast(tf.logicalAnd(tf.notEqual(maxc, g), tf.notEqual(maxc, r)), "float32");
    const h = tf.addN([
      tf.mul(isR, tf.sub(bc, gc)),
      tf.mul(isG, tf.add(2, tf.sub(rc, bc))),
      tf.mul(isB, tf.add(4, tf.sub(gc, rc))),
    ]);
    const hNorm = tf.mod(tf.add(tf.div(h, 6), 1), 1) as tf.Tensor4D;
    return [hNorm, s as tf.Tensor4D, maxc as tf.Tensor4D];
  });
}

/** (h, s, v) → RGB [B, H, W, 3] (torchvision `_hsv2rgb`). */
export function hsvToRgb(h: tf.Tensor4D, s: tf.Tensor4D, v: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const h6 = tf.mul(h, 6);
    const i0 = tf.floor(h6);
    const f = tf.sub(h6, i0);
    const i = tf.mod(i0, 6);
    const p = tf.clipByValue(tf.mul(v, tf.sub(1, s)), 0, 1);
    const q = tf.clipByValue(tf.mul(v, tf.sub(1, tf.mul(s, f))), 0, 1);
    const t = tf.clipByValue(tf.mul(v, tf.sub(1, tf.mul(s, tf.sub(1, f)))), 0, 1);
    const sector = (k: number) => tf.cast(tf.equal(i, k), "float32");
    const pick = (vals: tf.Tensor[]) => tf.addN(vals.map((val, k) => tf.mul(sector(k), val)));
    const r = pick([v, q, p, p, t, v]);
    const g = pick([t, v, v, q, p, p]);
    const b = pick([p, p, t, v, v, q]);
    return tf.concat([r, g, b], -1) as tf.Tensor4D;
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
    const g = tf.tile(grayscale(x), [1, 1, 1, 3]);
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
  return tf.tidy(() => tf.where(tf.greaterEqual(x, perSample(thresholds)), tf.sub(1, x), x) as tf.Tensor4D);
}

/** Stretches each channel of the flagged samples to the full [0, 1] range (flat channels kept). */
export function autoContrast(x: tf.Tensor4D, flags: readonly boolean[]): tf.Tensor4D {
  checkBatch(x, flags.length, "autoContrast");
  if (!flags.some(Boolean)) return tf.clone(x);
  return tf.tidy(() => {
    const lo = tf.min(x, [1, 2], true);
    const hi = tf.max(x, [1, 2], true);
    const range = tf.sub(hi, lo);
    const flat = tf.lessEqual(range, 0);
    const stretched = tf.where(
      flat,
      x,
      tf.clipByValue(tf.div(tf.sub(x, lo), tf.where(flat, tf.onesLike(range), range)), 0, 1),
    );
    const m = sampleMask(flags);
    return tf.add(tf.mul(m, stretched), tf.mul(tf.sub(1, m), x)) as tf.Tensor4D;
  });
}

/** Pixels per equalize chunk (16 images of 32×32): bounds the [n·3, H·W, 256] one-hot histogram. */
const EQUALIZE_CHUNK_PIXELS = 16 * 1024;

/**
 * torchvision's `equalize` per channel on 8-bit levels: step = (pixels − count of the top level)
 * // 255; lut[v] = (#pixels below v + step // 2) // step; a channel with step 0 is unchanged.
 */
function equalizeAll(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w] = x.shape;
  const hw = h * w;
  return tf.tidy(() => {
    const q = tf.reshape(tf.transpose(toLevels(x), [0, 3, 1, 2]), [b * 3, hw]); // [B·3, HW] levels
    const qi = tf.cast(q, "int32");
    const hist = tf.sum(tf.oneHot(qi, 256), 1); // [B·3, 256]
    const top = tf.max(q, 1, true);
    const topCount = tf.sum(tf.cast(tf.equal(q, top), "float32"), 1, true);
    const step = tf.floor(tf.div(tf.sub(hw, topCount), 255)); // [B·3, 1]
    const below = tf.cumsum(tf.cast(hist, "float32"), 1, true); // exclusive cumsum
    const safeStep = tf.maximum(step, 1);
    const lut = tf.clipByValue(tf.floor(tf.div(tf.add(below, tf.floor(tf.div(step, 2))), safeStep)), 0, 255);
    const rowBase = tf.tensor2d(
      Int32Array.from({ length: b * 3 }, (_, i) => i * 256),
      [b * 3, 1],
      "int32",
    );
    const flatIdx = tf.add(qi, rowBase); // row·256 + level, into the flattened LUTs
    const mapped = tf.reshape(tf.gather(tf.reshape(lut, [-1]), tf.reshape(flatIdx, [-1])), [b * 3, hw]);
    const out = tf.where(tf.equal(step, 0), q, mapped);
    return tf.transpose(tf.reshape(tf.div(out, 255), [b, 3, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
  });
}

/** Histogram-equalises the flagged samples (computed only for them, in chunks). */
export function equalize(x: tf.Tensor4D, flags: readonly boolean[]): tf.Tensor4D {
  checkBatch(x, flags.length, "equalize");
  const chosen = flags.flatMap((f, i) => (f ? [i] : []));
  if (!chosen.length) return tf.clone(x);
  const chunk = Math.max(1, Math.floor(EQUALIZE_CHUNK_PIXELS / (x.shape[1] * x.shape[2])));
  return tf.tidy(() => {
    const parts: tf.Tensor4D[] = [];
    for (let i = 0; i < chosen.length; i += chunk) {
      const idx = tf.tensor1d(chosen.slice(i, i + chunk), "int32");
      parts.push(equalizeAll(tf.gather(x, idx) as tf.Tensor4D));
    }
    // Row b of the result: x[b], or the equalised copy at B + its position among the chosen.
    const where = Int32Array.from(flags.keys());
    chosen.forEach((b, j) => {
      where[b] = flags.length + j;
    });
    return tf.gather(tf.concat([x, ...parts], 0), tf.tensor1d(where, "int32")) as tf.Tensor4D;
  });
}
