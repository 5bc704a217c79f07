/**
 * Findings D 11–13 (Scaling (Down) CLIP Sec. 7, training strategies), decided on the results of the
 * `strategies` sweep (strategies.ts).
 *
 * Each finding is a conjunction of sub-claims ("SLIP best below 1B" and "SLIP worst at equal FLOPs"
 * and ...); every sub-claim is "a > b" decided by `compareMeans`/`verdictFor`, where "X is best"
 * compares X with the best other strategy and "X is worst" compares the worst other with X. The
 * finding is reproduced when every sub-claim is, not reproduced when any sub-claim goes the other
 * way, and inconclusive otherwise.
 *
 * Metrics (in points, ×100), those of the re-planned sweep (issue 17): zero-shot is the primary
 * benchmark's mean per-class recall (`noto-nouns/mean_per_class_recall`, 50 classes, chance 2 %);
 * "the variants" are its mean over the shift variants (`noto-nouns-shift-mean/…`); retrieval is
 * Noto caption retrieval R@10 over all 1,911 images in both directions (`noto/…_recall@10`); the
 * linear probe is `noto-subgroups/lp_acc1`. Results without them (the smoke profile evaluates only
 * `heldout`; the first pass's lines) fall back to Emoji-441 top-1 and held-out Noto R@1.
 *
 * The deciding points come from the seed rule (`seedRule` in findings/stats): each metric's
 * seed-to-seed spread measured on the judged results (full runs seeds 0–2), else the recipe's
 * measured spread of noto-nouns recall, borrowed for noto-nouns and its variants, and catlip's
 * first-pass probe spread for the linear probe (retrieval has none to borrow). A sub-claim where
 * no strategy reaches chance + 2 points is inconclusive whatever the gap: a gap between models
 * that do not transfer is noise.
 */
import type { ResultLine } from "../../sweep/results";
import { checkProfile } from "../../sweep/sweep";
import { PAPER_SAMPLES_PER_OURS } from "../corpus";
import { compareMeans, fmtEvidence, ruleText, seedRule, summarize, verdictFor } from "../findings/stats";
import type { Evidence, Finding, FindingResult, Verdict } from "../findings/types";
import {
  LP_METRIC,
  RECIPE_BORROWED_SPREADS,
  RETRIEVAL_METRICS,
  VARIANTS_METRIC,
  ZS_FALLBACK,
  ZS_METRIC,
} from "./recipe-metrics";
import {
  equalFlopsSamples,
  MAIN_VARIANTS,
  regimeOf,
  STRATEGIES_SETTINGS,
  strategyFlopsPerSample,
  variantOf,
} from "./strategies";

const PAPER = "Scaling (Down) CLIP" as const;

export { LP_METRIC, RETRIEVAL_METRICS, VARIANTS_METRIC, ZS_FALLBACK, ZS_METRIC };
export const RETRIEVAL_FALLBACK = [
  "heldout-noto/text_retrieval_recall@1",
  "heldout-noto/image_retrieval_recall@1",
] as const;

/** The spreads a one-seed profile borrows (recipe-metrics.ts). */
export const STRATEGIES_SPREADS = RECIPE_BORROWED_SPREADS;

/** CLIP+Aug's main curve (the paper does not say which policy drew it; crop & flip is fixed a priori). */
export const CLIP_AUG = "clip-aug:crop-flip";

/** Paper samples seen of our one-epoch budget `n` (3.4B ↔ one pass over the corpus). */
export const paperSamples = (n: number) => n * PAPER_SAMPLES_PER_OURS;

interface SubClaim {
  text: string;
  verdict: Verdict;
  diff: number;
  evidence: Evidence[];
  rule: string;
}

/** Runs of a strategy label in a regime, optionally at a given samples seen and subset. */
function runsOf(
  results: readonly ResultLine[],
  variant: string,
  regime: "one-epoch" | "multi-epoch",
  where: { samples?: number; subset?: number } = {},
): ResultLine[] {
  return results.filter(
    (r) =>
      variantOf(r) === variant &&
      regimeOf(r) === regime &&
      (where.samples === undefined || r.spec.samples === where.samples) &&
      (where.subset === undefined || r.spec.subset === where.subset),
  );
}

/** Whether every run carries the metric. */
function hasMetric(runs: readonly ResultLine[], metric: string): boolean {
  return runs.length > 0 && runs.every((r) => Number.isFinite(r.metrics[metric]));
}

/** The zero-shot metric every given run has (see the header), or undefined. */
export function zeroShotMetric(runs: readonly ResultLine[]): string | undefined {
  if (hasMetric(runs, ZS_METRIC)) return ZS_METRIC;
  if (hasMetric(runs, ZS_FALLBACK)) return ZS_FALLBACK;
  return undefined;
}

/** The retrieval metrics (both directions) every given run has, or undefined. */
export function retrievalMetrics(runs: readonly ResultLine[]): readonly string[] | undefined {
  const sets: ReadonlyArray<readonly string[]> = [RETRIEVAL_METRICS, RETRIEVAL_FALLBACK];
  return sets.find((ms) => ms.every((m) => hasMetric(runs, m)));
}

/** The largest value of a count metric (`noto-nouns/classes`, `noto/images`) over the runs, or `dflt`. */
function countOf(runs: readonly ResultLine[], metric: string, dflt: number): number {
  const vs = runs.map((r) => r.metrics[metric]).filter((v): v is number => Number.isFinite(v));
  return vs.length ? Math.max(...vs) : dflt;
}

/** Chance level of a metric in points (uniform guessing), given the runs that carry it. */
export function chanceLevel(metric: string, runs: readonly ResultLine[]): number {
  if (metric === ZS_METRIC || metric === VARIANTS_METRIC)
    return 100 / countOf(runs, "noto-nouns/classes", 50);
  if (metric === LP_METRIC) return 100 / 98; // noto-subgroups: 98 classes
  if (metric === ZS_FALLBACK) return 100 / 441;
  const k = Number(/recall@(\d+)$/.exec(metric)?.[1] ?? 1);
  if (metric.startsWith("noto/")) return (100 * k) / countOf(runs, "noto/images", 1911);
  // Held-out retrieval over min(evalSize, 1,911) Noto pairs.
  const size = Math.max(...runs.map((r) => Number(r.spec.evalSize) || 1911));
  return (100 * k) / Math.min(size, 1911);
}

/**
 * "X > every other" (best: X vs the best other) or "every other > X" (worst: the worst other vs X),
 * decided with the seed rule's points for `metric` on `all` (the judged results).
 * When no strategy reaches chance + 2 points, no gap can be a real effect: inconclusive.
 */
function rankClaim(
  text: string,
  groups: Map<string, ResultLine[]>,
  subject: string,
  metric: string,
  where: string,
  mode: "best" | "worst",
  all: readonly ResultLine[],
): SubClaim | undefined {
  const ev = new Map<string, Evidence>();
  for (const [label, runs] of groups) {
    if (!hasMetric(runs, metric)) return undefined;
    ev.set(label, summarize(runs, metric, `${label}, ${where}, ${metric} (%)`, 100));
  }
  const own = ev.get(subject);
  const others = [...ev.entries()].filter(([l]) => l !== subject).map(([, e]) => e);
  if (!own || !others.length) return undefined;
  const pick = mode === "best" ? Math.max : Math.min;
  const other = others.find((e) => e.mean === pick(...others.map((o) => o.mean)))!;
  const seeds = seedRule(all, [metric], metric, STRATEGIES_SPREADS);
  const c =
    mode === "best"
      ? compareMeans(own, other, { minPoints: seeds.pts })
      : compareMeans(other, own, { minPoints: seeds.pts });
  const chance = chanceLevel(metric, [...groups.values()].flat());
  const top = Math.max(...[...ev.values()].map((e) => e.mean));
  if (top < chance + 2)
    return {
      text: `${text} [every strategy within 2 points of chance, ${chance.toFixed(2)} %]`,
      verdict: "inconclusive",
      diff: c.diff,
      evidence: [...ev.values()],
      rule: seeds.text,
    };
  return { text, verdict: verdictFor(c), diff: c.diff, evidence: [...ev.values()], rule: seeds.text };
}

/** Group runs by label; undefined when a label has no runs. */
function groupsOf(pairs: Array<[string, ResultLine[]]>): Map<string, ResultLine[]> | undefined {
  if (pairs.some(([, runs]) => !runs.length)) return undefined;
  return new Map(pairs);
}

/** The largest samples seen (at most `max`) at which every label has one-epoch runs. */
function largestCommonOneEpoch(
  results: readonly ResultLine[],
  labels: string[],
  max = Number.POSITIVE_INFINITY,
): number | undefined {
  const budgets = [...new Set(results.map((r) => Number(r.spec.samples)))]
    .filter((n) => n <= max)
    .sort((a, b) => b - a);
  return budgets.find((n) => labels.every((l) => runsOf(results, l, "one-epoch", { samples: n }).length));
}

/** Subset sizes of the multi-epoch runs, ascending. */
function multiEpochSubsets(results: readonly ResultLine[]): number[] {
  const subs = results.filter((r) => regimeOf(r) === "multi-epoch").map((r) => Number(r.spec.subset));
  return [...new Set(subs)].sort((a, b) => a - b);
}

/** "4,096 pairs × 32 epochs" for a multi-epoch subset (epochs from its runs). */
function subsetName(results: readonly ResultLine[], subset: number): string {
  const run = results.find((r) => regimeOf(r) === "multi-epoch" && r.spec.subset === subset);
  const epochs = run ? Number(run.spec.samples) / subset : Number.NaN;
  return `${subset.toLocaleString("en-US")} pairs × ${Number.isFinite(epochs) ? epochs : "?"} epochs`;
}

/** Combines sub-claims into one result (see the header); "not testable" when none could be decided. */
function combine(claims: Array<SubClaim | undefined>, missing: string, note?: string): FindingResult {
  const done = claims.filter((c): c is SubClaim => c !== undefined);
  if (!done.length)
    return {
      verdict: "not testable",
      measured: missing,
      evidence: [],
      rule: ruleText(),
      ...(note ? { note } : {}),
    };
  const verdict: Verdict = done.some((c) => c.verdict === "not reproduced")
    ? "not reproduced"
    : done.every((c) => c.verdict === "reproduced") && done.length === claims.length
      ? "reproduced"
      : "inconclusive";
  const measured = done
    .map((c) => `${c.text}: ${c.verdict} (gap ${c.diff >= 0 ? "+" : ""}${c.diff.toFixed(1)} pts)`)
    .join("; ");
  const skipped = claims.length - done.length;
  const rules = [...new Set(done.map((c) => c.rule))];
  return {
    verdict,
    measured: skipped ? `${measured}; ${skipped} sub-claim(s) lack runs in these results` : measured,
    evidence: done.flatMap((c) => c.evidence),
    rule: `every sub-claim decided by: ${rules.join("; ")}; all reproduced → reproduced, any reversed → not reproduced`,
    ...(note ? { note } : {}),
  };
}

const MAIN = MAIN_VARIANTS.map((v) => v.label); // clip, slip, flip-50, clip-aug:crop-flip
const CONTRASTIVE = ["clip", "slip", "flip-50"];

/** "SLIP costs 2.78× CLIP per sample, FLIP-50 0.74×" at a profile's model and text tower. */
function costNote(profile: string | undefined): string {
  const s = profile ? STRATEGIES_SETTINGS[checkProfile(profile)] : undefined;
  if (!s) return "";
  const f = (v: (typeof MAIN_VARIANTS)[number]) =>
    strategyFlopsPerSample(s.model, s.imageSize, v, 16, s) /
    strategyFlopsPerSample(s.model, s.imageSize, MAIN_VARIANTS[0]!, 16, s);
  const [slip, flip] = [MAIN_VARIANTS[1]!, MAIN_VARIANTS[2]!].map(f) as [number, number];
  return `Training FLOPs per sample at ${s.model} with the ${s.textWidth || "preset"}-wide text tower: SLIP ${slip.toFixed(2)}× CLIP (paper ≈ 2×), FLIP-50 ${flip.toFixed(2)}× (paper ≈ 0.5×).`;
}

/**
 * D 11: SLIP best zero-shot below 1B samples (the largest one-epoch budget that maps below 1B),
 * worst above it (CLIP ≈ FLIP > SLIP, at the largest budget when it maps above 1B), worst at equal
 * FLOPs, best at retrieval in both directions (at the largest common budget).
 */
function evaluate11(results: ResultLine[]): FindingResult {
  const claims: Array<SubClaim | undefined> = [];
  const at = (n: number) =>
    groupsOf(CONTRASTIVE.map((l) => [l, runsOf(results, l, "one-epoch", { samples: n })]))!;
  const below = largestCommonOneEpoch(results, CONTRASTIVE, 1e9 / PAPER_SAMPLES_PER_OURS);
  const top = largestCommonOneEpoch(results, CONTRASTIVE);
  const where = (n: number) => `1 epoch of ${n} (≈ ${(paperSamples(n) / 1e9).toFixed(2)}B)`;
  if (below !== undefined) {
    const g = at(below);
    const zs = zeroShotMetric([...g.values()].flat());
    claims.push(
      zs
        ? rankClaim("SLIP best zero-shot below 1B", g, "slip", zs, where(below), "best", results)
        : undefined,
    );
  } else claims.push(undefined);
  if (top !== undefined && paperSamples(top) > 1e9) {
    const g = at(top);
    const zs = zeroShotMetric([...g.values()].flat());
    claims.push(
      zs
        ? rankClaim("SLIP worst zero-shot above 1B", g, "slip", zs, where(top), "worst", results)
        : undefined,
    );
  } else claims.push(undefined);
  if (top !== undefined) {
    const g = at(top);
    const ms = retrievalMetrics([...g.values()].flat());
    for (const [i, dir] of ["image→text", "text→image"].entries())
      claims.push(
        ms
          ? rankClaim(`SLIP best ${dir} retrieval`, g, "slip", ms[i]!, where(top), "best", results)
          : undefined,
      );
  } else claims.push(undefined, undefined);
  // Equal FLOPs: each strategy at the samples that cost CLIP's FLOPs at the profile's budget.
  const profile = results[0]?.profile;
  const s = profile ? STRATEGIES_SETTINGS[checkProfile(profile)] : undefined;
  if (s && s.equalFlopsClipSamples > 0) {
    const pairs: Array<[string, ResultLine[]]> = MAIN_VARIANTS.filter((v) =>
      CONTRASTIVE.includes(v.label),
    ).map((v) => [
      v.label,
      runsOf(results, v.label, "one-epoch", { samples: equalFlopsSamples(s, v, s.equalFlopsClipSamples) }),
    ]);
    const g = groupsOf(pairs);
    const zs = g && zeroShotMetric([...g.values()].flat());
    claims.push(
      g && zs
        ? rankClaim(
            "SLIP worst zero-shot at equal FLOPs",
            g,
            "slip",
            zs,
            `equal FLOPs (CLIP ${s.equalFlopsClipSamples})`,
            "worst",
            results,
          )
        : undefined,
    );
  } else claims.push(undefined);
  return combine(
    claims,
    "needs one-epoch CLIP, SLIP and FLIP runs at common budgets and at equal FLOPs (quick or full profile)",
    costNote(profile) || undefined,
  );
}

/** D 12: augmentation hurts zero-shot at one epoch, helps (every policy) over many epochs. */
function evaluate12(results: ResultLine[]): FindingResult {
  const claims: Array<SubClaim | undefined> = [];
  const n = largestCommonOneEpoch(results, ["clip", CLIP_AUG]);
  if (n !== undefined) {
    const g = groupsOf(["clip", CLIP_AUG].map((l) => [l, runsOf(results, l, "one-epoch", { samples: n })]))!;
    const zs = zeroShotMetric([...g.values()].flat());
    claims.push(
      zs
        ? rankClaim("no-aug beats CLIP+Aug, one epoch", g, "clip", zs, `1 epoch of ${n}`, "best", results)
        : undefined,
    );
  } else claims.push(undefined);
  const subsets = multiEpochSubsets(results);
  if (!subsets.length) claims.push(undefined);
  for (const subset of subsets) {
    const augs = [...new Set(results.map((r) => variantOf(r)))].filter((l) => l.startsWith("clip-aug:"));
    const g = groupsOf(
      ["clip", ...augs].map(
        (l) => [l, runsOf(results, l, "multi-epoch", { subset })] as [string, ResultLine[]],
      ),
    );
    const zs = g && zeroShotMetric([...g.values()].flat());
    claims.push(
      g && zs && augs.length
        ? rankClaim(
            `every augmentation beats none, ${subsetName(results, subset)}`,
            g,
            "clip",
            zs,
            `subset ${subset}`,
            "worst",
            results,
          )
        : undefined,
    );
  }
  // "Stacked RA on N ≈ no-aug on 2N": reported, not part of the verdict (an equivalence, not an order).
  let note = "";
  for (const subset of subsets) {
    const a = runsOf(results, "clip-aug:stacked-randaug", "multi-epoch", { subset });
    const b = runsOf(results, "clip", "multi-epoch", { subset: subset * 2 });
    const zs = zeroShotMetric([...a, ...b]);
    if (a.length && b.length && zs) {
      const ea = summarize(a, zs, `stacked RA on ${subset}`, 100);
      const eb = summarize(b, zs, `no aug on ${subset * 2}`, 100);
      note += `Stacked RA on ${subset}: ${fmtEvidence(ea)} vs no aug on ${subset * 2}: ${fmtEvidence(eb)} (${zs}, %). `;
    }
  }
  if (!note && subsets.length)
    note = `"Stacked RA on N ≈ no augmentation on 2N" is not tested: no multi-epoch subset here is twice another (${subsets.join(", ")}).`;
  return combine(
    claims,
    "needs CLIP and CLIP+Aug runs at one epoch and over many epochs (quick or full)",
    note.trim() || undefined,
  );
}

/** D 13: over many epochs at fixed samples seen, CLIP+Aug has the best linear probe and variants zero-shot. */
function evaluate13(results: ResultLine[]): FindingResult {
  const claims: Array<SubClaim | undefined> = [];
  const subsets = multiEpochSubsets(results);
  if (!subsets.length) claims.push(undefined, undefined);
  for (const subset of subsets) {
    const g = groupsOf(MAIN.map((l) => [l, runsOf(results, l, "multi-epoch", { subset })]));
    if (!g) {
      claims.push(undefined, undefined);
      continue;
    }
    const name = subsetName(results, subset);
    claims.push(
      rankClaim(
        `CLIP+Aug best linear probe, ${name}`,
        g,
        CLIP_AUG,
        LP_METRIC,
        `subset ${subset}`,
        "best",
        results,
      ),
    );
    claims.push(
      rankClaim(
        `CLIP+Aug best variants zero-shot, ${name}`,
        g,
        CLIP_AUG,
        VARIANTS_METRIC,
        `subset ${subset}`,
        "best",
        results,
      ),
    );
  }
  return combine(
    claims,
    "needs multi-epoch runs of CLIP, SLIP, FLIP and CLIP+Aug with linear-probe and variant evals (quick or full)",
    probeWinnersNote(results, subsets),
  );
}

/**
 * D 13's note: per multi-epoch subset, the strategy with the best linear probe when it is not
 * CLIP+Aug, and (when that is SLIP) why we think SLIP wins at our scale.
 */
export function probeWinnersNote(
  results: readonly ResultLine[],
  subsets: readonly number[],
): string | undefined {
  const parts: string[] = [];
  let slipWins = false;
  for (const subset of subsets) {
    const ev = MAIN.map((l) => runsOf(results, l, "multi-epoch", { subset }))
      .filter((runs) => hasMetric(runs, LP_METRIC))
      .map((runs) => summarize(runs, LP_METRIC, variantOf(runs[0]!), 100));
    const aug = ev.find((e) => e.label === CLIP_AUG);
    if (!aug || ev.length < 2) continue;
    const best = ev.reduce((a, b) => (b.mean > a.mean ? b : a));
    if (best.label === CLIP_AUG) continue;
    if (best.label === "slip") slipWins = true;
    parts.push(`${subset} pairs: ${best.label} ${fmtEvidence(best)} vs ${CLIP_AUG} ${fmtEvidence(aug)}`);
  }
  if (!parts.length) return undefined;
  const why = slipWins
    ? ` Our reading: SLIP's SimCLR term trains the image tower on two augmented views of every image with an image-only loss, so it gets augmentation's benefit and a denser image signal than the ${subsets.map((n) => n.toLocaleString("en-US")).join(" and ")} captions give; the paper's CLIP+Aug win is over 10M–100M-pair subsets, where captions are no longer the bottleneck, and our probe is the 98-class noto-subgroups set, not ImageNet.`
    : "";
  return `Best linear probe (noto-subgroups/lp_acc1, %) is not CLIP+Aug at ${parts.join("; ")}.${why}`;
}

export const STRATEGIES_FINDINGS: Finding[] = [
  {
    id: 11,
    paper: PAPER,
    title: "SLIP vs CLIP/FLIP by budget",
    claim:
      "SLIP has higher zero-shot when samples seen are below 1B; above that CLIP ≈ FLIP > SLIP. At equal FLOPs SLIP is worst. SLIP is best at retrieval at all sizes. [Fig. 16, 18]",
    section: "strategies",
    evaluate: evaluate11,
  },
  {
    id: 12,
    paper: PAPER,
    title: "Augmentation sign flip",
    claim:
      "Augmentation hurts zero-shot with one epoch, but with many epochs over a small set (30 epochs) every augmentation beats none. Stacked RA on N samples ≈ no-aug on 2N (25M vs 50M). [Fig. 1b, 16a]",
    section: "strategies",
    evaluate: evaluate12,
  },
  {
    id: 13,
    paper: PAPER,
    title: "CLIP+Aug wins multi-epoch",
    claim:
      "At fixed samples seen and multiple epochs, CLIP+Aug has the best linear probe at every dataset size and the best zero-shot on the variants. [Fig. 17, 19]",
    section: "strategies",
    evaluate: evaluate13,
  },
];
