/**
 * The browser side of `clipdown export web`: builds the run's model from the exported weights and
 * classifies pixels with the same code as `clipdown classify` (src/infer/core.ts). It needs no DOM
 * and no Node: index.html decodes the image with a canvas and calls {@link createWebClip}; the
 * bundler (bundle.ts) swaps src/tf for the page's global `tf` (the tfjs bundles).
 */
import type { Emb } from "../../eval/embeddings";
import { buildClipModel } from "../../models/clip-model";
import { resolvePreset } from "../../models/presets";
import { BpeTokenizer } from "../../text/bpe";
import { tf } from "../../tf";
import {
  encodePixels,
  type LabelScore,
  labelEmbeddings,
  type PixelClip,
  parseLabels,
  rankLabels,
  temperatureOf,
} from "../core";
import { flattenOnWhite } from "../pixels";

/** `model.json`: what the exported weights are and how to rebuild the model around them. */
export interface WebManifest {
  format: "clipdown-web-v1";
  model: string;
  imageSize: number;
  contextLength: number;
  vocabSize: number;
  /** The checkpoint exported, and the labels and templates the page starts with. */
  checkpoint: string;
  labels: string[];
  templates: string[];
  /** Each tensor's place in weights.bin (4-byte elements, little-endian). */
  tensors: {
    group: "param" | "buffer";
    name: string;
    shape: number[];
    dtype: "float32" | "int32";
    offset: number;
  }[];
}

export interface WebClip {
  imageSize: number;
  /** Labels from comma-separated text (the page's input box), as `clipdown classify --labels` reads them. */
  parseLabels(text: string): string[];
  /** Ranks `labels` for one image of straight-alpha RGBA pixels at the model's size (flattened on white here). */
  classifyRgba(
    rgba: ArrayLike<number>,
    width: number,
    height: number,
    labels: string[],
  ): Promise<LabelScore[]>;
  dispose(): void;
}

export function createWebClip(m: WebManifest, weights: ArrayBuffer, tokenizerJson: unknown): WebClip {
  if (m.format !== "clipdown-web-v1")
    throw new Error(`model.json: format ${m.format} is not clipdown-web-v1; export it again`);
  const tokenizer = BpeTokenizer.fromJSON(tokenizerJson);
  const model = buildClipModel(
    resolvePreset(m.model, {
      imageSize: m.imageSize,
      vocabSize: m.vocabSize,
      contextLength: m.contextLength,
    }),
    0,
  );
  for (const t of m.tensors) {
    const v = (t.group === "param" ? model.params : model.buffers)[t.name];
    if (!v) throw new Error(`model.json names ${t.group} "${t.name}", which preset ${m.model} does not have`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data =
      t.dtype === "int32" ? new Int32Array(weights, t.offset, n) : new Float32Array(weights, t.offset, n);
    tf.tidy(() => v.assign(tf.tensor(data, t.shape, t.dtype)));
  }
  const c: PixelClip = { model, tokenizer, imageSize: m.imageSize, contextLength: m.contextLength };
  const classes = new Map<string, Emb>();
  return {
    imageSize: m.imageSize,
    parseLabels,
    async classifyRgba(rgba, width, height, labels) {
      if (width !== m.imageSize || height !== m.imageSize)
        throw new Error(`the image is ${width}×${height}; resize it to ${m.imageSize}×${m.imageSize} first`);
      const key = JSON.stringify(labels);
      let cls = classes.get(key);
      if (!cls) {
        cls = await labelEmbeddings(c, labels, m.templates);
        classes.set(key, cls);
      }
      const img = await encodePixels(c, flattenOnWhite(rgba, width * height), 1);
      return rankLabels(img, cls, labels, await temperatureOf(model))[0]!;
    },
    dispose: () => model.dispose(),
  };
}
