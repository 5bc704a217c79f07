/**
 * Classification metrics from a score matrix, the shared tail of zero-shot, linear-probe, few-shot
 * and transfer evaluation: top-1, top-5 and mean per-class recall (CLIP_benchmark's `acc1`, `acc5`,
 * `mean_per_class_recall`; the last is sklearn's balanced accuracy, averaged over the classes that
 * occur in the labels).
 */

export interface ClassificationMetrics {
  /** Fraction of rows whose label scores highest. */
  acc1: number;
  /** Fraction whose label is among the 5 highest (all rows when there are ≤ 5 classes). */
  acc5: number;
  /** Mean over the classes present in `labels` of (correct top-1 in that class / rows of that class). */
  meanPerClassRecall: number;
  /** Rows scored. */
  n: number;
}

/**
 * 0-based rank of class `y` in row `r` of a row-major [n, C] score matrix: the classes scoring
 * strictly higher, plus ties at a lower index, so a constant scorer never gets credit by accident.
 */
export function labelRank(scores: ArrayLike<number>, r: number, numClasses: number, y: number): number {
  const o = r * numClasses;
  const t = scores[o + y]!;
  let rank = 0;
  for (let c = 0; c < numClasses; c++) {
    const s = scores[o + c]!;
    if (s > t || (s === t && c < y)) rank++;
  }
  return rank;
}

/** Top-1, top-5 and mean per-class recall of a row-major [n, C] score matrix against `labels`. */
export function classificationMetrics(
  scores: ArrayLike<number>,
  n: number,
  numClasses: number,
  labels: Int32Array,
): ClassificationMetrics {
  if (scores.length !== n * numClasses)
    throw new Error(`scores: ${scores.length} values is not n*C = ${n}*${numClasses}`);
  if (labels.length !== n) throw new Error(`${labels.length} labels for ${n} scored rows`);
  if (n === 0) throw new Error("classificationMetrics: no rows to score");
  let top1 = 0;
  let top5 = 0;
  const perClass = new Int32Array(numClasses);
  const perClassHit = new Int32Array(numClasses);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!(y >= 0 && y < numClasses)) throw new Error(`label ${y} of row ${i} outside [0, ${numClasses})`);
    const r = labelRank(scores, i, numClasses, y);
    perClass[y]!++;
    if (r < 1) {
      top1++;
      perClassHit[y]!++;
    }
    if (r < 5) top5++;
  }
  let sum = 0;
  let present = 0;
  for (let c = 0; c < numClasses; c++) {
    if (perClass[c]! === 0) continue;
    present++;
    sum += perClassHit[c]! / perClass[c]!;
  }
  return { acc1: top1 / n, acc5: top5 / n, meanPerClassRecall: sum / present, n };
}
