/**
 * ViT image tower (CLIP's VisionTransformer): patch embedding by reshape+matmul (no bias, as
 * CLIP's conv1), class token, learned positions, ln_pre, pre-LN blocks, ln_post, class-token or
 * average pooling. Optional per-sample patch dropout (FLIP) selects kept tokens with a one-hot
 * [B, K, N] matmul instead of a gather (gather's gradient is missing on wasm).
 */

import { tf } from "../tf";
import { mulberry32 } from "../util/rng";
import type { VitConfig } from "./config";
import { block, initBlock, layerNorm, type ParamInit, type Params, patchify } from "./layers";

/** Patch dropout request: keep a `keep` fraction of patches per sample, chosen from `seed`. */
export interface PatchDropout {
  keep: number;
  seed: number;
}

export function vitPatches(cfg: VitConfig): number {
  return (cfg.imageSize / cfg.patchSize) ** 2;
}

/** Number of patches kept out of n for a keep fraction (at least 1). */
export function keptCount(n: number, keep: number): number {
  if (!(keep > 0 && keep <= 1)) throw new Error(`patchDropout.keep must be in (0, 1], got ${keep}`);
  return Math.max(1, Math.round(n * keep));
}

/**
 * Kept patch indices per sample, [B*K] row-major, each row sorted ascending; a seeded partial
 * Fisher–Yates shuffle so every sample keeps a different random subset.
 */
export function keptPatchIndices(batch: number, n: number, k: number, seed: number): Int32Array {
  const rng = mulberry32(seed);
  const out = new Int32Array(batch * k);
  const perm = new Int32Array(n);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rng() * (n - i));
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    const row = Array.from(perm.subarray(0, k)).sort((x, y) => x - y);
    out.set(row, b * k);
  }
  return out;
}

export function initVit(init: ParamInit, cfg: VitConfig, embedDim: number): void {
  const { width: w, patchSize: p } = cfg;
  if (w % cfg.heads !== 0) throw new Error(`ViT width ${w} is not divisible by heads ${cfg.heads}`);
  const scale = w ** -0.5;
  init.xavier("visual.patch.w", p * p * 3, w);
  init.normal("visual.cls", [w], scale, false);
  init.normal("visual.pos", [vitPatches(cfg) + 1, w], scale, false);
  init.layerNorm("visual.ln_pre", w);
  for (let i = 0; i < cfg.depth; i++) initBlock(init, `visual.blocks.${i}`, w, cfg.mlpRatio);
  init.layerNorm("visual.ln_post", w);
  init.normal("visual.proj", [w, embedDim], scale);
}

/** Pooled features [B, width] (pre-projection). */
export function vitFeatures(
  p: Params,
  cfg: VitConfig,
  images: tf.Tensor4D,
  dropout?: PatchDropout,
): tf.Tensor2D {
  const b = images.shape[0];
  const n = vitPatches(cfg);
  const w = cfg.width;
  const pos = p["visual.pos"]!;
  let x: tf.Tensor = tf.matMul(
    tf.reshape(patchify(images, cfg.patchSize), [-1, cfg.patchSize ** 2 * 3]),
    p["visual.patch.w"]!,
  );
  x = tf.add(tf.reshape(x, [b, n, w]), tf.slice(pos, [1, 0], [n, w])); // [B, N, W]
  if (dropout) {
    // FLIP drops patches after adding positions; select kept tokens by a one-hot matmul.
    const k = keptCount(n, dropout.keep);
    const idx = keptPatchIndices(b, n, k, dropout.seed);
    const sel = new Float32Array(b * k * n);
    for (let r = 0; r < b * k; r++) sel[r * n + idx[r]!] = 1;
    x = tf.matMul(tf.tensor3d(sel, [b, k, n]), x as tf.Tensor3D); // [B, K, W]
  }
  const cls = tf.tile(tf.reshape(tf.add(p["visual.cls"]!, tf.slice(pos, [0, 0], [1, w])), [1, 1, w]), [
    b,
    1,
    1,
  ]);
  x = layerNorm(tf.concat([cls, x], 1), p, "visual.ln_pre"); // [B, 1+N', W]
  for (let i = 0; i < cfg.depth; i++) x = block(x, p, `visual.blocks.${i}`, cfg.heads);
  const tokens = x.shape[1]!;
  const pooled =
    cfg.pool === "cls"
      ? tf.reshape(tf.slice(x, [0, 0, 0], [b, 1, w]), [b, w])
      : tf.mean(tf.slice(x, [0, 1, 0], [b, tokens - 1, w]), 1);
  return layerNorm(pooled, p, "visual.ln_post") as tf.Tensor2D;
}
