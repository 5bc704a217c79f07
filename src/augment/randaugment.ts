/**
 * RandAugment (Cubuk et al. 2019): for each image, N ops drawn uniformly from a fixed set, each at
 * magnitude M on the paper's 0–10 scale. The op set and the magnitude → parameter maps follow
 * torchvision's `RandAugment` (14 ops, signed ops get a random sign) with M/10 as the fraction of the
 * maximum: shear 0.3, translate 0.45 of the side, rotate 30°, enhance factors 1 ± 0.9, posterize down
 * to 4 bits, solarize threshold 1 → 0. `magnitudeStd` adds timm's per-op Gaussian noise on M
 * ("mstd"), used by the stacked recipe. Geometric ops pivot on the image centre and fill with
 * `fill` (white by default: the pictograms' background; torchvision fills black).
 *
 * Batched: each of the N layers runs every op once over the whole batch with identity parameters
 * for the samples that did not draw it; all geometric ops of a layer share one affine warp.
 */
import type { tf } from "../tf";
import {
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  autoContrast,
  equalize,
  posterize,
  solarize,
} from "./color";
import { adjustSharpness } from "./filters";
import {
  type Affine,
  affineWarp,
  IDENTITY_AFFINE,
  rotateAffine,
  shearXAffine,
  shearYAffine,
  translateAffine,
} from "./geometry";
import type { Rng } from "./random";

export const RANDAUGMENT_OPS = [
  "identity",
  "shearX",
  "shearY",
  "translateX",
  "translateY",
  "rotate",
  "brightness",
  "color",
  "contrast",
  "sharpness",
  "posterize",
  "solarize",
  "autoContrast",
  "equalize",
] as const;
export type RandAugmentOp = (typeof RANDAUGMENT_OPS)[number];

export interface RandAugmentConfig {
  /** Ops per image. */
  n: number;
  /** Magnitude on the 0–10 scale. */
  m: number;
  /** Std of Gaussian noise added to M per op (0 = fixed magnitude). */
  magnitudeStd?: number;
  /** Fill grey level for pixels a geometric op brings in from outside the image. */
  fill?: number;
}

/** One op drawn for one sample: `level` is the magnitude as a fraction of the maximum, in [0, 1]. */
export interface RandAugmentDraw {
  op: RandAugmentOp;
  level: number;
  sign: 1 | -1;
}

/** Draws N layers × B samples of ops (layer-major), in a fixed order from `rng`. */
export function sampleRandAugment(rng: Rng, batch: number, cfg: RandAugmentConfig): RandAugmentDraw[][] {
  if (!(Number.isInteger(cfg.n) && cfg.n >= 0))
    throw new Error(`RandAugment n must be an integer >= 0, got ${cfg.n}`);
  if (!(cfg.m >= 0 && cfg.m <= 10)) throw new Error(`RandAugment m must be in [0, 10], got ${cfg.m}`);
  const layers: RandAugmentDraw[][] = [];
  for (let l = 0; l < cfg.n; l++) {
    const row: RandAugmentDraw[] = [];
    for (let b = 0; b < batch; b++) {
      const op = RANDAUGMENT_OPS[rng.int(RANDAUGMENT_OPS.length)]!;
      const noisy = cfg.magnitudeStd ? cfg.m + cfg.magnitudeStd * rng.normal() : cfg.m;
      const level = Math.min(10, Math.max(0, noisy)) / 10;
      row.push({ op, level, sign: rng.bernoulli(0.5) ? 1 : -1 });
    }
    layers.push(row);
  }
  return layers;
}

/** The affine map of a geometric draw, or undefined for a non-geometric op. */
function geometricMap(d: RandAugmentDraw, h: number, w: number): Affine | undefined {
  const s = d.sign * d.level;
  switch (d.op) {
    case "shearX":
      return shearXAffine(0.3 * s, h);
    case "shearY":
      return shearYAffine(0.3 * s, w);
    case "translateX":
      return translateAffine(0.45 * s * w, 0);
    case "translateY":
      return translateAffine(0, 0.45 * s * h);
    case "rotate":
      return rotateAffine(30 * s, h, w);
    default:
      return undefined;
  }
}

/** Applies one layer of draws (one op per sample); disposes nothing it did not create. */
export function applyRandAugmentLayer(
  x: tf.Tensor4D,
  draws: readonly RandAugmentDraw[],
  fill = 1,
): tf.Tensor4D {
  const [, h, w] = x.shape;
  const is = (op: RandAugmentOp) => draws.map((d) => d.op === op);
  const enhance = (op: RandAugmentOp) => draws.map((d) => (d.op === op ? 1 + 0.9 * d.sign * d.level : 1));
  const steps: Array<(t: tf.Tensor4D) => tf.Tensor4D> = [];
  const maps = draws.map((d) => geometricMap(d, h, w));
  if (maps.some((m) => m))
    steps.push((t) =>
      affineWarp(
        t,
        maps.map((m) => m ?? IDENTITY_AFFINE),
        fill,
      ),
    );
  const used = new Set(draws.map((d) => d.op));
  if (used.has("brightness")) steps.push((t) => adjustBrightness(t, enhance("brightness")));
  if (used.has("color")) steps.push((t) => adjustSaturation(t, enhance("color")));
  if (used.has("contrast")) steps.push((t) => adjustContrast(t, enhance("contrast")));
  if (used.has("sharpness")) steps.push((t) => adjustSharpness(t, enhance("sharpness")));
  if (used.has("posterize"))
    steps.push((t) =>
      posterize(
        t,
        draws.map((d) => (d.op === "posterize" ? 8 - Math.round(4 * d.level) : 8)),
      ),
    );
  if (used.has("solarize"))
    steps.push((t) =>
      solarize(
        t,
        draws.map((d) => (d.op === "solarize" ? 1 - d.level : 2)),
      ),
    );
  if (used.has("autoContrast")) steps.push((t) => autoContrast(t, is("autoContrast")));
  if (used.has("equalize")) steps.push((t) => equalize(t, is("equalize")));
  let cur = x;
  for (const step of steps) {
    const next = step(cur);
    if (cur !== x) cur.dispose();
    cur = next;
  }
  return cur === x ? x.clone() : cur;
}

/** N layers of RandAugment on a batch, parameters drawn from `rng`. */
export function randAugment(x: tf.Tensor4D, rng: Rng, cfg: RandAugmentConfig): tf.Tensor4D {
  const layers = sampleRandAugment(rng, x.shape[0], cfg);
  let cur = x.clone();
  for (const draws of layers) {
    const next = applyRandAugmentLayer(cur, draws, cfg.fill ?? 1);
    cur.dispose();
    cur = next;
  }
  return cur;
}
