/**
 * Evaluation during training on the held-out Noto sets: zero-shot top-1/top-5 on emoji-441 with
 * an ensemble of prompt templates, and image↔text Recall@1/5/10 on Noto captions.
 */
import type { ClipModel } from "../models/clip-model";
import type { BpeTokenizer } from "../text/bpe";
import { embedImages, embedTexts } from "./embed";
import { multiCaptionRecall } from "./retrieval";
import { buildPrompts, ensembleClassEmbeddings, PROMPT_TEMPLATES, zeroShotAccuracy } from "./zeroshot";

export interface ClassificationSet {
  n: number;
  size: number;
  images: Uint8Array;
  labels: Int32Array;
  classNames: string[];
  /**
   * Optional: each sample's split ("train" / "test") when the set defines one (Fashion-MNIST's
   * `split` in the sample json). Probes use it; without it they carve a seeded stratified split.
   */
  splits?: string[];
}

export interface RetrievalSet {
  n: number;
  size: number;
  images: Uint8Array;
  /** One caption per image (image i ↔ captions[i]), unless `captionImage` is given. */
  captions: string[];
  /**
   * Optional, for several captions per image: `captions[t]` describes image `captionImage[t]`
   * (then `captions.length` may exceed `n`).
   */
  captionImage?: Int32Array;
}

/** Evenly spaced subset of at most `max` items (deterministic, covers the whole set; 0 = all). */
export function spreadIndices(n: number, max: number): Int32Array {
  const k = max > 0 ? Math.min(n, max) : n;
  return Int32Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
}

export function pickImages(images: Uint8Array, size: number, idx: Int32Array): Uint8Array {
  const per = size * size * 3;
  const out = new Uint8Array(idx.length * per);
  idx.forEach((j, i) => {
    out.set(images.subarray(j * per, (j + 1) * per), i * per);
  });
  return out;
}

/** Zero-shot accuracy on a classification set (keys `zs_top1`, `zs_top5`). */
export async function evalZeroShot(
  model: ClipModel,
  tokenizer: BpeTokenizer,
  set: ClassificationSet,
  opts: { contextLength: number; maxImages?: number; prefix?: string },
): Promise<Record<string, number>> {
  const idx = spreadIndices(set.n, opts.maxImages ?? 0);
  const img = await embedImages(model, pickImages(set.images, set.size, idx), idx.length, set.size);
  const prompts = buildPrompts(set.classNames, PROMPT_TEMPLATES);
  const cls = ensembleClassEmbeddings(
    await embedTexts(model, tokenizer, prompts, opts.contextLength),
    PROMPT_TEMPLATES.length,
  );
  const labels = Int32Array.from(idx, (j) => set.labels[j]!);
  const acc = zeroShotAccuracy(img, cls, labels);
  const p = opts.prefix ?? "zs";
  return { [`${p}_top1`]: acc.top1, [`${p}_top5`]: acc.top5 };
}

/**
 * The texts of a retrieval set for the images `idx` (in that order): every caption of each chosen
 * image, and for each text the position of its image in `idx`.
 */
export function captionsFor(set: RetrievalSet, idx: Int32Array): { texts: string[]; textImage: Int32Array } {
  if (!set.captionImage) {
    return { texts: Array.from(idx, (j) => set.captions[j]!), textImage: Int32Array.from(idx, (_, i) => i) };
  }
  if (set.captionImage.length !== set.captions.length)
    throw new Error(
      `retrieval set: ${set.captions.length} captions but ${set.captionImage.length} caption→image links`,
    );
  const pos = new Map<number, number>();
  idx.forEach((j, i) => {
    pos.set(j, i);
  });
  const texts: string[] = [];
  const textImage: number[] = [];
  set.captionImage.forEach((img, t) => {
    const p = pos.get(img);
    if (p === undefined) return;
    texts.push(set.captions[t]!);
    textImage.push(p);
  });
  return { texts, textImage: Int32Array.from(textImage) };
}

/** Image↔text Recall@1/5/10 on a paired set (keys `i2t_r1`, `t2i_r10`, …). */
export async function evalRetrieval(
  model: ClipModel,
  tokenizer: BpeTokenizer,
  set: RetrievalSet,
  opts: { contextLength: number; maxImages?: number },
): Promise<Record<string, number>> {
  const idx = spreadIndices(set.n, opts.maxImages ?? 0);
  const img = await embedImages(model, pickImages(set.images, set.size, idx), idx.length, set.size);
  const { texts, textImage } = captionsFor(set, idx);
  const txt = await embedTexts(model, tokenizer, texts, opts.contextLength);
  const ks = [1, 5, 10];
  const r = multiCaptionRecall(img, txt, textImage, ks);
  const out: Record<string, number> = {};
  for (const k of ks) {
    out[`i2t_r${k}`] = r.i2t[k]!;
    out[`t2i_r${k}`] = r.t2i[k]!;
  }
  return out;
}
