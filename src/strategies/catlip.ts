/**
 * CatLIP (Mehta et al. 2024; papers.md B.1): image–text pre-training as multi-label classification.
 * Each caption becomes a multi-hot target over a vocabulary V of WordNet synsets extracted from
 * the training captions (src/text: nouns → lemma → first noun synset; `paper` rule = POS nouns,
 * `reference` rule = corenet's matching). The model is the image tower + a linear classifier
 * `catlip.head.w` [featureWidth, |V|], `catlip.head.b` [|V|] on the pooled image feature; the loss
 * is binary cross-entropy with logits summed over classes and samples and divided by the batch size
 * (corenet's "batch_mean"). No text tower in the loss, the optimiser or the FLOPs.
 *
 * The vocabulary keeps synsets seen in more than Vτ captions; the paper's Vτ = 500 was chosen on
 * CC3M's 2.9M pairs, so the default scales it to the corpus: round(500 · N / 2.9M). A top-k cap is
 * the form corenet's configs use. The vocabulary is saved as `vocab.json` in the run directory
 * (`SynsetVocab.load` reads it back: synset id, lemma, count, hypernyms).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ClipModel } from "../models/clip-model";
import { ParamInit } from "../models/layers";
import { MATCH_RULES, type MatchRule } from "../text/nouns";
import { buildSynsetVocab, type SynsetVocab } from "../text/synset-vocab";
import { tf } from "../tf";
import { catlipClassify } from "./catlip-eval";
import { imageFeatureFlops, imageFeatureWidth } from "./clip";
import type { Strategy, StrategyOptions } from "./strategy";

/** CatLIP's Vτ and the corpus it was tuned on (CC3M, papers.md B.1 / B.3). */
export const CATLIP_PAPER_MIN_COUNT = 500;
export const CC3M_PAIRS = 2_900_000;
/** corenet's classifier init (trunc-normal std 0.02). */
const HEAD_STD = 0.02;

/** Vτ scaled from the paper's 500 on CC3M to a corpus of `pairs` captions. */
export function scaledMinCount(pairs: number): number {
  return Math.max(0, Math.round((CATLIP_PAPER_MIN_COUNT * pairs) / CC3M_PAIRS));
}

/**
 * BCE with logits, summed over classes and samples, divided by the batch size:
 * Σ_ij softplus(z_ij) − y_ij·z_ij over [B, V], ÷ B (= −[y log σ(z) + (1−y) log(1−σ(z))]).
 */
export function bceBatchMean(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    if (logits.shape.join() !== targets.shape.join())
      throw new Error(`BCE logits [${logits.shape}] and targets [${targets.shape}] differ`);
    return tf.div(tf.sum(tf.sub(tf.softplus(logits), tf.mul(targets, logits))), logits.shape[0]) as tf.Scalar;
  });
}

/** Fraction of samples with ≥ 1 positive whose top-scoring class is a positive. */
function precisionAt1(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const v = logits.shape[1];
    const top = tf.oneHot(tf.argMax(logits, 1), v);
    const hit = tf.sum(tf.mul(tf.cast(top, "float32"), targets), 1);
    const has = tf.cast(tf.greater(tf.sum(targets, 1), 0), "float32");
    return tf.div(tf.sum(hit), tf.maximum(tf.sum(has), 1)) as tf.Scalar;
  });
}

/** Pooled image feature width (the classifier's input). */
export function catlipFeatureWidth(model: Pick<ClipModel, "config">): number {
  return imageFeatureWidth(model.config.image);
}

/** True for the variables CatLIP trains: the image tower up to its pooled feature, and the head. */
export function catlipUsesParam(name: string): boolean {
  return (name.startsWith("visual.") && name !== "visual.proj") || name.startsWith("catlip.head.");
}

export interface CatlipOptions extends StrategyOptions {
  /** Use this vocabulary instead of building one from the training captions (e.g. a saved vocab.json). */
  vocab?: SynsetVocab;
}

export type CatlipStrategy = Strategy & { readonly vocab: SynsetVocab | undefined };

export function createCatlip(opts: CatlipOptions = {}): CatlipStrategy {
  const rule = (opts.vocab?.rule ?? opts.catlipRule ?? "paper") as MatchRule;
  if (!MATCH_RULES.includes(rule))
    throw new Error(`catlip-rule must be one of ${MATCH_RULES.join(", ")}, got "${opts.catlipRule}"`);
  const minCountOpt = opts.catlipMinCount ?? -1;
  const topK = opts.catlipTopK ?? 0;
  for (const [k, v, lo] of [
    ["catlip-min-count", minCountOpt, -1],
    ["catlip-top-k", topK, 0],
  ] as const) {
    if (!(Number.isInteger(v) && v >= lo)) throw new Error(`${k} must be an integer >= ${lo}, got ${v}`);
  }
  let vocab: SynsetVocab | undefined = opts.vocab;
  /** caption → sorted class indices; captions repeat every epoch and POS tagging is the slow part. */
  const labelCache = new Map<string, number[]>();
  const needVocab = (): SynsetVocab => {
    if (!vocab)
      throw new Error('strategy "catlip" has no vocabulary yet: call initParams with trainCaptions first');
    return vocab;
  };
  const labelsOf = (caption: string): number[] => {
    let l = labelCache.get(caption);
    if (!l) {
      l = needVocab().multiHot(caption);
      labelCache.set(caption, l);
    }
    return l;
  };
  const buildVocab = (captions: string[], log?: (s: string) => void): SynsetVocab => {
    const minCount = minCountOpt < 0 ? scaledMinCount(captions.length) : minCountOpt;
    const t0 = performance.now();
    const built = buildSynsetVocab(captions, { rule, minCount, ...(topK > 0 ? { topK } : {}) });
    if (built.size === 0) {
      throw new Error(
        `CatLIP vocabulary is empty: no synset occurs in more than Vτ = ${minCount} of the ${captions.length} ` +
          `training captions (rule ${rule}); lower --catlip-min-count or use --catlip-top-k`,
      );
    }
    labelCache.clear();
    vocab = built;
    const covered = captions.filter((c) => labelsOf(c).length > 0).length;
    log?.(
      `catlip: ${built.size} synsets (rule ${rule}, count > Vτ = ${minCount}${topK ? `, top ${topK}` : ""}) ` +
        `from ${captions.length} captions in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
        `${((100 * covered) / Math.max(1, captions.length)).toFixed(1)}% of captions have a label`,
    );
    return built;
  };

  return {
    name: "catlip",
    description: `CatLIP: image tower + synset classifier, BCE (rule ${rule}, Vτ ${
      minCountOpt < 0 ? "500 scaled to the corpus" : minCountOpt
    }${topK ? `, top ${topK}` : ""})`,
    usesText: false,
    get vocab() {
      return vocab;
    },
    initParams(model, ctx) {
      if (!opts.vocab) {
        if (!ctx?.trainCaptions)
          throw new Error(
            'strategy "catlip" builds its vocabulary from the training captions; pass ctx.trainCaptions',
          );
        buildVocab(ctx.trainCaptions(), ctx.log);
      }
      const v = needVocab();
      if (ctx?.outDir) {
        fs.mkdirSync(ctx.outDir, { recursive: true });
        const file = path.join(ctx.outDir, "vocab.json");
        v.save(`${file}.tmp`);
        fs.renameSync(`${file}.tmp`, file);
      }
      const init = new ParamInit(ctx?.seed ?? 0);
      init.normal("catlip.head.w", [catlipFeatureWidth(model), v.size], HEAD_STD);
      init.zeros("catlip.head.b", [v.size]);
      return init.params;
    },
    decayExtra: (name) => name === "catlip.head.w",
    usesParam: catlipUsesParam,
    prepareBatch(input) {
      const v = needVocab().size;
      const t = new Float32Array(input.captions.length * v);
      input.captions.forEach((c, r) => {
        for (const i of labelsOf(c)) t[r * v + i] = 1;
      });
      return { images: input.images, targets: tf.tensor2d(t, [input.captions.length, v]) };
    },
    loss(model, batch, ctx) {
      return tf.tidy(() => {
        const w = ctx.extra["catlip.head.w"];
        const b = ctx.extra["catlip.head.b"];
        if (!w || !b || !batch.targets)
          throw new Error('strategy "catlip" needs its head (initParams) and targets (prepareBatch)');
        const feats = model.imageFeatures(batch.images, { training: ctx.training }); // [B, width]
        const logits = tf.add(tf.matMul(feats, w), b) as tf.Tensor2D; // [B, V]
        const loss = bceBatchMean(logits, batch.targets);
        return {
          loss,
          metrics: {
            catlip_loss: tf.clone(loss),
            catlip_p1: precisionAt1(logits, batch.targets),
            catlip_labels: tf.div(tf.sum(batch.targets), batch.targets.shape[0]) as tf.Scalar,
          },
        };
      });
    },
    /** Image tower without its projection, plus the classifier; × 3 for forward + backward. */
    trainFlopsPerSample(config, run) {
      const size = vocab?.size ?? run?.vocabSize;
      if (size === undefined)
        throw new Error(
          'strategy "catlip": FLOPs depend on the vocabulary size; pass { vocabSize }, create the strategy with { vocab } (e.g. the run\'s vocab.json) or call initParams first',
        );
      return 3 * (imageFeatureFlops(config) + 2 * imageFeatureWidth(config.image) * size);
    },
    evaluateClassification(model, extra, set, o) {
      return catlipClassify(model, extra, needVocab(), set, o.maxImages ?? 0);
    },
  };
}
