/**
 * `clipdown eval --checkpoint runs/X[/final.safetensors] --task zeroshot|linear-probe|few-shot|retrieval|transfer|all
 *  [--dataset name|dir[,…]] [--out file|template]`: evaluates a trained run and writes one
 * CLIP_benchmark-style JSON per (task, dataset), by default to `<run>/eval/{task}_{dataset}.json`.
 */
import * as path from "node:path";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import { type EvalRecord, writeJsonAtomic, writeRecords } from "./records";
import type { EvalTask } from "./suite";

const TASK_CHOICES = ["zeroshot", "linear-probe", "few-shot", "retrieval", "transfer", "all"];

const SPECS: FlagSpecs = {
  checkpoint: {
    kind: "string",
    help: "run directory (uses final.safetensors, else last) or a checkpoint file",
  },
  task: {
    kind: "string",
    default: "all",
    help: `what to evaluate: ${TASK_CHOICES.join(", ")} (comma-separated ok)`,
  },
  dataset: {
    kind: "string",
    help: "dataset name under --data-root or a directory, comma-separated (default: each task's usual sets)",
  },
  "data-root": { kind: "string", default: "data", help: "where the held-out sets live" },
  "train-data": {
    kind: "string",
    help: "directory with the run's tokenizer.json (default: the run config's data)",
  },
  out: {
    kind: "string",
    help: "output: a template with {task}/{dataset} (one file per record), or one .json file (default <run>/eval/{task}_{dataset}.json)",
  },
  templates: {
    kind: "string",
    help: "zero-shot prompts: emoji, drawing, icon, photo, or a file (one per line, with {})",
  },
  seed: { kind: "number", default: 0, help: "seed for splits, shot draws and random heads" },
  shots: { kind: "string", default: "5,10", help: "few-shot: shots per class" },
  "few-shot-seeds": { kind: "number", default: 3, help: "few-shot: seeds averaged (seed, seed+1, …)" },
  fractions: {
    kind: "string",
    default: "0.01,0.1,1",
    help: "transfer: fractions of the labelled training data",
  },
  "transfer-epochs": { kind: "number", default: 30, help: "transfer: training epochs for both inits" },
  alpha: {
    kind: "number",
    default: 0.25,
    help: "transfer: WordNet path-similarity threshold for a label→synset match",
  },
  "transfer-bias": {
    kind: "string",
    default: "zero",
    help: "transfer: bias init, zero or copy (from the synset head)",
  },
  batch: { kind: "number", default: 128, help: "images per forward batch" },
  quiet: { kind: "boolean", help: "no progress lines" },
  help: { kind: "boolean", help: "show this help" },
};

function numberList(flag: string, raw: string): number[] {
  const out = raw.split(",").map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((x) => !Number.isFinite(x)))
    throw new UsageError(`--${flag} must be comma-separated numbers, got "${raw}"`);
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, SPECS);
  if (flags.help) {
    console.log(
      formatHelp("clipdown eval --checkpoint runs/X [--task all] [--dataset name|dir] [--out file]", SPECS),
    );
    return 0;
  }
  if (positional.length)
    throw new UsageError(`unexpected argument "${positional[0]}"; all options are --flags`);
  if (typeof flags.checkpoint !== "string")
    throw new UsageError("--checkpoint is required (a run directory or .safetensors)");
  const taskArg = String(flags.task);
  const tasks = taskArg.split(",").map((t) => t.trim());
  for (const t of tasks) {
    if (!TASK_CHOICES.includes(t))
      throw new UsageError(`--task "${t}" is not one of ${TASK_CHOICES.join(", ")}`);
  }
  const bias = String(flags["transfer-bias"]);
  if (bias !== "zero" && bias !== "copy")
    throw new UsageError(`--transfer-bias must be zero or copy, got "${bias}"`);
  const shots = numberList("shots", String(flags.shots));
  const fractions = numberList("fractions", String(flags.fractions));
  const nSeeds = Number(flags["few-shot-seeds"]);
  if (!(Number.isInteger(nSeeds) && nSeeds >= 1))
    throw new UsageError("--few-shot-seeds must be a positive integer");

  const { initBackend } = await import("../tf");
  const { loadRunForEval } = await import("./load-run");
  const { defaultTasks, evaluateSuite } = await import("./suite");
  const { resolveTemplates } = await import("./templates");
  await initBackend();
  const t0 = Date.now();
  const loaded = loadRunForEval(flags.checkpoint, {
    ...(typeof flags["train-data"] === "string" ? { dataDir: flags["train-data"] } : {}),
  });
  const log = flags.quiet ? () => {} : (s: string) => console.error(s);
  let records: EvalRecord[];
  try {
    const chosen = tasks.includes("all")
      ? defaultTasks(loaded.config.strategy ?? "clip", loaded.synsetHead !== undefined)
      : (tasks as EvalTask[]);
    if (!loaded.hasTextTower && chosen.some((t) => t === "zeroshot" || t === "retrieval"))
      throw new UsageError(`${loaded.checkpoint} has no text tower; zeroshot and retrieval need one`);
    const seed = Number(flags.seed);
    log(
      `eval: ${loaded.checkpoint} (${loaded.config.model}, ${loaded.meta.samplesSeen} samples seen): ${chosen.join(", ")}`,
    );
    records = await evaluateSuite(loaded.model, loaded.tokenizer, {
      dataRoot: String(flags["data-root"]),
      imageSize: loaded.config.imageSize,
      contextLength: loaded.config.contextLength,
      tasks: chosen,
      ...(typeof flags.dataset === "string"
        ? { datasets: flags.dataset.split(",").map((s) => s.trim()) }
        : {}),
      meta: loaded.meta,
      ...(typeof flags.templates === "string" ? { templates: resolveTemplates(flags.templates) } : {}),
      ...(loaded.synsetHead ? { synsetHead: loaded.synsetHead } : {}),
      seed,
      shots,
      fewShotSeeds: Array.from({ length: nSeeds }, (_, i) => seed + i),
      fractions,
      transferEpochs: Number(flags["transfer-epochs"]),
      alpha: Number(flags.alpha),
      transferBias: bias,
      batch: Number(flags.batch),
      log,
      progress: { quiet: Boolean(flags.quiet) },
    });
  } finally {
    loaded.dispose();
  }
  const out =
    typeof flags.out === "string" ? flags.out : path.join(loaded.runDir, "eval", "{task}_{dataset}.json");
  let files: string[];
  if (out.includes("{")) files = writeRecords(records, out);
  else {
    writeJsonAtomic(out, records.length === 1 ? records[0] : records);
    files = [out];
  }
  for (const r of records) console.log(JSON.stringify(summaryLine(r)));
  log(
    `eval: ${records.length} records → ${files.length === 1 ? files[0] : path.dirname(files[0] ?? out)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return 0;
}

/** The record without its bulky tables, for the terminal. */
function summaryLine(r: EvalRecord): Record<string, unknown> {
  const metrics = Object.fromEntries(Object.entries(r.metrics).filter(([, v]) => typeof v === "number"));
  return { task: r.task, dataset: r.dataset, metrics };
}
