/**
 * Inference over decoded pixels: the part of `loadClip` that needs no file system, so the same code
 * runs in Node (src/infer/index.ts decodes images with sharp first) and in the browser demo
 * (src/infer/web/app.ts decodes with a canvas). Embedding goes through eval's `embedImages` /
 * `embedTexts` and classification through eval's prompt ensemble, so a label's score here is the
 * number zero-shot evaluation computes for it.
 */
import { embedImages, embedTexts } from "../eval/embed";
import type { Emb } from "../eval/embeddings";
import { TEMPLATE_SETS } from "../eval/templates";
import { buildPrompts, ensembleClassEmbeddings, zeroShotScores } from "../eval/zeroshot";
import type { ClipModel } from "../models/clip-model";
import type { BpeTokenizer } from "../text/bpe";

/** One label of one image, ranked by probability. */
export interface LabelScore {
  label: string;
  /** Softmax over the labels of (temperature × cosine similarity). */
  prob: number;
  /** Cosine similarity of the image with the label's prompt-ensemble embedding. */
  cosine: number;
}

export interface ClassifyOptions {
  /** Prompt templates with `{}` for the label (default: the `emoji` set that evaluation uses). */
  templates?: readonly string[];
  /** Keep the k most probable labels per image (default: all). */
  topK?: number;
}

/** The model-side handles inference needs; `loadClip` and the web demo both build one. */
export interface PixelClip {
  model: ClipModel;
  tokenizer: BpeTokenizer;
  imageSize: number;
  contextLength: number;
}

/** CLIP's softmax temperature: exp(logit_scale), the learned value (clamped to ≤ 100 in training). */
export async function temperatureOf(model: ClipModel): Promise<number> {
  const t = model.params.logit_scale;
  if (!t) throw new Error('model has no "logit_scale" parameter');
  return Math.exp(((await t.data()) as Float32Array)[0]!);
}

/** Image embeddings [n, E] of n HWC RGB uint8 images at the model's size. */
export function encodePixels(c: PixelClip, pixels: Uint8Array, n: number): Promise<Emb> {
  return embedImages(c.model, pixels, n, c.imageSize);
}

/** Text embeddings [n, E] with the run's tokenizer and context length (as evaluation encodes them). */
export function encodeTextList(c: PixelClip, texts: readonly string[]): Promise<Emb> {
  if (texts.length === 0) throw new Error("no texts to encode: give at least one");
  return embedTexts(c.model, c.tokenizer, [...texts], c.contextLength, 256);
}

/** Class embeddings [labels, E]: each label's prompts encoded, normalised, averaged (zero-shot eval). */
export async function labelEmbeddings(
  c: PixelClip,
  labels: readonly string[],
  templates: readonly string[] = TEMPLATE_SETS.emoji,
): Promise<Emb> {
  if (labels.length === 0) throw new Error("no labels to classify against: give at least one");
  if (templates.length === 0 || templates.some((t) => !t.includes("{}")))
    throw new Error('every template needs a {} where the label goes, e.g. "a photo of a {}."');
  const prompts = buildPrompts([...labels], templates);
  return ensembleClassEmbeddings(await encodeTextList(c, prompts), templates.length);
}

/**
 * Per image, the labels ranked by probability: softmax over labels of temperature × cosine, in
 * float64 from eval's cosine scores (so Node and the browser compute the same numbers from the same
 * embeddings). Ties keep label order.
 */
export function rankLabels(
  imageEmb: Emb,
  classEmb: Emb,
  labels: readonly string[],
  temperature: number,
  topK = labels.length,
): LabelScore[][] {
  const C = classEmb.n;
  if (labels.length !== C) throw new Error(`${labels.length} labels for ${C} class embeddings`);
  const cos = zeroShotScores(imageEmb, classEmb);
  const out: LabelScore[][] = [];
  for (let i = 0; i < imageEmb.n; i++) {
    const row = cos.subarray(i * C, (i + 1) * C);
    let max = Number.NEGATIVE_INFINITY;
    for (const s of row) max = Math.max(max, temperature * s);
    const e = Array.from(row, (s) => Math.exp(temperature * s - max));
    const z = e.reduce((a, b) => a + b, 0);
    const scored = labels.map((label, c) => ({ label, prob: e[c]! / z, cosine: row[c]! }));
    const order = scored.map((_, c) => c).sort((a, b) => scored[b]!.prob - scored[a]!.prob || a - b);
    out.push(order.slice(0, Math.max(1, Math.min(topK, C))).map((c) => scored[c]!));
  }
  return out;
}

/** Zero-shot classification of decoded pixels against `labels` (see {@link rankLabels}). */
export async function classifyPixels(
  c: PixelClip,
  pixels: Uint8Array,
  n: number,
  labels: readonly string[],
  opts: ClassifyOptions = {},
): Promise<LabelScore[][]> {
  const cls = await labelEmbeddings(c, labels, opts.templates);
  const img = await encodePixels(c, pixels, n);
  return rankLabels(img, cls, labels, await temperatureOf(c.model), opts.topK);
}

/** Cosine similarities [images][texts] of raw image and text embeddings. */
export function cosineMatrix(imageEmb: Emb, textEmb: Emb): number[][] {
  const s = zeroShotScores(imageEmb, textEmb);
  return Array.from({ length: imageEmb.n }, (_, i) =>
    Array.from(s.subarray(i * textEmb.n, (i + 1) * textEmb.n)),
  );
}

/** Splits labels given as "cat,dog, red car" (commas; blanks dropped; duplicates refused). */
export function parseLabels(text: string): string[] {
  const labels = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (labels.length === 0)
    throw new Error('no labels: give them comma-separated, e.g. --labels "cat,dog,car"');
  const seen = new Set<string>();
  for (const l of labels) {
    if (seen.has(l)) throw new Error(`label "${l}" is given twice; each label once`);
    seen.add(l);
  }
  return labels;
}
