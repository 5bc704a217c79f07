/**
 * The pre-training corpus: which sources, in which styles, in which order. Noto (emoji-datasource-google)
 * and OpenMoji's black style are deliberately absent: they are the held-out styles.
 */
import { listDatasource } from "./datasource";
import { listFluent } from "./fluent";
import { listFontAwesome } from "./fontawesome";
import { listLucide } from "./lucide";
import { listMdi } from "./mdi";
import { listOpenClipart } from "./openclipart";
import { listOpenMoji } from "./openmoji";
import { listPhosphor } from "./phosphor";
import { listTabler } from "./tabler";
import type { SourceListing } from "./types";

/** Choices that change the corpus; recorded in manifest.json and part of the build fingerprint. */
export interface PictogramParams {
  /** Keep emoji skin-tone variants as extra images (captions folded onto the base emoji). */
  skinTones: boolean;
  /** Add tabler's 1,054 filled icons to the outline ones. */
  tablerFilled: boolean;
  /** Add OpenClipart's object folders when Debian's openclipart-svg is installed. */
  openclipart: boolean;
}

export const DEFAULT_PICTOGRAM_PARAMS: PictogramParams = {
  skinTones: true,
  tablerFilled: true,
  openclipart: true,
};

/** The pre-training sources, in the order their samples are written. */
export const PICTOGRAM_SOURCES = [
  "openmoji",
  "fluent",
  "twemoji",
  "tabler",
  "fontawesome",
  "lucide",
  "phosphor",
  "mdi",
  "openclipart",
] as const;

/** Lists every pre-training source (each listing's items sorted by the source's own order). */
export function listPictograms(p: PictogramParams = DEFAULT_PICTOGRAM_PARAMS): SourceListing[] {
  const out: SourceListing[] = [
    listOpenMoji("color"),
    listFluent("flat"),
    listDatasource("twitter", { skinTones: p.skinTones }),
    listTabler(p.tablerFilled ? ["outline", "filled"] : ["outline"]),
    listFontAwesome(),
    listLucide(),
    listPhosphor(["regular"]),
    listMdi(),
  ];
  if (p.openclipart) out.push(listOpenClipart());
  if (!p.skinTones) {
    for (const l of out) {
      const before = l.items.length;
      l.items = l.items.filter(
        (it) => it.extra?.skinTone === undefined && it.extra?.baseHexcode === undefined,
      );
      if (before > l.items.length) l.skipped["skin-tone-variant"] = before - l.items.length;
    }
  }
  return out;
}
