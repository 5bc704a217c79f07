/**
 * Every finding of papers.md section D, in its order. Each section's rules are in
 * `findings/<section>.ts`, exporting `<SECTION>_FINDINGS: Finding[]`; add it to the list below.
 */
import { ARCHITECTURES_FINDINGS } from "./architectures";
import { CATLIP_FINDINGS } from "./catlip";
import { DATA_QUALITY_FINDINGS } from "./data-quality";
import { DATA_QUANTITY_FINDINGS } from "./data-quantity";
import { STRATEGIES_FINDINGS } from "./strategies";
import type { Finding } from "./types";
import { VIT_SIZE_FINDINGS } from "./vit-size";

export const ALL_FINDINGS: Finding[] = [
  // One spread per section file, e.g. ...DATA_QUANTITY_FINDINGS,
  ...DATA_QUALITY_FINDINGS,
  ...DATA_QUANTITY_FINDINGS,
  ...VIT_SIZE_FINDINGS,
  ...ARCHITECTURES_FINDINGS,
  ...STRATEGIES_FINDINGS,
  ...CATLIP_FINDINGS,
];

export type { Evidence, Finding, FindingResult, Verdict } from "./types";
