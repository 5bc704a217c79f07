/**
 * wasm matmul throughput (GFLOP/s): forward NN / NT / TN, and the matmul gradient (dA and dB for a
 * given dy) with tfjs's stock gradient vs clipdown's NN-only override (src/tf/kernels/matmul-grad.ts).
 *
 *   npx tsx bench/matmul.ts [--m 2048] [--k 128] [--n 512] [--repeats 15]
 *
 * One warm-up run per case is not timed. Writes bench/results/matmul.json.
 */
import * as fs from "node:fs";
import { initBackend, tf, useMatMulGradient } from "../src/tf";
import { parseArgs } from "../src/util/args";

const SPECS = {
  m: { kind: "number" as const, help: "rows of A", default: 2048 },
  k: { kind: "number" as const, help: "inner dimension", default: 128 },
  n: { kind: "number" as const, help: "columns of B", default: 512 },
  repeats: { kind: "number" as const, help: "timed runs per case", default: 15 },
};

interface Row {
  case: string;
  gflops: { min: number; median: number; max: number };
  msMedian: number;
}

function time(fn: () => tf.Tensor[], flops: number, repeats: number): Row["gflops"] & { ms: number } {
  tf.dispose(fn()); // warm-up
  const g: number[] = [];
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const out = fn();
    for (const t of out) t.dataSync(); // wasm is synchronous, but force completion anyway
    const dt = performance.now() - t0;
    tf.dispose(out);
    ms.push(dt);
    g.push(flops / (dt * 1e6));
  }
  g.sort((a, b) => a - b);
  ms.sort((a, b) => a - b);
  return { min: g[0]!, median: g[g.length >> 1]!, max: g[g.length - 1]!, ms: ms[ms.length >> 1]! };
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), SPECS);
  const [m, k, n, repeats] = [flags.m, flags.k, flags.n, flags.repeats] as number[];
  const info = await initBackend();
  if (info.backend !== "wasm")
    throw new Error(`bench/matmul.ts measures wasm; got ${info.backend} (unset CLIPDOWN_BACKEND)`);
  const a = tf.randomNormal([m!, k!], 0, 1, "float32", 1);
  const at = tf.transpose(a);
  const b = tf.randomNormal([k!, n!], 0, 1, "float32", 2);
  const bt = tf.transpose(b);
  const dy = tf.randomNormal([m!, n!], 0, 1, "float32", 3);
  const fwd = 2 * m! * k! * n!;
  const rows: Row[] = [];
  const add = (name: string, fn: () => tf.Tensor[], flops: number) => {
    const r = time(fn, flops, repeats!);
    rows.push({ case: name, gflops: { min: r.min, median: r.median, max: r.max }, msMedian: r.ms });
    console.log(
      `${name.padEnd(22)} GFLOP/s min ${r.min.toFixed(1)}  median ${r.median.toFixed(1)}  max ${r.max.toFixed(1)}  (median ${r.ms.toFixed(1)} ms)`,
    );
  };
  add("forward NN", () => [tf.matMul(a, b)], fwd);
  add("forward NT", () => [tf.matMul(a, bt, false, true)], fwd);
  add("forward TN", () => [tf.matMul(at, b, true, false)], fwd);
  const grad = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y));
  useMatMulGradient("stock");
  add("gradient stock", () => grad([a, b], dy), 2 * fwd);
  useMatMulGradient("nn");
  add("gradient NN override", () => grad([a, b], dy), 2 * fwd);
  tf.dispose([a, at, b, bt, dy]);
  fs.mkdirSync("bench/results", { recursive: true });
  const out = {
    shape: { m, k, n },
    repeats,
    backend: info.backend,
    threads: info.threads,
    simd: info.simd,
    rows,
  };
  fs.writeFileSync("bench/results/matmul.json", `${JSON.stringify(out, null, 2)}\n`);
  console.log("wrote bench/results/matmul.json");
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
