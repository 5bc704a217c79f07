/**
 * A finding from `papers.md` section D, tested against committed sweep results.
 *
 * Each paper section's rules live in `findings/<section>.ts` and are listed in `findings/index.ts`.
 * A rule reads `ResultLine`s (the lines of `results/<section>.jsonl`, one per finished run), groups
 * them with `selectRuns`/`summarize` (stats.ts), and decides a verdict with a rule written in code
 * (`compareMeans`), never by hand. Every number it reports carries the hashes of the runs it came
 * from, so FINDINGS.md is traceable to lines of `results/*.jsonl`.
 */
import type { ResultLine } from "../../sweep/results";

export type Verdict = "reproduced" | "not reproduced" | "inconclusive" | "not testable";

/** One measured quantity: a mean over the runs (seeds) that produced it. */
export interface Evidence {
  /** What was measured, e.g. "top-40 % @ 1 epoch, emoji-441 zero-shot top-1 (%)". */
  label: string;
  mean: number;
  /** Sample standard deviation over seeds (0 with one seed). */
  std: number;
  /** Number of runs (seeds) averaged. */
  n: number;
  /** Hashes of the runs averaged: each is one line of results/<section>.jsonl. */
  runs: string[];
}

export interface FindingResult {
  verdict: Verdict;
  /** One or two sentences: what we measured, in numbers. */
  measured: string;
  evidence: Evidence[];
  /** The decision rule applied, in words (e.g. "A − B ≥ 2 points, or ≥ 3 seeds and A − B > 2·SE"). */
  rule: string;
  /** Why the result may differ from the paper's at our scale (for "not reproduced" / "inconclusive"). */
  note?: string;
}

export interface Finding {
  /** Its number in papers.md section D (1–20). */
  id: number;
  paper: "Scaling (Down) CLIP" | "CatLIP";
  title: string;
  /** The paper's claim with its numbers, as papers.md states it. */
  claim: string;
  /** The sweep section whose results test it; null when our setup cannot test it. */
  section: string | null;
  /** Why it cannot be tested here (when section is null, or evaluate returns "not testable"). */
  untestable?: string;
  /** Decides the verdict from the section's results (all profiles present; the rule picks). */
  evaluate?(results: ResultLine[]): FindingResult;
}
