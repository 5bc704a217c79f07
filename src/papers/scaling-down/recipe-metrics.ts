/**
 * The metrics the sections re-planned on the measured recipe are judged on (issue 17), and the
 * seed spreads a one-seed profile of them borrows: one place for strategies and vit-size.
 */
import { FIRST_PASS_LP_SPREAD } from "../catlip/catlip-findings";
import type { BorrowedSpread } from "../findings/stats";
import { RECIPE_ZS_SPREAD } from "./data-quantity-findings";

/** The primary zero-shot benchmark: noto-nouns mean per-class recall (50 classes, chance 2 %). */
export const ZS_METRIC = "noto-nouns/mean_per_class_recall";
/** Its mean over the shift variants (the paper's "ImageNet variants"). */
export const VARIANTS_METRIC = "noto-nouns-shift-mean/mean_per_class_recall";
/** Emoji-441 top-1: the fallback where a profile evaluates only `heldout` (smoke, the first pass). */
export const ZS_FALLBACK = "heldout-emoji-441/acc1";
export const LP_METRIC = "noto-subgroups/lp_acc1";
/** Noto caption retrieval R@10 over all 1,911 images, image→text and text→image. */
export const RETRIEVAL_METRICS = ["noto/text_retrieval_recall@10", "noto/image_retrieval_recall@10"] as const;

/**
 * What a one-seed profile borrows (the spreads the README states): the recipe's noto-nouns recall,
 * also for its variants, and catlip's first-pass probe spread. Retrieval has none to borrow.
 */
export const RECIPE_BORROWED_SPREADS: Record<string, BorrowedSpread> = {
  [ZS_METRIC]: { spread: RECIPE_ZS_SPREAD, what: "noto-nouns recall (the recipe's spread, borrowed)" },
  [VARIANTS_METRIC]: {
    spread: RECIPE_ZS_SPREAD,
    what: "shift-variant recall (noto-nouns recall's spread from the recipe, borrowed)",
  },
  [LP_METRIC]: { spread: FIRST_PASS_LP_SPREAD, what: "LP top-1 (catlip's first-pass spread, borrowed)" },
};
