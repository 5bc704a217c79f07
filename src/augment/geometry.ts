/**
 * Geometric augmentations, batched on the backend with per-sample parameters: random resized crop
 * (torchvision's sampling of the box), horizontal flip, and affine warps (rotate / shear / translate
 * for RandAugment) through one `tf.image.transform` call.
 *
 * Images are float [B, H, W, 3] in [0, 1]. Parameters are plain numbers drawn on the host by
 * `Rng`, so every op can also be called with explicit parameters (the tests do).
 */
import { tf } from "../tf";
import type { Rng } from "./random";

/** A crop in whole pixels: rows [top, top+height), columns [left, left+width). */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * torchvision's `RandomResizedCrop.get_params`: area fraction uniform in `scale`, log aspect ratio
 * uniform in log(`ratio`), 10 tries, then a centre crop clamped to the ratio range.
 */
export function sampleResizedCrop(
  rng: Rng,
  h: number,
  w: number,
  scale: readonly [number, number],
  ratio: readonly [number, number] = [3 / 4, 4 / 3],
): CropBox {
  const area = h * w;
  const logR: [number, number] = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logR[0], logR[1]));
    const cw = Math.round(Math.sqrt(target * aspect));
    const ch = Math.round(Math.sqrt(target / aspect));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
      return { top: rng.int(h - ch + 1), left: rng.int(w - cw + 1), height: ch, width: cw };
    }
  }
  const inRatio = w / h;
  let cw = w;
  let ch = h;
  if (inRatio < ratio[0]) ch = Math.round(cw / ratio[0]);
  else if (inRatio > ratio[1]) cw = Math.round(ch * ratio[1]);
  return { top: Math.floor((h - ch) / 2), left: Math.floor((w - cw) / 2), height: ch, width: cw };
}

/**
 * Crops each image to its box and resizes it to `size`×`size`, bilinearly. Sampling follows
 * `tf.image.cropAndResize` with the box spanning the first to the last pixel centre of the crop, so a
 * full-image box is the identity (torchvision resizes with half-pixel centres and antialiasing; at
 * these sizes the difference is a sub-pixel shift).
 */
export function resizedCrop(images: tf.Tensor4D, boxes: CropBox[], size: number): tf.Tensor4D {
  const [b, h, w] = images.shape;
  if (boxes.length !== b) throw new Error(`resizedCrop: ${boxes.length} boxes for a batch of ${b}`);
  const norm = new Float32Array(b * 4);
  boxes.forEach((bx, i) => {
    norm.set(
      [
        bx.top / Math.max(1, h - 1),
        bx.left / Math.max(1, w - 1),
        (bx.top + bx.height - 1) / Math.max(1, h - 1),
        (bx.left + bx.width - 1) / Math.max(1, w - 1),
      ],
      i * 4,
    );
  });
  return tf.tidy(() =>
    tf.image.cropAndResize(
      images,
      tf.tensor2d(norm, [b, 4]),
      tf.range(0, b, 1, "int32") as tf.Tensor1D,
      [size, size],
      "bilinear",
    ),
  );
}

/** Per-sample 0/1 mask shaped [B, 1, 1, 1] for selecting between two batched results. */
export function sampleMask(flags: readonly boolean[]): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from(flags, (f) => (f ? 1 : 0)),
    [flags.length, 1, 1, 1],
  );
}

/** `where(flag, a, b)` per sample. */
export function selectPerSample(flags: readonly boolean[], a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const m = sampleMask(flags);
    return tf.add(tf.mul(m, a), tf.mul(tf.sub(1, m), b)) as tf.Tensor4D;
  });
}

/** Mirrors the images whose flag is set (left ↔ right). */
export function flipHorizontal(images: tf.Tensor4D, flags: readonly boolean[]): tf.Tensor4D {
  if (flags.length !== images.shape[0])
    throw new Error(`flipHorizontal: ${flags.length} flags for a batch of ${images.shape[0]}`);
  if (!flags.some(Boolean)) return tf.clone(images);
  const [b, h, w] = images.shape;
  // A full-image crop box with x1 > x2 samples columns W−1 … 0 exactly: one fast kernel on wasm,
  // where tf.reverse over the width axis is an order of magnitude slower.
  const boxes = new Float32Array(b * 4);
  flags.forEach((f, i) => {
    boxes.set(f ? [0, 1, 1, 0] : [0, 0, 1, 1], i * 4);
  });
  return tf.tidy(() =>
    tf.image.cropAndResize(
      images,
      tf.tensor2d(boxes, [b, 4]),
      tf.range(0, b, 1, "int32") as tf.Tensor1D,
      [h, w],
      "bilinear",
    ),
  );
}

/**
 * An output→input pixel mapping `x_in = a0·x + a1·y + a2`, `y_in = b0·x + b1·y + b2`
 * (x = column, y = row, pixel centres at integers), the first six entries of TF's projective
 * transform vector.
 */
export type Affine = [number, number, number, number, number, number];

export const IDENTITY_AFFINE: Affine = [1, 0, 0, 0, 1, 0];

/** Rotation by `degrees` counter-clockwise about the image centre. */
export function rotateAffine(degrees: number, h: number, w: number): Affine {
  const t = (degrees * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  // p_in = centre + [[c, −s], [s, c]]·(p_out − centre)
  return [c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy];
}

/** Horizontal shear about the centre row: x_in = x + k·(y − cy). */
export function shearXAffine(k: number, h: number): Affine {
  return [1, k, -k * ((h - 1) / 2), 0, 1, 0];
}

/** Vertical shear about the centre column: y_in = y + k·(x − cx). */
export function shearYAffine(k: number, w: number): Affine {
  return [1, 0, 0, k, 1, -k * ((w - 1) / 2)];
}

/** Moves the content by (dx, dy) pixels. */
export function translateAffine(dx: number, dy: number): Affine {
  return [1, 0, -dx, 0, 1, -dy];
}

/**
 * Warps each image by its affine map (bilinear), filling pixels that come from outside the image
 * with `fill` (a grey level in [0, 1]).
 */
export function affineWarp(images: tf.Tensor4D, maps: readonly Affine[], fill: number): tf.Tensor4D {
  const b = images.shape[0];
  if (maps.length !== b) throw new Error(`affineWarp: ${maps.length} maps for a batch of ${b}`);
  const t = new Float32Array(b * 8);
  maps.forEach((m, i) => {
    t.set(m, i * 8);
  });
  return tf.tidy(() => tf.image.transform(images, tf.tensor2d(t, [b, 8]), "bilinear", "constant", fill));
}
