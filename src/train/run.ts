/**
 * Glue for `clipdown train`: data cache + tokenizer + model preset + strategy → `Trainer`, with
 * the evaluation the caller passes in, run directory layout (`config.json`, `metrics.jsonl`, `last.safetensors`,
 * `final.safetensors`, `eval.json`) and resume.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureCache, type PairCache } from "../data/cache";
import { captionParts, checkCaptionMode, sampleCaption } from "../data/caption-sampling";
import { BatchLoader, subsetIndices } from "../data/loader";
import { QUALITY_FILE, qualityScoresFor, topFractionIndices } from "../data/quality";
import { buildClipModel } from "../models/clip-model";
import { resolvePreset } from "../models/presets";
import { createStrategy } from "../strategies";
import { BpeTokenizer, TOKENIZER_VOCAB_SIZE } from "../text/bpe";
import { initBackend, tf } from "../tf";
import { clipTask, type RunHandles } from "./clip-task";
import { presetOpts, type TrainConfig } from "./config";
import { readMetrics } from "./metrics";
import { writeTextAtomic } from "./safetensors";
import { Trainer, type TrainResult } from "./trainer";

/** Loads data, tokenizer, model and strategy (with its extra variables and per-run state) for a config. */
export async function prepareRun(
  cfg: TrainConfig,
  log: (s: string) => void = (s) => console.error(s),
): Promise<RunHandles & { cache: PairCache }> {
  if (!fs.existsSync(cfg.data)) {
    // Only on this error path: the dataset definitions load the corpus-building code.
    const { buildCommand } = await import("../data/corpus/datasets");
    const build = buildCommand(cfg.data);
    throw new Error(
      `--data ${cfg.data} does not exist; ${build ? `build it with \`${build}\`` : "make shards with `clipdown shards --from <folder or CSV> --out <dir>`"}`,
    );
  }
  const cache = await ensureCache(cfg.data, cfg.imageSize, { maxBadFraction: cfg.maxBadFraction, log });
  const tokenizer = runTokenizer(cfg, cache, log);
  const strategy = createStrategy(cfg.strategy, cfg);
  const model = buildClipModel(resolvePreset(cfg.model, presetOpts(cfg, tokenizer.vocabSize)), cfg.seed);
  strategy.check?.(model);
  const extra =
    strategy.initParams?.(model, {
      // The captions of the pairs this run trains on (CatLIP's vocabulary), the same pairs trainRun loads.
      trainCaptions: () => {
        const idx = trainingIndices(cfg, cache);
        return idx ? Array.from(idx, (i) => cache.captions[i]!) : cache.captions;
      },
      outDir: cfg.out,
      seed: cfg.seed,
      log,
    }) ?? {};
  return { model, strategy, extra, tokenizer, cache };
}

/** The tokenizer file a run keeps beside its checkpoints when it did not come from `<data>`. */
export const RUN_TOKENIZER = "tokenizer.json";

/**
 * The run's tokenizer: `--tokenizer FILE` (copied into the run directory, where eval and inference
 * look first), else `<data>/tokenizer.json`, else one trained on the data's captions (a user's own
 * shards from `clipdown shards` have none) with the corpora's vocabulary size, written to
 * `<data>/tokenizer.json`, or into the run directory when the data folder is read-only.
 */
export function runTokenizer(
  cfg: Pick<TrainConfig, "data" | "tokenizer" | "out">,
  cache: Pick<PairCache, "captions">,
  log: (s: string) => void,
): BpeTokenizer {
  const keep = (tok: BpeTokenizer) => {
    fs.mkdirSync(cfg.out, { recursive: true });
    writeTextAtomic(path.join(cfg.out, RUN_TOKENIZER), JSON.stringify(tok.toJSON()));
  };
  if (cfg.tokenizer) {
    if (!fs.existsSync(cfg.tokenizer))
      throw new Error(
        `--tokenizer ${cfg.tokenizer} not found; give a tokenizer.json (e.g. a corpus's data/pictograms/tokenizer.json)`,
      );
    const tok = BpeTokenizer.load(cfg.tokenizer);
    keep(tok);
    return tok;
  }
  const dataTok = path.join(cfg.data, "tokenizer.json");
  if (fs.existsSync(dataTok)) return BpeTokenizer.load(dataTok);
  if (cache.captions.length === 0) throw new Error(`${cfg.data} has no captions to train a tokenizer on`);
  const t0 = performance.now();
  const tok = BpeTokenizer.train(cache.captions, { vocabSize: TOKENIZER_VOCAB_SIZE });
  const took = ((performance.now() - t0) / 1000).toFixed(1);
  try {
    writeTextAtomic(dataTok, JSON.stringify(tok.toJSON()));
    log(
      `tokenizer: none in ${cfg.data}; trained one on its ${cache.captions.length} captions (vocabulary ${tok.vocabSize}, ${took} s) → ${dataTok}`,
    );
  } catch (e) {
    keep(tok);
    log(
      `tokenizer: trained on ${cache.captions.length} captions; ${cfg.data} is not writable (${(e as NodeJS.ErrnoException).code ?? e}), kept in ${path.join(cfg.out, RUN_TOKENIZER)}`,
    );
  }
  return tok;
}

/**
 * What evaluates a run while it trains: given the run's handles, its config and the log, a closure
 * the trainer calls at each eval step (or undefined: nothing to evaluate). `clipdown train`, the
 * quickstart and the sweep's train kind pass `heldOutEvaluator` (src/eval/during-training.ts); the
 * trainer itself knows no dataset.
 */
export type RunEvaluator = (
  h: RunHandles & { cache: PairCache },
  cfg: TrainConfig,
  log: (s: string) => void,
) => Promise<((step: number) => Promise<Record<string, number>>) | undefined>;

/** Runs a whole training job as configured; returns the trainer's result. */
export async function trainRun(
  cfg: TrainConfig,
  log: (s: string) => void = (s) => console.error(s),
  evaluator?: RunEvaluator,
): Promise<TrainResult> {
  await initBackend();
  fs.mkdirSync(cfg.out, { recursive: true });
  const h = await prepareRun(cfg, log);
  // A strategy may scale the batch (FLIP's larger batch at the same memory); the budget stays in samples.
  const batch = cfg.batch * (h.strategy.batchScale ?? 1);
  const micro = batch / cfg.accumSteps;
  const indices = trainingIndices(cfg, h.cache, log);
  const pairs = indices?.length ?? h.cache.n;
  const loader = new BatchLoader(h.cache, {
    batchSize: micro,
    seed: cfg.seed,
    dropLast: true,
    ...(indices ? { indices } : {}),
    ...(cfg.captions !== "full" ? { captionOf: captionSampler(h.cache, cfg) } : {}),
  });
  const steps = Math.floor(cfg.samples / batch);
  const flopsPerSample = h.strategy.trainFlopsPerSample(h.model.config, { samples: steps * batch });
  const evaluate = evaluator ? await evaluator(h, cfg, log) : undefined;
  const trainer = new Trainer(clipTask(h, loader, { ...cfg, totalSteps: steps, samplesPerStep: batch }), {
    batch,
    accumSteps: cfg.accumSteps,
    totalSteps: steps,
    lr: cfg.lr,
    minLr: cfg.minLr,
    warmup: cfg.warmup,
    wd: cfg.wd,
    beta1: cfg.beta1,
    beta2: cfg.beta2,
    eps: cfg.eps,
    clipNorm: cfg.clipNorm,
    seed: cfg.seed,
    logEvery: cfg.logEvery,
    checkpointEverySteps: samplesToSteps(cfg.checkpointEvery, batch),
    evalEverySteps: samplesToSteps(cfg.evalEvery, batch),
    ...(cfg.stopAt > 0 ? { stopAtStep: samplesToSteps(cfg.stopAt, batch) } : {}),
    outDir: cfg.out,
    config: cfg,
    trainFlopsPerSample: flopsPerSample,
    quiet: cfg.quiet,
    evaluate,
  });
  const last = path.join(cfg.out, "last.safetensors");
  if (cfg.resume && fs.existsSync(last)) {
    const st = trainer.resume(last);
    truncateMetrics(path.join(cfg.out, "metrics.jsonl"), st.step);
    log(`resumed from ${last} at step ${st.step} (${st.samples} samples)`);
  } else {
    if (cfg.resume) log(`--resume: ${last} not found, starting from scratch`);
    fs.rmSync(path.join(cfg.out, "metrics.jsonl"), { force: true });
  }
  fs.writeFileSync(path.join(cfg.out, "config.json"), `${JSON.stringify(cfg, null, 2)}\n`);
  log(
    `train ${cfg.model} × ${cfg.strategy}: ${steps} steps × ${batch} = ${steps * batch} samples ` +
      `(${((steps * batch) / pairs).toFixed(2)} epochs of ${pairs} pairs); ` +
      `${(flopsPerSample / 1e9).toFixed(4)} GFLOPs/sample → ${((flopsPerSample * steps * batch) / 1e9).toExponential(3)} GFLOPs`,
  );
  try {
    return await trainer.run();
  } finally {
    trainer.dispose();
    tf.dispose(Object.values(h.extra));
    h.model.dispose();
  }
}

/** Caption sampling over a cache (names and tags from each sample's json), seeded by the run's seed. */
export function captionSampler(
  cache: Pick<PairCache, "captions" | "meta">,
  cfg: Pick<TrainConfig, "captions" | "seed">,
): (index: number, epoch: number) => string {
  checkCaptionMode(cfg.captions);
  const mode = cfg.captions;
  const parts = cache.captions.map((c, i) => captionParts(c, cache.meta[i]));
  return (i, epoch) => sampleCaption(parts[i]!, mode, cfg.seed, epoch, i);
}

/** Drops metric lines past the resumed step, so a resumed run's log has no duplicated steps. */
function truncateMetrics(file: string, step: number): void {
  if (!fs.existsSync(file)) return;
  const keep = readMetrics(file).filter((r) => r.step <= step);
  fs.writeFileSync(file, keep.map((r) => `${JSON.stringify(r)}\n`).join(""));
}

/**
 * The pairs a run trains on (undefined = all): the top `qualityTop` % by the quality scores in
 * `qualityScores` (default: the data directory), then a seeded `subset` of those.
 */
export function trainingIndices(
  cfg: Pick<TrainConfig, "qualityTop" | "qualityScores" | "data" | "subset" | "seed">,
  cache: Pick<PairCache, "n" | "keys">,
  log: (s: string) => void = () => {},
): Int32Array | undefined {
  let pool: Int32Array | undefined;
  if (cfg.qualityTop < 100) {
    const dir = cfg.qualityScores || cfg.data;
    pool = topFractionIndices(qualityScoresFor(dir, cache.keys), cfg.qualityTop);
    log(
      `quality filter: top ${cfg.qualityTop}% by ${path.join(dir, QUALITY_FILE)}: ${pool.length} of ${cache.n} pairs`,
    );
  }
  const n = pool?.length ?? cache.n;
  if (cfg.subset > n) {
    const of = pool ? `kept by quality-top ${cfg.qualityTop}` : `in ${cfg.data}`;
    throw new Error(`subset ${cfg.subset} exceeds the ${n} pairs ${of}`);
  }
  if (cfg.subset <= 0) return pool;
  // The subset is one fixed seeded permutation's prefix, so smaller subsets nest in larger ones.
  const sub = subsetIndices(n, cfg.subset, cfg.seed);
  const kept = pool;
  return kept ? sub.map((i) => kept[i]!) : sub;
}

/** An interval in samples as whole steps (at least 1 when set; 0 stays "off"). */
function samplesToSteps(samples: number, batch: number): number {
  return samples > 0 ? Math.max(1, Math.round(samples / batch)) : 0;
}
