/**
 * Grouping sweep results and the verdict rule every finding uses.
 *
 * The rule (issue 9): a difference of at least `minPoints` (default 2 points of a percentage metric)
 * is decided by its sign even from one seed; a smaller difference is claimed only with at least 3
 * seeds per side and a gap larger than `z` (default 2) standard errors of the difference; otherwise
 * the comparison is inconclusive.
 */

import type { ResultLine } from "../../sweep/results";
import { meanStd } from "../../util/stats";
import type { Evidence, Verdict } from "./types";

/** Runs whose spec matches every given field (deep-equal on JSON values). */
export function selectRuns(results: readonly ResultLine[], where: Record<string, unknown>): ResultLine[] {
  return results.filter((r) =>
    Object.entries(where).every(
      ([k, v]) => JSON.stringify((r.spec as Record<string, unknown>)[k]) === JSON.stringify(v),
    ),
  );
}

/** Mean, sample std and run hashes of `metric` over runs (seeds); throws naming what is missing. */
export function summarize(
  runs: ReadonlyArray<Pick<ResultLine, "hash" | "metrics">>,
  metric: string,
  label: string,
  scale = 1,
): Evidence {
  if (!runs.length) throw new Error(`no runs for "${label}"`);
  const values = runs.map((r) => {
    const v = r.metrics[metric];
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new Error(`run ${r.hash} has no metric "${metric}" (has: ${Object.keys(r.metrics).join(", ")})`);
    return v * scale;
  });
  const { mean, std, n } = meanStd(values);
  return { label, mean, std, n, runs: runs.map((r) => r.hash) };
}

export interface Comparison {
  /** a.mean − b.mean */
  diff: number;
  /** Standard error of the difference (NaN with fewer than 2 runs on a side). */
  se: number;
  /** "greater": a > b as the claim says; "less": a < b; "unclear": neither decided by the rule. */
  outcome: "greater" | "less" | "unclear";
}

/** The rule above applied to "a is greater than b" (pass `minPoints` in the metric's units). */
export function compareMeans(
  a: Evidence,
  b: Evidence,
  opts: { minPoints?: number; z?: number } = {},
): Comparison {
  const minPoints = opts.minPoints ?? 2;
  const z = opts.z ?? 2;
  const diff = a.mean - b.mean;
  const se = a.n > 1 && b.n > 1 ? Math.sqrt(a.std ** 2 / a.n + b.std ** 2 / b.n) : Number.NaN;
  let outcome: Comparison["outcome"] = "unclear";
  if (Math.abs(diff) >= minPoints) outcome = diff > 0 ? "greater" : "less";
  else if (a.n >= 3 && b.n >= 3 && Math.abs(diff) > z * se) outcome = diff > 0 ? "greater" : "less";
  return { diff, se, outcome };
}

/** The seed-to-seed spread of a metric in a section's results (issue 17's seed rule). */
export interface SeedSpread {
  /** Pooled sample SD (in the metric's points) over the configurations run with ≥ 2 seeds. */
  sd: number;
  /** Configurations (a spec without its seed) that had ≥ 2 seeds, and their runs. */
  configs: number;
  runs: number;
}

/**
 * Pooled seed-to-seed SD of `metric` × `scale` over the configurations (spec minus `seed`) that ran
 * with two or more seeds; undefined when none did (a one-seed profile cannot measure it).
 */
export function seedSpread(
  results: readonly ResultLine[],
  metric: string,
  scale = 100,
): SeedSpread | undefined {
  const groups = new Map<string, number[]>();
  for (const r of results) {
    const v = r.metrics[metric];
    if (typeof v !== "number" || !Number.isFinite(v)) continue;
    const { seed: _seed, ...rest } = r.spec as Record<string, unknown>;
    const key = JSON.stringify(Object.entries(rest).sort(([x], [y]) => (x < y ? -1 : 1)));
    groups.set(key, [...(groups.get(key) ?? []), v * scale]);
  }
  let ss = 0;
  let dof = 0;
  let configs = 0;
  let runs = 0;
  for (const vs of groups.values()) {
    if (vs.length < 2) continue;
    const { mean } = meanStd(vs);
    ss += vs.reduce((t, x) => t + (x - mean) ** 2, 0);
    dof += vs.length - 1;
    configs++;
    runs += vs.length;
  }
  return configs ? { sd: Math.sqrt(ss / dof), configs, runs } : undefined;
}

/**
 * The points a difference must reach to be decided by its sign alone: the rule's 2, raised where
 * the section's measured seed spread makes 2 points noise. Two runs of one seed each differ by
 * noise of SD √2·sd, so a single-seed gap decides only from 2·√2·sd (rounded up to half a point).
 */
export function decidingPoints(spread: SeedSpread | undefined, base = 2): number {
  if (!spread) return base;
  return Math.max(base, Math.ceil(2 * Math.SQRT2 * spread.sd * 2) / 2);
}

/** "seed-to-seed SD 2.1 points (13 configurations, 39 runs) → a gap decides by its sign from 6 points". */
export function spreadText(spread: SeedSpread | undefined, what: string): string {
  if (!spread) return `${what}: seed spread not measured (no configuration has two seeds in this profile)`;
  return `${what}: seed-to-seed SD ${spread.sd.toFixed(1)} points over ${spread.configs} configurations (${spread.runs} runs), so a gap decides by its sign alone from ${decidingPoints(spread)} points`;
}

/** A spread to use for a metric the judged results cannot measure (one seed), and how to name it. */
export interface BorrowedSpread {
  spread: SeedSpread;
  /** The rule text's name for the metric when the borrowed spread is used (default: the caller's). */
  what?: string;
}

/**
 * Issue 17's seed rule for a comparison in `metrics`: each metric's spread measured on `results`
 * (else its `borrowed` one), the largest deciding points over them, and the rule in words.
 */
export function seedRule(
  results: readonly ResultLine[],
  metrics: readonly string[],
  what: string,
  borrowed: Readonly<Record<string, BorrowedSpread>> = {},
): { pts: number; text: string } {
  const picks = metrics.map((m) => {
    const own = seedSpread(results, m);
    const b = own ? undefined : borrowed[m];
    return { spread: own ?? b?.spread, what: b?.what ?? what };
  });
  const pick = picks.reduce((best, p) => (decidingPoints(p.spread) > decidingPoints(best.spread) ? p : best));
  const pts = decidingPoints(pick.spread);
  return { pts, text: `${ruleText(pts)} (${spreadText(pick.spread, pick.what)})` };
}

/** Verdict for a claim "a > b" from its comparison. */
export function verdictFor(c: Comparison): Verdict {
  return c.outcome === "greater" ? "reproduced" : c.outcome === "less" ? "not reproduced" : "inconclusive";
}

/** The rule in words, for FINDINGS.md. */
export function ruleText(minPoints = 2, z = 2): string {
  return `a difference ≥ ${minPoints} points decides by its sign; a smaller one needs ≥ 3 seeds per side and a gap > ${z}·SE, else inconclusive`;
}

/** "41.3 ± 0.8 (n=3)" */
export function fmtEvidence(e: Evidence, digits = 1): string {
  return e.n > 1
    ? `${e.mean.toFixed(digits)} ± ${e.std.toFixed(digits)} (n=${e.n})`
    : `${e.mean.toFixed(digits)} (n=1)`;
}
