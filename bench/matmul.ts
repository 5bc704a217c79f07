/**
 * wasm matmul throughput (GFLOP/s): forward NN / NT / TN, and the matmul gradient (dA and dB for a
 * given dy), first on tfjs's own wasm BatchMatMul with tfjs's stock gradient vs clipdown's NN-only
 * override (src/tf/kernels/matmul-grad.ts), then on clipdown's GEMM (src/tf/kernels/matmul.ts,
 * the default; its build — relaxed-SIMD FMA or plain — is in the JSON's backend.kernels).
 *
 *   npx tsx bench/matmul.ts [--m 2048] [--k 128] [--n 512] [--repeats 15]
 *
 * One warm-up run per case is not timed. Writes bench/results/matmul.json.
 */
import { fusedEnabled, initBackend, setFused, tf, useMatMulGradient } from "../src/tf";
import { parseArgs } from "../src/util/args";
import { machineInfo, writeResult } from "./lib/report";

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
  const machine = machineInfo();
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
  const grad = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y));
  // tfjs's own wasm BatchMatMul (XNNPACK), as before clipdown's kernels (CLIPDOWN_FUSED=0's path).
  setFused(false);
  add("tfjs forward NN", () => [tf.matMul(a, b)], fwd);
  add("tfjs forward NT", () => [tf.matMul(a, bt, false, true)], fwd);
  add("tfjs forward TN", () => [tf.matMul(at, b, true, false)], fwd);
  useMatMulGradient("stock");
  add("tfjs gradient, stock", () => grad([a, b], dy), 2 * fwd);
  useMatMulGradient("nn");
  add("tfjs gradient, NN override", () => grad([a, b], dy), 2 * fwd);
  // clipdown's GEMM (the default on wasm): every transpose form directly.
  setFused(undefined);
  if (fusedEnabled()) {
    add(`clipdown GEMM forward NN`, () => [tf.matMul(a, b)], fwd);
    add(`clipdown GEMM forward NT`, () => [tf.matMul(a, bt, false, true)], fwd);
    add(`clipdown GEMM forward TN`, () => [tf.matMul(at, b, true, false)], fwd);
    add(`clipdown GEMM gradient`, () => grad([a, b], dy), 2 * fwd);
  }
  tf.dispose([a, at, b, bt, dy]);
  writeResult("matmul", machine, { shape: { m, k, n }, repeats, rows });
  console.log("wrote bench/results/matmul.json");
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
