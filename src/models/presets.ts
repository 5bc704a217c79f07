/**
 * Named model presets: a scaled-down family for 32–64 px images that keeps the paper's ratios.
 *
 * Mapping from the 224 px originals (ViT paper Table 1 widths/depths/heads):
 *   width ÷ 4, depth ÷ 3, heads kept (so the head dim is 16 instead of 64):
 *   Ti 192/12/3 → 48/4/3, S 384/12/6 → 96/4/6, B 768/12/12 → 192/4/12, L 1024/24/16 → 256/8/16.
 *   Patch 4 and 8 at 32 px give 8×8 and 4×4 grids, the analogues of /16 (14×14) and /32 (7×7) at
 *   224 px; at 64 px the same patch sizes give 16×16 and 8×8 grids.
 * rn-s: ResNet-18 analogue (BasicBlock, [2,2,2,2] → [1,1,1,1], widths 64..512 ÷ 4).
 * rn-m: ResNet-50 analogue (Bottleneck, [3,4,6,3] → [1,1,2,1], widths ÷ 4): 65.0 MFLOPs vs vit-b/8 62.3 at 32 px.
 * mixer-b/8: Mixer-B (768 wide, 12 deep, D_S 384, D_C 3072) → 192/4/96/768.
 * Text tower (fixed, as in the paper): width 128, 4 layers, 4 heads, context 16.
 * The ResNet stem has stride 1 at every size, so ResNet and ViT FLOPs both scale with pixel count
 * (rn-m stays within ~5% of vit-b/8 at 32 and 64 px).
 */
import type { ClipConfig, ImageConfig, TextConfig } from "./config";

type ImagePreset =
  | { kind: "vit"; patchSize: number; width: number; depth: number; heads: number; pool?: "cls" | "gap" }
  | { kind: "resnet"; block: "basic" | "bottleneck"; stemWidth: number; widths: number[]; layers: number[] }
  | { kind: "mixer"; patchSize: number; width: number; depth: number; tokenMlp: number; channelMlp: number };

interface Preset {
  image: ImagePreset;
  text: Omit<TextConfig, "vocabSize" | "contextLength">;
  embedDim: number;
  description: string;
}

const TEXT = { width: 128, depth: 4, heads: 4, mlpRatio: 4 };
const EMBED = 128;

const vit = (
  patchSize: number,
  width: number,
  depth: number,
  heads: number,
  description: string,
): Preset => ({
  image: { kind: "vit", patchSize, width, depth, heads },
  text: TEXT,
  embedDim: EMBED,
  description,
});

export const PRESETS = {
  "vit-ti/4": vit(4, 48, 4, 3, "ViT-Ti/16 analogue"),
  "vit-ti/8": vit(8, 48, 4, 3, "ViT-Ti/32 analogue"),
  "vit-s/4": vit(4, 96, 4, 6, "ViT-S/16 analogue"),
  "vit-s/8": vit(8, 96, 4, 6, "ViT-S/32 analogue"),
  "vit-b/4": vit(4, 192, 4, 12, "ViT-B/16 analogue"),
  "vit-b/8": vit(8, 192, 4, 12, "ViT-B/32 analogue"),
  "vit-l/4": vit(4, 256, 8, 16, "ViT-L/16 analogue"),
  "vit-l/8": vit(8, 256, 8, 16, "ViT-L/32 analogue"),
  "rn-s": {
    image: { kind: "resnet", block: "basic", stemWidth: 16, widths: [16, 32, 64, 128], layers: [1, 1, 1, 1] },
    text: TEXT,
    embedDim: EMBED,
    description: "ResNet-18 analogue",
  },
  "rn-m": {
    image: {
      kind: "resnet",
      block: "bottleneck",
      stemWidth: 16,
      widths: [16, 32, 64, 128],
      layers: [1, 1, 2, 1],
    },
    text: TEXT,
    embedDim: EMBED,
    description: "ResNet-50 analogue",
  },
  "mixer-b/8": {
    image: { kind: "mixer", patchSize: 8, width: 192, depth: 4, tokenMlp: 96, channelMlp: 768 },
    text: TEXT,
    embedDim: EMBED,
    description: "Mixer-B/32 analogue",
  },
  nano: {
    image: { kind: "vit", patchSize: 8, width: 16, depth: 1, heads: 2 },
    text: { width: 16, depth: 1, heads: 2, mlpRatio: 4 },
    embedDim: 16,
    description: "tiny ViT for tests",
  },
  "nano-rn": {
    image: { kind: "resnet", block: "basic", stemWidth: 4, widths: [4, 8], layers: [1, 1] },
    text: { width: 16, depth: 1, heads: 2, mlpRatio: 4 },
    embedDim: 16,
    description: "tiny ResNet for tests",
  },
  "nano-mixer": {
    image: { kind: "mixer", patchSize: 8, width: 16, depth: 1, tokenMlp: 8, channelMlp: 32 },
    text: { width: 16, depth: 1, heads: 2, mlpRatio: 4 },
    embedDim: 16,
    description: "tiny MLP-Mixer for tests",
  },
} satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export interface PresetOpts {
  imageSize: number;
  vocabSize: number;
  contextLength?: number;
  /**
   * Text-tower shape overrides (0 or absent = the preset's). The papers only require that the text
   * tower is the same for every image tower of a comparison, so a run may shrink it to buy samples:
   * at 32 px the preset text tower costs ~6× vit-ti/8's image tower.
   */
  text?: { width?: number; depth?: number; heads?: number };
  /** Initial exp(logit_scale) (0 or absent: CLIP's 1 / 0.07). */
  logitScaleInit?: number;
}

function positiveInt(what: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${what} must be a positive integer, got ${v}`);
}

/** Turns a preset name into a full config for an image size and tokenizer; validates shapes. */
export function resolvePreset(name: string, opts: PresetOpts): ClipConfig {
  const preset = (PRESETS as Record<string, Preset>)[name];
  if (!preset) throw new Error(`unknown model preset "${name}"; valid presets: ${PRESET_NAMES.join(", ")}`);
  const { imageSize, vocabSize } = opts;
  const contextLength = opts.contextLength ?? 16;
  positiveInt("imageSize", imageSize);
  positiveInt("contextLength", contextLength);
  if (!Number.isInteger(vocabSize) || vocabSize < 2)
    throw new Error(`vocabSize must be an integer ≥ 2, got ${vocabSize}`);
  const p = preset.image;
  let image: ImageConfig;
  if (p.kind === "resnet") {
    image = {
      ...p,
      widths: [...p.widths],
      layers: [...p.layers],
      imageSize,
      stemStride: 1,
    };
  } else {
    if (imageSize % p.patchSize !== 0) {
      throw new Error(
        `image size ${imageSize} is not divisible by patch size ${p.patchSize} of preset "${name}"; use a multiple of ${p.patchSize}`,
      );
    }
    image = p.kind === "vit" ? { ...p, imageSize, mlpRatio: 4, pool: p.pool ?? "cls" } : { ...p, imageSize };
  }
  const text = { ...preset.text, vocabSize, contextLength };
  const o = opts.text ?? {};
  if (o.width) text.width = o.width;
  if (o.depth) text.depth = o.depth;
  if (o.heads) text.heads = o.heads;
  else if (o.width) text.heads = Math.max(1, Math.round(o.width / 32)); // head dim 32, as the preset's 128/4
  for (const [k, v] of Object.entries({ width: text.width, depth: text.depth, heads: text.heads }))
    positiveInt(`text ${k}`, v);
  if (text.width % text.heads !== 0)
    throw new Error(`text width ${text.width} is not divisible by its ${text.heads} heads; pick a multiple`);
  const scale = opts.logitScaleInit ?? 0;
  if (!(scale >= 0 && Number.isFinite(scale))) throw new Error(`logitScaleInit must be ≥ 0, got ${scale}`);
  return { name, embedDim: preset.embedDim, image, text, ...(scale > 0 ? { logitScaleInit: scale } : {}) };
}

/** One-line description of a preset (for `clipdown models`). */
export function presetDescription(name: PresetName): string {
  return PRESETS[name].description;
}
