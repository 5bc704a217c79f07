/**
 * The training-objective seam: trainer and evaluators import only this interface, and each
 * objective (CLIP, CLIP+Aug, SigLIP, SLIP, FLIP, CatLIP) is one file exporting a factory that builds
 * a `Strategy` from `StrategyOptions`, registered in `index.ts`.
 *
 * Life cycle, driven by `train/run.ts` and `train/clip-task.ts` without knowing which strategy runs:
 *   create(options) → check(model) → initParams(model, ctx) [extra variables, per-run state such as
 *   CatLIP's vocabulary] → per step: prepareBatch(input, ctx) [views, targets] → loss(model, batch,
 *   ctx) inside the gradient tape → afterStep(model, extra).
 */
import type { ClipModel } from "../models/clip-model";
import type { ClipConfig } from "../models/config";
import type { tf } from "../tf";
import type { StrategyOptionValues } from "./options";

/** The part of a model `Strategy.check` looks at. */
export interface ModelShape {
  config: { name: string; image: { kind: string } };
}

/** What the task hands a strategy each step: the decoded batch as tensors, and the raw captions. */
export interface BatchInput {
  /** Model input [B, S, S, 3] in [−1, 1]. */
  images: tf.Tensor4D;
  /** int32 [B, T] token ids (absent when the strategy does not use text). */
  tokens?: tf.Tensor2D;
  captions: string[];
}

/** One batch as the strategy's loss sees it. */
export interface TensorBatch {
  /** The image view the contrastive / classification loss uses, [B, S, S, 3] in [−1, 1]. */
  images: tf.Tensor4D;
  /** int32 [B, T] token ids. */
  tokens?: tf.Tensor2D;
  /** Extra augmented views of the same images (SLIP's two SSL views). */
  views?: tf.Tensor4D[];
  /** Multi-hot {0, 1} targets [B, V] (CatLIP). */
  targets?: tf.Tensor2D;
}

export interface StepContext {
  training: boolean;
  step: number;
  /** Optimiser steps in the whole run, when known (FLIP's unmasked tuning phase needs it). */
  totalSteps?: number;
  /** Samples per optimiser step (the global batch), when known. */
  samplesPerStep?: number;
  /** Seed for any randomness (patch dropout, views), varied per step by the task. */
  seed: number;
  /** The strategy's own extra variables from `initParams` (e.g. SigLIP's logit bias). */
  extra: Record<string, tf.Variable>;
}

/** What a strategy may need to set itself up for one run. */
export interface InitContext {
  /** Captions of the pairs this run trains on (CatLIP builds its vocabulary from them). */
  trainCaptions?: () => string[];
  /** Run directory; strategies save their own artefacts here (CatLIP's vocab.json). */
  outDir?: string;
  /** Seed for the strategy's own parameter initialisation (the run's seed). */
  seed?: number;
  /** Progress notes for the user. */
  log?: (s: string) => void;
}

export interface LossOutput {
  loss: tf.Scalar;
  /** Named scalars the trainer logs generically (e.g. clip_loss, logit_scale, i2t_acc). */
  metrics: Record<string, tf.Scalar>;
}

/** A held-out labelled image set (as `src/data/heldout.ts` loads it). */
export interface LabelledImages {
  n: number;
  size: number;
  /** n HWC uint8 RGB images of side `size`. */
  images: Uint8Array;
  labels: Int32Array;
  classNames: string[];
}

export interface Strategy {
  name: string;
  /** One line for help texts and reports. */
  description: string;
  /** False when the loss never touches the text tower (CatLIP): no tokens, no text evaluation. Default true. */
  usesText?: boolean;
  /** Multiplier on the configured batch size (FLIP's batch scaling); default 1. */
  batchScale?: number;
  /**
   * Throws a user-facing error when the model cannot run this strategy (FLIP on a ResNet). Needs
   * only the model's config, so it also runs on a preset before any weights exist.
   */
  check?(model: ModelShape): void;
  /** Creates extra trainable variables (beyond the model's) and any per-run state. */
  initParams?(model: ClipModel, ctx?: InitContext): Record<string, tf.Variable>;
  /** Whether AdamW decays one of this strategy's extra variables (default: none are decayed). */
  decayExtra?(name: string): boolean;
  /**
   * Names of the trainable variables (model params and extras) this strategy's loss reaches; the
   * optimiser sees only these. Default: all of them.
   */
  usesParam?(name: string): boolean;
  /** Builds the loss's batch (augmented views, targets) from the decoded input; default: as is. */
  prepareBatch?(input: BatchInput, ctx: StepContext): TensorBatch;
  /** Loss and metrics for one batch; called inside the trainer's gradient tape. */
  loss(model: ClipModel, batch: TensorBatch, ctx: StepContext): LossOutput;
  /**
   * Training FLOPs per sample (forward + backward ≈ 3 × forward), for the compute axis, from the
   * model's configuration alone (no weights needed). `run` gives the budget when FLOPs vary over
   * the run (FLIP's unmasked tuning) and CatLIP's vocabulary size before its vocabulary exists.
   */
  trainFlopsPerSample(config: ClipConfig, run?: FlopsRun): number;
  /** Called after each optimiser step (clamps, EMA updates). */
  afterStep?(model: ClipModel, extra: Record<string, tf.Variable>): void;
  /**
   * Held-out classification through the strategy's own head, for strategies without a text tower
   * (CatLIP scores class names through its synset classifier). Keys are logged as metrics.
   */
  evaluateClassification?(
    model: ClipModel,
    extra: Record<string, tf.Variable>,
    set: LabelledImages,
    opts: { maxImages?: number },
  ): Promise<Record<string, number>>;
}

/** Options a strategy factory reads (the `TrainConfig` fields of the same names). */
/** What a FLOPs count may need to know about the run. */
export interface FlopsRun {
  /** Samples of the budget (FLIP's unmasked tail is a share of it). */
  samples?: number;
  /** CatLIP: the synset vocabulary's size (the head is feature width × V). */
  vocabSize?: number;
}

/** Options a strategy reads (declared once in options.ts; a strategy ignores the others). */
export type StrategyOptions = Partial<StrategyOptionValues>;

/** Tokens of a batch, or an error naming the strategy that needed them. */
export function requireTokens(batch: TensorBatch, strategy: string): tf.Tensor2D {
  if (!batch.tokens) throw new Error(`strategy "${strategy}" needs text tokens but the batch has none`);
  return batch.tokens;
}
