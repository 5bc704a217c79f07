/**
 * Training and forward (eval) throughput of every model preset at 32 px with the CLIP strategy,
 * through the real engine (`Trainer` + `clipTask`: tokenization, AdamW, clipping) on synthetic
 * pairs, so it needs no corpus. Per preset: 1 warm-up step, then `--repeats` timed steps.
 *
 *   npx tsx bench/train-speed.ts [--models vit-ti/8,rn-s] [--batch 64] [--size 32] [--repeats 3]
 *
 * Writes bench/results/train-speed.json.
 */
import { buildClipModel } from "../src/models/clip-model";
import { PRESET_NAMES, resolvePreset } from "../src/models/presets";
import { getStrategy } from "../src/strategies";
import { BpeTokenizer } from "../src/text/bpe";
import { fusedEnabled, initBackend, tf } from "../src/tf";
import { clipTask, type PairBatchLike } from "../src/train/clip-task";
import { type DataSource, Trainer } from "../src/train/trainer";
import { parseArgs } from "../src/util/args";
import { fmt, machineInfo, peakRssMiB, type Summary, summarize, writeResult } from "./lib/report";

const WORDS = ["red", "blue", "cat", "dog", "car", "tree", "house", "smile", "star", "moon", "sun", "fish"];

function synthetic(batch: number, size: number): DataSource<PairBatchLike> {
  let k = 0;
  return {
    async next() {
      const images = new Uint8Array(batch * size * size * 3);
      for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761 + k * 97) >>> 24;
      const captions = Array.from(
        { length: batch },
        (_, i) => `a ${WORDS[(i + k) % 12]} ${WORDS[(i * 7 + k) % 12]} icon`,
      );
      k++;
      return { images, captions, size, epoch: 0 };
    },
    state: () => ({ k }),
    restore: (s) => {
      k = (s as { k: number }).k;
    },
  };
}

interface Row {
  model: string;
  batch: number;
  trainSamplesPerSec?: Summary;
  evalSamplesPerSec?: Summary;
  trainGflopsPerSample: number;
  error?: string;
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), {
    models: {
      kind: "string",
      help: "comma-separated presets (default: all but the nano test presets)",
      default: PRESET_NAMES.filter((n) => !n.startsWith("nano")).join(","),
    },
    batch: { kind: "number", help: "batch", default: 64 },
    size: { kind: "number", help: "image size", default: 32 },
    repeats: { kind: "number", help: "timed steps", default: 3 },
  });
  await initBackend();
  const machine = machineInfo();
  const batch = flags.batch as number;
  const size = flags.size as number;
  const repeats = flags.repeats as number;
  console.log(
    `batch ${batch}, ${size} px, fused ${fusedEnabled() ? "on" : "off"}, load ${machine.loadAvgStart.join(" ")}`,
  );
  const tokenizer = BpeTokenizer.train(
    Array.from({ length: 200 }, (_, i) => `a ${WORDS[i % 12]} ${WORDS[(i * 5) % 12]} icon`),
    { vocabSize: 300 },
  );
  const rows: Row[] = [];
  for (const name of (flags.models as string).split(",")) {
    const model = buildClipModel(resolvePreset(name, { imageSize: size, vocabSize: tokenizer.vocabSize }), 0);
    const strategy = getStrategy("clip");
    const extra = strategy.initParams?.(model) ?? {};
    const h = { model, strategy, extra, tokenizer, cache: { n: 1 } };
    const trainer = new Trainer(clipTask(h, synthetic(batch, size), { contextLength: 16, seed: 0 }), {
      batch,
      accumSteps: 1,
      totalSteps: repeats + 1,
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
    const row: Row = {
      model: name,
      batch,
      trainGflopsPerSample: strategy.trainFlopsPerSample(model.config) / 1e9,
    };
    try {
      const ms: number[] = [];
      for (let i = 0; i <= repeats; i++) {
        const t0 = performance.now();
        await trainer.trainStep();
        await trainer.flush(); // reads the loss: the step is complete
        if (i > 0) ms.push(performance.now() - t0);
      }
      row.trainSamplesPerSec = summarize(ms.map((m) => (batch * 1000) / m));
      const images = tf.randomUniform([batch, size, size, 3], -1, 1, "float32", 3) as tf.Tensor4D;
      const tokens = tf.randomUniform([batch, 16], 1, tokenizer.vocabSize, "int32", 4) as tf.Tensor2D;
      const ems: number[] = [];
      for (let i = 0; i <= repeats; i++) {
        const t0 = performance.now();
        const [a, b] = [
          model.encodeImage(images, { training: false }),
          model.encodeText(tokens, { training: false }),
        ];
        await Promise.all([a.data(), b.data()]);
        tf.dispose([a, b]);
        if (i > 0) ems.push(performance.now() - t0);
      }
      tf.dispose([images, tokens]);
      row.evalSamplesPerSec = summarize(ems.map((m) => (batch * 1000) / m));
    } catch (e) {
      // A preset the backend cannot train yet is reported, not fatal.
      row.error = (e as Error).message;
    }
    const tr = row.trainSamplesPerSec ? fmt(row.trainSamplesPerSec) : `failed: ${row.error}`;
    const ev = row.evalSamplesPerSec ? fmt(row.evalSamplesPerSec) : "–";
    console.log(`${name.padEnd(10)} train samples/s ${tr}; eval samples/s ${ev}`);
    rows.push(row);
    trainer.dispose();
    tf.dispose(Object.values(extra));
    model.dispose();
  }
  const file = writeResult("train-speed", machine, {
    size,
    fused: fusedEnabled(),
    peakRssMiB: peakRssMiB(),
    rows,
  });
  console.log(`wrote ${file}`);
  if (rows.some((r) => r.error)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
