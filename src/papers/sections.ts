/** Registers the run kinds and the paper's sections (loaded once by registry.loadSections). */
import { registerRunKind } from "../sweep/kinds";
import { noiseKind } from "../runs/noise";
import { registerSection } from "./catalog";
import { scoreKind } from "../runs/score";
import { trainKind } from "../runs/train";
import { architecturesSection } from "./scaling-down/architectures";
import { catlipSection } from "./catlip/catlip";
import { dataQualitySection } from "./scaling-down/data-quality";
import { dataQuantitySection } from "./scaling-down/data-quantity";
import { recipeSection } from "./clipdown/recipe";
import { strategiesSection } from "./scaling-down/strategies";
import { vitSizeSection } from "./scaling-down/vit-size";

registerRunKind(trainKind);
registerRunKind(noiseKind);
registerRunKind(scoreKind);
registerSection(recipeSection);
registerSection(strategiesSection);
registerSection(vitSizeSection);
registerSection(architecturesSection);
registerSection(dataQuantitySection);
registerSection(dataQualitySection);
registerSection(catlipSection);

/**
 * The sections registered here, in the papers' order. (A module with an export: tslab cannot compile
 * `import "../src/experiments/sections"` of an export-less module.)
 */
export const BUILT_IN_SECTIONS = [
  recipeSection,
  strategiesSection,
  vitSizeSection,
  architecturesSection,
  dataQuantitySection,
  dataQualitySection,
  catlipSection,
].map((s) => s.name);
