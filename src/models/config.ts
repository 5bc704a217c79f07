/**
 * Model configuration types: a discriminated union on `kind` for the image tower (no shape tricks
 * like open_clip's list-vs-int `layers`), one text tower type, and the CLIP pair around them.
 */

/** Vision transformer (pre-LN, learned positions, class token), as in CLIP/ViT. */
export interface VitConfig {
  kind: "vit";
  imageSize: number;
  patchSize: number;
  width: number;
  depth: number;
  heads: number;
  /** Hidden width of the MLP = mlpRatio × width (4 in ViT). */
  mlpRatio: number;
  /** "cls" pools the class token (CLIP); "gap" averages patch tokens (FLIP). */
  pool: "cls" | "gap";
}

/** ResNet with BatchNorm; "basic" = ResNet-18/34 blocks, "bottleneck" = ResNet-50 blocks (×4 expansion). */
export interface ResnetConfig {
  kind: "resnet";
  imageSize: number;
  block: "basic" | "bottleneck";
  /** Channels of the 3×3 stem conv. */
  stemWidth: number;
  /** Stride of the stem conv (presets use 1: small images need the full-resolution first stage). */
  stemStride: number;
  /** Inner width of each stage (bottleneck outputs 4× this). */
  widths: number[];
  /** Number of blocks per stage; stage i>0 starts with stride 2. */
  layers: number[];
}

/** MLP-Mixer: patch embedding, token-mixing and channel-mixing MLPs, global average pool. */
export interface MixerConfig {
  kind: "mixer";
  imageSize: number;
  patchSize: number;
  width: number;
  depth: number;
  /** Hidden width of the token-mixing MLP (D_S in the paper). */
  tokenMlp: number;
  /** Hidden width of the channel-mixing MLP (D_C in the paper). */
  channelMlp: number;
}

export type ImageConfig = VitConfig | ResnetConfig | MixerConfig;

/** Causal text transformer pooled at the end-of-text token (fixed across experiments). */
export interface TextConfig {
  vocabSize: number;
  contextLength: number;
  width: number;
  depth: number;
  heads: number;
  mlpRatio: number;
}

export interface ClipConfig {
  /** Preset name it came from (informational). */
  name: string;
  /** Joint embedding width both towers project to. */
  embedDim: number;
  image: ImageConfig;
  text: TextConfig;
  /** Initial exp(logit_scale), CLIP's inverse temperature (absent: 1 / 0.07 ≈ 14.3, as CLIP). */
  logitScaleInit?: number;
}
