/**
 * The evaluation tasks as functions of an {@link Encoders} pair (so tests can plug in fake
 * encoders with known answers) and loaded data, each returning a CLIP_benchmark-style metrics dict.
 */
import type { ClipModel } from "../models/clip-model";
import type { BpeTokenizer } from "../text/bpe";
import type { SynsetVocab } from "../text/synset-vocab";
import { embedImagesWithFeatures, embedTexts } from "./embed";
import type { Emb } from "./embeddings";
import type { ClassificationSet, RetrievalSet } from "./heldout-eval";
import { captionsFor } from "./heldout-eval";
import { fewShotProbe, linearProbe } from "./linear-probe";
import type { LabeledFeatures } from "./logreg";
import type { MetricValue } from "./records";
import { multiCaptionRecall } from "./retrieval";
import { stratifiedSplit, takeRows } from "./splits";
import { matchLabelsToVocab } from "./synset-match";
import type { SynsetHead, TransferBias, TransferFeatures, TransferRow } from "./transfer";
import { transferComparison } from "./transfer";
import { buildPrompts, ensembleClassEmbeddings, zeroShotMetrics } from "./zeroshot";

/** The two towers as the tasks see them. */
export interface Encoders {
  /** Pooled pre-projection features [n, width] and projected embeddings [n, E] of n HWC uint8 images. */
  images(images: Uint8Array, n: number, size: number): Promise<{ features: Emb; embeddings: Emb }>;
  /** Projected text embeddings [texts.length, E]. */
  texts(texts: string[]): Promise<Emb>;
}

/** Encoders backed by a CLIP model (text encoding throws without a tokenizer). */
export function clipEncoders(
  model: ClipModel,
  tokenizer: BpeTokenizer | undefined,
  contextLength: number,
  batch = 128,
): Encoders {
  return {
    images: (images, n, size) => embedImagesWithFeatures(model, images, n, size, batch),
    texts: (texts) => {
      if (!tokenizer) throw new Error("text encoding needs the run's tokenizer");
      return embedTexts(model, tokenizer, texts, contextLength, 2 * batch);
    },
  };
}

/** Zero-shot top-1/top-5/mean per-class recall with a template ensemble (embeddings precomputed). */
export async function zeroShotTask(
  enc: Encoders,
  imageEmb: Emb,
  labels: Int32Array,
  classNames: string[],
  templates: readonly string[],
): Promise<Record<string, MetricValue>> {
  const cls = ensembleClassEmbeddings(await enc.texts(buildPrompts(classNames, templates)), templates.length);
  const m = zeroShotMetrics(imageEmb, cls, labels);
  return {
    acc1: m.acc1,
    acc5: m.acc5,
    mean_per_class_recall: m.meanPerClassRecall,
    images: m.n,
    classes: classNames.length,
    templates: templates.length,
  };
}

/** The train/test rows of a classification set: its own split when it has one, else seeded stratified. */
export function trainTestIndices(
  set: Pick<ClassificationSet, "labels" | "splits" | "n">,
  opts: { testFraction: number; seed: number },
): { train: Int32Array; test: Int32Array; splitSource: string } {
  if (set.splits) {
    const train: number[] = [];
    const test: number[] = [];
    set.splits.forEach((s, i) => {
      if (s === "train") train.push(i);
      else if (s === "test") test.push(i);
    });
    if (train.length > 0 && test.length > 0)
      return { train: Int32Array.from(train), test: Int32Array.from(test), splitSource: "dataset" };
  }
  const { rest, heldOut } = stratifiedSplit(set.labels, opts.testFraction, opts.seed);
  return {
    train: rest,
    test: heldOut,
    splitSource: `stratified test fraction ${opts.testFraction}, seed ${opts.seed}`,
  };
}

function features(f: Emb, labels: Int32Array, idx: Int32Array): LabeledFeatures {
  return takeRows(f.data, f.d, labels, idx);
}

export interface ProbeTaskOptions {
  numClasses: number;
  seed: number;
  l2Grid?: number[];
}

/** Linear probe (CLIP_benchmark's lp_* keys) on features split into train/test rows. */
export async function linearProbeTask(
  feats: Emb,
  labels: Int32Array,
  split: { train: Int32Array; test: Int32Array },
  opts: ProbeTaskOptions,
): Promise<Record<string, MetricValue>> {
  const r = await linearProbe(features(feats, labels, split.train), features(feats, labels, split.test), {
    numClasses: opts.numClasses,
    seed: opts.seed,
    ...(opts.l2Grid ? { l2Grid: opts.l2Grid } : {}),
  });
  return {
    lp_acc1: r.metrics.acc1,
    lp_acc5: r.metrics.acc5,
    lp_mean_per_class_recall: r.metrics.meanPerClassRecall,
    l2: r.l2,
    sweep: r.sweep.map((s) => ({ l2: s.l2, val_acc1: s.valAcc1 })),
    train_rows: split.train.length,
    test_rows: split.test.length,
    feature_dim: feats.d,
  };
}

/** k-shot probes: `k{K}_acc1` (mean over seeds), `k{K}_acc1_std`, `k{K}_acc5`, `k{K}_mean_per_class_recall`. */
export async function fewShotTask(
  feats: Emb,
  labels: Int32Array,
  split: { train: Int32Array; test: Int32Array },
  opts: ProbeTaskOptions & { shots: number[]; seeds: number[] },
): Promise<Record<string, MetricValue>> {
  const rows = await fewShotProbe(features(feats, labels, split.train), features(feats, labels, split.test), {
    numClasses: opts.numClasses,
    shots: opts.shots,
    seeds: opts.seeds,
    ...(opts.l2Grid ? { l2Grid: opts.l2Grid } : {}),
  });
  const out: Record<string, MetricValue> = {};
  for (const r of rows) {
    out[`k${r.k}_acc1`] = r.acc1;
    out[`k${r.k}_acc1_std`] = r.acc1Std;
    out[`k${r.k}_acc5`] = r.acc5;
    out[`k${r.k}_mean_per_class_recall`] = r.meanPerClassRecall;
    out[`k${r.k}_runs`] = r.runs.map((x) => ({ seed: x.seed, acc1: x.acc1, l2: x.l2 }));
  }
  out.seeds = opts.seeds;
  out.test_rows = split.test.length;
  return out;
}

/** Retrieval Recall@K both ways (CLIP_benchmark keys; image_retrieval = text→image). */
export async function retrievalTask(
  enc: Encoders,
  set: RetrievalSet,
  imageEmb: Emb,
  ks: number[] = [1, 5, 10],
): Promise<Record<string, MetricValue>> {
  const { texts, textImage } = captionsFor(
    set,
    Int32Array.from({ length: set.n }, (_, i) => i),
  );
  const r = multiCaptionRecall(imageEmb, await enc.texts(texts), textImage, ks);
  const out: Record<string, MetricValue> = {};
  for (const k of ks) out[`image_retrieval_recall@${k}`] = r.t2i[k]!;
  for (const k of ks) out[`text_retrieval_recall@${k}`] = r.i2t[k]!;
  out.images = set.n;
  out.texts = texts.length;
  return out;
}

export interface TransferTaskOptions {
  seed: number;
  fractions: number[];
  epochs: number;
  alpha: number;
  bias: TransferBias;
}

/**
 * CatLIP transfer init vs random init at each data fraction, fitted under both feature protocols of
 * `transferComparison`: standardised features, each head scaled into them (the main metrics,
 * `transfer_acc1@1pct`, …) and raw features (the same names prefixed `raw_`). The paper does not
 * give its probe's optimiser, and the gain depends on it, so both are recorded.
 * `transfer_acc1@init` / `random_acc1@init` (and `raw_…@init`): test top-1 of each head before any
 * training, on centred and on raw features.
 */
export async function transferTask(
  feats: Emb,
  labels: Int32Array,
  classNames: string[],
  split: { train: Int32Array; test: Int32Array },
  head: SynsetHead,
  vocab: SynsetVocab,
  opts: TransferTaskOptions,
): Promise<Record<string, MetricValue>> {
  if (vocab.size !== head.V)
    throw new Error(`vocab.json has ${vocab.size} synsets but catlip.head.w has ${head.V} columns`);
  const matches = matchLabelsToVocab(classNames, vocab, { alpha: opts.alpha });
  const train = features(feats, labels, split.train);
  const test = features(feats, labels, split.test);
  const byProtocol = [] as Array<{ features: TransferFeatures; prefix: string; rows: TransferRow[] }>;
  for (const [mode, prefix] of [
    ["standardized", ""],
    ["raw", "raw_"],
  ] as const) {
    const rows = await transferComparison(train, test, head, matches, {
      fractions: opts.fractions,
      epochs: opts.epochs,
      bias: opts.bias,
      seed: opts.seed,
      features: mode,
    });
    byProtocol.push({ features: mode, prefix, rows });
  }
  const out: Record<string, MetricValue> = {};
  for (const { prefix, rows } of byProtocol) {
    for (const r of rows) {
      const f = `${+(r.fraction * 100).toFixed(4)}pct`;
      out[`${prefix}transfer_acc1@${f}`] = r.transfer.acc1;
      out[`${prefix}random_acc1@${f}`] = r.random.acc1;
      out[`${prefix}gain_acc1@${f}`] = r.transfer.acc1 - r.random.acc1;
    }
    // The heads before training do not depend on the fraction: the first row has them.
    if (rows[0]) {
      out[`${prefix}transfer_acc1@init`] = rows[0].transferAcc1AtInit;
      out[`${prefix}random_acc1@init`] = rows[0].randomAcc1AtInit;
    }
  }
  const count = (k: string) => matches.filter((m) => m.kind === k).length;
  out.label_matches = {
    exact: count("exact"),
    similar: count("similar"),
    compound: count("compound"),
    none: count("none"),
  };
  out.rows = byProtocol.flatMap(({ features: protocol, rows }) =>
    rows.map((r) => ({
      features: protocol,
      fraction: r.fraction,
      train_rows: r.trainRows,
      transfer_acc1: r.transfer.acc1,
      transfer_acc5: r.transfer.acc5,
      transfer_mean_per_class_recall: r.transfer.meanPerClassRecall,
      random_acc1: r.random.acc1,
      random_acc5: r.random.acc5,
      random_mean_per_class_recall: r.random.meanPerClassRecall,
      transfer_acc1_at_init: r.transferAcc1AtInit,
      random_acc1_at_init: r.randomAcc1AtInit,
    })),
  );
  out.mapping = matches.map((m) => ({
    label: m.label,
    kind: m.kind,
    synsets: m.parts.map(
      (p) => `${p.synset}:${vocab.entries[p.vocabIndex]!.lemma}@${+p.similarity.toFixed(3)}`,
    ),
  }));
  out.settings = { alpha: opts.alpha, epochs: opts.epochs, bias: opts.bias, seed: opts.seed };
  return out;
}
