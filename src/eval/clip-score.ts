/**
 * CLIP-score: the cosine similarity between a pair's image embedding and its caption's text
 * embedding under a trained clipdown model, the score *Scaling (Down) CLIP* §4 ranks pairs by
 * before keeping the top 20/40/60/80 % (the paper does not name its scoring model; here it is any
 * clipdown checkpoint, typically one trained on the clean corpus or on the noisy data itself).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureCache } from "../data/cache";
import { readManifest } from "../data/corpus/write";
import { writeQualityScores } from "../data/quality";
import { buildClipModel, type ClipModel } from "../models/clip-model";
import { resolvePreset } from "../models/presets";
import { BpeTokenizer } from "../text/bpe";
import { initBackend } from "../tf";
import { loadCheckpoint } from "../train/checkpoint";
import { presetOpts } from "../train/config";
import { readSafetensors } from "../train/safetensors";
import { embedImages, embedTexts } from "./embed";
import { l2normalize } from "./embeddings";

/**
 * Cosine of each image with its own caption → [n], in [-1, 1].
 * @param images n × size × size × 3 HWC uint8
 */
export async function clipScores(
  model: ClipModel,
  tokenizer: BpeTokenizer,
  images: Uint8Array,
  captions: readonly string[],
  size: number,
  contextLength: number,
): Promise<Float32Array> {
  const n = captions.length;
  if (images.length < n * size * size * 3)
    throw new Error(`clipScores: ${images.length} image bytes for ${n} images of ${size}px`);
  const img = l2normalize(await embedImages(model, images, n, size)); // [n, E]
  const txt = l2normalize(await embedTexts(model, tokenizer, [...captions], contextLength)); // [n, E]
  const out = new Float32Array(n);
  const d = img.d;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += img.data[i * d + j]! * txt.data[i * d + j]!;
    out[i] = s;
  }
  return out;
}

/** A model restored from a checkpoint, with what is needed to feed it. */
export interface Scorer {
  model: ClipModel;
  tokenizer: BpeTokenizer;
  imageSize: number;
  contextLength: number;
  /** Provenance recorded beside the scores. */
  info: {
    kind: "clip-cosine";
    checkpoint: string;
    model: string;
    imageSize: number;
    contextLength: number;
    step: number;
  };
}

/**
 * Rebuilds the model a checkpoint was trained with (preset, image size, context length and tokenizer
 * from the run config stored in its metadata) and loads its weights.
 * @param tokenizerPath default: `<config.data>/tokenizer.json` of the training run.
 */
export async function loadScorer(checkpoint: string, tokenizerPath?: string): Promise<Scorer> {
  await initBackend();
  if (!fs.existsSync(checkpoint))
    throw new Error(`checkpoint ${checkpoint} not found (expected runs/<run>/final.safetensors)`);
  const meta = readSafetensors(checkpoint).metadata;
  let cfg: {
    model?: string;
    imageSize?: number;
    contextLength?: number;
    data?: string;
    textWidth?: number;
    textDepth?: number;
    textHeads?: number;
    logitScaleInit?: number;
  } | null = null;
  try {
    cfg = JSON.parse(meta.config ?? "null");
  } catch {
    // Unparseable config in the checkpoint metadata: the defaults below apply, as for a checkpoint without one.
    cfg = null;
  }
  if (!cfg?.model || !cfg.imageSize)
    throw new Error(
      `${checkpoint}: no run config in its metadata (model, imageSize); was it written by clipdown train?`,
    );
  const tokPath = tokenizerPath ?? path.join(cfg.data ?? "data/pictograms", "tokenizer.json");
  const tokenizer = BpeTokenizer.load(tokPath);
  const contextLength = cfg.contextLength ?? 16;
  const model = buildClipModel(
    resolvePreset(
      cfg.model,
      presetOpts({ ...cfg, imageSize: cfg.imageSize, contextLength }, tokenizer.vocabSize),
    ),
    0,
  );
  const st = loadCheckpoint(checkpoint, { param: model.params, buffer: model.buffers });
  return {
    model,
    tokenizer,
    imageSize: cfg.imageSize,
    contextLength,
    info: {
      kind: "clip-cosine",
      checkpoint,
      model: cfg.model,
      imageSize: cfg.imageSize,
      contextLength,
      step: st.step,
    },
  };
}

/**
 * Scores every pair of the dataset in `dataDir` and writes `<dataDir>/quality.json`.
 * @returns the file written and the scores in cache order.
 */
export async function scoreDataset(
  dataDir: string,
  scorer: Scorer,
  opts: { quiet?: boolean } = {},
): Promise<{ file: string; keys: string[]; scores: Float32Array }> {
  const cache = await ensureCache(dataDir, scorer.imageSize, { quiet: opts.quiet });
  const scores = await clipScores(
    scorer.model,
    scorer.tokenizer,
    cache.images,
    cache.captions,
    cache.size,
    scorer.contextLength,
  );
  const file = writeQualityScores(
    dataDir,
    cache.keys,
    scores,
    scorer.info,
    readManifest(dataDir)?.contentHash,
  );
  return { file, keys: cache.keys, scores };
}
