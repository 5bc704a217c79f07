/**
 * Using a trained model from code: `loadClip(run)` gives image and text embeddings, zero-shot
 * classification and image–text similarity, with the preprocessing (src/data/image.ts) and the
 * tokenizer that training and `clipdown eval` use, so its numbers are evaluation's numbers.
 */
import type { Emb } from "../eval/embeddings";
import { loadRunForEval } from "../eval/load-run";
import { resolveTemplates } from "../eval/templates";
import { initBackend } from "../tf";
import type { TrainConfig } from "../train/config";
import {
  type ClassifyOptions,
  classifyPixels,
  cosineMatrix,
  encodePixels,
  encodeTextList,
  type LabelScore,
  type PixelClip,
} from "./core";
import { type ImageInput, preprocessImages } from "./images";

export type { ClassifyOptions, LabelScore } from "./core";
export type { ImageInput, RawImage } from "./images";

export interface LoadClipOptions {
  /** Where the run's tokenizer.json is (default: the run config's `data`, as training read it). */
  dataDir?: string;
}

/** Options of {@link Clip.classify}: `templates` may also name a set (`emoji`, `photo`, …) or a file. */
export interface ClipClassifyOptions extends Omit<ClassifyOptions, "templates"> {
  templates?: readonly string[] | string;
}

export interface Clip {
  /** The run's training config (model preset, image size, context length, data). */
  readonly config: TrainConfig;
  /** The checkpoint file the weights came from. */
  readonly checkpoint: string;
  /** Side of the square images the model takes (inputs are resized to it). */
  readonly imageSize: number;
  /** Raw (unnormalised) image embeddings, one row per input: `{ data, n, d }`, row-major. */
  encodeImages(images: readonly ImageInput[]): Promise<Emb>;
  /** The model's input bytes of each image: n × size × size × 3, HWC RGB (as the training cache holds them). */
  preprocess(images: readonly ImageInput[]): Promise<Uint8Array>;
  /** Raw image embeddings of `n` images already preprocessed (see {@link Clip.preprocess}). */
  encodePixels(pixels: Uint8Array, n: number): Promise<Emb>;
  /** Raw text embeddings, one row per text. */
  encodeTexts(texts: readonly string[]): Promise<Emb>;
  /** Per image, its labels ranked by probability (prompt-ensembled, as zero-shot evaluation). */
  classify(
    images: readonly ImageInput[],
    labels: readonly string[],
    opts?: ClipClassifyOptions,
  ): Promise<LabelScore[][]>;
  /** Cosine similarity of every image with every text: `[images.length][texts.length]`. */
  similarity(images: readonly ImageInput[], texts: readonly string[]): Promise<number[][]>;
  /** Frees the model's tensors; the object is unusable afterwards. */
  dispose(): void;
}

/**
 * Loads a trained run for inference: a run directory (its final, else last, checkpoint) or a
 * `.safetensors` checkpoint inside one. Initialises the tfjs backend if needed.
 *
 * Images may be file paths, encoded bytes, `sharp` pipelines or raw RGBA pixels
 * (`{ data, width, height }`); every call disposes the tensors it creates.
 *
 * @example
 * ```ts
 * import { loadClip } from "./src/infer"; // from the repository root
 * const clip = await loadClip("runs/quickstart-quick");
 * const [ranked] = await clip.classify(["cat.png"], ["cat", "dog", "car"]);
 * console.log(ranked[0]); // { label: "cat", prob: 0.71, cosine: 0.23 }
 * const sims = await clip.similarity(["cat.png", "car.png"], ["a red car"]); // [[0.05], [0.31]]
 * clip.dispose();
 * ```
 */
export async function loadClip(runDirOrCheckpoint: string, opts: LoadClipOptions = {}): Promise<Clip> {
  await initBackend();
  const run = loadRunForEval(runDirOrCheckpoint, opts.dataDir ? { dataDir: opts.dataDir } : {});
  if (!run.tokenizer || !run.hasTextTower) {
    run.dispose();
    throw new Error(
      `${run.checkpoint} has no text tower (strategy ${run.meta.strategy}); text embedding and zero-shot need one`,
    );
  }
  const c: PixelClip = {
    model: run.model,
    tokenizer: run.tokenizer,
    imageSize: run.config.imageSize,
    contextLength: run.config.contextLength,
  };
  let disposed = false;
  const live = () => {
    if (disposed) throw new Error("this Clip was disposed; call loadClip again");
  };
  const pixels = async (images: readonly ImageInput[]) => {
    live();
    if (images.length === 0) throw new Error("no images: give at least one");
    return preprocessImages(images, c.imageSize);
  };
  return {
    config: run.config,
    checkpoint: run.checkpoint,
    imageSize: c.imageSize,
    encodeImages: async (images) => encodePixels(c, await pixels(images), images.length),
    preprocess: pixels,
    encodePixels: async (px, n) => {
      live();
      return encodePixels(c, px, n);
    },
    encodeTexts: async (texts) => {
      live();
      return encodeTextList(c, texts);
    },
    classify: async (images, labels, o = {}) => {
      const templates = typeof o.templates === "string" ? resolveTemplates(o.templates) : o.templates;
      return classifyPixels(c, await pixels(images), images.length, labels, {
        ...(templates ? { templates } : {}),
        ...(o.topK !== undefined ? { topK: o.topK } : {}),
      });
    },
    similarity: async (images, texts) => {
      const img = await encodePixels(c, await pixels(images), images.length);
      return cosineMatrix(img, await encodeTextList(c, texts));
    },
    dispose: () => {
      if (!disposed) run.dispose();
      disposed = true;
    },
  };
}
