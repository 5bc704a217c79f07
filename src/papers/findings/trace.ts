/**
 * Traceability for FINDINGS.md: which stored metric of the named runs an evidence's numbers are.
 */

import type { ResultLine } from "../../sweep/results";
import { meanStd } from "../../util/stats";
import type { Evidence } from "./types";

export interface Trace {
  /** "heldout-emoji-441/acc1 × 100", "mean of heldout-noto/image_retrieval_recall@1, heldout-noto/text_retrieval_recall@1 × 100"; undefined when no stored metric gives the mean. */
  source?: string;
  /** The value each run contributed, in run order (when traced). */
  values?: number[];
  /** Evidence hashes that are not lines of the results (should never happen). */
  missing: string[];
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

interface Candidate {
  source: string;
  metrics: string[];
  fn: (m: Record<string, number>) => number | undefined;
}

/**
 * Finds the stored metric (or the mean of two, e.g. both retrieval directions) that, scaled by 100
 * or 1, gives the evidence's mean and std over its runs: the reader can then find each number in
 * the JSONL lines. When several metrics give the same numbers (e.g. 0 everywhere), the one the
 * evidence's label names wins; otherwise all of them are listed. Derived quantities (differences,
 * ratios) stay untraced and say so.
 */
export function traceEvidence(e: Evidence, lines: readonly ResultLine[]): Trace {
  const byHash = new Map(lines.map((l) => [l.hash, l]));
  const missing = e.runs.filter((h) => !byHash.has(h));
  const runs = e.runs.flatMap((h) => (byHash.has(h) ? [byHash.get(h)!] : []));
  if (missing.length || !runs.length) return { missing };
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const candidates: Candidate[] = [];
  for (const scale of [100, 1]) {
    const tail = scale === 1 ? "" : ` × ${scale}`;
    for (const a of names)
      candidates.push({ source: `${a}${tail}`, metrics: [a], fn: (m) => scaled(m[a], scale) });
    for (const [i, a] of names.entries())
      for (const b of names.slice(i + 1))
        candidates.push({
          source: `mean of ${a}, ${b}${tail}`,
          metrics: [a, b],
          fn: (m) => (m[a] === undefined || m[b] === undefined ? undefined : (scale * (m[a]! + m[b]!)) / 2),
        });
  }
  const matches: Array<{ c: Candidate; values: number[] }> = [];
  for (const c of candidates) {
    const values = runs.map((r) => c.fn(r.metrics));
    if (values.some((v) => v === undefined)) continue;
    const vs = values as number[];
    const { mean, std } = meanStd(vs);
    if (close(mean, e.mean) && close(std, e.std)) matches.push({ c, values: vs });
  }
  if (!matches.length) return { missing };
  // The same metric at both scales (e.g. all zeros): keep its first, ×100, reading.
  const seen = new Set<string>();
  const distinct = matches.filter((m) => {
    const key = m.c.metrics.join(",");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const named = distinct.filter((m) => m.c.metrics.every((x) => e.label.includes(x)));
  const pick = named.length ? named : distinct;
  const values = pick[0]!.values;
  if (pick.length === 1) return { source: pick[0]!.c.source, values, missing };
  const shown = pick.slice(0, 3).map((m) => m.c.source);
  return {
    source: `one of ${shown.join(" / ")}${pick.length > 3 ? ` (+${pick.length - 3} more)` : ""}, equal here`,
    values,
    missing,
  };
}

const scaled = (v: number | undefined, s: number) => (v === undefined ? undefined : v * s);
