/** Registers the run kinds and the paper's sections (loaded once by registry.loadSections). */
import { registerRunKind } from "../kinds";
import { noiseKind } from "../noise-kind";
import { registerSection } from "../registry";
import { scoreKind } from "../score-kind";
import { trainKind } from "../train-kind";
import { architecturesSection } from "./architectures";
import { catlipSection } from "./catlip";
import { dataQualitySection } from "./data-quality";
import { dataQuantitySection } from "./data-quantity";
import { recipeSection } from "./recipe";
import { strategiesSection } from "./strategies";
import { vitSizeSection } from "./vit-size";

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
