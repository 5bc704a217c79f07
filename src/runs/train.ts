/**
 * The `train` run kind: one `trainRun` in the run directory, then the spec's evaluation tasks.
 *
 * A train spec holds every `TrainConfig` field that can change a result (model, strategy and its
 * options, data, subset, quality filter, samples seen, batch, schedule, seed, eval sizes, ...),
 * filled with the defaults, plus `eval` (task names), `noise` (the corpus' corrupted-caption
 * fraction, a label checked against the corpus manifest) and `scores` (the hash of the `score` run
 * whose scores rank samples for `qualityTop`). `data` is a path or `run:<hash>`, the corpus a
 * `noise` run of the sweep wrote. The fields that only say where and how a run executes (out,
 * resume, logging, checkpoint interval, the scores directory) are filled in by the runner.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { baseCorpusHash, type CorpusIdentity, corpusIdentity } from "../data/corpus/identity";
import { resolvePreset } from "../models/presets";
import { createStrategy } from "../strategies";
import { STRATEGY_OPTION_NAMES } from "../strategies/options";
import type { StrategyOptions } from "../strategies/strategy";
import type { RunContext, RunKind, RunOutput } from "../sweep/kinds";
import { isHash, isRunRef, type Json, RUN_REF, type RunSpec, refHash } from "../sweep/spec";
import { SynsetVocab } from "../text/synset-vocab";
import {
  camel,
  kebab,
  LEGACY_NEUTRAL,
  presetOpts,
  resolveTrainConfig,
  TRAIN_FIELDS,
  type TrainConfig,
} from "../train/config";
import { parseEvalTask, runEvalTasks } from "./eval-tasks";
import { safetensorsProblem } from "./verify";

/** TrainConfig fields set per execution by the runner, never part of a spec (or its hash). */
export const PLUMBING_FIELDS = [
  "out",
  "resume",
  "stopAt",
  "quiet",
  "logEvery",
  "evalEvery",
  "checkpointEvery",
  "qualityScores",
] as const;

/** Fields a train spec adds to TrainConfig's. */
const SPEC_ONLY = ["kind", "eval", "noise", "scores"] as const;

export type TrainSpec = RunSpec & { kind: "train"; eval: string[]; noise: number; scores: string } & Omit<
    TrainConfig,
    (typeof PLUMBING_FIELDS)[number]
  >;

function trainFieldNames(): string[] {
  return Object.keys(TRAIN_FIELDS).filter((f) => !(PLUMBING_FIELDS as readonly string[]).includes(f));
}

/** Validates a raw train spec (camelCase or kebab-case keys) and fills every default. */
export function normalizeTrainSpec(raw: Record<string, unknown>): TrainSpec {
  const train: Record<string, unknown> = {};
  let evalTasks: unknown = ["heldout"];
  let noise: unknown = 0;
  let scores: unknown = "";
  for (const [key, value] of Object.entries(raw)) {
    const f = camel(key);
    if (f === "kind") continue;
    if (f === "eval") evalTasks = value;
    else if (f === "noise") noise = value;
    else if (f === "scores") scores = value;
    else if ((PLUMBING_FIELDS as readonly string[]).includes(f))
      throw new Error(`"${key}" is set by the sweep runner for each run; leave it out of the spec`);
    else if (!(f in TRAIN_FIELDS)) {
      const valid = [...trainFieldNames(), ...SPEC_ONLY].map(kebab).join(", ");
      throw new Error(`unknown train spec field "${key}"; valid fields: ${valid}`);
    } else train[f] = value;
  }
  if (!Array.isArray(evalTasks))
    throw new Error(`eval must be a list of tasks, got ${JSON.stringify(evalTasks)}`);
  for (const t of evalTasks) parseEvalTask(t);
  if (new Set(evalTasks).size !== evalTasks.length)
    throw new Error(`eval lists a task twice: ${JSON.stringify(evalTasks)}`);
  if (typeof noise !== "number" || !(noise >= 0 && noise < 1))
    throw new Error(`noise must be a fraction in [0, 1), got ${JSON.stringify(noise)}`);
  if (typeof raw.data === "string" && raw.data.startsWith(RUN_REF) && !isRunRef(raw.data))
    throw new Error(`data "${raw.data}" must be a path or run:<16-hex-digit hash of a noise run>`);
  if (scores !== "" && !isHash(scores))
    throw new Error(
      `scores must be "" or the hash of a score run in the same sweep, got ${JSON.stringify(scores)}`,
    );
  const cfg = resolveTrainConfig(train);
  const spec: Record<string, Json> = { kind: "train" };
  for (const f of trainFieldNames()) {
    const v = (cfg as unknown as Record<string, Json>)[f]!;
    // A field added after results were published is left out at its old behaviour: same hash as before.
    if (f in LEGACY_NEUTRAL && v === (LEGACY_NEUTRAL as Record<string, unknown>)[f]) continue;
    spec[f] = v;
  }
  Object.assign(spec, { eval: [...(evalTasks as string[])], noise, scores });
  const top = spec.qualityTop;
  if (typeof top === "number" && top < 100 && !scores)
    throw new Error(
      `quality-top ${top} needs scores: the hash of the score run that ranks ${String(spec.data)}`,
    );
  if (scores && !(typeof top === "number" && top < 100))
    throw new Error("scores is set but quality-top is 100 (no filtering); drop scores or lower quality-top");
  return spec as TrainSpec;
}

/** The corpus directory a run trains on (resolving `run:<hash>` through the run's dependencies). */
export function resolveData(data: string, depDir?: (hash: string) => string): string {
  if (!isRunRef(data)) return data;
  if (!depDir) throw new Error(`data ${data} refers to another run; resolve it through the sweep`);
  return path.join(depDir(refHash(data)), CORPUS_DIR);
}

/** Where a `noise` run writes its corpus inside its run directory. */
export const CORPUS_DIR = "corpus";

/** The full TrainConfig that executes a spec in `dir` (`depDir` resolves `run:` references). */
export function toTrainConfig(spec: TrainSpec, dir: string, depDir?: (hash: string) => string): TrainConfig {
  // Fields a spec leaves out at their old behaviour get it back (not today's default).
  const raw: Record<string, unknown> = { ...LEGACY_NEUTRAL };
  for (const f of trainFieldNames()) if (f in spec) raw[f] = (spec as Record<string, unknown>)[f];
  raw.data = resolveData(spec.data, depDir);
  const scoresPath = spec.scores ? depDir?.(spec.scores) : undefined;
  const steps = Math.floor(spec.samples / spec.batch);
  // About ten checkpoints per run: a kill loses at most a tenth of it.
  const ckptSteps = Math.max(1, Math.ceil(steps / 10));
  Object.assign(raw, {
    out: dir,
    resume: true,
    quiet: true,
    logEvery: Math.max(1, Math.min(20, Math.floor(steps / 20))),
    checkpointEvery: ckptSteps * spec.batch,
    ...(scoresPath ? { qualityScores: scoresPath } : {}),
  });
  return resolveTrainConfig(raw);
}

/**
 * Training FLOPs per sample from the preset's configuration alone (no weights built), as the
 * strategy counts them, with the spec's options (FLIP-75 drops more patches than the default 50 %).
 * CatLIP's head (feature width × V) needs the vocabulary's size: pass `vocabSize` once the run has
 * built its vocabulary; before that (a sweep's ETA) the head is counted at `catlipTopK` synsets
 * (0 when uncapped): an undercount of the head alone, 4.5 % of vit-ti/8's CatLIP FLOPs at
 * V = 2,000. A finished run's FLOPs come from its training log, which counts the real V.
 */
export function specFlopsPerSample(
  spec: Pick<TrainSpec, "model" | "strategy" | "imageSize" | "contextLength"> &
    Partial<Pick<TrainSpec, "samples">> &
    Partial<Pick<TrainConfig, "textWidth" | "textDepth" | "textHeads" | "logitScaleInit">> &
    Partial<StrategyOptions>,
  vocabSize?: number,
): number {
  const cfg = resolvePreset(spec.model, presetOpts(spec, 2));
  const opts: StrategyOptions = {};
  for (const k of STRATEGY_OPTION_NAMES)
    if (spec[k] !== undefined) (opts as Record<string, unknown>)[k] = spec[k];
  return createStrategy(spec.strategy, opts).trainFlopsPerSample(cfg, {
    samples: spec.samples,
    vocabSize: vocabSize ?? spec.catlipTopK ?? 0,
  });
}

/** The size of the CatLIP vocabulary a run saved (`vocab.json`), or undefined for other runs. */
function runVocabSize(dir: string): number | undefined {
  const file = path.join(dir, "vocab.json");
  if (!fs.existsSync(file)) return undefined;
  return SynsetVocab.load(file).size;
}

/** The spec's `noise` label must match the corrupted fraction the corpus manifest records. */
export function checkNoise(dataDir: string, noise: number): void {
  let fraction = 0;
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dataDir, "manifest.json"), "utf8")) as {
      build?: { params?: { fraction?: unknown } };
    };
    const f = m.build?.params?.fraction;
    if (typeof f === "number") fraction = f;
  } catch {
    // No manifest (a user's own shards): only a clean corpus can be vouched for.
    if (noise > 0)
      throw new Error(`${dataDir} has no manifest.json, so its noise fraction ${noise} cannot be checked`);
    return;
  }
  if (Math.abs(fraction - noise) > 1e-9)
    throw new Error(
      `spec says noise ${noise} but ${dataDir}/manifest.json records a corrupted fraction of ${fraction}; fix the spec or rebuild the corpus (clipdown data noise --fraction ${noise})`,
    );
}

interface MetricsLine {
  step?: number;
  samples?: number;
  loss?: number;
  flops?: number;
  eval?: boolean;
}

/** The last training (non-eval) record of metrics.jsonl, tolerating a torn final line. */
function lastTrainRecord(dir: string): MetricsLine | undefined {
  const file = path.join(dir, "metrics.jsonl");
  if (!fs.existsSync(file)) return undefined;
  const lines = fs.readFileSync(file, "utf8").split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = lines[i]!.trim();
    if (!t) continue;
    try {
      const r = JSON.parse(t) as MetricsLine;
      if (!r.eval) return r;
    } catch {
      // A line cut short by a kill: look further up.
    }
  }
  return undefined;
}

/** A derived corpus's identity with `source` set to the built corpus its making run recorded. */
function withBase(id: CorpusIdentity | undefined, data: string, ctx: RunContext): CorpusIdentity | undefined {
  if (!id || !isRunRef(data)) return id;
  try {
    const made = JSON.parse(fs.readFileSync(path.join(ctx.depDir(refHash(data)), "result.json"), "utf8"));
    const base = made?.corpus as CorpusIdentity | undefined;
    return base?.contentHash ? { ...id, source: baseCorpusHash(base) } : id;
  } catch {
    // The making run's result is unreadable (it is verified before this run starts): keep the copy's own source.
    return id;
  }
}

export const trainKind: RunKind = {
  name: "train",
  normalize: normalizeTrainSpec,
  needs: (spec) => [
    ...(isRunRef(spec.data) ? [refHash(spec.data)] : []),
    ...(spec.scores ? [spec.scores as string] : []),
  ],

  async execute(raw, ctx: RunContext): Promise<RunOutput> {
    const spec = raw as TrainSpec;
    // A checkpoint that cannot be read would make every resume fail: start that run over instead.
    const last = path.join(ctx.dir, "last.safetensors");
    const bad = fs.existsSync(last) ? safetensorsProblem(last) : undefined;
    if (bad) {
      ctx.log(`last.safetensors is unusable (${bad}); starting this run from scratch`);
      fs.rmSync(last, { force: true });
    }
    const cfg = toTrainConfig(spec, ctx.dir, ctx.depDir);
    checkNoise(cfg.data, spec.noise);
    // Read before training: the corpus this run trains on, recorded with its result (for a copy made
    // by another run, with the built corpus underneath that the making run recorded).
    const corpus = withBase(corpusIdentity(cfg.data, spec.data), spec.data, ctx);
    const { trainRun } = await import("../train/run");
    const { heldOutEvaluator } = await import("../eval/during-training");
    const res = await trainRun(cfg, ctx.log, heldOutEvaluator);
    if (res.stopped) throw new Error(`training stopped at ${res.samples} of ${spec.samples} samples`);
    const rec = lastTrainRecord(ctx.dir);
    const { step: _s, samples: _n, ...heldout } = res.evals[res.evals.length - 1] ?? { step: 0, samples: 0 };
    const metrics: Record<string, number> = { ...heldout };
    if (rec?.loss !== undefined && Number.isFinite(rec.loss)) metrics.loss = rec.loss;
    Object.assign(metrics, await runEvalTasks(spec, ctx));
    const { tf } = await import("../tf");
    return {
      metrics,
      samples: res.samples,
      flops: rec?.flops ?? res.samples * specFlopsPerSample(spec, runVocabSize(ctx.dir)),
      info: { backend: tf.getBackend(), steps: res.steps },
      provenance: { tfjs: tf.version_core },
      ...(corpus ? { corpus } : {}),
    };
  },

  dataSource: (spec) => spec.data as string,

  verify(dir) {
    const f = path.join(dir, "final.safetensors");
    if (!fs.existsSync(f)) return "final.safetensors is missing";
    const bad = safetensorsProblem(f);
    return bad ? `final.safetensors: ${bad}` : undefined;
  },

  discard(dir) {
    // last.safetensors stays: the run resumes from it and rewrites final + eval.
    for (const f of ["final.safetensors", "eval.json"]) fs.rmSync(path.join(dir, f), { force: true });
  },

  cost: (spec) => (spec.samples as number) * specFlopsPerSample(spec as TrainSpec),

  progress(spec, dir) {
    const rec = lastTrainRecord(dir);
    return rec?.samples ? rec.samples / (spec.samples as number) : 0;
  },

  describe(raw) {
    const spec = raw as TrainSpec;
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(spec)) if (k !== "kind") out[k] = v;
    return out;
  },
};
