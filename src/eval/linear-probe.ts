/**
 * Linear probe and few-shot probe on frozen image features (Scaling (Down) CLIP Sec. 3.2: frozen
 * vision encoder, zero-initialised linear layer, hyperparameter swept).
 *
 * Protocol here: features standardised with the training rows' mean and standard deviation;
 * multinomial logistic regression (see logreg.ts) fitted by L-BFGS from a zero head; the weight
 * decay λ chosen on a stratified validation split carved from the training rows (a decade grid,
 * walked from strong to weak λ with warm starts, ties going to the stronger λ); then refitted from
 * zero on all training rows at that λ and scored once on the test rows.
 *
 * Few-shot (k per class, several seeds): k training rows per class; λ chosen on a disjoint draw of
 * k more rows per class from the training pool (so each seed uses 2k labels per class), refitted on
 * the k-shot rows, scored on the full test set; metrics averaged over seeds (when the shots leave no
 * training rows over, λ is chosen on the shots themselves). Features are
 * standardised with the statistics of the whole (unlabelled) training pool.
 */
import { meanStd } from "../util/stats";
import { type ClassificationMetrics, classificationMetrics } from "./classify";
import { fitSoftmaxLbfgs, headScores, type LabeledFeatures, type LinearHead } from "./logreg";
import { kShotIndices, stratifiedSplit, takeRows } from "./splits";

/** Default λ grid: decades from strong to weak. */
export const DEFAULT_L2_GRID = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6];

export interface ProbeOptions {
  numClasses: number;
  /** λ values tried (any order; walked strong → weak). Default {@link DEFAULT_L2_GRID}. */
  l2Grid?: number[];
  /** Fraction of the training rows held out for choosing λ. Default 0.2. */
  valFraction?: number;
  seed?: number;
  /** L-BFGS iteration cap per fit. Default 300. */
  maxIter?: number;
}

export interface ProbeResult {
  metrics: ClassificationMetrics;
  /** The λ chosen on validation. */
  l2: number;
  /** Validation top-1 per λ tried. */
  sweep: Array<{ l2: number; valAcc1: number }>;
  /** L-BFGS iterations of the final refit. */
  iterations: number;
}

/** Per-dimension mean and standard deviation of a [n, d] matrix (std floored so constant dims stay 0). */
export function featureStats(
  x: Float32Array,
  n: number,
  d: number,
): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= Math.max(1, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) std[j]! += (x[i * d + j]! - mean[j]!) ** 2;
  }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(std[j]! / Math.max(1, n));
    std[j] = s > 1e-8 ? s : 1;
  }
  return { mean, std };
}

/** (x − mean) / std per dimension (a copy). */
export function standardize(
  f: LabeledFeatures,
  stats: { mean: Float64Array; std: Float64Array },
): LabeledFeatures {
  const { n, d } = f;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = (f.x[i * d + j]! - stats.mean[j]!) / stats.std[j]!;
  }
  return { x, n, d, labels: f.labels };
}

/** Top-1/top-5/mean per-class recall of a head on labelled features. */
export function scoreHead(head: LinearHead, data: LabeledFeatures): ClassificationMetrics {
  return classificationMetrics(headScores(head, data.x, data.n), data.n, head.numClasses, data.labels);
}

/**
 * Chooses λ on `val` by fitting on `fit` along the grid (strong → weak, warm-started), then refits
 * on `refit` from zero at the chosen λ. Inputs must already be standardised.
 */
async function sweepAndRefit(
  fit: LabeledFeatures,
  val: LabeledFeatures,
  refit: LabeledFeatures,
  opts: ProbeOptions,
): Promise<{ head: LinearHead; l2: number; sweep: ProbeResult["sweep"]; iterations: number }> {
  const grid = [...(opts.l2Grid ?? DEFAULT_L2_GRID)].sort((a, b) => b - a);
  if (grid.length === 0 || grid.some((l) => !(l > 0))) {
    throw new Error(`l2 grid must be non-empty and positive, got [${grid.join(", ")}]`);
  }
  const sweep: ProbeResult["sweep"] = [];
  let warm: LinearHead | undefined;
  let best = { l2: grid[0]!, acc: -1 };
  for (const l2 of grid) {
    const r = await fitSoftmaxLbfgs(fit, {
      numClasses: opts.numClasses,
      l2,
      ...(warm ? { init: warm } : {}),
      maxIter: opts.maxIter ?? 300,
    });
    warm = r.head;
    const acc = scoreHead(r.head, val).acc1;
    sweep.push({ l2, valAcc1: acc });
    if (acc > best.acc) best = { l2, acc }; // strict: ties keep the stronger λ
  }
  const final = await fitSoftmaxLbfgs(refit, {
    numClasses: opts.numClasses,
    l2: best.l2,
    maxIter: opts.maxIter ?? 300,
  });
  return { head: final.head, l2: best.l2, sweep, iterations: final.iterations };
}

/** Full-data linear probe: λ swept on a validation split of `train`, refit, scored on `test`. */
export async function linearProbe(
  train: LabeledFeatures,
  test: LabeledFeatures,
  opts: ProbeOptions,
): Promise<ProbeResult> {
  if (train.d !== test.d) throw new Error(`train features are ${train.d}-d, test ${test.d}-d`);
  const stats = featureStats(train.x, train.n, train.d);
  const tr = standardize(train, stats);
  const te = standardize(test, stats);
  const { rest, heldOut } = stratifiedSplit(tr.labels, opts.valFraction ?? 0.2, opts.seed ?? 0);
  if (rest.length === 0 || heldOut.length === 0)
    throw new Error(`linear probe: ${train.n} training rows are too few to carve a validation split`);
  const r = await sweepAndRefit(
    takeRows(tr.x, tr.d, tr.labels, rest),
    takeRows(tr.x, tr.d, tr.labels, heldOut),
    tr,
    opts,
  );
  return { metrics: scoreHead(r.head, te), l2: r.l2, sweep: r.sweep, iterations: r.iterations };
}

export interface FewShotOptions extends ProbeOptions {
  /** Shots per class. Default [5, 10]. */
  shots?: number[];
  /** Seeds averaged over. Default [0, 1, 2]. */
  seeds?: number[];
}

export interface FewShotResult {
  k: number;
  /** Means over seeds. */
  acc1: number;
  acc5: number;
  meanPerClassRecall: number;
  /** Sample standard deviation of acc1 over seeds (0 for one seed). */
  acc1Std: number;
  /** Per seed: test acc1 and the λ chosen. */
  runs: Array<{ seed: number; acc1: number; l2: number }>;
}

/** k-shot probes for each k, averaged over seeds (see the file comment for the protocol). */
export async function fewShotProbe(
  train: LabeledFeatures,
  test: LabeledFeatures,
  opts: FewShotOptions,
): Promise<FewShotResult[]> {
  const out: FewShotResult[] = [];
  const all = Int32Array.from({ length: train.n }, (_, i) => i);
  // Standardised with the whole training pool's statistics: they use no labels, and k rows per
  // class are too few to estimate a per-dimension spread.
  const stats = featureStats(train.x, train.n, train.d);
  const testS = standardize(test, stats);
  for (const k of opts.shots ?? [5, 10]) {
    const runs: FewShotResult["runs"] = [];
    const ms: ClassificationMetrics[] = [];
    for (const seed of opts.seeds ?? [0, 1, 2]) {
      const shots = kShotIndices(train.labels, all, k, seed);
      const taken = new Set(shots);
      const rest = all.filter((i) => !taken.has(i));
      const valIdx = kShotIndices(train.labels, rest, k, seed + 7919);
      const fitS = standardize(takeRows(train.x, train.d, train.labels, shots), stats);
      // When the k shots use up the training pool, λ is chosen on the shots themselves: the strongest
      // decay that still fits them best (ties keep the stronger λ).
      const valS =
        valIdx.length > 0 ? standardize(takeRows(train.x, train.d, train.labels, valIdx), stats) : fitS;
      const r = await sweepAndRefit(fitS, valS, fitS, opts);
      const m = scoreHead(r.head, testS);
      ms.push(m);
      runs.push({ seed, acc1: m.acc1, l2: r.l2 });
    }
    const acc1 = meanStd(ms.map((m) => m.acc1));
    out.push({
      k,
      acc1: acc1.mean,
      acc5: meanStd(ms.map((m) => m.acc5)).mean,
      meanPerClassRecall: meanStd(ms.map((m) => m.meanPerClassRecall)).mean,
      acc1Std: acc1.std,
      runs,
    });
  }
  return out;
}
