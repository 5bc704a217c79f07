/**
 * `BatchMatMul` for the wasm backend on clipdown's SIMD GEMM (wasm/fused.c `gemm`), replacing the
 * stock kernel while the fused kernels are loaded. The stock kernel runs XNNPACK only for
 * untransposed operands (compute-notes §1: NT/TN at 1.4–2.2 GFLOP/s); `gemm` handles every
 * transpose form at the NN speed, so the matmul gradient needs no explicit transposes. Batched
 * operands loop over the batch (a batch of 1 broadcasts); other broadcasts go to the stock kernel.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { fusedEnabled } from "../fused";
import { type GemmPlan, gemmScratch, gemmScratchFloats } from "./gemm-layout";
import { gemmPool, MIN_FLOPS } from "./gemm-pool";

export { type GemmPlan, gemmScratch, gemmScratchFloats };

import { fusedExports, ptr, type WasmBackendLike } from "./wasm-module";

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Runs rows [0, rows) (default all) of C = op(A)·op(B) (+ bias) for one matrix pair at byte
 * offsets in the heap, on the calling thread.
 */
export function runGemm(
  backend: WasmBackendLike,
  p: GemmPlan,
  a: number,
  b: number,
  c: number,
  bias: number,
  scratch: number,
  rows = p.m,
): void {
  const k = fusedExports(backend);
  const s = gemmScratch(p.n);
  const lda = p.transA ? p.m : p.k;
  const ldb = p.transB ? p.k : p.n;
  k.gemm(
    a,
    lda,
    b,
    ldb,
    c,
    p.n,
    bias,
    rows,
    p.n,
    p.k,
    +p.transA,
    +p.transB,
    scratch,
    scratch + s.packA,
    scratch + s.tail,
  );
}

const prod = (xs: number[]): number => xs.reduce((x, y) => x * y, 1);

/** The stock kernel, kept for the broadcast shapes `gemm` does not loop over. */
let stock: tf.KernelConfig | undefined;

export function batchMatMulKernel(stockKernel: tf.KernelConfig | undefined): tf.KernelConfig {
  stock = stockKernel;
  return { kernelName: "BatchMatMul", backendName: "wasm", kernelFunc: batchMatMul };
}

function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const ka = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (ka !== kb) {
    throw new Error(
      `BatchMatMul: inner dimensions differ: a [${a.shape}] (transposeA=${transposeA}) and b [${b.shape}] (transposeB=${transposeB})`,
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const na = prod(batchA);
  const nb = prod(batchB);
  const sameBatch = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
  const outBatch = sameBatch || nb === 1 ? batchA : na === 1 ? batchB : undefined;
  // CLIPDOWN_FUSED=0 means stock tfjs kernels throughout (the A/B baseline).
  if (!fusedEnabled() || !outBatch || a.dtype !== "float32" || b.dtype !== "float32") {
    if (!stock) throw new Error(`BatchMatMul: unsupported shapes [${a.shape}] x [${b.shape}]`);
    return stock.kernelFunc(args) as tf.TensorInfo;
  }
  const out = backend.makeOutput([...outBatch, m, n], "float32");
  const scratch = backend.makeOutput([gemmScratchFloats(n)], "float32");
  try {
    const plan = { m, n, k: ka, transA: transposeA, transB: transposeB };
    const pa = ptr(backend, a);
    const pb = ptr(backend, b);
    const pc = ptr(backend, out);
    const ps = ptr(backend, scratch);
    const batches = Math.max(na, nb);
    const pool = batches === 1 && 2 * m * n * ka >= MIN_FLOPS ? gemmPool() : undefined;
    if (pool) {
      // Large single matmul: rows of C split over the worker threads (gemm-pool.ts).
      const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
      pool.run({
        ...plan,
        a: view(a),
        b: view(b),
        c: view(out),
        runLocal: (rows) => runGemm(backend, plan, pa, pb, pc, 0, ps, rows),
      });
      return out;
    }
    for (let i = 0; i < batches; i++) {
      const ai = na === 1 ? 0 : i;
      const bi = nb === 1 ? 0 : i;
      runGemm(backend, plan, pa + 4 * ai * m * ka, pb + 4 * bi * ka * n, pc + 4 * i * m * n, 0, ps);
    }
  } finally {
    backend.disposeData(scratch.dataId);
  }
  return out;
}
