/**
 * Shared fixtures for the strategy tests: 16 synthetic pairs (a coloured shape on white, captioned
 * "a <colour> <shape>"), a resumable full-batch data source, and a helper that trains a strategy on
 * the `nano` preset through the real Trainer + clipTask.
 */
import { buildClipModel, type ClipModel } from "../../src/models/clip-model";
import { resolvePreset } from "../../src/models/presets";
import type { Strategy } from "../../src/strategies";
import { BpeTokenizer } from "../../src/text/bpe";
import type { tf } from "../../src/tf";
import { clipTask, type PairBatchLike } from "../../src/train/clip-task";
import { type DataSource, Trainer } from "../../src/train/trainer";

export const SIZE = 16;
export const COLORS: Array<[string, number[]]> = [
  ["red", [255, 0, 0]],
  ["green", [0, 200, 0]],
  ["blue", [0, 0, 255]],
  ["black", [0, 0, 0]],
];
export const SHAPES = ["square", "bar", "dot", "frame"];

export interface Pairs {
  images: Uint8Array;
  captions: string[];
}

/** 16 pairs: a coloured shape on white, captioned "a <color> <shape>". */
export function pairs(): Pairs {
  const images = new Uint8Array(16 * SIZE * SIZE * 3).fill(255);
  const captions: string[] = [];
  COLORS.forEach(([cname, rgb], c) => {
    SHAPES.forEach((sname, s) => {
      const i = c * 4 + s;
      captions.push(`a ${cname} ${sname}`);
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          const on =
            s === 0
              ? x >= 4 && x < 12 && y >= 4 && y < 12
              : s === 1
                ? y >= 6 && y < 10
                : s === 2
                  ? (x - 8) ** 2 + (y - 8) ** 2 < 9
                  : x < 2 || y < 2 || x >= SIZE - 2 || y >= SIZE - 2;
          if (on) images.set(rgb, ((i * SIZE + y) * SIZE + x) * 3);
        }
      }
    });
  });
  return { images, captions };
}

/** All 16 pairs per batch, in a different order each step (state = step counter). */
export class PairData implements DataSource<PairBatchLike> {
  step = 0;
  constructor(readonly p: Pairs) {}
  async next(): Promise<PairBatchLike> {
    const order = Array.from({ length: 16 }, (_, i) => (i * 5 + this.step * 3) % 16);
    this.step++;
    const per = SIZE * SIZE * 3;
    const images = new Uint8Array(16 * per);
    order.forEach((j, k) => {
      images.set(this.p.images.subarray(j * per, (j + 1) * per), k * per);
    });
    return { images, captions: order.map((j) => this.p.captions[j]!), size: SIZE, epoch: 0 };
  }
  state(): unknown {
    return { step: this.step };
  }
  restore(s: unknown): void {
    this.step = (s as { step: number }).step;
  }
}

export interface TrainedRun {
  model: ClipModel;
  extra: Record<string, tf.Variable>;
  trainer: Trainer<PairBatchLike>;
  losses: number[];
  /** Every metrics record the trainer logged (one per flush). */
  records: Record<string, number>[];
  tokenizer: BpeTokenizer;
  p: Pairs;
}

/** A nano model + the strategy, ready to train on the synthetic pairs (nothing run yet). */
export function setupNano(
  strategy: Strategy,
  opts: { steps: number; seed?: number; preset?: string; lr?: number; outDir?: string } = { steps: 40 },
): TrainedRun {
  const seed = opts.seed ?? 0;
  const p = pairs();
  const tokenizer = BpeTokenizer.train(p.captions, { vocabSize: 280 });
  const model = buildClipModel(
    resolvePreset(opts.preset ?? "nano", {
      imageSize: SIZE,
      vocabSize: tokenizer.vocabSize,
      contextLength: 8,
    }),
    seed,
  );
  strategy.check?.(model);
  const extra =
    strategy.initParams?.(model, {
      trainCaptions: () => p.captions,
      seed,
      ...(opts.outDir ? { outDir: opts.outDir } : {}),
    }) ?? {};
  const h = { model, strategy, extra, tokenizer, cache: { n: 16 } };
  const losses: number[] = [];
  const task = clipTask(h, new PairData(p), {
    contextLength: 8,
    seed,
    totalSteps: opts.steps,
    samplesPerStep: 16,
  });
  const trainer = new Trainer(task, {
    batch: 16,
    accumSteps: 1,
    totalSteps: opts.steps,
    lr: opts.lr ?? 0.01,
    minLr: 0.001,
    warmup: 3,
    wd: 0.01,
    beta1: 0.9,
    beta2: 0.98,
    eps: 1e-6,
    clipNorm: 1,
    seed,
    logEvery: 5,
    checkpointEverySteps: 0,
    evalEverySteps: 0,
    quiet: true,
    onLoss: (_s, l) => losses.push(l),
  });
  const records: Record<string, number>[] = [];
  const flush = trainer.flush.bind(trainer);
  trainer.flush = async () => {
    const rec = await flush();
    if (rec) records.push(rec);
    return rec;
  };
  return { model, extra, trainer, losses, records, tokenizer, p };
}

export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
