/**
 * The quickstart, start to finish: build the data if missing → train a small CLIP on the pictogram
 * corpus (or reuse the finished run) → look inside the model → write one HTML report.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureCache } from "../data/cache";
import { ensureData } from "../data/corpus/build";
import { loadClassificationSet, loadRetrievalSet } from "../data/heldout";
import { permutation } from "../data/rng";
import { spreadIndices } from "../eval/heldout-eval";
import { loadRunForEval } from "../eval/load-run";
import { BpeTokenizer } from "../text/bpe";
import { initBackend } from "../tf";
import type { TrainConfig } from "../train/config";
import { trainRun } from "../train/run";
import type { ReportBlock } from "../viz/report";
import { writeReportBlocks } from "../viz/report";
import { evalFigure, lossFigure, readRunLog, runsTable } from "../viz/runs";
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
export const QUICKSTART_DATASETS = ["pictograms", "emoji-441", "noto"];

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
    await trainRun({ ...cfg, stopAt, resume: resume || k > 1 }, log);
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
  /** The last held-out evaluation (zs_top1, i2t_r1, …). */
  final: Record<string, number>;
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
  };
}

/** Everything the report shows, computed from the run directory and the data. */
async function reportBlocks(
  s: QuickstartSettings,
  paths: QuickstartPaths,
  cfg: TrainConfig,
  trained: { reused: boolean; seconds: number },
): Promise<{ intro: string; blocks: ReportBlock[] }> {
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
  const pct = (k: string) => (last?.[k] !== undefined ? `${(100 * last[k]!).toFixed(1)}%` : "n/a");
  const intro = [
    `A ${cfg.model} CLIP (${(params / 1e6).toFixed(2)} M parameters, ${cfg.imageSize} px images) ` +
      `trained with the contrastive CLIP loss on ${cache.n} pictogram–caption pairs from ${cfg.data} for ` +
      `${cfg.samples} samples (batch ${cfg.batch}, seed ${cfg.seed}). ` +
      (trained.reused
        ? `The finished run in \`${cfg.out}\` was reused.`
        : `Training took ${trained.seconds.toFixed(0)} s on this machine.`),
    `Evaluation uses Noto emoji, an art style that never appears in training: zero-shot top-1 on the ` +
      `${cls.classNames.length} emoji classes is ${pct("zs_top1")} (chance ${(100 / cls.classNames.length).toFixed(2)}%), ` +
      `top-5 ${pct("zs_top5")}; image→text Recall@5 among ${pool.length} Noto captions is ${pct("i2t_r5")} ` +
      `(chance ${(500 / pool.length).toFixed(1)}%).`,
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
      figure: evalFigure([run], ["zs_top1", "zs_top5"], {
        title: "Zero-shot accuracy on emoji-441 (held-out Noto style)",
        labels: { zs_top1: "top-1", zs_top5: "top-5" },
      }),
      title: "Zero-shot accuracy over training",
    },
    {
      kind: "figure",
      figure: evalFigure([run], ["i2t_r1", "i2t_r5", "t2i_r1", "t2i_r5"], {
        title: "Retrieval recall on Noto captions",
        labels: {
          i2t_r1: "image→text R@1",
          i2t_r5: "image→text R@5",
          t2i_r1: "text→image R@1",
          t2i_r5: "text→image R@5",
        },
      }),
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
      table: runsTable([run], ["zs_top1", "zs_top5", "i2t_r1", "i2t_r5", "t2i_r1", "t2i_r5"]),
      title: "Final held-out metrics",
    },
  ];
  return { intro, blocks };
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
