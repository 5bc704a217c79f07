/**
 * Evaluation during training on the held-out Noto sets: zero-shot top-1/top-5 on emoji-441 with
 * an ensemble of prompt templates, and image↔text Recall@1/5/10 on Noto captions.
 */
import type { ClipModel } from "../models/clip-model";
import type { BpeTokenizer } from "../text/bpe";
import { HELDOUT_ZEROSHOT, heldoutImageRecall, heldoutTextRecall, RETRIEVAL_KS } from "../util/metric-names";
import { embedImages, embedTexts } from "./embed";
import type { Emb } from "./embeddings";
import { multiCaptionRecall } from "./retrieval";
import { buildPrompts, ensembleClassEmbeddings, PROMPT_TEMPLATES, zeroShotMetrics } from "./zeroshot";

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

/**
 * Zero-shot top-1 / top-5 on a classification set capped at `maxImages` (spread over the set), keyed
 * `<name>/acc1`, `<name>/acc5`; `name` defaults to the trainer's read-out, `heldout-emoji-441`.
 */
export async function evalZeroShot(
  model: ClipModel,
  tokenizer: BpeTokenizer,
  set: ClassificationSet,
  opts: { contextLength: number; maxImages?: number; name?: string },
): Promise<Record<string, number>> {
  const m = await evalZeroShotSet(model, tokenizer, set, "set", opts);
  const name = opts.name ?? HELDOUT_ZEROSHOT;
  return { [`${name}/acc1`]: m["set/acc1"]!, [`${name}/acc5`]: m["set/acc5"]! };
}

/**
 * Zero-shot metrics of a classification set under CLIP_benchmark's names, keyed `<name>/<metric>`:
 * `acc1`, `acc5`, `mean_per_class_recall`, and `class_text_cos`, the mean cosine between two different
 * classes' prompt embeddings: near 1 the text tower maps every class to one point (collapse), and
 * zero-shot cannot separate them whatever the image tower learned.
 */
export async function evalZeroShotSet(
  model: ClipModel,
  tokenizer: BpeTokenizer,
  set: ClassificationSet,
  name: string,
  opts: { contextLength: number; maxImages?: number; templates?: readonly string[] },
): Promise<Record<string, number>> {
  const templates = opts.templates ?? PROMPT_TEMPLATES;
  const idx = spreadIndices(set.n, opts.maxImages ?? 0);
  const img = await embedImages(model, pickImages(set.images, set.size, idx), idx.length, set.size);
  const cls = ensembleClassEmbeddings(
    await embedTexts(model, tokenizer, buildPrompts(set.classNames, templates), opts.contextLength),
    templates.length,
  );
  const labels = Int32Array.from(idx, (j) => set.labels[j]!);
  const m = zeroShotMetrics(img, cls, labels);
  return {
    [`${name}/acc1`]: m.acc1,
    [`${name}/acc5`]: m.acc5,
    [`${name}/mean_per_class_recall`]: m.meanPerClassRecall,
    [`${name}/class_text_cos`]: meanOffDiagonalCosine(cls),
  };
}

/** Mean cosine over pairs of distinct rows of L2-normalised embeddings (0 for fewer than 2 rows). */
export function meanOffDiagonalCosine(e: Emb): number {
  if (e.n < 2) return 0;
  // Σ_{i≠j} e_i·e_j = |Σ e_i|² − Σ |e_i|², with every |e_i| = 1.
  const sum = new Float64Array(e.d);
  let self = 0;
  for (let i = 0; i < e.n; i++) {
    for (let j = 0; j < e.d; j++) {
      const v = e.data[i * e.d + j]!;
      sum[j]! += v;
      self += v * v;
    }
  }
  let total = 0;
  for (let j = 0; j < e.d; j++) total += sum[j]! * sum[j]!;
  return (total - self) / (e.n * (e.n - 1));
}

/**
 * A classification set of `k` training images (evenly spread over the corpus) whose classes are their
 * own names: zero-shot on it measures what the model learned of the pairs it was trained on, against
 * the held-out sets' generalisation to an unseen style. Samples without a name are left out; names are
 * deduplicated, so two images named alike share a class.
 */
export function trainingImageSet(
  cache: { n: number; size: number; images: Uint8Array; meta: Record<string, unknown>[] },
  k: number,
): ClassificationSet {
  const idx = Array.from(spreadIndices(cache.n, k)).filter((i) => typeof cache.meta[i]?.name === "string");
  const classNames: string[] = [];
  const classOf = new Map<string, number>();
  const labels = new Int32Array(idx.length);
  idx.forEach((j, i) => {
    const name = String(cache.meta[j]!.name).trim();
    let c = classOf.get(name);
    if (c === undefined) {
      c = classNames.length;
      classOf.set(name, c);
      classNames.push(name);
    }
    labels[i] = c;
  });
  return {
    n: idx.length,
    size: cache.size,
    images: pickImages(cache.images, cache.size, Int32Array.from(idx)),
    labels,
    classNames,
  };
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

/**
 * Image↔text Recall@1/5/10 on a paired set capped at `maxImages`, keyed as the trainer's read-out:
 * `heldout-noto/text_retrieval_recall@k` (image → its captions), `heldout-noto/image_retrieval_recall@k`.
 */
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
  const r = multiCaptionRecall(img, txt, textImage, [...RETRIEVAL_KS]);
  const out: Record<string, number> = {};
  for (const k of RETRIEVAL_KS) {
    out[heldoutTextRecall(k)] = r.i2t[k]!;
    out[heldoutImageRecall(k)] = r.t2i[k]!;
  }
  return out;
}
