/**
 * The two-tower CLIP model: an image tower chosen by `config.image.kind`, the fixed text tower,
 * linear projections to the joint space and the learnable temperature `logit_scale`
 * (initialised to ln(1/0.07); strategies clamp it). Parameters are plain named variables in one
 * flat record, so checkpoints, optimisers and weight decay work on names.
 */
import { tf } from "../tf";
import type { ClipConfig } from "./config";
import { imageFlops, textFlops } from "./flops";
import { ParamInit } from "./layers";
import { initMixer, mixerFeatures } from "./mixer";
import { initResnet, resnetFeatures } from "./resnet";
import { initText, textFeatures } from "./text";
import { initVit, type PatchDropout, vitFeatures } from "./vit";

export interface ImageOpts {
  training: boolean;
  /** ViT only: keep a random subset of patches per sample (FLIP). */
  patchDropout?: PatchDropout;
}

export interface ClipModel {
  config: ClipConfig;
  /** Trainable variables, including "logit_scale". */
  params: Record<string, tf.Variable>;
  /** Non-trainable state (BatchNorm running statistics). */
  buffers: Record<string, tf.Variable>;
  /** Projected image embeddings [B, E] (not normalised). */
  encodeImage(images: tf.Tensor4D, opts: ImageOpts): tf.Tensor2D;
  /** Pooled image features [B, width] before the projection (linear probes use these). */
  imageFeatures(images: tf.Tensor4D, opts: ImageOpts): tf.Tensor2D;
  /** Projected text embeddings [B, E] from int32 tokens [B, T]. */
  encodeText(tokens: tf.Tensor2D, opts: { training: boolean }): tf.Tensor2D;
  /** Whether AdamW applies weight decay to this parameter. */
  decay(name: string): boolean;
  /** Forward FLOPs per sample (see flops.ts for the convention). */
  flops(): { image: number; text: number };
  dispose(): void;
}

export const LOGIT_SCALE_INIT = Math.log(1 / 0.07);

/** Builds a model with weights drawn deterministically from `seed`. */
export function buildClipModel(cfg: ClipConfig, seed: number): ClipModel {
  const init = new ParamInit(seed);
  const img = cfg.image;
  switch (img.kind) {
    case "vit":
      initVit(init, img, cfg.embedDim);
      break;
    case "resnet":
      initResnet(init, img, cfg.embedDim);
      break;
    case "mixer":
      initMixer(init, img, cfg.embedDim);
      break;
  }
  initText(init, cfg.text, cfg.embedDim);
  init.constant("logit_scale", cfg.logitScaleInit ? Math.log(cfg.logitScaleInit) : LOGIT_SCALE_INIT);
  const { params, buffers, decayed } = init;

  const imageFeatures = (images: tf.Tensor4D, opts: ImageOpts): tf.Tensor2D => {
    const [, h, w, c] = images.shape;
    if (h !== img.imageSize || w !== img.imageSize || c !== 3) {
      throw new Error(
        `images have shape [B,${h},${w},${c}] but the model expects [B,${img.imageSize},${img.imageSize},3]`,
      );
    }
    if (opts.patchDropout && img.kind !== "vit") {
      throw new Error(`patchDropout needs a ViT image tower, this model's is "${img.kind}"`);
    }
    return tf.tidy(() => {
      switch (img.kind) {
        case "vit":
          return vitFeatures(params, img, images, opts.patchDropout);
        case "resnet":
          return resnetFeatures(params, buffers, img, images, opts.training);
        case "mixer":
          return mixerFeatures(params, img, images);
      }
    });
  };

  return {
    config: cfg,
    params,
    buffers,
    imageFeatures,
    encodeImage: (images, opts) =>
      tf.tidy(() => tf.matMul(imageFeatures(images, opts), params["visual.proj"]!) as tf.Tensor2D),
    encodeText: (tokens) =>
      tf.tidy(() => tf.matMul(textFeatures(params, cfg.text, tokens), params["text.proj"]!) as tf.Tensor2D),
    decay: (name) => decayed.has(name),
    flops: () => ({ image: imageFlops(img, cfg.embedDim), text: textFlops(cfg.text, cfg.embedDim) }),
    dispose: () => {
      for (const v of [...Object.values(params), ...Object.values(buffers)]) v.dispose();
    },
  };
}
