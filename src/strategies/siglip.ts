/**
 * SigLIP (Zhai et al. 2023; papers.md C.5, open_clip `SigLipLoss`): every image–text pair is an
 * independent binary classification. z_ij = s·x_i·y_j + b with L2-normalised x, y; label +1 on
 * the diagonal and −1 elsewhere; loss = −Σ_ij log σ(label_ij·z_ij) / N, summed over all N² pairs
 * and divided by the batch size. s = exp(t) with t initialised to ln 10 and b to −10, both
 * learned; t is clamped to [0, ln 100] after each step.
 */
import type { ClipModel } from "../models/clip-model";
import { tf } from "../tf";
import { clampLogitScale, clipTrainFlops, diagonalAccuracy, l2normalize } from "./clip";
import { requireTokens, type Strategy } from "./strategy";

export const SIGLIP_LOGIT_SCALE_INIT = Math.log(10);
export const SIGLIP_LOGIT_BIAS_INIT = -10;

/** −Σ log σ(label·z) / N over a square logits matrix; −log σ(u) = softplus(−u). */
export function siglipLossFromLogits(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const n = logits.shape[0];
    if (logits.shape[1] !== n) throw new Error(`SigLIP logits must be square, got [${logits.shape}]`);
    const labels = tf.sub(tf.mul(tf.eye(n), 2), 1); // +1 diagonal, −1 elsewhere
    return tf.div(tf.sum(tf.softplus(tf.neg(tf.mul(labels, logits)))), n) as tf.Scalar;
  });
}

/** z = exp(t)·x̂·ŷᵀ + b from raw embeddings. */
function siglipLogits(img: tf.Tensor2D, txt: tf.Tensor2D, t: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.tidy(
    () =>
      tf.add(
        tf.mul(tf.exp(t), tf.matMul(l2normalize(img), tf.transpose(l2normalize(txt)))),
        b,
      ) as tf.Tensor2D,
  );
}

export function createSiglip(): Strategy {
  return {
    name: "siglip",
    description: "SigLIP pairwise sigmoid loss (t₀ = ln 10, b₀ = −10)",
    initParams(model: ClipModel) {
      // SigLIP's own temperature init replaces CLIP's ln(1/0.07); a resumed run overwrites both.
      model.params.logit_scale!.assign(tf.scalar(SIGLIP_LOGIT_SCALE_INIT));
      return { logit_bias: tf.variable(tf.scalar(SIGLIP_LOGIT_BIAS_INIT), true) };
    },
    loss(model, batch, ctx) {
      return tf.tidy(() => {
        const bias = ctx.extra.logit_bias;
        if (!bias)
          throw new Error('strategy "siglip" needs its "logit_bias" variable (call initParams first)');
        const t = model.params.logit_scale!;
        const img = model.encodeImage(batch.images, { training: ctx.training });
        const txt = model.encodeText(requireTokens(batch, "siglip"), { training: ctx.training });
        const logits = siglipLogits(img, txt, t, bias); // [B, B]
        const loss = siglipLossFromLogits(logits);
        return {
          loss,
          metrics: {
            siglip_loss: tf.clone(loss),
            logit_scale: tf.clone(t) as tf.Scalar,
            logit_bias: tf.clone(bias) as tf.Scalar,
            i2t_acc: diagonalAccuracy(logits),
            t2i_acc: diagonalAccuracy(tf.transpose(logits)),
          },
        };
      });
    },
    trainFlopsPerSample: clipTrainFlops,
    afterStep: clampLogitScale,
  };
}
