/**
 * Named augmentation policies: a policy is a list of stages, each drawing its per-sample parameters
 * from one seeded stream and running batched on the backend. Input and output are float images
 * [B, S, S, 3] in [0, 1]; the output has the input's size (crops are resized back).
 *
 * - `crop-flip`: random resized crop (scale 0.5–1) + horizontal flip; CLIP + data augmentation's
 *   first option (Scaling (Down) CLIP does not give its crop range; 0.5–1 is SLIP's CLIP view).
 * - `randaug`: `crop-flip` + RandAugment N=2, M=9 (Cubuk et al.'s ImageNet setting).
 * - `stacked-randaug`: the SupCon / InfoMin "Stacked RandAugment" recipe: crop 0.2–1, flip, colour
 *   jitter (0.8, 0.8, 0.8, 0.2) with p 0.8, blur p 0.5, RandAugment N=2 M=10 with magnitude std 0.5,
 *   grayscale p 0.2.
 * - `simclr`: SLIP's two SSL views: crop 0.08–1, jitter (0.4, 0.4, 0.4, 0.1) with p 0.8, grayscale
 *   p 0.2, Gaussian blur σ ∈ [0.1, 2] with p 0.5, flip.
 * - `slip-clip`: SLIP's CLIP view: crop 0.5–1.
 * - `none`: unchanged.
 *
 * Blur uses σ ∈ [0.1, 2] pixels with a kernel of about a tenth of the side (radius ⌊S/20⌋, at least
 * 1), InfoMin's choice for small images; SLIP blurs 224 px images with PIL at the same σ.
 */
import { tf } from "../tf";
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, randomGrayscale } from "./color";
import { gaussianBlur } from "./filters";
import { flipHorizontal, resizedCrop, sampleResizedCrop } from "./geometry";
import { type RandAugmentConfig, randAugment } from "./randaugment";
import { Rng } from "./random";

export interface JitterConfig {
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
  /** Probability that a sample is jittered at all (SimCLR's RandomApply). */
  p: number;
}

export type Stage =
  | { op: "crop"; scale: readonly [number, number]; ratio?: readonly [number, number] }
  | { op: "flip"; p: number }
  | ({ op: "jitter" } & JitterConfig)
  | { op: "grayscale"; p: number }
  | { op: "blur"; p: number; sigma: readonly [number, number] }
  | ({ op: "randaugment" } & RandAugmentConfig);

export interface Policy {
  name: string;
  description: string;
  stages: readonly Stage[];
}

const CROP_FLIP: Stage[] = [
  { op: "crop", scale: [0.5, 1] },
  { op: "flip", p: 0.5 },
];

export const POLICIES = {
  none: { name: "none", description: "no augmentation", stages: [] },
  "crop-flip": {
    name: "crop-flip",
    description: "random resized crop (scale 0.5–1) + horizontal flip",
    stages: CROP_FLIP,
  },
  randaug: {
    name: "randaug",
    description: "crop-flip + RandAugment (N=2, M=9)",
    stages: [...CROP_FLIP, { op: "randaugment", n: 2, m: 9 }],
  },
  "stacked-randaug": {
    name: "stacked-randaug",
    description:
      "SupCon/InfoMin stacked RandAugment: crop 0.2–1, flip, jitter .8/.8/.8/.2 p.8, blur p.5, RA N=2 M=10±0.5, gray p.2",
    stages: [
      { op: "crop", scale: [0.2, 1] },
      { op: "flip", p: 0.5 },
      { op: "jitter", brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2, p: 0.8 },
      { op: "blur", p: 0.5, sigma: [0.1, 2] },
      { op: "randaugment", n: 2, m: 10, magnitudeStd: 0.5 },
      { op: "grayscale", p: 0.2 },
    ],
  },
  simclr: {
    name: "simclr",
    description: "SLIP's SSL view: crop 0.08–1, jitter .4/.4/.4/.1 p.8, gray p.2, blur p.5, flip",
    stages: [
      { op: "crop", scale: [0.08, 1] },
      { op: "jitter", brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 },
      { op: "grayscale", p: 0.2 },
      { op: "blur", p: 0.5, sigma: [0.1, 2] },
      { op: "flip", p: 0.5 },
    ],
  },
  "slip-clip": {
    name: "slip-clip",
    description: "SLIP's CLIP view: crop 0.5–1",
    stages: [{ op: "crop", scale: [0.5, 1] }],
  },
} satisfies Record<string, Policy>;

export type PolicyName = keyof typeof POLICIES;
export const POLICY_NAMES = Object.keys(POLICIES) as PolicyName[];

/** A policy by name; the error lists the valid names. */
export function getPolicy(name: string): Policy {
  const p = (POLICIES as Record<string, Policy>)[name];
  if (!p)
    throw new Error(`unknown augmentation policy "${name}"; valid policies: ${POLICY_NAMES.join(", ")}`);
  return p;
}

/** Blur radius for side `size`: about a tenth of the side as the kernel, at least 3 taps. */
export function blurRadius(size: number): number {
  return Math.max(1, Math.min(size - 1, Math.floor(size / 20)));
}

/**
 * torchvision's ColorJitter with RandomApply(p): factors uniform in [max(0, 1−x), 1+x], hue shift
 * uniform in [−h, h]. The order of the four ops is one random permutation per batch (torchvision
 * draws it per image); each sample's factors are its own.
 */
export function colorJitter(x: tf.Tensor4D, rng: Rng, cfg: JitterConfig): tf.Tensor4D {
  const b = x.shape[0];
  const on = Array.from({ length: b }, () => rng.bernoulli(cfg.p));
  const factor = (s: number) => on.map((o) => (o && s > 0 ? rng.uniform(Math.max(0, 1 - s), 1 + s) : 1));
  const bright = factor(cfg.brightness);
  const contrast = factor(cfg.contrast);
  const sat = factor(cfg.saturation);
  const hue = on.map((o) => (o && cfg.hue > 0 ? rng.uniform(-cfg.hue, cfg.hue) : 0));
  const ops = [
    (t: tf.Tensor4D) => adjustBrightness(t, bright),
    (t: tf.Tensor4D) => adjustContrast(t, contrast),
    (t: tf.Tensor4D) => adjustSaturation(t, sat),
    (t: tf.Tensor4D) => adjustHue(t, hue),
  ];
  let cur = x.clone();
  for (const i of rng.permutation(4)) {
    const next = ops[i]!(cur);
    cur.dispose();
    cur = next;
  }
  return cur;
}

function applyStage(x: tf.Tensor4D, stage: Stage, rng: Rng): tf.Tensor4D {
  const [b, h, w] = x.shape;
  switch (stage.op) {
    case "crop":
      return resizedCrop(
        x,
        Array.from({ length: b }, () => sampleResizedCrop(rng, h, w, stage.scale, stage.ratio)),
        h,
      );
    case "flip":
      return flipHorizontal(
        x,
        Array.from({ length: b }, () => rng.bernoulli(stage.p)),
      );
    case "jitter":
      return colorJitter(x, rng, stage);
    case "grayscale":
      return randomGrayscale(
        x,
        Array.from({ length: b }, () => rng.bernoulli(stage.p)),
      );
    case "blur": {
      const sigmas = Array.from({ length: b }, () => {
        const on = rng.bernoulli(stage.p);
        const s = rng.uniform(stage.sigma[0], stage.sigma[1]);
        return on ? s : 0;
      });
      return gaussianBlur(x, sigmas, blurRadius(Math.min(h, w)));
    }
    case "randaugment":
      return randAugment(x, rng, stage);
  }
}

/**
 * Applies a policy to float images [B, S, S, 3] in [0, 1] with all randomness from `seed`; returns a
 * new tensor (the input is not disposed).
 */
export function applyPolicy(policy: Policy | string, images: tf.Tensor4D, seed: number): tf.Tensor4D {
  const p = typeof policy === "string" ? getPolicy(policy) : policy;
  const rng = new Rng(seed);
  let cur = images.clone();
  for (const stage of p.stages) {
    const next = applyStage(cur, stage, rng);
    cur.dispose();
    cur = next;
  }
  return cur;
}

/** Model input ([−1, 1], as `imagesToTensor` gives) → augmented model input, via [0, 1]. */
export function augmentModelInput(policy: Policy | string, images: tf.Tensor4D, seed: number): tf.Tensor4D {
  return tf.tidy(() => {
    const unit = tf.div(tf.add(images, 1), 2) as tf.Tensor4D;
    return tf.sub(tf.mul(applyPolicy(policy, unit, seed), 2), 1) as tf.Tensor4D;
  });
}
