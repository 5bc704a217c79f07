/**
 * Every finding of papers.md section D, in its order. Each section's rules are in
 * `findings/<section>.ts`, exporting `<SECTION>_FINDINGS: Finding[]`; add it to the list below.
 */

import { CATLIP_FINDINGS } from "../catlip/catlip-findings";
import { ARCHITECTURES_FINDINGS } from "../scaling-down/architectures-findings";
import { DATA_QUALITY_FINDINGS } from "../scaling-down/data-quality-findings";
import { DATA_QUANTITY_FINDINGS } from "../scaling-down/data-quantity-findings";
import { STRATEGIES_FINDINGS } from "../scaling-down/strategies-findings";
import { VIT_SIZE_FINDINGS } from "../scaling-down/vit-size-findings";
import type { Finding } from "./types";

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
