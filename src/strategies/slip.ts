/**
 * SLIP (Mu et al. 2022; papers.md C.2, facebookresearch/SLIP `losses.py`, `models.py`): the CLIP
 * loss on one view plus ssl_scale × SimCLR's NT-Xent on two more views of each image.
 *
 * - Views: the CLIP view is a random resized crop (scale 0.5–1, policy `slip-clip`); the two SSL views
 *   use SimCLR's augmentation (policy `simclr`). Three image-tower passes per step.
 * - SimCLR head on the image tower's pooled feature: Linear → BN → ReLU → Linear → BN → ReLU → Linear.
 *   SLIP uses widths 4096 → 4096 → 256 for ViT-B; here 1024 → 1024 → 64, divided by 4 as the model
 *   presets divide the towers' widths. BN uses the batch's statistics (the head is training-only,
 *   so no running statistics are kept); each view is normalised on its own, as SLIP calls the head
 *   once per view.
 * - NT-Xent, τ = 0.1, on L2-normalised head outputs a, b: for view a the logits are
 *   [a·bᵀ, a·aᵀ − 1e9·I] / τ with the positive at a_i·b_i, cross-entropy per row; view b the same
 *   way; the two losses are averaged.
 */

import { augmentModelInput, deriveSeed } from "../augment";
import type { ClipModel } from "../models/clip-model";
import { towerFlops } from "../models/flops";
import { ParamInit } from "../models/layers";
import { tf } from "../tf";
import {
  clampLogitScale,
  clipObjective,
  imageFeatureFlops,
  imageFeatureWidth,
  l2normalize,
  logSoftmaxRows,
} from "./clip";
import { requireTokens, type Strategy, type StrategyOptions } from "./strategy";

export const SLIP_TEMPERATURE = 0.1;
/** Default SimCLR head widths: SLIP's 4096 / 256 divided by 4, like the presets' tower widths. */
export const SLIP_HEAD_HIDDEN = 1024;
export const SLIP_HEAD_OUT = 64;
const LARGE_NUM = 1e9;

/** Image-feature width of a model (the SimCLR head's input). */
function featureWidth(model: Pick<ClipModel, "config">): number {
  return imageFeatureWidth(model.config.image);
}

/**
 * SLIP's SIMCLRLoss: returns the loss and the in-batch accuracy of view a (argmax of
 * [a·bᵀ, a·aᵀ] hitting the positive), as SLIP logs it.
 */
export function ntXentLoss(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  tau = SLIP_TEMPERATURE,
): { loss: tf.Scalar; acc: tf.Scalar } {
  return tf.tidy(() => {
    const n = a.shape[0];
    const qa = l2normalize(a);
    const qb = l2normalize(b);
    const eye = tf.eye(n);
    const self = tf.mul(eye, LARGE_NUM);
    const aa = tf.sub(tf.div(tf.matMul(qa, tf.transpose(qa)), tau), self);
    const bb = tf.sub(tf.div(tf.matMul(qb, tf.transpose(qb)), tau), self);
    const ab = tf.div(tf.matMul(qa, tf.transpose(qb)), tau);
    const ba = tf.div(tf.matMul(qb, tf.transpose(qa)), tau);
    // Positive of row i is column i of the first block.
    const target = tf.concat([eye, tf.zerosLike(eye)], 1);
    const ce = (logits: tf.Tensor2D) => tf.neg(tf.mean(tf.sum(tf.mul(target, logSoftmaxRows(logits)), 1)));
    const la = tf.concat([ab, aa], 1) as tf.Tensor2D;
    const lb = tf.concat([ba, bb], 1) as tf.Tensor2D;
    const loss = tf.div(tf.add(ce(la), ce(lb)), 2) as tf.Scalar;
    const acc = tf.mean(
      tf.cast(tf.equal(tf.argMax(la, 1), tf.range(0, n, 1, "int32")), "float32"),
    ) as tf.Scalar;
    return { loss, acc };
  });
}

/** Training-mode batch norm over axis 0 (biased variance, eps 1e-5, as PyTorch). */
function batchNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 0, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b) as tf.Tensor2D;
}

/** The SimCLR head: [B, width] → [B, out]. */
export function slipHead(x: tf.Tensor2D, p: Record<string, tf.Variable>): tf.Tensor2D {
  return tf.tidy(() => {
    const lin = (h: tf.Tensor2D, n: string) =>
      tf.add(tf.matMul(h, p[`${n}.w`]!), p[`${n}.b`]!) as tf.Tensor2D;
    let h = tf.relu(
      batchNorm(lin(x, "slip.head.fc1"), p["slip.head.bn1.g"]!, p["slip.head.bn1.b"]!),
    ) as tf.Tensor2D;
    h = tf.relu(
      batchNorm(lin(h, "slip.head.fc2"), p["slip.head.bn2.g"]!, p["slip.head.bn2.b"]!),
    ) as tf.Tensor2D;
    return lin(h, "slip.head.fc3");
  });
}

/** Forward FLOPs of the head per sample (matmuls only, as flops.ts counts). */
export function slipHeadFlops(width: number, hidden = SLIP_HEAD_HIDDEN, out = SLIP_HEAD_OUT): number {
  return 2 * (width * hidden + hidden * hidden + hidden * out);
}

export interface SlipOptions extends StrategyOptions {
  headHidden?: number;
  headOut?: number;
}

export function createSlip(opts: SlipOptions = {}): Strategy {
  const sslScale = opts.sslScale ?? 1;
  if (!(sslScale >= 0)) throw new Error(`ssl-scale must be >= 0, got ${sslScale}`);
  const hidden = opts.headHidden ?? SLIP_HEAD_HIDDEN;
  const out = opts.headOut ?? SLIP_HEAD_OUT;
  return {
    name: "slip",
    description: `SLIP: CLIP + ${sslScale} × SimCLR (τ ${SLIP_TEMPERATURE}, head ${hidden}-${hidden}-${out}), 3 image views`,
    initParams(model, ctx) {
      const init = new ParamInit(ctx?.seed ?? 0);
      init.dense("slip.head.fc1", featureWidth(model), hidden);
      init.layerNorm("slip.head.bn1", hidden); // γ = 1, β = 0, as BN starts
      init.dense("slip.head.fc2", hidden, hidden);
      init.layerNorm("slip.head.bn2", hidden);
      init.dense("slip.head.fc3", hidden, out);
      return init.params;
    },
    decayExtra: (name) => name.endsWith(".w"),
    prepareBatch(input, ctx) {
      if (!ctx.training) return { images: input.images, ...(input.tokens ? { tokens: input.tokens } : {}) };
      return {
        images: augmentModelInput("slip-clip", input.images, deriveSeed(ctx.seed, 0)),
        ...(input.tokens ? { tokens: input.tokens } : {}),
        views: [1, 2].map((v) => augmentModelInput("simclr", input.images, deriveSeed(ctx.seed, v))),
      };
    },
    loss(model, batch, ctx) {
      return tf.tidy(() => {
        const clip = clipObjective(model, batch.images, requireTokens(batch, "slip"), ctx.training);
        const [v1, v2] = batch.views ?? [];
        if (!v1 || !v2) throw new Error('strategy "slip" needs two SSL views (prepareBatch makes them)');
        const h1 = slipHead(model.imageFeatures(v1, { training: ctx.training }), ctx.extra);
        const h2 = slipHead(model.imageFeatures(v2, { training: ctx.training }), ctx.extra);
        const ssl = ntXentLoss(h1, h2);
        return {
          loss: tf.add(clip.loss, tf.mul(ssl.loss, sslScale)) as tf.Scalar,
          metrics: { ...clip.metrics, ssl_loss: ssl.loss, ssl_acc: ssl.acc },
        };
      });
    },
    /**
     * Three image passes (the CLIP view through the projection, two SSL views up to the pooled
     * feature), the text tower and the head on two views; × 3 for forward + backward.
     */
    trainFlopsPerSample(config) {
      const f = towerFlops(config);
      const w = imageFeatureWidth(config.image);
      return 3 * (f.image + 2 * imageFeatureFlops(config) + f.text + 2 * slipHeadFlops(w, hidden, out));
    },
    afterStep: clampLogitScale,
  };
}
