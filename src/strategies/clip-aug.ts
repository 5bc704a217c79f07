/**
 * CLIP + data augmentation (Scaling (Down) CLIP, Sec. 7; papers.md C.4): the CLIP loss on an
 * augmented image view. Three policies as in the paper: crop & flip, RandAugment, and the SupCon
 * "stacked RandAugment" (see augment/policies.ts for their parameters). The augmentation runs on the
 * backend before the image tower, so it adds no model FLOPs.
 */
import { augmentModelInput, getPolicy } from "../augment";
import { clampLogitScale, clipObjective, clipTrainFlops } from "./clip";
import { requireTokens, type Strategy, type StrategyOptions } from "./strategy";

/** The policies Scaling (Down) CLIP compares; any named policy is accepted. */
export const CLIP_AUG_DEFAULT_POLICY = "crop-flip";

export function createClipAug(opts: StrategyOptions = {}): Strategy {
  const policy = getPolicy(opts.augment ?? CLIP_AUG_DEFAULT_POLICY);
  return {
    name: "clip-aug",
    description: `CLIP on an augmented image view (${policy.name}: ${policy.description})`,
    prepareBatch(input, ctx) {
      // Evaluation batches (training: false) are never augmented.
      const images = ctx.training ? augmentModelInput(policy, input.images, ctx.seed) : input.images;
      return { images, ...(input.tokens ? { tokens: input.tokens } : {}) };
    },
    loss: (model, batch, ctx) =>
      clipObjective(model, batch.images, requireTokens(batch, "clip-aug"), ctx.training),
    trainFlopsPerSample: clipTrainFlops,
    afterStep: clampLogitScale,
  };
}
