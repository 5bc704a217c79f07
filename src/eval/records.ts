/**
 * Evaluation results in CLIP_benchmark's JSON shape, so they merge with its tables: one record per
 * (model, task, dataset) with its keys `dataset`, `model`, `pretrained`, `task`, `metrics`,
 * `language`, plus clipdown's `samples_seen`, `flops`, `strategy`, `run_id`, `checkpoint`.
 * Task names and metric keys follow CLIP_benchmark where it has them (`zeroshot_classification`:
 * acc1/acc5/mean_per_class_recall; `zeroshot_retrieval`: image_retrieval_recall@k = text→image,
 * text_retrieval_recall@k = image→text; `linear_probe`: lp_acc1/lp_acc5/lp_mean_per_class_recall);
 * `few_shot` and `transfer_init` are clipdown's own.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type BenchmarkTask =
  | "zeroshot_classification"
  | "zeroshot_retrieval"
  | "linear_probe"
  | "few_shot"
  | "transfer_init";

/** Where the evaluated weights came from (the same on every record of one suite run). */
export interface RecordMeta {
  /** Model preset name, e.g. "vit-ti/8". */
  model: string;
  /** Run directory name (its id). */
  runId: string;
  /** Checkpoint file evaluated. */
  checkpoint: string;
  /** Training samples seen by that checkpoint. */
  samplesSeen: number;
  /** Training FLOPs spent to reach it (samples seen × the strategy's FLOPs per sample), or null if unknown. */
  flops: number | null;
  /** Training strategy ("clip", "catlip", …). */
  strategy: string;
}

/** Metric values: numbers, plus small tables (sweeps, per-fraction rows) as plain JSON. */
export type MetricValue = number | string | null | MetricValue[] | { [k: string]: MetricValue };

export interface EvalRecord {
  dataset: string;
  model: string;
  /** CLIP_benchmark's weights name; here the checkpoint path. */
  pretrained: string;
  task: BenchmarkTask;
  metrics: Record<string, MetricValue>;
  language: string;
  samples_seen: number;
  flops: number | null;
  strategy: string;
  run_id: string;
  checkpoint: string;
}

/** One record for `task` on `dataset` with `metrics`. */
export function makeRecord(
  meta: RecordMeta,
  task: BenchmarkTask,
  dataset: string,
  metrics: Record<string, MetricValue>,
): EvalRecord {
  return {
    dataset,
    model: meta.model,
    pretrained: meta.checkpoint,
    task,
    metrics,
    language: "en",
    samples_seen: meta.samplesSeen,
    flops: meta.flops,
    strategy: meta.strategy,
    run_id: meta.runId,
    checkpoint: meta.checkpoint,
  };
}

/** Writes JSON to `file` via a temp file + rename, so a reader never sees half a file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** File-name-safe form of a dataset or task name ("emoji-441/edges" → "emoji-441_edges"). */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/**
 * Writes each record to `template` with `{task}`, `{dataset}`, `{model}`, `{run_id}` filled in
 * (CLIP_benchmark's `--output` templates); returns the files written.
 */
export function writeRecords(records: EvalRecord[], template: string): string[] {
  const files = records.map((r) =>
    template
      .replaceAll("{task}", slug(r.task))
      .replaceAll("{dataset}", slug(r.dataset))
      .replaceAll("{model}", slug(r.model))
      .replaceAll("{run_id}", slug(r.run_id)),
  );
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f))
      throw new Error(`output template "${template}" maps two records to ${f}; include {task} and {dataset}`);
    seen.add(f);
  }
  records.forEach((r, i) => {
    writeJsonAtomic(files[i]!, r);
  });
  return files;
}
