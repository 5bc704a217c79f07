/**
 * Step time of every training strategy on the same model and batch, through the real engine
 * (`Trainer` + `clipTask`: data → strategy views/targets → loss → gradients → AdamW), and the ratios
 * the papers report: FLIP-50 / CLIP ≈ 0.5 (FLIP Table 1a, wall-clock at 50 % masking), SLIP / CLIP ≈ 2
 * (Scaling (Down) CLIP Sec. 7), CatLIP / CLIP ≈ 0.37 (CatLIP Fig. 1c, ViT-B/16).
 *
 * Same preset, batch and image size for all (FLIP's batch scaling is not applied: this compares the
 * cost of one step). Steps are interleaved round-robin over the strategies, so a change in the
 * machine's load hits all of them alike; each step is timed to completion (its loss is read back).
 * With the corpus built, batches come from it (real captions give CatLIP its real vocabulary);
 * otherwise synthetic pairs are used and CatLIP's vocabulary is tiny (noted in the output).
 *
 *   npx tsx bench/strategies.ts [--model vit-ti/8] [--batch 128] [--size 32] [--repeats 8] [--data data/pictograms]
 *
 * Writes bench/results/strategies.json.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { ensureCache } from "../src/data/cache";
import { BatchLoader } from "../src/data/loader";
import { buildClipModel, type ClipModel } from "../src/models/clip-model";
import { resolvePreset } from "../src/models/presets";
import { createStrategy, type Strategy, type StrategyOptions } from "../src/strategies";
import { BpeTokenizer } from "../src/text/bpe";
import { initBackend, tf } from "../src/tf";
import { clipTask, type PairBatchLike } from "../src/train/clip-task";
import { type DataSource, Trainer } from "../src/train/trainer";
import { parseArgs } from "../src/util/args";
import { fmt, machineInfo, peakRssMiB, type Summary, summarize, writeResult } from "./lib/report";

interface Variant {
  label: string;
  strategy: string;
  options: StrategyOptions;
}

const VARIANTS: Variant[] = [
  { label: "clip", strategy: "clip", options: {} },
  { label: "clip-aug (crop-flip)", strategy: "clip-aug", options: { augment: "crop-flip" } },
  { label: "clip-aug (stacked-randaug)", strategy: "clip-aug", options: { augment: "stacked-randaug" } },
  { label: "siglip", strategy: "siglip", options: {} },
  { label: "flip-50", strategy: "flip", options: { maskRatio: 0.5 } },
  { label: "flip-75", strategy: "flip", options: { maskRatio: 0.75 } },
  { label: "slip", strategy: "slip", options: {} },
  { label: "catlip", strategy: "catlip", options: {} },
];

/** What the papers report for the ratio to CLIP's step time. */
const PAPER_RATIO: Record<string, number> = { "flip-50": 0.5, slip: 2, catlip: 0.37 };

const WORDS = ["red", "blue", "cat", "dog", "car", "tree", "house", "smile", "star", "moon", "sun", "fish"];

function synthetic(batch: number, size: number): DataSource<PairBatchLike> & { captions: string[] } {
  let k = 0;
  const captions = Array.from({ length: 512 }, (_, i) => `a ${WORDS[i % 12]} ${WORDS[(i * 7) % 12]} icon`);
  return {
    captions,
    async next() {
      const images = new Uint8Array(batch * size * size * 3);
      for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761 + k * 97) >>> 24;
      const c = Array.from({ length: batch }, (_, i) => captions[(i + k * batch) % captions.length]!);
      k++;
      return { images, captions: c, size, epoch: 0 };
    },
    state: () => ({ k }),
    restore: (s) => {
      k = (s as { k: number }).k;
    },
  };
}

interface Entry {
  v: Variant;
  strategy: Strategy;
  model: ClipModel;
  extra: Record<string, tf.Variable>;
  trainer: Trainer<PairBatchLike>;
  ms: number[];
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), {
    model: { kind: "string", help: "model preset (a ViT, so FLIP can run)", default: "vit-ti/8" },
    batch: { kind: "number", help: "batch size, the same for every strategy", default: 128 },
    size: { kind: "number", help: "image size", default: 32 },
    repeats: { kind: "number", help: "timed steps per strategy (interleaved)", default: 8 },
    data: { kind: "string", help: "corpus to draw batches from, if built", default: "data/pictograms" },
  });
  await initBackend();
  const machine = machineInfo();
  const batch = flags.batch as number;
  const size = flags.size as number;
  const repeats = flags.repeats as number;
  const preset = flags.model as string;
  const dataDir = flags.data as string;
  const real = fs.existsSync(`${dataDir}/tokenizer.json`);
  const cache = real ? await ensureCache(dataDir, size) : undefined;
  const tokenizer = cache
    ? BpeTokenizer.load(`${dataDir}/tokenizer.json`)
    : BpeTokenizer.train(synthetic(1, size).captions, { vocabSize: 300 });
  console.log(
    `strategies on ${preset}, batch ${batch}, ${size} px, ${repeats} timed steps each, data: ${
      cache ? `${dataDir} (${cache.n} pairs)` : "synthetic (no corpus built: CatLIP's vocabulary is tiny)"
    }; load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );

  const entries: Entry[] = [];
  for (const v of VARIANTS) {
    const model = buildClipModel(
      resolvePreset(preset, { imageSize: size, vocabSize: tokenizer.vocabSize, contextLength: 16 }),
      0,
    );
    const strategy = createStrategy(v.strategy, v.options);
    strategy.check?.(model);
    const data = cache
      ? new BatchLoader(cache, { batchSize: batch, seed: 0, dropLast: true })
      : synthetic(batch, size);
    const captions = cache ? cache.captions : (data as ReturnType<typeof synthetic>).captions;
    const extra =
      strategy.initParams?.(model, { trainCaptions: () => captions, seed: 0, log: (s) => console.log(s) }) ??
      {};
    const h = { model, strategy, extra, tokenizer, cache: { n: cache?.n ?? 512 } };
    const trainer = new Trainer(clipTask(h, data, { contextLength: 16, seed: 0 }), {
      batch,
      accumSteps: 1,
      totalSteps: repeats + 10,
      lr: 5e-4,
      minLr: 1e-6,
      warmup: 1,
      wd: 0.1,
      beta1: 0.9,
      beta2: 0.98,
      eps: 1e-6,
      clipNorm: 1,
      seed: 0,
      logEvery: 1000,
      checkpointEverySteps: 0,
      evalEverySteps: 0,
      quiet: true,
    });
    entries.push({ v, strategy, model, extra, trainer, ms: [] });
  }

  const step = async (e: Entry): Promise<number> => {
    const t0 = performance.now();
    await e.trainer.trainStep();
    await e.trainer.flush(); // reads the loss back: the step has finished
    return performance.now() - t0;
  };
  // Warm-up: two steps each (kernel set-up, wasm heap growth), not timed.
  for (let i = 0; i < 2; i++) for (const e of entries) await step(e);
  for (let r = 0; r < repeats; r++) for (const e of entries) e.ms.push(await step(e));

  const clip = entries.find((e) => e.v.label === "clip")!;
  const clipMedian = summarize(clip.ms).median;
  const clipFlops = clip.strategy.trainFlopsPerSample(clip.model.config);
  const rows = entries.map((e) => {
    const stepMs: Summary = summarize(e.ms);
    const flops = e.strategy.trainFlopsPerSample(e.model.config);
    return {
      label: e.v.label,
      strategy: e.v.strategy,
      options: e.v.options,
      stepMs,
      samplesPerSec: summarize(e.ms.map((m) => (batch * 1000) / m)),
      ratioToClip: stepMs.median / clipMedian,
      trainGFlopsPerSample: flops / 1e9,
      flopRatioToClip: flops / clipFlops,
      paperRatio: PAPER_RATIO[e.v.label] ?? null,
      ...(e.v.strategy === "catlip"
        ? { catlipVocabSize: (e.extra["catlip.head.b"]?.shape[0] as number) ?? null }
        : {}),
    };
  });
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(27)} step ms ${fmt(r.stepMs, 0)}  ×${r.ratioToClip.toFixed(2)} of CLIP time` +
        `  (FLOPs ×${r.flopRatioToClip.toFixed(2)}${r.paperRatio !== null ? `; paper ×${r.paperRatio}` : ""})`,
    );
  }
  const ratio = (label: string) => rows.find((r) => r.label === label)!.ratioToClip;
  console.log(
    `\nFLIP-50/CLIP ${ratio("flip-50").toFixed(2)} (paper ~0.5), SLIP/CLIP ${ratio("slip").toFixed(2)} (paper ~2), ` +
      `CatLIP/CLIP ${ratio("catlip").toFixed(2)} (paper ~0.37)`,
  );
  const file = writeResult("strategies", machine, {
    model: preset,
    batch,
    size,
    repeats,
    data: cache ? { dir: dataDir, pairs: cache.n } : "synthetic",
    peakRssMiB: peakRssMiB(),
    ratios: { flip50: ratio("flip-50"), slip: ratio("slip"), catlip: ratio("catlip") },
    rows,
  });
  console.log(`wrote ${file}`);
  for (const e of entries) {
    e.trainer.dispose();
    tf.dispose(Object.values(e.extra));
    e.model.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
