/**
 * The trainer's view of a CLIP-style model + strategy: host pair batches (uint8 images + captions)
 * become tensors inside the gradient tape, the strategy turns them into the batch its loss needs
 * (augmented views, multi-hot targets) and its loss is the objective. The trainer never learns
 * which strategy runs; everything strategy-specific goes through the `Strategy` interface here.
 */
import type { ClipModel } from "../models/clip-model";
import { imagesToTensor } from "../models/input";
import type { StepContext, Strategy } from "../strategies";
import type { BpeTokenizer } from "../text/bpe";
import { tf } from "../tf";
import type { TrainConfig } from "./config";
import type { DataSource, TrainTask } from "./trainer";

/** What the task needs from a batch (B's `PairBatch` has these fields). */
export interface PairBatchLike {
  images: Uint8Array;
  captions: string[];
  size: number;
  epoch: number;
}

export interface RunHandles {
  model: ClipModel;
  strategy: Strategy;
  extra: Record<string, tf.Variable>;
  tokenizer: BpeTokenizer;
  /** Training pairs available (for epoch arithmetic). */
  cache: { n: number };
}

export interface ClipTaskOptions extends Pick<TrainConfig, "contextLength" | "seed"> {
  /** Optimiser steps in the run (strategies with phases, e.g. FLIP's unmasked tuning, need it). */
  totalSteps?: number;
  /** Samples per optimiser step. */
  samplesPerStep?: number;
}

/**
 * The trainable variables of a run: model params and strategy extras, restricted to those the
 * strategy's loss reaches (CatLIP never touches the text tower, and AdamW must not expect a gradient
 * for it).
 */
export function trainableParams(
  h: Pick<RunHandles, "model" | "strategy" | "extra">,
): Record<string, tf.Variable> {
  const all = { ...h.model.params, ...h.extra };
  const uses = h.strategy.usesParam;
  if (!uses) return all;
  const kept = Object.fromEntries(Object.entries(all).filter(([n]) => uses(n)));
  if (!Object.keys(kept).length)
    throw new Error(`strategy "${h.strategy.name}" uses none of the model's parameters`);
  return kept;
}

/** The trainer's view of a CLIP-style model + strategy over a pair loader. */
export function clipTask(
  h: RunHandles,
  loader: DataSource<PairBatchLike>,
  cfg: ClipTaskOptions,
): TrainTask<PairBatchLike> {
  const { model, strategy, extra, tokenizer } = h;
  const usesText = strategy.usesText !== false;
  return {
    params: trainableParams(h),
    buffers: model.buffers,
    // Strategy extras (temperature, bias) are decayed only where the strategy says so (its linear heads).
    decay: (n) => (n in extra ? (strategy.decayExtra?.(n) ?? false) : model.decay(n)),
    data: loader,
    epochOf: (b) => b.epoch,
    loss(b, step) {
      const n = b.captions.length;
      // Per-step seed: deterministic, different every step (patch dropout, view sampling).
      const seed = (cfg.seed * 1000003 + step) >>> 0;
      const ctx: StepContext = {
        training: true,
        step,
        seed,
        extra,
        ...(cfg.totalSteps !== undefined ? { totalSteps: cfg.totalSteps } : {}),
        ...(cfg.samplesPerStep !== undefined ? { samplesPerStep: cfg.samplesPerStep } : {}),
      };
      const images = imagesToTensor(b.images, n, b.size);
      const tokens = usesText
        ? tf.tensor2d(tokenizer.encodeBatch(b.captions, cfg.contextLength), [n, cfg.contextLength], "int32")
        : undefined;
      const input = { images, captions: b.captions, ...(tokens ? { tokens } : {}) };
      const batch = strategy.prepareBatch ? strategy.prepareBatch(input, ctx) : input;
      return strategy.loss(model, batch, ctx);
    },
    afterStep: () => strategy.afterStep?.(model, extra),
  };
}
