/**
 * Helpers for findings whose claim has several parts ("A beats B at small budgets AND B beats A at
 * large ones", on zero-shot AND on retrieval): each part is one `compareMeans` of the lead's rule,
 * and the claim is reproduced only when every part is, refuted when any part goes the other way.
 */
import type { ResultLine } from "../../sweep/results";
import { type Comparison, compareMeans, fmtEvidence, summarize } from "./stats";
import type { Evidence, FindingResult, Verdict } from "./types";

/** A derived metric: a function of a run's metrics (undefined where a metric is missing). */
export type MetricFn = (m: Record<string, number>) => number | undefined;

/** Mean image→text / text→image Recall@1 in % (the paper's retrieval axis, both directions). */
export const retrievalR1: MetricFn = (m) =>
  m["heldout-noto/text_retrieval_recall@1"] !== undefined &&
  m["heldout-noto/image_retrieval_recall@1"] !== undefined
    ? 50 * (m["heldout-noto/text_retrieval_recall@1"] + m["heldout-noto/image_retrieval_recall@1"])
    : undefined;

/** Chance zero-shot top-1 (`heldout-emoji-441/acc1`) in points: 1 of the 441 held-out emoji classes. */
export const ZS_CHANCE = 100 / 441;

/**
 * How far the runs' zero-shot is from chance, measured (not assumed): "zero-shot top-1 of these N
 * runs is at most X % (chance 0.23 %)", or "" when no run has the metric (by default Emoji-441
 * top-1; the re-planned sections pass noto-nouns recall and its chance).
 */
export function zeroShotLevel(
  runs: readonly ResultLine[],
  metric = "heldout-emoji-441/acc1",
  chance = ZS_CHANCE,
  what = "zero-shot top-1",
): string {
  const v = runs.flatMap((r) => (r.metrics[metric] === undefined ? [] : [100 * r.metrics[metric]]));
  if (!v.length) return "";
  return `${what} of these ${v.length} runs is at most ${Math.max(...v).toFixed(1)} % (chance ${chance.toFixed(2)} %)`;
}

/**
 * Which contrastive runs did not train: a final CLIP loss within 5 % of ln(batch), the loss of
 * uniform guessing over the batch. Says how many of the runs that is and the most steps one of them
 * took ("" when none), so a note can tell "no effect" from "nothing learned".
 */
export function untrainedRuns(runs: readonly ResultLine[]): string {
  const clip = runs.filter(
    (r) => r.spec.strategy === "clip" && typeof r.metrics.loss === "number" && Number(r.spec.batch) > 1,
  );
  const flat = clip.filter((r) => r.metrics.loss! > 0.95 * Math.log(Number(r.spec.batch)));
  if (!flat.length) return "";
  const steps = Math.max(...flat.map((r) => Math.floor(Number(r.spec.samples) / Number(r.spec.batch))));
  return `${flat.length} of these ${clip.length} runs ended with a loss within 5 % of ln(batch) (no better than guessing within the batch; each made at most ${steps} steps)`;
}

/** untrainedRuns of the runs at these sample budgets as a note's sentence (" N of these … steps)."), or "". */
export function untrainedAt(runs: readonly ResultLine[], budgets: readonly number[]): string {
  const t = untrainedRuns(runs.filter((r) => budgets.includes(r.spec.samples as number)));
  return t ? ` ${t[0]!.toUpperCase()}${t.slice(1)}.` : "";
}

/** A stored metric (a fraction) in %. */
export const percent =
  (name: string): MetricFn =>
  (m) =>
    m[name] === undefined ? undefined : 100 * m[name]!;

/** `summarize` of a derived metric: the runs get it as metric "value" (throws naming what is missing). */
export function summarizeFn(runs: readonly ResultLine[], fn: MetricFn, label: string): Evidence {
  const withValue = runs.map((r) => {
    const v = fn(r.metrics);
    if (v === undefined || !Number.isFinite(v))
      throw new Error(
        `run ${r.hash} lacks the metrics of "${label}" (has: ${Object.keys(r.metrics).join(", ")})`,
      );
    return { ...r, metrics: { value: v } };
  });
  return summarize(withValue, "value", label);
}

/** One part of a claim: "a > b". */
export interface Part {
  what: string;
  a: Evidence;
  b: Evidence;
  c: Comparison;
}

export function part(what: string, a: Evidence, b: Evidence, minPoints = 2): Part {
  return { what, a, b, c: compareMeans(a, b, { minPoints }) };
}

/** Every part "greater" → reproduced; any "less" → not reproduced; otherwise inconclusive. */
export function partsVerdict(parts: readonly Part[]): Verdict {
  if (parts.some((p) => p.c.outcome === "less")) return "not reproduced";
  return parts.every((p) => p.c.outcome === "greater") ? "reproduced" : "inconclusive";
}

const WORD = { greater: "holds", less: "reversed", unclear: "undecided" } as const;

/** "what: 3.1 (n=1) vs 1.2 (n=1), Δ +1.9 → undecided" for each part, joined by "; ". */
export function describeParts(parts: readonly Part[]): string {
  return parts
    .map(
      (p) =>
        `${p.what}: ${fmtEvidence(p.a)} vs ${fmtEvidence(p.b)}, Δ ${p.c.diff >= 0 ? "+" : ""}${p.c.diff.toFixed(1)} → ${WORD[p.c.outcome]}`,
    )
    .join("; ");
}

/** A result for claims the available runs cannot decide at all (e.g. a profile without the grid). */
export function notTestable(measured: string, rule: string): FindingResult {
  return { verdict: "not testable", measured, evidence: [], rule };
}
