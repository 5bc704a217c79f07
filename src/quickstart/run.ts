/**
 * The quickstart, start to finish: build the data if missing → train a small CLIP on the pictogram
 * corpus (or reuse the finished run) → look inside the model → write one HTML report.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureCache } from "../data/cache";
import { ensureData } from "../data/corpus/build";
import { loadClassificationSet, loadRetrievalSet, readClassNames } from "../data/heldout";
import { heldOutEvaluator, PRIMARY_ZEROSHOT, TRAIN_PROBE_IMAGES } from "../eval/during-training";
import { spreadIndices } from "../eval/heldout-eval";
import { loadRunForEval } from "../eval/load-run";
import { PROMPT_TEMPLATES } from "../eval/zeroshot";
import { BpeTokenizer } from "../text/bpe";
import { initBackend } from "../tf";
import type { TrainConfig } from "../train/config";
import { trainRun } from "../train/run";
import { permutation } from "../util/rng";
import type { ReportBlock } from "../viz/report";
import { writeReportBlocks } from "../viz/report";
import { evalFigure, lossFigure, readRunLog, runsTable, stepFigure } from "../viz/runs";
import { batchFigure, retrievalFigure, similarityFigure, thumbnail, zeroShotFigure } from "./figures";
import { initialModel, retrievalExamples, similarityMatrix, zeroShotExamples } from "./inspect";
import {
  PROFILE_SETTINGS,
  type Profile,
  type QuickstartPaths,
  type QuickstartSettings,
  quickstartTrainConfig,
} from "./settings";

/** The held-out sets the quickstart evaluates on, with the training corpus. */
export const QUICKSTART_DATASETS = ["pictograms", "noto-nouns", "emoji-441", "noto"];

/** Config fields that do not change what a run computes (so a run differing only in them is reused). */
const VOLATILE: ReadonlyArray<keyof TrainConfig> = ["quiet", "resume", "stopAt"];

export type RunState =
  | { kind: "finished" }
  | { kind: "partial"; checkpoint: string }
  | { kind: "none" }
  | { kind: "different"; fields: string[] };

/** Whether `cfg.out` holds this exact run finished, partly done, another run, or nothing. */
export function runState(cfg: TrainConfig): RunState {
  const file = path.join(cfg.out, "config.json");
  if (!fs.existsSync(file)) return { kind: "none" };
  const saved = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  const fields = (Object.keys(cfg) as Array<keyof TrainConfig>).filter(
    (k) => !VOLATILE.includes(k) && JSON.stringify(saved[k]) !== JSON.stringify(cfg[k]),
  );
  if (fields.length) return { kind: "different", fields };
  if (
    fs.existsSync(path.join(cfg.out, "final.safetensors")) &&
    fs.existsSync(path.join(cfg.out, "eval.json"))
  )
    return { kind: "finished" };
  const last = path.join(cfg.out, "last.safetensors");
  return fs.existsSync(last) ? { kind: "partial", checkpoint: last } : { kind: "none" };
}

/** Removes what `trainRun` writes in a run directory (never anything else). */
export function clearRun(dir: string): void {
  for (const f of ["config.json", "metrics.jsonl", "eval.json", "last.safetensors", "final.safetensors"]) {
    fs.rmSync(path.join(dir, f), { force: true });
  }
}

/**
 * Trains `cfg` unless its finished run is already in `cfg.out` (then says so), resuming a partial
 * run of the same config. `onSlice` splits training into `slices` invocations (trainRun's
 * `stopAt`), called after each: notebooks redraw a live curve there.
 */
export async function ensureTrained(
  cfg: TrainConfig,
  opts: {
    fresh?: boolean;
    log?: (s: string) => void;
    slices?: number;
    onSlice?: () => void | Promise<void>;
  } = {},
): Promise<{ reused: boolean; seconds: number }> {
  const log = opts.log ?? ((s: string) => console.error(s));
  const state = opts.fresh ? ({ kind: "different", fields: ["--fresh"] } as RunState) : runState(cfg);
  if (state.kind === "finished") {
    log(`quickstart: reusing the finished run in ${cfg.out} (pass --fresh, or delete it, to train again)`);
    return { reused: true, seconds: 0 };
  }
  if (state.kind === "different") {
    log(`quickstart: ${cfg.out} holds a run with other settings (${state.fields.join(", ")}); training anew`);
    clearRun(cfg.out);
  }
  const resume = state.kind === "partial";
  if (resume) log(`quickstart: resuming the unfinished run in ${cfg.out}`);
  const t0 = performance.now();
  const slices = Math.max(1, opts.slices ?? 1);
  for (let k = 1; k <= slices; k++) {
    // Each slice but the last stops early with a checkpoint; the next resumes from it.
    const stopAt = k < slices ? Math.round((cfg.samples * k) / slices / cfg.batch) * cfg.batch : 0;
    if (k < slices && stopAt <= 0) continue;
    await trainRun({ ...cfg, stopAt, resume: resume || k > 1 }, log, heldOutEvaluator);
    await opts.onSlice?.();
  }
  return { reused: false, seconds: (performance.now() - t0) / 1000 };
}

/** Distinct indices of a seeded random batch of `k` out of `n`. */
export function exampleBatch(n: number, k: number, seed: number): number[] {
  return Array.from(permutation(n, seed).subarray(0, Math.min(n, k)));
}

export interface QuickstartResult {
  report: string;
  runDir: string;
  reused: boolean;
  trainSeconds: number;
  /** The last held-out evaluation (noto-nouns/mean_per_class_recall, heldout-emoji-441/acc1, heldout-noto/text_retrieval_recall@10, …). */
  final: Record<string, number>;
  /** The headline: primary benchmark and retrieval against chance, and what they mean (one paragraph). */
  summary: string;
}

/** Runs the whole quickstart and writes the report; returns where everything is. */
export async function runQuickstart(
  settings: QuickstartSettings,
  paths: QuickstartPaths,
  opts: { fresh?: boolean; log?: (s: string) => void; quiet?: boolean } = {},
): Promise<QuickstartResult> {
  const log = opts.log ?? ((s: string) => console.error(s));
  const t0 = performance.now();
  await initBackend();
  const data = await ensureData(paths.dataRoot, { only: QUICKSTART_DATASETS, log });
  const missing = data.datasets.filter((d) => d.status === "unavailable");
  if (missing.length) {
    throw new Error(`quickstart needs ${missing.map((d) => `${d.dir} (${d.reason})`).join(", ")}`);
  }
  const cfg = { ...quickstartTrainConfig(settings, paths), quiet: Boolean(opts.quiet) };
  const trained = await ensureTrained(cfg, { fresh: opts.fresh, log });
  log("quickstart: inspecting the model and writing the report …");
  const blocks = await reportBlocks(settings, paths, cfg, trained);
  const run = readRunLog(cfg.out);
  const final = run.evals[run.evals.length - 1] ?? { step: 0, samples: 0 };
  const report = writeReportBlocks(blocks.blocks, paths.report, {
    title: `clipdown quickstart (${settings.profile})`,
    intro: blocks.intro,
  });
  log(`quickstart: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return {
    report,
    runDir: path.resolve(cfg.out),
    reused: trained.reused,
    trainSeconds: trained.seconds,
    final,
    summary: blocks.summary,
  };
}

/** Everything the report shows, computed from the run directory and the data. */
async function reportBlocks(
  s: QuickstartSettings,
  paths: QuickstartPaths,
  cfg: TrainConfig,
  trained: { reused: boolean; seconds: number },
): Promise<{ intro: string; blocks: ReportBlock[]; summary: string }> {
  const tokenizer = BpeTokenizer.load(path.join(cfg.data, "tokenizer.json"));
  const cache = await ensureCache(cfg.data, cfg.imageSize, { quiet: true });
  const idx = exampleBatch(cache.n, s.exampleCount, s.seed + 1);
  const per = cfg.imageSize * cfg.imageSize * 3;
  const batch = new Uint8Array(idx.length * per);
  idx.forEach((j, i) => {
    batch.set(cache.images.subarray(j * per, (j + 1) * per), i * per);
  });
  const captions = idx.map((j) => cache.captions[j]!);

  const before = initialModel(cfg, tokenizer);
  const simBefore = await similarityMatrix(
    before,
    tokenizer,
    batch,
    cfg.imageSize,
    captions,
    cfg.contextLength,
  );
  before.dispose();

  const loaded = loadRunForEval(cfg.out, { dataDir: cfg.data });
  const model = loaded.model;
  const params = Object.values(model.params).reduce((n, v) => n + v.size, 0);
  const simAfter = await similarityMatrix(
    model,
    tokenizer,
    batch,
    cfg.imageSize,
    captions,
    cfg.contextLength,
  );

  const cls = await loadClassificationSet(path.join(paths.dataRoot, "emoji-441"), cfg.imageSize, {
    quiet: true,
  });
  const zsIdx = Array.from(spreadIndices(cls.n, s.exampleCount + 2));
  const zs = await zeroShotExamples(model, tokenizer, cls, zsIdx, cfg.contextLength);
  const ret = await loadRetrievalSet(path.join(paths.dataRoot, "noto"), cfg.imageSize, { quiet: true });
  const pool = Array.from(spreadIndices(ret.n, s.evalSize > 0 ? Math.max(s.evalSize, 50) : ret.n));
  const step = Math.max(1, Math.floor(pool.length / (s.exampleCount + 2)));
  const queries = pool.filter((_, i) => i % step === 0).slice(0, s.exampleCount + 2);
  const rx = await retrievalExamples(model, tokenizer, ret, queries, pool, cfg.contextLength);
  loaded.dispose();

  const run = readRunLog(cfg.out, "quickstart");
  const last = run.evals[run.evals.length - 1];
  const nouns = readClassNames(path.join(paths.dataRoot, PRIMARY_ZEROSHOT));
  const summary = primarySummary(last, nouns.length, pool.length);
  const pct = (k: string) => (last?.[k] !== undefined ? `${(100 * last[k]!).toFixed(1)}%` : "n/a");
  const intro = [
    `A ${cfg.model} CLIP (${(params / 1e6).toFixed(2)} M parameters, ${cfg.imageSize} px images) ` +
      `trained with the contrastive CLIP loss on ${cache.n} pictogram–caption pairs from ${cfg.data} for ` +
      `${cfg.samples} samples (batch ${cfg.batch}, lr ${cfg.lr}, captions "${cfg.captions}", seed ${cfg.seed}). ` +
      (trained.reused
        ? `The finished run in \`${cfg.out}\` was reused.`
        : `Training took ${trained.seconds.toFixed(0)} s on this machine.`),
    summary.text,
    `The fine-grained task, emoji-441 (${cls.classNames.length} emoji named by their full CLDR names, ` +
      `prompts "${PROMPT_TEMPLATES.join('", "')}"), stays hard at this scale: top-1 ${pct("heldout-emoji-441/acc1")}, ` +
      `top-5 ${pct("heldout-emoji-441/acc5")} (chance ${(100 / cls.classNames.length).toFixed(2)}%).`,
    `Reproduce: \`npx clipdown quickstart --profile ${s.profile}\`. Explore step by step: \`npm run lab\`, ` +
      "then notebooks/00-quickstart.ipynb.",
  ].join("\n\n");
  const zsThumbs = zsIdx.map((j) => thumbnail(cls.images, j, cls.size));
  const rxThumbs = queries.map((j) => thumbnail(ret.images, j, ret.size));
  const blocks: ReportBlock[] = [
    { kind: "figure", figure: batchFigure(batch, cfg.imageSize, captions), title: "What it learns from" },
    { kind: "figure", figure: lossFigure([run]), title: "Training loss" },
    {
      kind: "figure",
      figure: evalFigure([run], [`${PRIMARY_ZEROSHOT}/mean_per_class_recall`, `${PRIMARY_ZEROSHOT}/acc1`], {
        title: `Zero-shot on ${PRIMARY_ZEROSHOT} (${nouns.length} classes, held-out Noto style)`,
        labels: {
          [`${PRIMARY_ZEROSHOT}/mean_per_class_recall`]: "mean per-class recall",
          [`${PRIMARY_ZEROSHOT}/acc1`]: "top-1",
        },
        chance: 1 / nouns.length,
      }),
      title: "Zero-shot accuracy over training (the primary benchmark)",
    },
    {
      kind: "figure",
      figure: evalFigure([run], ["heldout-emoji-441/acc1", "heldout-emoji-441/acc5"], {
        title: "Zero-shot accuracy on emoji-441 (fine-grained, held-out Noto style)",
        labels: { "heldout-emoji-441/acc1": "top-1", "heldout-emoji-441/acc5": "top-5" },
        chance: 1 / cls.classNames.length,
      }),
      title: "Fine-grained zero-shot over training",
    },
    {
      kind: "figure",
      figure: evalFigure(
        [run],
        ["train-images/acc1", `${PRIMARY_ZEROSHOT}/acc1`, `${PRIMARY_ZEROSHOT}/class_text_cos`],
        {
          title: "Diagnostics: memorisation vs generalisation, and text collapse",
          labels: {
            "train-images/acc1": `zero-shot on ${TRAIN_PROBE_IMAGES} training images (own names)`,
            [`${PRIMARY_ZEROSHOT}/acc1`]: `zero-shot on held-out ${PRIMARY_ZEROSHOT}`,
            [`${PRIMARY_ZEROSHOT}/class_text_cos`]: "mean cosine between class prompts (1 = collapse)",
          },
        },
      ),
      title: "Diagnostics over training",
      caption:
        "A model that memorises scores high on its training images and low on the held-out style; " +
        "class prompts whose mean cosine nears 1 have collapsed to one point, and zero-shot cannot separate them.",
    },
    {
      kind: "figure",
      figure: stepFigure([run], ["logit_scale", "i2t_acc", "t2i_acc"], {
        title: "Training log: learned temperature and in-batch accuracy",
        labels: {
          logit_scale: "logit_scale (log inverse temperature)",
          i2t_acc: "in-batch image→text",
          t2i_acc: "in-batch text→image",
        },
      }),
      title: "Temperature and in-batch accuracy",
    },
    {
      kind: "figure",
      figure: evalFigure(
        [run],
        [
          "heldout-noto/text_retrieval_recall@1",
          "heldout-noto/text_retrieval_recall@10",
          "heldout-noto/image_retrieval_recall@1",
          "heldout-noto/image_retrieval_recall@10",
        ],
        {
          title: `Retrieval recall among ${pool.length} Noto captions`,
          labels: {
            "heldout-noto/text_retrieval_recall@1": "image→text R@1",
            "heldout-noto/text_retrieval_recall@10": "image→text R@10",
            "heldout-noto/image_retrieval_recall@1": "text→image R@1",
            "heldout-noto/image_retrieval_recall@10": "text→image R@10",
          },
          chance: 10 / pool.length,
        },
      ),
      title: "Retrieval over training",
    },
    {
      kind: "figure",
      figure: similarityFigure(simBefore, simAfter, captions),
      title: "Similarity matrix of a batch",
      caption:
        "Rows are images, columns their captions in the same order; the diagonal holds the true pairs.",
    },
    {
      kind: "figure",
      figure: zeroShotFigure(zs, zsThumbs, "Zero-shot on held-out Noto emoji: true class, then the top 3"),
      title: "Zero-shot examples",
    },
    {
      kind: "figure",
      figure: retrievalFigure(rx, rxThumbs, `Captions retrieved among ${pool.length} Noto captions`),
      title: "Retrieval examples",
    },
    {
      kind: "table",
      table: runsTable(
        [run],
        [
          `${PRIMARY_ZEROSHOT}/mean_per_class_recall`,
          `${PRIMARY_ZEROSHOT}/acc1`,
          `${PRIMARY_ZEROSHOT}/acc5`,
          "heldout-emoji-441/acc1",
          "heldout-emoji-441/acc5",
          "heldout-noto/text_retrieval_recall@1",
          "heldout-noto/text_retrieval_recall@10",
          "heldout-noto/image_retrieval_recall@1",
          "heldout-noto/image_retrieval_recall@10",
        ],
      ),
      title: "Final held-out metrics",
    },
  ];
  return { intro, blocks, summary: summary.text };
}

/**
 * The headline of a run's last evaluation: the primary benchmark's mean per-class recall against
 * chance, Noto caption R@10 against chance, and one sentence on what they mean.
 */
export function primarySummary(
  last: Record<string, number> | undefined,
  numClasses: number,
  pool: number,
): { text: string; recall?: number; chance?: number; r10?: number } {
  const recall = last?.[`${PRIMARY_ZEROSHOT}/mean_per_class_recall`];
  const r10 = last?.["heldout-noto/text_retrieval_recall@10"];
  if (recall === undefined || !numClasses)
    return { text: `No ${PRIMARY_ZEROSHOT} evaluation in this run (clipdown data build creates the set).` };
  const chance = 1 / numClasses;
  const times = recall / chance;
  const r10Text =
    r10 === undefined
      ? ""
      : ` Given a held-out image, its own caption is among the 10 best of ${pool} Noto captions ` +
        `${(100 * r10).toFixed(1)}% of the time (chance ${((100 * 10) / pool).toFixed(1)}%).`;
  const meaning =
    times >= 3 && recall - chance >= 0.08
      ? `In words: shown an emoji in an art style it never saw, the model names the thing in it (a cat, a flag, a car) about ${Math.max(1, Math.round(times))}× as often as guessing would.`
      : `In words: at this budget the model is still close to guessing (${times.toFixed(1)}× chance); train longer (--samples) to see it learn.`;
  return {
    text:
      `Primary benchmark — zero-shot on ${PRIMARY_ZEROSHOT}, ${numClasses} classes of things the training captions ` +
      `name often, drawn in the held-out Noto style: mean per-class recall ${(100 * recall).toFixed(1)}% ` +
      `(chance ${(100 * chance).toFixed(1)}%, ${times.toFixed(1)}× chance), top-1 ${(100 * (last?.[`${PRIMARY_ZEROSHOT}/acc1`] ?? 0)).toFixed(1)}%.` +
      `${r10Text} ${meaning}`,
    recall,
    chance,
    ...(r10 !== undefined ? { r10 } : {}),
  };
}

/** Settings for a profile with flag overrides applied. */
export function settingsFor(
  profile: Profile,
  overrides: Partial<QuickstartSettings> = {},
): QuickstartSettings {
  const base = PROFILE_SETTINGS[profile];
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...base, ...defined, profile };
}
