/** How well a score ranks the positives: ROC AUC and the precision/recall of top-k % selections. */
import { NOISE_KINDS, selectionReport, topFractionIndices } from "../data/quality";

/** The top-k % levels a quality ranking is judged at. */
export const SELECTION_LEVELS = [10, 20, 30, 40, 50, 60, 70, 80, 90] as const;

/**
 * ROC AUC of `scores` ranking positives above negatives (Mann–Whitney U with average ranks for
 * ties): 1 = every positive above every negative, 0.5 = no better than chance. NaN without both.
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const avgRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let t = i; t <= j; t++) {
      if (positive[order[t]!]) {
        rankSumPos += avgRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (!nPos || !nNeg) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** How well a ranking finds the clean pairs: metrics (flat) and the per-level reports. */
export function rankingQuality(
  scores: ArrayLike<number>,
  labels: readonly string[],
): { metrics: Record<string, number>; levels: Record<string, ReturnType<typeof selectionReport>> } {
  const metrics: Record<string, number> = {};
  const levels: Record<string, ReturnType<typeof selectionReport>> = {};
  const noiseLabels = labels as Parameters<typeof selectionReport>[1];
  for (const pct of SELECTION_LEVELS) {
    const r = selectionReport(topFractionIndices(scores, pct), noiseLabels);
    levels[String(pct)] = r;
    metrics[`precision@${pct}`] = r.precision;
    metrics[`recall@${pct}`] = r.recall;
  }
  const clean = labels.map((l) => l === "none");
  metrics.clean_fraction = clean.filter(Boolean).length / Math.max(1, labels.length);
  metrics.auc = rocAuc(scores, clean);
  for (const kind of NOISE_KINDS) {
    const idx = labels.flatMap((l, i) => (l === "none" || l === kind ? [i] : []));
    if (!idx.some((i) => labels[i] === kind)) continue;
    metrics[`auc_${kind}`] = rocAuc(
      idx.map((i) => scores[i]!),
      idx.map((i) => labels[i] === "none"),
    );
  }
  return { metrics, levels };
}
