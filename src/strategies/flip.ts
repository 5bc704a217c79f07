/**
 * FLIP (Li et al. 2023; papers.md C.3): CLIP with random patch dropout in the ViT image tower.
 * Each training step drops `maskRatio` of the patches of every image (50 % or 75 % in the paper), a
 * fresh uniformly random subset per sample per step; the class token is always kept and only the
 * visible patches are encoded (no mask token, no reconstruction). Evaluation sees full images.
 *
 * Options: `flipBatchScale` multiplies the batch (the paper pairs 50 % masking with a 2× batch at
 * similar memory); `unmaskedTuneSamples` trains the last samples of the budget without masking
 * (FLIP's "unmasked tuning", +0.5 / +1.3 points in the paper). FLOPs per sample count only the
 * visible patches (averaged with the unmasked tail when there is one).
 */
import type { ClipConfig } from "../models/config";
import { towerFlops, vitFlops } from "../models/flops";
import { keptCount, vitPatches } from "../models/vit";
import { tf } from "../tf";
import { clampLogitScale, clipObjective, clipTrainFlops } from "./clip";
import { requireTokens, type StepContext, type Strategy, type StrategyOptions } from "./strategy";

export const FLIP_DEFAULT_MASK_RATIO = 0.5;

/** Steps at the end of the run trained without masking. */
function tuneSteps(tuneSamples: number, samplesPerStep: number): number {
  return tuneSamples > 0 ? Math.ceil(tuneSamples / Math.max(1, samplesPerStep)) : 0;
}

export function createFlip(opts: StrategyOptions = {}): Strategy {
  const ratio = opts.maskRatio ?? FLIP_DEFAULT_MASK_RATIO;
  if (!(ratio >= 0 && ratio < 1)) throw new Error(`mask-ratio must be in [0, 1), got ${ratio}`);
  const scale = opts.flipBatchScale ?? 1;
  if (!(Number.isInteger(scale) && scale >= 1))
    throw new Error(`flip-batch-scale must be an integer >= 1, got ${scale}`);
  const tuneSamples = opts.unmaskedTuneSamples ?? 0;
  if (!(Number.isInteger(tuneSamples) && tuneSamples >= 0))
    throw new Error(`unmasked-tune-samples must be an integer >= 0, got ${tuneSamples}`);
  const keep = 1 - ratio;

  /** Whether this step drops patches: training, ratio > 0, and not in the unmasked tail. */
  const masked = (ctx: StepContext): boolean => {
    if (!ctx.training || ratio === 0) return false;
    if (tuneSamples === 0 || ctx.totalSteps === undefined) return true;
    return ctx.step < ctx.totalSteps - tuneSteps(tuneSamples, ctx.samplesPerStep ?? 1);
  };

  const maskedTrainFlops = (config: ClipConfig): number => {
    const img = config.image;
    if (img.kind !== "vit") return clipTrainFlops(config);
    const kept = keptCount(vitPatches(img), keep);
    return 3 * (vitFlops(img, config.embedDim, kept) + towerFlops(config).text);
  };

  return {
    name: "flip",
    description: `FLIP: CLIP with ${Math.round(ratio * 100)}% random patch dropout${scale > 1 ? `, ${scale}× batch` : ""}${
      tuneSamples ? `, last ${tuneSamples} samples unmasked` : ""
    }`,
    batchScale: scale,
    check(model) {
      const img = model.config.image;
      if (img.kind !== "vit") {
        throw new Error(
          `strategy "flip" drops image patches, which needs a ViT image tower, but model "${model.config.name}" ` +
            `has a ${img.kind} tower; use a ViT preset (e.g. vit-ti/8, vit-s/8, vit-b/8) or another strategy (clip, clip-aug, slip, siglip, catlip)`,
        );
      }
    },
    loss(model, batch, ctx) {
      const tokens = requireTokens(batch, "flip");
      const drop = masked(ctx);
      const out = clipObjective(
        model,
        batch.images,
        tokens,
        ctx.training,
        drop ? { patchDropout: { keep, seed: ctx.seed } } : {},
      );
      out.metrics.mask_ratio = tf.scalar(drop ? ratio : 0);
      return out;
    },
    trainFlopsPerSample(config, run) {
      const m = maskedTrainFlops(config);
      if (!run?.samples || tuneSamples === 0) return m;
      const tail = Math.min(tuneSamples, run.samples);
      return ((run.samples - tail) * m + tail * clipTrainFlops(config)) / run.samples;
    },
    afterStep: clampLogitScale,
  };
}
