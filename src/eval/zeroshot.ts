/**
 * Zero-shot classification (CLIP Sec. 3.1.4): each class is the mean of its L2-normalised prompt
 * embeddings ("an emoji of a {}.", …), renormalised; an image is assigned the class with the
 * highest cosine similarity. Pure functions over host embeddings.
 */
import { type ClassificationMetrics, classificationMetrics } from "./classify";
import { type Emb, l2normalize, rowScores } from "./embeddings";
import { TEMPLATE_SETS } from "./templates";

/** Default prompt templates (the `emoji` set); `{}` is replaced by the class name. */
export const PROMPT_TEMPLATES = TEMPLATE_SETS.emoji;

/** All prompts, class-major: prompts[c * T + t] = templates[t] filled with classNames[c]. */
export function buildPrompts(
  classNames: string[],
  templates: readonly string[] = PROMPT_TEMPLATES,
): string[] {
  return classNames.flatMap((c) => templates.map((t) => t.replace("{}", c)));
}

/**
 * Class embeddings from prompt embeddings laid out class-major ([C*T, d]): normalise each prompt,
 * average per class, renormalise.
 */
export function ensembleClassEmbeddings(promptEmb: Emb, numTemplates: number): Emb {
  if (promptEmb.n % numTemplates !== 0) {
    throw new Error(
      `ensemble: ${promptEmb.n} prompt embeddings is not a multiple of ${numTemplates} templates`,
    );
  }
  const p = l2normalize(promptEmb);
  const C = p.n / numTemplates;
  const out = new Float32Array(C * p.d);
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < numTemplates; t++) {
      const off = (c * numTemplates + t) * p.d;
      for (let j = 0; j < p.d; j++) out[c * p.d + j]! += p.data[off + j]! / numTemplates;
    }
  }
  return l2normalize({ data: out, n: C, d: p.d });
}

/** Cosine similarities [n, C] (row-major) of each image with each class embedding. */
export function zeroShotScores(imageEmb: Emb, classEmb: Emb): Float64Array {
  const img = l2normalize(imageEmb);
  const cls = l2normalize(classEmb);
  const out = new Float64Array(img.n * cls.n);
  for (let i = 0; i < img.n; i++) out.set(rowScores(img, i, cls), i * cls.n);
  return out;
}

/** Top-1, top-5 and mean per-class recall of cosine-similarity classification. */
export function zeroShotMetrics(imageEmb: Emb, classEmb: Emb, labels: Int32Array): ClassificationMetrics {
  if (labels.length !== imageEmb.n)
    throw new Error(`zeroShotAccuracy: ${labels.length} labels for ${imageEmb.n} images`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y < 0 || y >= classEmb.n)
      throw new Error(`zeroShotAccuracy: label ${y} of image ${i} outside [0, ${classEmb.n})`);
  }
  return classificationMetrics(zeroShotScores(imageEmb, classEmb), imageEmb.n, classEmb.n, labels);
}

/** Top-1 and top-5 accuracy of cosine-similarity classification (see {@link zeroShotMetrics}). */
export function zeroShotAccuracy(
  imageEmb: Emb,
  classEmb: Emb,
  labels: Int32Array,
): { top1: number; top5: number } {
  const m = zeroShotMetrics(imageEmb, classEmb, labels);
  return { top1: m.acc1, top5: m.acc5 };
}
