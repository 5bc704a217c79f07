/** The sweep sections of clipdown's papers, in the papers' order: a plain record, no registration. */
import type { Section } from "../sweep/sweep";
import { catlipSection } from "./catlip/catlip";
import { recipeSection } from "./clipdown/recipe";
import { architecturesSection } from "./scaling-down/architectures";
import { dataQualitySection } from "./scaling-down/data-quality";
import { dataQuantitySection } from "./scaling-down/data-quantity";
import { strategiesSection } from "./scaling-down/strategies";
import { vitSizeSection } from "./scaling-down/vit-size";

export const SECTIONS: Readonly<Record<string, Section>> = Object.fromEntries(
  [
    recipeSection,
    strategiesSection,
    vitSizeSection,
    architecturesSection,
    dataQuantitySection,
    dataQualitySection,
    catlipSection,
  ].map((s) => [s.name, s]),
);

/** The built-in sections' names, in the papers' order. */
export const BUILT_IN_SECTIONS: readonly string[] = Object.keys(SECTIONS);
