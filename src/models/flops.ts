/**
 * Forward FLOPs per sample, computed from shapes alone.
 *
 * Convention: a multiply-add counts as 2 FLOPs. Counted: every matmul (dense layers, patch
 * embedding, projections to the joint space), every convolution (2·k²·Cin·Cout per output pixel),
 * attention scores q·kᵀ (2·N²·W per layer) and the attention-weighted sum of values (2·N²·W).
 * Not counted: biases, norms, activations, softmax, residual adds, pooling, the token-embedding
 * lookup (a lookup, although implemented as a one-hot matmul for wasm) and the loss.
 * Training FLOPs are taken as 3× forward (backward ≈ 2× forward), see strategies/clip.ts.
 */
import type { ClipConfig, ImageConfig, MixerConfig, ResnetConfig, TextConfig, VitConfig } from "./config";
import { resnetPlan } from "./resnet";

/** FLOPs of `depth` transformer blocks over `t` tokens of width `w` (MLP ratio r). */
export function transformerFlops(t: number, w: number, depth: number, mlpRatio: number): number {
  const perToken = 2 * w * 3 * w + 2 * w * w + 2 * 2 * w * mlpRatio * w; // qkv + proj + mlp
  const attn = 2 * 2 * t * t * w; // scores + weighted sum
  return depth * (t * perToken + attn);
}

/** ViT forward FLOPs; `keptPatches` < N when patch dropout is applied (FLIP). */
export function vitFlops(cfg: VitConfig, embedDim: number, keptPatches?: number): number {
  const n = (cfg.imageSize / cfg.patchSize) ** 2;
  const k = keptPatches ?? n;
  const embed = 2 * n * cfg.patchSize ** 2 * 3 * cfg.width;
  return embed + transformerFlops(k + 1, cfg.width, cfg.depth, cfg.mlpRatio) + 2 * cfg.width * embedDim;
}

export function mixerFlops(cfg: MixerConfig, embedDim: number): number {
  const n = (cfg.imageSize / cfg.patchSize) ** 2;
  const w = cfg.width;
  const embed = 2 * n * cfg.patchSize ** 2 * 3 * w;
  const perBlock = 2 * 2 * w * n * cfg.tokenMlp + 2 * 2 * n * w * cfg.channelMlp;
  return embed + cfg.depth * perBlock + 2 * w * embedDim;
}

export function resnetFlops(cfg: ResnetConfig, embedDim: number): number {
  const plan = resnetPlan(cfg);
  const convs = [plan.stem, ...plan.blocks.flatMap((b) => (b.shortcut ? [...b.convs, b.shortcut] : b.convs))];
  let total = 0;
  for (const c of convs) total += 2 * c.k * c.k * c.cin * c.cout * c.outSize * c.outSize;
  return total + 2 * plan.outChannels * embedDim;
}

export function imageFlops(cfg: ImageConfig, embedDim: number): number {
  switch (cfg.kind) {
    case "vit":
      return vitFlops(cfg, embedDim);
    case "resnet":
      return resnetFlops(cfg, embedDim);
    case "mixer":
      return mixerFlops(cfg, embedDim);
  }
}

/** Forward FLOPs per sample of a model's two towers (its image tower at the configured size). */
export function towerFlops(cfg: ClipConfig): { image: number; text: number } {
  return { image: imageFlops(cfg.image, cfg.embedDim), text: textFlops(cfg.text, cfg.embedDim) };
}

/** Text forward FLOPs: the blocks over the full context plus the projection of the pooled token. */
export function textFlops(cfg: TextConfig, embedDim: number): number {
  return transformerFlops(cfg.contextLength, cfg.width, cfg.depth, cfg.mlpRatio) + 2 * cfg.width * embedDim;
}

/** Number of scalars in a set of variables whose names start with `prefix`. */
export function countParams(params: Record<string, { size: number }>, prefix = ""): number {
  let n = 0;
  for (const [name, v] of Object.entries(params)) if (name.startsWith(prefix)) n += v.size;
  return n;
}
