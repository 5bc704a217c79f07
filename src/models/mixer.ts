/**
 * MLP-Mixer image tower (Tolstikhin et al. 2021): patch embedding (with bias, as the paper's conv
 * stem), per block a token-mixing MLP across patches and a channel-mixing MLP across features,
 * each pre-LN with a residual, then a final LayerNorm and global average pooling.
 */
import { tf } from "../tf";
import type { MixerConfig } from "./config";
import { dense, gelu, layerNorm, type ParamInit, type Params, patchify } from "./layers";

export function mixerPatches(cfg: MixerConfig): number {
  return (cfg.imageSize / cfg.patchSize) ** 2;
}

export function initMixer(init: ParamInit, cfg: MixerConfig, embedDim: number): void {
  const { width: w } = cfg;
  const n = mixerPatches(cfg);
  init.dense("visual.patch", cfg.patchSize ** 2 * 3, w);
  for (let i = 0; i < cfg.depth; i++) {
    const name = `visual.blocks.${i}`;
    init.layerNorm(`${name}.ln1`, w);
    init.dense(`${name}.token.fc1`, n, cfg.tokenMlp);
    init.dense(`${name}.token.fc2`, cfg.tokenMlp, n);
    init.layerNorm(`${name}.ln2`, w);
    init.dense(`${name}.channel.fc1`, w, cfg.channelMlp);
    init.dense(`${name}.channel.fc2`, cfg.channelMlp, w);
  }
  init.layerNorm("visual.ln_post", w);
  init.normal("visual.proj", [w, embedDim], w ** -0.5);
}

/** Pooled features [B, width] (pre-projection). */
export function mixerFeatures(p: Params, cfg: MixerConfig, images: tf.Tensor4D): tf.Tensor2D {
  let x: tf.Tensor = dense(patchify(images, cfg.patchSize), p, "visual.patch"); // [B, N, W]
  for (let i = 0; i < cfg.depth; i++) {
    const name = `visual.blocks.${i}`;
    // Token mixing acts along patches: transpose to [B, W, N], MLP over N, transpose back.
    const t = tf.transpose(layerNorm(x, p, `${name}.ln1`), [0, 2, 1]);
    const tm = dense(gelu(dense(t, p, `${name}.token.fc1`)), p, `${name}.token.fc2`);
    x = tf.add(x, tf.transpose(tm, [0, 2, 1]));
    const cm = dense(
      gelu(dense(layerNorm(x, p, `${name}.ln2`), p, `${name}.channel.fc1`)),
      p,
      `${name}.channel.fc2`,
    );
    x = tf.add(x, cm);
  }
  return tf.mean(layerNorm(x, p, "visual.ln_post"), 1) as tf.Tensor2D;
}
