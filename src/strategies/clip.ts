/**
 * CLIP (Radford et al. 2021; papers.md C.1): L2-normalise both embeddings, logits = s·I·Tᵀ with
 * s = exp(t), loss = mean of the image→text and text→image cross-entropies with the diagonal as
 * labels. t starts at ln(1/0.07) and is clamped to [0, ln 100] after each step (open_clip, SLIP).
 */
import type { ClipModel, ImageOpts } from "../models/clip-model";
import type { ClipConfig, ImageConfig } from "../models/config";
import { towerFlops } from "../models/flops";
import { resnetPlan } from "../models/resnet";
import { fused, fusedEnabled, tf } from "../tf";
import {
  type LossOutput,
  requireTokens,
  type StepContext,
  type Strategy,
  type TensorBatch,
} from "./strategy";

export const MAX_LOGIT_SCALE = Math.log(100);

/** Rows scaled to unit L2 norm (eps guards zero rows). */
export function l2normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12))) as tf.Tensor2D);
}

/**
 * x − logsumexp(x) along the last axis. tf.logSoftmax inserts a Cast whose gradient calls the
 * chained `dy.clone()`, which fails when tfjs-core is loaded twice (ESM + CJS under tsx).
 */
export function logSoftmaxRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(x, tf.logSumExp(x, 1, true));
}

/** Symmetric cross-entropy of a square logits matrix whose diagonal holds the positives. */
export function clipLossFromLogits(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const n = logits.shape[0];
    if (logits.shape[1] !== n) throw new Error(`CLIP logits must be square, got [${logits.shape}]`);
    if (fusedEnabled()) return fused.clipLoss(logits); // one kernel each way instead of ~20
    const eye = tf.eye(n);
    const rowCe = tf.neg(tf.mean(tf.sum(tf.mul(eye, logSoftmaxRows(logits)), 1)));
    // Columns are the rows of the transpose.
    const colCe = tf.neg(tf.mean(tf.sum(tf.mul(eye, logSoftmaxRows(tf.transpose(logits))), 1)));
    return tf.div(tf.add(rowCe, colCe), 2) as tf.Scalar;
  });
}

/** Fraction of rows whose argmax is the diagonal (in-batch retrieval accuracy). */
export function diagonalAccuracy(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const hits = tf.equal(tf.argMax(logits, 1), tf.range(0, logits.shape[0], 1, "int32"));
    return tf.mean(tf.cast(hits, "float32")) as tf.Scalar;
  });
}

/**
 * CLIP's loss and metrics on one image view: logits = exp(t)·normalise(I)·normalise(T)ᵀ [B, B].
 * Shared by the strategies that keep the CLIP objective (CLIP+Aug, FLIP, SLIP).
 */
export function clipObjective(
  model: ClipModel,
  images: tf.Tensor4D,
  tokens: tf.Tensor2D,
  training: boolean,
  imageOpts: Omit<ImageOpts, "training"> = {},
): LossOutput {
  return tf.tidy(() => {
    const img = l2normalize(model.encodeImage(images, { training, ...imageOpts }));
    const txt = l2normalize(model.encodeText(tokens, { training }));
    const t = model.params.logit_scale!;
    const logits = tf.mul(tf.exp(t), tf.matMul(img, tf.transpose(txt))) as tf.Tensor2D; // [B, B]
    const loss = clipLossFromLogits(logits);
    return {
      loss,
      metrics: {
        clip_loss: tf.clone(loss),
        logit_scale: tf.clone(t) as tf.Scalar,
        i2t_acc: diagonalAccuracy(logits),
        t2i_acc: diagonalAccuracy(tf.transpose(logits)),
      },
    };
  });
}

/** Clamps the learned log-temperature to [0, ln 100] (open_clip, SLIP). */
export function clampLogitScale(model: ClipModel): void {
  const t = model.params.logit_scale!;
  t.assign(tf.tidy(() => tf.clipByValue(t, 0, MAX_LOGIT_SCALE)));
}

/**
 * Width of the image tower's pooled feature (the input of `visual.proj`, SLIP's head and CatLIP's
 * classifier), from the config alone so FLOPs can be computed on a shape-only model.
 */
export function imageFeatureWidth(img: ImageConfig): number {
  return img.kind === "resnet" ? resnetPlan(img).outChannels : img.width;
}

/** Forward FLOPs of the image tower up to its pooled feature (without the projection). */
export function imageFeatureFlops(config: ClipConfig): number {
  return towerFlops(config).image - 2 * imageFeatureWidth(config.image) * config.embedDim;
}

/** Forward + backward ≈ 3 × forward (backward costs two matmuls per forward matmul). */
export function clipTrainFlops(config: ClipConfig): number {
  const f = towerFlops(config);
  return 3 * (f.image + f.text);
}

export const clipStrategy: Strategy = {
  name: "clip",
  description: "CLIP symmetric InfoNCE over scaled cosine similarities",

  loss(model: ClipModel, batch: TensorBatch, ctx: StepContext): LossOutput {
    return clipObjective(model, batch.images, requireTokens(batch, "clip"), ctx.training);
  },

  trainFlopsPerSample: clipTrainFlops,

  afterStep: clampLogitScale,
};
