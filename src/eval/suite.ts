/**
 * The evaluation suite: every task on its datasets, one CLIP_benchmark-style record per
 * (task, dataset). Images of a dataset are encoded once and shared by all tasks that use them.
 *
 * @example In-process (the experiments code):
 * ```ts
 * const records = await evaluateSuite(model, tokenizer, {
 *   dataRoot: "data", imageSize: 32, contextLength: 16,
 *   tasks: ["zeroshot", "linear-probe", "few-shot", "retrieval"],
 *   meta: { model: "vit-ti/8", runId: "r1", checkpoint: "runs/r1/final.safetensors",
 *           samplesSeen: 200000, flops: 1.2e15, strategy: "clip" },
 * });
 * records.find((r) => r.task === "zeroshot_classification" && r.dataset === "emoji-441")?.metrics.acc1;
 * ```
 */

import * as fs from "node:fs";
import * as path from "node:path";
import type { ClipModel } from "../models/clip-model";
import type { BpeTokenizer } from "../text/bpe";
import type { SynsetVocab } from "../text/synset-vocab";
import { Progress, type ProgressOptions } from "../util/progress";
import type { Emb } from "./embeddings";
import type { ClassificationSet, RetrievalSet } from "./heldout-eval";
import {
  type BenchmarkTask,
  type EvalRecord,
  type MetricValue,
  makeRecord,
  type RecordMeta,
} from "./records";
import { COMPUTED_SHIFTS } from "./shift";
import {
  clipEncoders,
  type Encoders,
  fewShotTask,
  linearProbeTask,
  retrievalTask,
  trainTestIndices,
  transferTask,
  zeroShotTask,
} from "./tasks";
import { TEMPLATE_SETS, type TemplateSetName } from "./templates";
import type { SynsetHead, TransferBias } from "./transfer";

export type EvalTask = "zeroshot" | "linear-probe" | "few-shot" | "retrieval" | "transfer";
export const EVAL_TASKS: readonly EvalTask[] = [
  "zeroshot",
  "linear-probe",
  "few-shot",
  "retrieval",
  "transfer",
];

const BENCHMARK_TASK: Record<EvalTask, BenchmarkTask> = {
  zeroshot: "zeroshot_classification",
  "linear-probe": "linear_probe",
  "few-shot": "few_shot",
  retrieval: "zeroshot_retrieval",
  transfer: "transfer_init",
};

/** Datasets (names under the data root) each task runs on when none are given. */
export const DEFAULT_DATASETS: Record<EvalTask, string[]> = {
  zeroshot: ["noto-nouns", "emoji-441", "noto-subgroups", "fashion-mnist"],
  "linear-probe": ["fashion-mnist", "noto-subgroups"],
  "few-shot": ["fashion-mnist", "noto-subgroups"],
  retrieval: ["noto"],
  transfer: ["fashion-mnist", "noto-subgroups"],
};

/** Prompt set per known dataset (others use `emoji`). */
const DATASET_TEMPLATES: Record<string, TemplateSetName> = {
  "fashion-mnist": "photo",
  "emoji-441-sketch": "drawing",
  "noto-nouns-sketch": "drawing",
};

/**
 * The datasets whose computed shift variants (and `<name>-sketch` sibling) the zero-shot task adds:
 * the primary benchmark (noto-nouns, ImageNet's role) and the fine-grained emoji-441.
 */
export const SHIFT_BASES: readonly string[] = ["noto-nouns", "emoji-441"];

/** The tasks `--task all` means for a run: text-tower tasks only for runs that trained one. */
export function defaultTasks(strategy: string, hasSynsetHead: boolean): EvalTask[] {
  const textTower = strategy !== "catlip";
  return EVAL_TASKS.filter((t) =>
    t === "transfer" ? hasSynsetHead : t === "zeroshot" || t === "retrieval" ? textTower : true,
  );
}

export interface SuiteOptions {
  /** Root holding the held-out sets (emoji-441, noto, noto-subgroups, fashion-mnist, …). */
  dataRoot: string;
  /** Image side the model takes (the run's imageSize). */
  imageSize: number;
  /** Text tokens per prompt (the run's contextLength). */
  contextLength: number;
  tasks: EvalTask[];
  /** Dataset names (under dataRoot) or directories; default {@link DEFAULT_DATASETS} per task, missing ones skipped. */
  datasets?: string[];
  meta: RecordMeta;
  /** Zero-shot templates for every dataset, overriding the per-dataset sets. */
  templates?: string[];
  /** The CatLIP synset classifier and its vocabulary (transfer task). */
  synsetHead?: { head: SynsetHead; vocab: SynsetVocab };
  seed?: number;
  /** Test fraction of the seeded stratified split for sets without their own split. Default 0.3. */
  testFraction?: number;
  /** Few-shot: shots per class (default [5, 10]) and seeds averaged (default [0, 1, 2]). */
  shots?: number[];
  fewShotSeeds?: number[];
  /** Transfer: data fractions (default [0.01, 0.1, 1]), epochs (30), α (0.25), bias ("zero"). */
  fractions?: number[];
  transferEpochs?: number;
  alpha?: number;
  transferBias?: TransferBias;
  /** Images per forward batch. */
  batch?: number;
  log?: (line: string) => void;
  /** The progress display (src/util/progress.ts); default: plain lines through `log`, none without it. */
  progress?: Pick<ProgressOptions, "quiet" | "log">;
}

/**
 * Runs `opts.tasks` with a CLIP model and returns one record per (task, dataset) — see the file
 * example. `tokenizer` may be undefined when no text task runs.
 */
export async function evaluateSuite(
  model: ClipModel,
  tokenizer: BpeTokenizer | undefined,
  opts: SuiteOptions,
): Promise<EvalRecord[]> {
  return runSuite(clipEncoders(model, tokenizer, opts.contextLength, opts.batch ?? 128), opts);
}

interface LoadedClassification {
  name: string;
  set: ClassificationSet;
  features: Emb;
  embeddings: Emb;
}

/** Where a dataset lives: an existing directory as given, else `<dataRoot>/<name>`. */
export function resolveDataset(
  nameOrDir: string,
  dataRoot: string,
): { name: string; dir: string } | undefined {
  if (
    fs.existsSync(path.join(nameOrDir, "manifest.json")) ||
    (nameOrDir.includes("/") && fs.existsSync(nameOrDir))
  )
    return { name: path.basename(path.resolve(nameOrDir)), dir: nameOrDir };
  const dir = path.join(dataRoot, nameOrDir);
  return fs.existsSync(dir) ? { name: nameOrDir, dir } : undefined;
}

function missingDataset(name: string, dataRoot: string): Error {
  const extra = name === "fashion-mnist" ? " (it needs the Debian package dataset-fashion-mnist)" : "";
  return new Error(
    `dataset "${name}" not found (looked for ${path.join(dataRoot, name)} and ./${name}); ` +
      `build the held-out sets with \`clipdown data build\`${extra}, or pass --dataset <dir>`,
  );
}

/** Same as {@link evaluateSuite} for any encoders (tests use fakes with known answers). */
export async function runSuite(enc: Encoders, opts: SuiteOptions): Promise<EvalRecord[]> {
  const progress = new Progress({
    label: "eval",
    unit: "tasks",
    total: opts.tasks.reduce((n, t) => n + (opts.datasets ?? DEFAULT_DATASETS[t]).length, 0),
    ...(opts.progress ?? (opts.log ? { log: opts.log } : { quiet: true })),
  });
  // Every line goes through the display, so a bar on a terminal is never broken by it.
  const log = (s: string) => progress.note(s);
  // Building a set's cache reports progress too, unless this evaluation is quiet.
  const cacheQuiet = { quiet: opts.progress ? Boolean(opts.progress.quiet) : !opts.log };
  const seed = opts.seed ?? 0;
  const size = opts.imageSize;
  const records: EvalRecord[] = [];
  const data = await import("../data/heldout");
  const classCache = new Map<string, Promise<LoadedClassification>>();
  const loadClassification = (name: string, dir: string) => {
    let p = classCache.get(dir);
    if (!p) {
      p = (async () => {
        const t0 = Date.now();
        const set = await data.loadClassificationSet(dir, size, cacheQuiet);
        const { features, embeddings } = await enc.images(set.images, set.n, set.size);
        log(`eval: ${name}: encoded ${set.n} images in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        return { name, set, features, embeddings };
      })();
      classCache.set(dir, p);
    }
    return p;
  };
  const emit = (task: EvalTask, dataset: string, metrics: Record<string, MetricValue>, t0: number) => {
    metrics.seconds = +((Date.now() - t0) / 1000).toFixed(3);
    records.push(makeRecord(opts.meta, BENCHMARK_TASK[task], dataset, metrics));
    const main = Object.entries(metrics).find(([, v]) => typeof v === "number");
    log(`eval: ${task} ${dataset}: ${main ? `${main[0]} = ${(main[1] as number).toFixed(4)}` : "done"}`);
    progress.tick(1, { [`${dataset} ${main?.[0] ?? task}`]: main?.[1] as number | undefined });
  };
  const templatesFor = (name: string) =>
    opts.templates ?? [...TEMPLATE_SETS[DATASET_TEMPLATES[name] ?? "emoji"]];

  for (const task of opts.tasks) {
    const explicit = opts.datasets !== undefined;
    const names = opts.datasets ?? DEFAULT_DATASETS[task];
    const found: Array<{ name: string; dir: string }> = [];
    for (const n of names) {
      const r = resolveDataset(n, opts.dataRoot);
      if (r) found.push(r);
      else if (explicit) throw missingDataset(n, opts.dataRoot);
      else
        log(
          `eval: ${task}: ${path.join(opts.dataRoot, n)} not found, skipped (clipdown data build creates it)`,
        );
    }
    if (found.length === 0) throw missingDataset(names.join(", "), opts.dataRoot);
    if (task === "transfer" && !opts.synsetHead) {
      throw new Error(
        "transfer needs a CatLIP checkpoint: catlip.head.w / catlip.head.b in the checkpoint and vocab.json in its run directory",
      );
    }
    for (const { name, dir } of found) {
      const t0 = Date.now();
      if (task === "retrieval") {
        const set: RetrievalSet = await data.loadRetrievalSet(dir, size, cacheQuiet);
        const { embeddings } = await enc.images(set.images, set.n, set.size);
        emit(task, name, await retrievalTask(enc, set, embeddings), t0);
        continue;
      }
      const c = await loadClassification(name, dir);
      const numClasses = c.set.classNames.length;
      if (task === "zeroshot") {
        const evalIdx = c.set.splits ? trainTestIndices(c.set, { testFraction: 0.3, seed }).test : undefined;
        const emb = evalIdx ? pickRows(c.embeddings, evalIdx) : c.embeddings;
        const labels = evalIdx ? Int32Array.from(evalIdx, (i) => c.set.labels[i]!) : c.set.labels;
        emit(task, name, await zeroShotTask(enc, emb, labels, c.set.classNames, templatesFor(name)), t0);
        if (SHIFT_BASES.includes(name))
          records.push(...(await shiftRecords(enc, c, opts, templatesFor, loadClassification, log)));
        continue;
      }
      const split = trainTestIndices(c.set, { testFraction: opts.testFraction ?? 0.3, seed });
      if (task === "linear-probe") {
        const m = await linearProbeTask(c.features, c.set.labels, split, { numClasses, seed });
        emit(task, name, { ...m, split: split.splitSource }, t0);
      } else if (task === "few-shot") {
        const m = await fewShotTask(c.features, c.set.labels, split, {
          numClasses,
          seed,
          shots: opts.shots ?? [5, 10],
          seeds: opts.fewShotSeeds ?? [0, 1, 2],
        });
        emit(task, name, { ...m, split: split.splitSource }, t0);
      } else if (task === "transfer") {
        const { head, vocab } = opts.synsetHead!;
        const m = await transferTask(c.features, c.set.labels, c.set.classNames, split, head, vocab, {
          seed,
          fractions: opts.fractions ?? [0.01, 0.1, 1],
          epochs: opts.transferEpochs ?? 30,
          alpha: opts.alpha ?? 0.25,
          bias: opts.transferBias ?? "zero",
        });
        emit(task, name, { ...m, split: split.splitSource }, t0);
      }
    }
  }
  progress.finish();
  return records;
}

/** Zero-shot on the computed variants of the shift base and its `-sketch` sibling, plus their mean. */
async function shiftRecords(
  e: Encoders,
  base: LoadedClassification,
  o: SuiteOptions,
  templates: (name: string) => string[],
  load: (name: string, dir: string) => Promise<LoadedClassification>,
  say: (s: string) => void,
): Promise<EvalRecord[]> {
  const out: EvalRecord[] = [];
  const { set } = base;
  const variants: Array<{ name: string; acc1: number; acc5: number; mpcr: number }> = [];
  const push = (name: string, m: Record<string, MetricValue>, t0: number) => {
    m.seconds = +((Date.now() - t0) / 1000).toFixed(3);
    out.push(makeRecord(o.meta, "zeroshot_classification", name, m));
    variants.push({
      name,
      acc1: m.acc1 as number,
      acc5: m.acc5 as number,
      mpcr: m.mean_per_class_recall as number,
    });
    say(`eval: zeroshot ${name}: acc1 = ${(m.acc1 as number).toFixed(4)}`);
  };
  for (const [variant, fn] of Object.entries(COMPUTED_SHIFTS)) {
    const t0 = Date.now();
    const { embeddings } = await e.images(fn(set.images, set.n, set.size), set.n, set.size);
    const name = `${base.name}-${variant}`;
    push(name, await zeroShotTask(e, embeddings, set.labels, set.classNames, templates(base.name)), t0);
  }
  const sketchName = `${base.name}-sketch`;
  const sketch = resolveDataset(sketchName, o.dataRoot);
  if (sketch) {
    const t0 = Date.now();
    const s = await load(sketchName, sketch.dir);
    push(
      sketchName,
      await zeroShotTask(e, s.embeddings, s.set.labels, s.set.classNames, templates(base.name)),
      t0,
    );
  } else say(`eval: ${path.join(o.dataRoot, sketchName)} not found, the sketch variant is skipped`);
  const mean = (f: (v: (typeof variants)[number]) => number) =>
    variants.reduce((s, v) => s + f(v), 0) / variants.length;
  out.push(
    makeRecord(o.meta, "zeroshot_classification", `${base.name}-shift-mean`, {
      acc1: mean((v) => v.acc1),
      acc5: mean((v) => v.acc5),
      mean_per_class_recall: mean((v) => v.mpcr),
      variants: variants.map((v) => v.name),
    }),
  );
  return out;
}

function pickRows(e: Emb, idx: Int32Array): Emb {
  const data = new Float32Array(idx.length * e.d);
  idx.forEach((r, i) => {
    data.set(e.data.subarray(r * e.d, (r + 1) * e.d), i * e.d);
  });
  return { data, n: idx.length, d: e.d };
}
