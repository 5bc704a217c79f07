/**
 * One naming scheme for every metric a run reports: CLIP_benchmark's metric names under the dataset
 * they were measured on, `<dataset>/<metric>` (`noto-nouns/acc1`, `noto-nouns/mean_per_class_recall`,
 * `noto/image_retrieval_recall@10`, `noto-subgroups/lp_acc1`).
 *
 * The trainer's end-of-run read-outs are capped at the run's `evalSize` images, so they are not the
 * same numbers as the eval suite's over a whole set: they get their own dataset names,
 * `heldout-emoji-441` (zero-shot with the eval prompts) and `heldout-noto` (caption retrieval). Their
 * older flat keys (`zs_top1`, `i2t_r10`, `catlip_zs_top1`, …) are what results written before this
 * scheme hold; {@link migrateMetricNames} renames them wherever stored results are read (sweep JSONL,
 * result.json, metrics.jsonl), so old and new results load alike.
 *
 * Image → text retrieval ("given the image, find its caption") is CLIP_benchmark's
 * `text_retrieval_recall@k`; text → image is `image_retrieval_recall@k`.
 */

/** Dataset name of the trainer's capped zero-shot read-out on emoji-441. */
export const HELDOUT_ZEROSHOT = "heldout-emoji-441";
/** Dataset name of the trainer's capped caption-retrieval read-out on Noto. */
export const HELDOUT_RETRIEVAL = "heldout-noto";

/** Recall@k cut-offs of every retrieval read-out. */
export const RETRIEVAL_KS = [1, 5, 10] as const;

/** Held-out zero-shot top-1 / top-5 (fractions). */
export const HELDOUT_ACC1 = `${HELDOUT_ZEROSHOT}/acc1`;
export const HELDOUT_ACC5 = `${HELDOUT_ZEROSHOT}/acc5`;

/** Held-out image → text (the caption of each image) Recall@k. */
export const heldoutTextRecall = (k: number): string => `${HELDOUT_RETRIEVAL}/text_retrieval_recall@${k}`;
/** Held-out text → image Recall@k. */
export const heldoutImageRecall = (k: number): string => `${HELDOUT_RETRIEVAL}/image_retrieval_recall@${k}`;

/** CatLIP's read-out through its synset head on the emoji-441 classes its vocabulary covers. */
export const SYNSET_ACC1 = `${HELDOUT_ZEROSHOT}/synset_acc1`;
export const SYNSET_ACC5 = `${HELDOUT_ZEROSHOT}/synset_acc5`;
export const SYNSET_COVERAGE = `${HELDOUT_ZEROSHOT}/synset_class_coverage`;
export const SYNSET_IMAGES = `${HELDOUT_ZEROSHOT}/synset_images`;

/** Older flat key → its `<dataset>/<metric>` name. */
export const LEGACY_METRIC_NAMES: Readonly<Record<string, string>> = Object.freeze({
  zs_top1: HELDOUT_ACC1,
  zs_top5: HELDOUT_ACC5,
  ...Object.fromEntries(RETRIEVAL_KS.map((k) => [`i2t_r${k}`, heldoutTextRecall(k)])),
  ...Object.fromEntries(RETRIEVAL_KS.map((k) => [`t2i_r${k}`, heldoutImageRecall(k)])),
  catlip_zs_top1: SYNSET_ACC1,
  catlip_zs_top5: SYNSET_ACC5,
  catlip_class_coverage: SYNSET_COVERAGE,
  catlip_zs_images: SYNSET_IMAGES,
});

/**
 * `metrics` with every older flat key renamed to its current name, in place of the old key (the
 * order is kept); a current name already present wins over its older key. Returns `metrics` itself
 * when nothing needed renaming.
 */
export function migrateMetricNames<T>(metrics: Record<string, T>): Record<string, T> {
  if (!Object.keys(metrics).some((k) => Object.hasOwn(LEGACY_METRIC_NAMES, k))) return metrics;
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(metrics)) {
    const name = Object.hasOwn(LEGACY_METRIC_NAMES, k) ? LEGACY_METRIC_NAMES[k]! : undefined;
    if (name === undefined) out[k] = v;
    else if (!Object.hasOwn(metrics, name)) out[name] = v;
  }
  return out;
}
