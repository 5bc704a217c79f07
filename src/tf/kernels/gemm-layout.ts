/**
 * The GEMM's scratch layout and plan, shared by the kernel (matmul.ts) and the worker pool
 * (gemm-pool.ts) without either importing the other (tslab's module loader overflows its stack on
 * an import cycle).
 */
export const KC = 256; // must match fused.c

export interface GemmPlan {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/** Micro-kernel height (fused.c MR). */
const MAX_MR = 4;

/**
 * Scratch `gemm` needs, in one buffer: pack_b (KC·⌈N/8⌉·8 floats), then pack_a (MR·KC), then tail
 * (MR·8). Offsets are in bytes from the buffer's start.
 */
export function gemmScratch(n: number): { floats: number; packA: number; tail: number } {
  const packB = KC * Math.ceil(n / 8) * 8;
  return { floats: packB + MAX_MR * KC + MAX_MR * 8, packA: 4 * packB, tail: 4 * (packB + MAX_MR * KC) };
}

/** Floats of scratch `gemm` needs (see gemmScratch). */
export function gemmScratchFloats(n: number): number {
  return gemmScratch(n).floats;
}
