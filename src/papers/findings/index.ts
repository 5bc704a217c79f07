/**
 * Every finding of papers.md section D, in its order: the findings of each judged section
 * (src/papers/sections.ts `PAPER_SECTIONS`; a section's rules are in `<section>-findings.ts`).
 */
import { PAPER_SECTIONS } from "../sections";
import type { Finding } from "./types";

export const ALL_FINDINGS: Finding[] = PAPER_SECTIONS.flatMap((s) => s.findings);

export type { Evidence, Finding, FindingResult, Verdict } from "./types";
