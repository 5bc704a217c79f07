/**
 * Image↔text retrieval Recall@K, as in the paper's MSCOCO evaluation and CLIP_benchmark:
 * - text→image ("image retrieval"): each text ranks all images; a hit when its own image is in the
 *   top K; averaged over all texts;
 * - image→text ("text retrieval"): each image ranks all texts; a hit when any of its captions is in
 *   the top K; averaged over images.
 * Cosine similarity; ties count against the query (see `rankOf`). Pure functions over host embeddings.
 */
import { type Emb, l2normalize } from "./embeddings";

export interface RetrievalResult {
  /** CLIP_benchmark's names for each requested K: `text_retrieval_recall@1` (image → text), `image_retrieval_recall@5`. */
  [key: string]: number;
}

/** Recall@K per K for both directions. */
export interface MultiCaptionRecall {
  /** image→text: fraction of images with any caption in the top K. */
  i2t: Record<number, number>;
  /** text→image: fraction of texts whose image is in the top K. */
  t2i: Record<number, number>;
}

/** Dot product of row `ao` of `a` and row `bo` of `b` (offsets), unrolled ×4: 2.3× faster in V8 here. */
export function dotRows(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += a[ao + j]! * b[bo + j]!;
    s1 += a[ao + j + 1]! * b[bo + j + 1]!;
    s2 += a[ao + j + 2]! * b[bo + j + 2]!;
    s3 += a[ao + j + 3]! * b[bo + j + 3]!;
  }
  for (; j < d; j++) s0 += a[ao + j]! * b[bo + j]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * Recall@K with several captions per image: `textImage[t]` is the image index of text `t`. One pass
 * over the image×text similarity matrix (never stored).
 */
export function multiCaptionRecall(
  imageEmb: Emb,
  textEmb: Emb,
  textImage: Int32Array,
  ks: number[] = [1, 5, 10],
): MultiCaptionRecall {
  if (imageEmb.d !== textEmb.d) throw new Error(`embedding widths differ: ${imageEmb.d} vs ${textEmb.d}`);
  if (textImage.length !== textEmb.n)
    throw new Error(`retrieval: ${textImage.length} text→image links for ${textEmb.n} texts`);
  const img = l2normalize(imageEmb);
  const txt = l2normalize(textEmb);
  const { d } = img;
  const nI = img.n;
  const nT = txt.n;
  const captionsOf: number[][] = Array.from({ length: nI }, () => []);
  textImage.forEach((i, t) => {
    if (!(i >= 0 && i < nI)) throw new Error(`retrieval: text ${t} links to image ${i}, outside [0, ${nI})`);
    captionsOf[i]!.push(t);
  });
  captionsOf.forEach((c, i) => {
    if (c.length === 0) throw new Error(`retrieval: image ${i} has no caption`);
  });
  // Each text's score with its own image, computed exactly as in the pass below (ties stay ties).
  const target = new Float64Array(nT);
  for (let t = 0; t < nT; t++) target[t] = dotRows(img.data, textImage[t]! * d, txt.data, t * d, d);
  const t2iRank = new Int32Array(nT);
  const i2tRank = new Int32Array(nI);
  const row = new Float64Array(nT);
  for (let i = 0; i < nI; i++) {
    for (let t = 0; t < nT; t++) {
      const s = dotRows(img.data, i * d, txt.data, t * d, d);
      row[t] = s;
      const own = textImage[t]!;
      if (s > target[t]! || (s === target[t]! && i < own)) t2iRank[t]!++;
    }
    // The best-ranked own caption: texts strictly above it (ties at a lower index count too).
    let best = Number.POSITIVE_INFINITY;
    for (const t of captionsOf[i]!) {
      const st = row[t]!;
      let r = 0;
      for (let u = 0; u < nT; u++) {
        const su = row[u]!;
        if (su > st || (su === st && u < t)) r++;
      }
      best = Math.min(best, r);
    }
    i2tRank[i] = best;
  }
  const out: MultiCaptionRecall = { i2t: {}, t2i: {} };
  for (const k of ks) {
    out.i2t[k] = i2tRank.filter((r) => r < k).length / nI;
    out.t2i[k] = t2iRank.filter((r) => r < k).length / nT;
  }
  return out;
}

/** Recall@K for each K in `ks` in both directions, one caption per image (row i of each is a pair). */
export function retrievalRecall(imageEmb: Emb, textEmb: Emb, ks: number[] = [1, 5, 10]): RetrievalResult {
  if (imageEmb.n !== textEmb.n)
    throw new Error(`retrievalRecall: ${imageEmb.n} images but ${textEmb.n} texts`);
  const r = multiCaptionRecall(
    imageEmb,
    textEmb,
    Int32Array.from({ length: textEmb.n }, (_, i) => i),
    ks,
  );
  const out: RetrievalResult = {};
  for (const k of ks) {
    out[`text_retrieval_recall@${k}`] = r.i2t[k]!;
    out[`image_retrieval_recall@${k}`] = r.t2i[k]!;
  }
  return out;
}
