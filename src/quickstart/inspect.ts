/**
 * Looking inside a CLIP model for the quickstart report and notebook 00: the image–text cosine
 * matrix of a batch, zero-shot predictions with their probabilities, and caption retrieval. Host
 * arithmetic over the evaluators' embeddings, so the numbers match `clipdown eval`.
 */

import { embedImages, embedTexts } from "../eval/embed";
import { type Emb, l2normalize, rowScores } from "../eval/embeddings";
import type { ClassificationSet, RetrievalSet } from "../eval/heldout-eval";
import { buildPrompts, ensembleClassEmbeddings, PROMPT_TEMPLATES, zeroShotScores } from "../eval/zeroshot";
import { buildClipModel, type ClipModel } from "../models/clip-model";
import { resolvePreset } from "../models/presets";
import type { BpeTokenizer } from "../text/bpe";
import { presetOpts, type TrainConfig } from "../train/config";

/** The model a run starts from: same preset, size and seed as `trainRun` builds. */
export function initialModel(
  cfg: Pick<TrainConfig, "model" | "imageSize" | "contextLength" | "seed"> &
    Partial<Pick<TrainConfig, "textWidth" | "textDepth" | "textHeads" | "logitScaleInit">>,
  tokenizer: BpeTokenizer,
): ClipModel {
  return buildClipModel(resolvePreset(cfg.model, presetOpts(cfg, tokenizer.vocabSize)), cfg.seed);
}

/** exp(logit_scale): the learned inverse temperature that turns cosines into logits. */
export async function logitScale(model: ClipModel): Promise<number> {
  const v = model.params.logit_scale;
  if (!v) throw new Error("model has no logit_scale parameter");
  return Math.exp((await v.data())[0]!);
}

/** Dense [a.n][b.n] cosine matrix of two embedding sets. */
export function cosineMatrix(a: Emb, b: Emb): number[][] {
  const an = l2normalize(a);
  const bn = l2normalize(b);
  return Array.from({ length: an.n }, (_, i) => Array.from(rowScores(an, i, bn)));
}

/** Cosine similarity of each of `n` images (HWC uint8, side `size`) with each caption → [n][captions]. */
export async function similarityMatrix(
  model: ClipModel,
  tokenizer: BpeTokenizer,
  images: Uint8Array,
  size: number,
  captions: string[],
  contextLength: number,
): Promise<number[][]> {
  const img = await embedImages(model, images, captions.length, size);
  const txt = await embedTexts(model, tokenizer, captions, contextLength);
  return cosineMatrix(img, txt);
}

/** Indices of the k largest values, largest first (ties: lower index first). */
export function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[b]! - values[a]! || a - b)
    .slice(0, Math.max(0, k));
}

/** Softmax of `scale × x` (CLIP's probabilities over classes or captions). */
export function softmax(x: ArrayLike<number>, scale = 1): number[] {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) max = Math.max(max, scale * x[i]!);
  const e = Array.from({ length: x.length }, (_, i) => Math.exp(scale * x[i]! - max));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

export interface ZeroShotExample {
  /** Index of the image in its set. */
  index: number;
  label: string;
  top: Array<{ name: string; prob: number }>;
  correct: boolean;
}

/**
 * Zero-shot predictions for the images `indices` of a classification set: each class is the
 * ensemble of the evaluators' prompt templates, probabilities use the model's own temperature.
 */
export async function zeroShotExamples(
  model: ClipModel,
  tokenizer: BpeTokenizer,
  set: ClassificationSet,
  indices: number[],
  contextLength: number,
  k = 3,
): Promise<ZeroShotExample[]> {
  const per = set.size * set.size * 3;
  const images = new Uint8Array(indices.length * per);
  indices.forEach((j, i) => {
    images.set(set.images.subarray(j * per, (j + 1) * per), i * per);
  });
  const img = await embedImages(model, images, indices.length, set.size);
  const prompts = buildPrompts(set.classNames, PROMPT_TEMPLATES);
  const cls = ensembleClassEmbeddings(
    await embedTexts(model, tokenizer, prompts, contextLength),
    PROMPT_TEMPLATES.length,
  );
  const scores = zeroShotScores(img, cls); // [n, C]
  const scale = await logitScale(model);
  const C = cls.n;
  return indices.map((j, i) => {
    const row = scores.subarray(i * C, (i + 1) * C);
    const probs = softmax(row, scale);
    const top = topK(row, k).map((c) => ({ name: set.classNames[c]!, prob: probs[c]! }));
    const label = set.classNames[set.labels[j]!]!;
    return { index: j, label, top, correct: top[0]?.name === label };
  });
}

export interface RetrievalExample {
  index: number;
  caption: string;
  top: Array<{ caption: string; score: number; correct: boolean }>;
  /** 0-based rank of the true caption among the pool. */
  rank: number;
}

/**
 * Image → text retrieval for the query images `queries` among the captions of `pool` (which must
 * contain every query), as in the evaluators' Recall@K. Returns the top-k captions per query.
 */
export async function retrievalExamples(
  model: ClipModel,
  tokenizer: BpeTokenizer,
  set: RetrievalSet,
  queries: number[],
  pool: number[],
  contextLength: number,
  k = 3,
): Promise<RetrievalExample[]> {
  const poolPos = new Map(pool.map((j, i) => [j, i]));
  for (const q of queries)
    if (!poolPos.has(q)) throw new Error(`retrievalExamples: query ${q} is not in the pool`);
  const per = set.size * set.size * 3;
  const images = new Uint8Array(queries.length * per);
  queries.forEach((j, i) => {
    images.set(set.images.subarray(j * per, (j + 1) * per), i * per);
  });
  const img = await embedImages(model, images, queries.length, set.size);
  const captions = pool.map((j) => set.captions[j]!);
  const txt = await embedTexts(model, tokenizer, captions, contextLength);
  const sims = cosineMatrix(img, txt);
  return queries.map((j, i) => {
    const row = sims[i]!;
    const truth = poolPos.get(j)!;
    const rank = row.filter((s, t) => s > row[truth]! || (s === row[truth]! && t < truth)).length;
    const top = topK(row, k).map((t) => ({ caption: captions[t]!, score: row[t]!, correct: t === truth }));
    return { index: j, caption: set.captions[j]!, top, rank };
  });
}
