/** Registers the run kinds and the paper's sections (loaded once by registry.loadSections). */
import { registerRunKind } from "../kinds";
import { registerSection } from "../registry";
import { trainKind } from "../train-kind";
import { catlipSection } from "./catlip";
import { strategiesSection } from "./strategies";

registerRunKind(trainKind);
registerSection(strategiesSection);
registerSection(catlipSection);
