/** Registers the run kinds and the paper's sections (loaded once by registry.loadSections). */
import { registerRunKind } from "../kinds";
import { trainKind } from "../train-kind";

registerRunKind(trainKind);
