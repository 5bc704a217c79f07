/**
 * Evaluation while a run trains (the closure `trainRun` calls at each eval step): the primary
 * zero-shot benchmark, the fine-grained emoji-441, Noto caption retrieval and the memorisation
 * probe, on the held-out sets `clipdown data build` writes under the run's `evalData`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PairCache } from "../data/cache";
import type { RunHandles } from "../train/clip-task";
import type { TrainConfig } from "../train/config";
import { evalRetrieval, evalZeroShot, evalZeroShotSet, trainingImageSet } from "./heldout-eval";

/** The primary zero-shot benchmark (the paper's ImageNet role), evaluated on all its images at every eval. */
export const PRIMARY_ZEROSHOT = "noto-nouns";
/** Training images in the memorisation probe (zero-shot over their own names). */
export const TRAIN_PROBE_IMAGES = 256;

/**
 * Held-out evaluation closure; sets that are not built are skipped with one notice. Each eval
 * records the primary benchmark (`noto-nouns/acc1`, `…/mean_per_class_recall`, and
 * `…/class_text_cos`, the text-collapse detector), the fine-grained emoji-441 (`heldout-emoji-441/acc1`, `heldout-emoji-441/acc5`),
 * Noto caption retrieval (`heldout-noto/text_retrieval_recall@1` … `heldout-noto/image_retrieval_recall@10`) and, for memorisation vs generalisation, zero-shot
 * on a fixed sample of training images over their own names (`train-images/acc1`).
 */
export async function heldOutEvaluator(
  h: RunHandles & { cache?: Pick<PairCache, "n" | "size" | "images" | "meta"> },
  cfg: TrainConfig,
  log: (s: string) => void,
): Promise<((step: number) => Promise<Record<string, number>>) | undefined> {
  const dir = (name: string): string | undefined => {
    const d = path.join(cfg.evalData, name);
    if (fs.existsSync(d)) return d;
    log(`eval: ${d} not found, skipped (clipdown data build creates it)`);
    return undefined;
  };
  const primaryDir = dir(PRIMARY_ZEROSHOT);
  const clsDir = dir("emoji-441");
  const retDir = dir("noto");
  if (!primaryDir && !clsDir && !retDir) return undefined;
  // Loaded lazily: a run without held-out sets never touches the corpus-building code.
  const { loadClassificationSet, loadRetrievalSet } = await import("../data/heldout");
  const primary = primaryDir ? await loadClassificationSet(primaryDir, cfg.imageSize) : undefined;
  const cls = clsDir ? await loadClassificationSet(clsDir, cfg.imageSize) : undefined;
  const ret = retDir ? await loadRetrievalSet(retDir, cfg.imageSize) : undefined;
  if (h.strategy.usesText === false) {
    // No text tower (CatLIP): zero-shot and retrieval need one; the strategy reads out its own head.
    log(`eval: strategy ${h.strategy.name} trains no text tower; zero-shot and retrieval skipped`);
    const own = h.strategy.evaluateClassification;
    if (!cls || !own) return undefined;
    return async () => own(h.model, h.extra, cls, { maxImages: cfg.evalSize });
  }
  // Corpora whose samples carry no names (a user's shards) have no memorisation probe.
  const probe = h.cache ? trainingImageSet(h.cache, TRAIN_PROBE_IMAGES) : undefined;
  const trainSet = probe && probe.n > 0 && probe.classNames.length >= 2 ? probe : undefined;
  return async () => {
    const opts = { contextLength: cfg.contextLength, maxImages: cfg.evalSize };
    const all = { contextLength: cfg.contextLength };
    return {
      ...(primary ? await evalZeroShotSet(h.model, h.tokenizer, primary, PRIMARY_ZEROSHOT, all) : {}),
      ...(cls ? await evalZeroShot(h.model, h.tokenizer, cls, opts) : {}),
      ...(ret ? await evalRetrieval(h.model, h.tokenizer, ret, opts) : {}),
      ...(trainSet ? await evalZeroShotSet(h.model, h.tokenizer, trainSet, "train-images", all) : {}),
    };
  };
}
