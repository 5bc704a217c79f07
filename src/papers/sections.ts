/**
 * The papers' sections, each with the finding rules that judge its results: a plain record in the
 * papers' order, no registration. `SECTIONS` is what a sweep can run; `PAPER_SECTIONS` lists the
 * judged sections in the order of papers.md section D (FINDINGS.md follows it).
 */
import type { Section } from "../sweep/sweep";
import { catlipSection } from "./catlip/catlip";
import { CATLIP_FINDINGS } from "./catlip/catlip-findings";
import { recipeSection } from "./clipdown/recipe";
import type { Finding } from "./findings/types";
import { architecturesSection } from "./scaling-down/architectures";
import { ARCHITECTURES_FINDINGS } from "./scaling-down/architectures-findings";
import { dataQualitySection } from "./scaling-down/data-quality";
import { DATA_QUALITY_FINDINGS } from "./scaling-down/data-quality-findings";
import { dataQuantitySection } from "./scaling-down/data-quantity";
import { DATA_QUANTITY_FINDINGS } from "./scaling-down/data-quantity-findings";
import { strategiesSection } from "./scaling-down/strategies";
import { STRATEGIES_FINDINGS } from "./scaling-down/strategies-findings";
import { vitSizeSection } from "./scaling-down/vit-size";
import { VIT_SIZE_FINDINGS } from "./scaling-down/vit-size-findings";

/** A section of a paper: its sweep for each profile and the rules that judge its findings. */
export interface PaperSection extends Section {
  paper: "Scaling (Down) CLIP" | "CatLIP" | "clipdown";
  findings: readonly Finding[];
}

const paper = (s: Section, p: PaperSection["paper"], findings: readonly Finding[]): PaperSection => ({
  ...s,
  paper: p,
  findings,
});

const recipe = paper(recipeSection, "clipdown", []);
const dataQuality = paper(dataQualitySection, "Scaling (Down) CLIP", DATA_QUALITY_FINDINGS);
const dataQuantity = paper(dataQuantitySection, "Scaling (Down) CLIP", DATA_QUANTITY_FINDINGS);
const vitSize = paper(vitSizeSection, "Scaling (Down) CLIP", VIT_SIZE_FINDINGS);
const architectures = paper(architecturesSection, "Scaling (Down) CLIP", ARCHITECTURES_FINDINGS);
const strategies = paper(strategiesSection, "Scaling (Down) CLIP", STRATEGIES_FINDINGS);
const catlip = paper(catlipSection, "CatLIP", CATLIP_FINDINGS);

/** The judged sections in papers.md section D's order. */
export const PAPER_SECTIONS: readonly PaperSection[] = [
  dataQuality,
  dataQuantity,
  vitSize,
  architectures,
  strategies,
  catlip,
];

/** Every runnable section by name, in the papers' order (the recipe first: the others build on it). */
export const SECTIONS: Readonly<Record<string, PaperSection>> = Object.fromEntries(
  [recipe, strategies, vitSize, architectures, dataQuantity, dataQuality, catlip].map((s) => [s.name, s]),
);

/** The built-in sections' names, in the papers' order. */
export const BUILT_IN_SECTIONS: readonly string[] = Object.keys(SECTIONS);
