/**
 * Loads a trained run for evaluation: `runs/X` (its final.safetensors, else last.safetensors) or a
 * checkpoint file inside a run directory. The run's `config.json` gives the model preset, image size
 * and context length; the tokenizer comes from the data directory it trained on; the weights are
 * checked tensor by tensor against the model that config builds. A CatLIP run also brings its
 * synset classifier (`catlip.head.w` [width, V], `catlip.head.b` [V]) and `vocab.json`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildClipModel, type ClipModel } from "../models/clip-model";
import { resolvePreset } from "../models/presets";
import { createStrategy, STRATEGY_NAMES, type StrategyOptions } from "../strategies";
import { BpeTokenizer } from "../text/bpe";
import { SynsetVocab } from "../text/synset-vocab";
import { tf } from "../tf";
import { readCheckpoint } from "../train/checkpoint";
import { presetOpts, type TrainConfig } from "../train/config";
import type { StTensor } from "../train/safetensors";
import type { RecordMeta } from "./records";
import type { SynsetHead } from "./transfer";

export interface LoadedRun {
  runDir: string;
  checkpoint: string;
  config: TrainConfig;
  model: ClipModel;
  /** Absent only when the checkpoint carries no text tower (then text tasks cannot run). */
  tokenizer?: BpeTokenizer;
  hasTextTower: boolean;
  meta: RecordMeta;
  synsetHead?: { head: SynsetHead; vocab: SynsetVocab };
  dispose(): void;
}

/** `runs/X` → its final (else last) checkpoint; a file → itself and its directory. */
export function resolveCheckpoint(arg: string): { runDir: string; checkpoint: string } {
  if (!fs.existsSync(arg)) throw new Error(`--checkpoint ${arg}: no such run directory or checkpoint file`);
  if (fs.statSync(arg).isDirectory()) {
    for (const f of ["final.safetensors", "last.safetensors"]) {
      const p = path.join(arg, f);
      if (fs.existsSync(p)) return { runDir: arg, checkpoint: p };
    }
    throw new Error(
      `${arg} has no final.safetensors or last.safetensors; train it first (clipdown train --out ${arg})`,
    );
  }
  return { runDir: path.dirname(arg), checkpoint: arg };
}

const CONFIG_KEYS = ["model", "imageSize", "contextLength", "strategy", "data"] as const;

/** The run config: config.json, cross-checked against the copy the checkpoint carries. */
function readConfig(runDir: string, checkpoint: string, metadata: Record<string, string>): TrainConfig {
  const file = path.join(runDir, "config.json");
  let fromCkpt: Partial<TrainConfig> | null = null;
  try {
    fromCkpt = JSON.parse(metadata.config ?? "null");
  } catch {
    // Unparseable config in the checkpoint metadata: fall back to config.json beside it.
    fromCkpt = null;
  }
  if (!fs.existsSync(file)) {
    if (fromCkpt) return fromCkpt as TrainConfig;
    throw new Error(
      `${file} not found and ${checkpoint} carries no config; cannot tell which model it holds`,
    );
  }
  const cfg = JSON.parse(fs.readFileSync(file, "utf8")) as TrainConfig;
  if (fromCkpt) {
    for (const k of CONFIG_KEYS) {
      if (fromCkpt[k] !== undefined && fromCkpt[k] !== cfg[k]) {
        throw new Error(
          `checkpoint/config mismatch: ${checkpoint} was trained with ${k} = ${JSON.stringify(fromCkpt[k])} ` +
            `but ${file} says ${JSON.stringify(cfg[k])}; evaluate the checkpoint from its own run directory`,
        );
      }
    }
  }
  for (const k of ["model", "imageSize", "contextLength"] as const) {
    if (cfg[k] === undefined) throw new Error(`${file}: field "${k}" is missing`);
  }
  return cfg;
}

function assign(v: tf.Variable, t: StTensor, key: string, checkpoint: string, preset: string): void {
  if (t.shape.join(",") !== v.shape.join(",")) {
    throw new Error(
      `checkpoint/config mismatch: ${checkpoint} has "${key}" of shape [${t.shape}] but preset "${preset}" ` +
        `at this config expects [${v.shape}] (is config.json from another run?)`,
    );
  }
  tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, v.dtype === "int32" ? "int32" : "float32")));
}

/**
 * `<data>/tokenizer.json` for a relative `data`: from the working directory as training resolved it,
 * else from the nearest folder above the run that has it (a run under `repo/runs/` used from
 * elsewhere finds `repo/data/...`). Undefined when neither exists.
 */
export function dataTokenizerPath(runDir: string, dataDir: string): string | undefined {
  const direct = path.join(dataDir, "tokenizer.json");
  if (fs.existsSync(direct)) return direct;
  if (path.isAbsolute(dataDir)) return undefined;
  for (let d = path.dirname(path.resolve(runDir)); ; d = path.dirname(d)) {
    const p = path.join(d, dataDir, "tokenizer.json");
    if (fs.existsSync(p)) return p;
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * Loads a run (see the file comment). `dataDir` overrides where the tokenizer is read from
 * (default: `<run>/tokenizer.json` when the run kept one, else the run config's `data`, relative to
 * the working directory, as training resolved it).
 */
export function loadRunForEval(checkpointArg: string, opts: { dataDir?: string } = {}): LoadedRun {
  const { runDir, checkpoint } = resolveCheckpoint(checkpointArg);
  // Checksums, metadata and finite values, as a resume checks them.
  const { file } = readCheckpoint(checkpoint);
  const cfg = readConfig(runDir, checkpoint, file.metadata);
  const tensor = (name: string) => file.tensors[`param/${name}`] ?? file.tensors[name];
  const hasTextTower = tensor("text.token") !== undefined;
  const dataDir = opts.dataDir ?? cfg.data;
  // A run trained with --tokenizer FILE (or on read-only data) keeps its tokenizer beside the checkpoints.
  const own = path.join(runDir, "tokenizer.json");
  const tokPath =
    !opts.dataDir && fs.existsSync(own)
      ? own
      : (dataTokenizerPath(runDir, dataDir) ?? path.join(dataDir, "tokenizer.json"));
  let tokenizer: BpeTokenizer | undefined;
  if (fs.existsSync(tokPath)) tokenizer = BpeTokenizer.load(tokPath);
  else if (hasTextTower)
    throw new Error(
      `${tokPath} not found: the run trained on ${dataDir}; build it with \`clipdown data build\``,
    );
  const vocabSize = tokenizer?.vocabSize ?? 2 ** 9;
  const model = buildClipModel(resolvePreset(cfg.model, presetOpts(cfg, vocabSize)), cfg.seed ?? 0);
  // A strategy that never trains a parameter need not save it (CatLIP: no text tower, no visual.proj).
  let trained: (name: string) => boolean = () => true;
  try {
    trained = createStrategy(cfg.strategy ?? "clip", cfg as unknown as StrategyOptions).usesParam ?? trained;
  } catch {
    // A strategy this build does not know: every image parameter is required.
  }
  try {
    for (const [name, v] of Object.entries(model.params)) {
      const t = tensor(name);
      if (t) assign(v, t, `param/${name}`, checkpoint, cfg.model);
      else if (!name.startsWith("text.") && trained(name)) {
        throw new Error(
          `checkpoint/config mismatch: ${checkpoint} has no "param/${name}" that preset "${cfg.model}" needs`,
        );
      }
    }
    for (const [name, v] of Object.entries(model.buffers)) {
      const t = file.tensors[`buffer/${name}`];
      if (!t) throw new Error(`checkpoint/config mismatch: ${checkpoint} has no "buffer/${name}"`);
      assign(v, t, `buffer/${name}`, checkpoint, cfg.model);
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  const samples = Number(file.metadata.samples ?? 0);
  const hw = tensor("catlip.head.w");
  const hb = tensor("catlip.head.b");
  let synsetHead: LoadedRun["synsetHead"];
  if (hw && hb) {
    const vocabFile = path.join(runDir, "vocab.json");
    if (!fs.existsSync(vocabFile))
      throw new Error(`${checkpoint} has a CatLIP head but ${vocabFile} (its synset vocabulary) is missing`);
    const [d, V] = hw.shape as [number, number];
    synsetHead = {
      head: { w: Float32Array.from(hw.data), b: Float32Array.from(hb.data), d: d!, V: V! },
      vocab: SynsetVocab.load(vocabFile),
    };
  }
  // The run's own strategy options (and CatLIP's vocabulary, whose size sets the head's FLOPs); a
  // strategy this build does not know has unknown FLOPs rather than wrong ones.
  const strategy = cfg.strategy ?? "clip";
  const sOpts = { ...cfg, ...(synsetHead ? { vocab: synsetHead.vocab } : {}) };
  const flops = (STRATEGY_NAMES as readonly string[]).includes(strategy)
    ? createStrategy(strategy, sOpts as StrategyOptions).trainFlopsPerSample(model.config, { samples }) *
      samples
    : null;
  return {
    runDir,
    checkpoint,
    config: cfg,
    model,
    ...(tokenizer ? { tokenizer } : {}),
    hasTextTower,
    meta: {
      model: cfg.model,
      runId: path.basename(path.resolve(runDir)),
      checkpoint,
      samplesSeen: samples,
      flops,
      strategy: cfg.strategy ?? "clip",
    },
    ...(synsetHead ? { synsetHead } : {}),
    dispose: () => model.dispose(),
  };
}
