/**
 * Speed of the evaluation heads on Fashion-MNIST-sized synthetic features: the full linear probe
 * (λ sweep on a validation split + refit, L-BFGS), the few-shot probe, the transfer comparison's
 * Adam fits and multi-caption retrieval. Features are noisy clusters (10 classes, centre spread
 * scaled by 1/√d so every width is about equally hard, and not separable), so the optimiser does real work.
 * Run: node --import tsx bench/eval-probe.ts [--train 60000] [--test 10000] [--dims 48,256] [--repeats 3]
 * Prints min/median/max seconds and writes bench/results/eval-probe.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { emb } from "../src/eval/embeddings";
import { fewShotProbe, linearProbe } from "../src/eval/linear-probe";
import { fitSoftmaxAdam, type LabeledFeatures, zeroHead } from "../src/eval/logreg";
import { multiCaptionRecall } from "../src/eval/retrieval";
import { initBackend } from "../src/tf";
import { parseArgs } from "../src/util/args";
import { mulberry32 } from "../src/util/rng";

const { flags } = parseArgs(process.argv.slice(2), {
  train: { kind: "number", help: "training rows", default: 60_000 },
  test: { kind: "number", help: "test rows", default: 10_000 },
  dims: { kind: "string", help: "feature widths, comma-separated", default: "48,256" },
  repeats: { kind: "number", help: "timed repeats per case", default: 3 },
});

const C = 10;

function clusters(n: number, d: number, seed: number): LabeledFeatures {
  const rng = mulberry32(seed);
  const centre = mulberry32(1234); // the same class centres for train and test
  const centres = Float32Array.from({ length: C * d }, () => centre() * 2 - 1);
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % C;
    labels[i] = c;
    for (let j = 0; j < d; j++)
      x[i * d + j] = (2.8 / Math.sqrt(d)) * centres[c * d + j]! + (rng() + rng() + rng() - 1.5) * 1.2;
  }
  return { x, n, d, labels };
}

async function timed<T>(repeats: number, fn: () => Promise<T>): Promise<{ s: number[]; last: T }> {
  const s: number[] = [];
  let last: T | undefined;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    last = await fn();
    s.push((performance.now() - t0) / 1000);
  }
  return { s, last: last as T };
}

function stats(s: number[]): { min: number; median: number; max: number } {
  const v = [...s].sort((a, b) => a - b);
  return { min: v[0]!, median: v[Math.floor(v.length / 2)]!, max: v[v.length - 1]! };
}

async function main(): Promise<void> {
  await initBackend();
  const repeats = flags.repeats as number;
  const results: Record<string, unknown>[] = [];
  for (const d of String(flags.dims).split(",").map(Number)) {
    const train = clusters(flags.train as number, d, 1);
    const test = clusters(flags.test as number, d, 2);
    const lp = await timed(repeats, () => linearProbe(train, test, { numClasses: C, seed: 0 }));
    results.push({
      case: "linear-probe",
      n: train.n,
      d,
      ...stats(lp.s),
      acc1: lp.last.metrics.acc1,
      l2: lp.last.l2,
    });
    const fs5 = await timed(repeats, () =>
      fewShotProbe(train, test, { numClasses: C, shots: [5, 10], seeds: [0, 1, 2] }),
    );
    results.push({
      case: "few-shot 5+10 × 3 seeds",
      n: train.n,
      d,
      ...stats(fs5.s),
      acc1_k10: fs5.last[1]!.acc1,
    });
    const adam = await timed(repeats, () =>
      fitSoftmaxAdam(train, { numClasses: C, init: zeroHead(d, C), epochs: 30, batchSize: 256 }),
    );
    results.push({ case: "adam 30 epochs (transfer at 100 %)", n: train.n, d, ...stats(adam.s) });
    for (const r of results.slice(-3)) console.log(JSON.stringify(r));
  }
  // Retrieval at Noto scale: ~1.9k images, 2 captions each, 128-d.
  const rng = mulberry32(5);
  const nI = 1900;
  const img = emb(Array.from({ length: nI }, () => Array.from({ length: 128 }, () => rng() - 0.5)));
  const txt = emb(Array.from({ length: 2 * nI }, () => Array.from({ length: 128 }, () => rng() - 0.5)));
  const links = Int32Array.from({ length: 2 * nI }, (_, t) => t >> 1);
  const ret = await timed(repeats, async () => multiCaptionRecall(img, txt, links));
  results.push({ case: "retrieval 1900 images × 3800 texts × 128", ...stats(ret.s) });
  console.log(JSON.stringify(results[results.length - 1]));
  const dir = path.join(__dirname, "results");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "eval-probe.json"), `${JSON.stringify(results, null, 2)}\n`);
}

main();
