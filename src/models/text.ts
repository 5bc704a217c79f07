/**
 * Text tower (CLIP's text transformer, fixed across experiments as in the paper): token embedding,
 * learned positions, causal pre-LN blocks, final LayerNorm, pooling at the end-of-text token and
 * a projection. Embedding and pooling avoid gather (its gradient is missing on wasm):
 * the lookup is a one-hot matmul, and the eot pooling multiplies by a one-hot mask of
 * `ids == max(ids)` (the eot id is the largest id, so this is CLIP's argmax) and sums.
 */
import { tf } from "../tf";
import type { TextConfig } from "./config";
import { block, causalMask, initBlock, layerNorm, type ParamInit, type Params } from "./layers";

export function initText(init: ParamInit, cfg: TextConfig, embedDim: number): void {
  const w = cfg.width;
  if (w % cfg.heads !== 0) throw new Error(`text width ${w} is not divisible by heads ${cfg.heads}`);
  init.normal("text.token", [cfg.vocabSize, w], 0.02, false);
  init.normal("text.pos", [cfg.contextLength, w], 0.01, false);
  for (let i = 0; i < cfg.depth; i++) initBlock(init, `text.blocks.${i}`, w, cfg.mlpRatio);
  init.layerNorm("text.ln_final", w);
  init.normal("text.proj", [w, embedDim], w ** -0.5);
}

/**
 * One-hot [B, T] mask of the first position holding the row's largest id (argmax semantics
 * without gather: cumsum keeps only the first of equal maxima).
 */
export function eotMask(tokens: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const isMax = tf.cast(tf.equal(tokens, tf.max(tokens, 1, true)), "float32");
    return tf.mul(isMax, tf.cast(tf.equal(tf.cumsum(isMax, 1), 1), "float32")) as tf.Tensor2D;
  });
}

/**
 * Token-embedding lookup [B*T, W]. Uses gather when the backend can differentiate it
 * (UnsortedSegmentSum registered), else a one-hot matmul (same values, ~V/W× more FLOPs);
 * `mode` forces one path (tests compare them).
 */
export function embedTokens(
  table: tf.Tensor2D,
  tokens: tf.Tensor2D,
  mode?: "gather" | "onehot",
): tf.Tensor2D {
  const ids = tf.reshape(tf.cast(tokens, "int32"), [-1]) as tf.Tensor1D;
  const useGather = mode ? mode === "gather" : !!tf.getKernel("UnsortedSegmentSum", tf.getBackend());
  if (useGather) return tf.gather(table, ids);
  // oneHot gives int32; cast explicitly (an implicit cast inside matMul needs the chained-op API).
  return tf.matMul(tf.cast(tf.oneHot(ids, table.shape[0]), "float32"), table);
}

/** Per-position hidden states after ln_final, [B, T, W] (exposed for the causal-mask test). */
export function textTokens(p: Params, cfg: TextConfig, tokens: tf.Tensor2D): tf.Tensor3D {
  const [b, t] = tokens.shape;
  if (t !== cfg.contextLength) {
    throw new Error(`text tokens have length ${t} but the model's context length is ${cfg.contextLength}`);
  }
  const w = cfg.width;
  let x: tf.Tensor = tf.reshape(embedTokens(p["text.token"] as tf.Variable<tf.Rank.R2>, tokens), [b, t, w]);
  x = tf.add(x, p["text.pos"]!);
  const mask = causalMask(t);
  for (let i = 0; i < cfg.depth; i++) x = block(x, p, `text.blocks.${i}`, cfg.heads, mask);
  return layerNorm(x, p, "text.ln_final") as tf.Tensor3D;
}

/** Pooled features at the eot token, [B, W] (pre-projection). */
export function textFeatures(p: Params, cfg: TextConfig, tokens: tf.Tensor2D): tf.Tensor2D {
  const x = textTokens(p, cfg, tokens);
  return tf.sum(tf.mul(x, tf.expandDims(eotMask(tokens), 2)), 1) as tf.Tensor2D;
}
