/**
 * Multi-threaded GEMM for the wasm backend without touching tfjs: worker_threads that run
 * wasm/fused-shared.wasm (the same `gemm` compiled for a shared memory) on a SharedArrayBuffer-backed
 * WebAssembly.Memory this module owns. tfjs's own heap is not shared, so for each large matmul the
 * main thread copies A and B into the shared memory, hands each worker a block of C's rows, computes
 * the first block itself straight on the tfjs heap, then copies the workers' rows back.
 *
 * The copies are O(MK + KN + MN) against O(MKN) work, so this pays only for large matmuls
 * (`MIN_FLOPS`); small ones stay on the calling thread. Threads: CLIPDOWN_THREADS (default 1 = no
 * pool). Not on by default because it did not pay on the 2-vCPU machine this was measured on
 * (environment.md: with the worker running, the calling thread's half took as long as the whole
 * product did alone); set CLIPDOWN_THREADS=N on a machine with N free cores.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { gemmScratch } from "./gemm-layout";
import { fusedVariant } from "./wasm-module";

/** Below this many FLOPs (2·M·N·K) a matmul runs on the calling thread. */
export const MIN_FLOPS = 8e6;

declare namespace WebAssembly {
  class Memory {
    constructor(d: { initial: number; maximum: number; shared: boolean });
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: Record<string, unknown>;
  }
}

// ctl[0]: job number posted by the main thread (negative: exit); ctl[1 + w]: last job worker w finished.
// args (Int32Array over the same SharedArrayBuffer, from ARGS_AT): one 16-int row per worker.
const ARGS_AT = 64;
const ARG_INTS = 16;

const WORKER_SRC = `
const { workerData } = require("node:worker_threads");
const { module, memory, ctl, index } = workerData;
const { gemm } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const args = new Int32Array(ctl.buffer, ${ARGS_AT * 4} + index * ${ARG_INTS * 4}, ${ARG_INTS});
let seen = 0;
for (;;) {
  Atomics.wait(ctl, 0, seen);
  const job = Atomics.load(ctl, 0);
  if (job < 0) break;
  seen = job;
  if (args[0] > 0) {
    gemm(args[1], args[2], args[3], args[4], args[5], args[6], 0, args[0], args[7], args[8], args[9], args[10], args[11], args[12], args[13]);
  }
  Atomics.store(ctl, 1 + index, job);
  Atomics.notify(ctl, 1 + index);
}
`;

/** Threads to use: CLIPDOWN_THREADS, else 1; invalid values are an error naming the valid range. */
export function threadsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.CLIPDOWN_THREADS?.trim();
  if (!v) return 1;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new Error(`CLIPDOWN_THREADS='${v}' is not valid; use a whole number of threads from 1 to 64`);
  }
  return n;
}

export interface GemmJob {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** Float32 views of A and B in the tfjs heap, and the output C. */
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
  /** Computes rows [0, rows) of C on the calling thread (straight on the tfjs heap). */
  runLocal(rows: number): void;
}

export class GemmPool {
  private readonly memory: WebAssembly.Memory;
  private readonly ctl: Int32Array;
  private readonly args: Int32Array;
  private readonly workers: Worker[] = [];
  private job = 0;

  constructor(readonly threads: number) {
    // The same build as the calling thread's kernels (plain or relaxed-SIMD FMA).
    const file = fusedVariant() === "fma" ? "fused-fma-shared.wasm" : "fused-shared.wasm";
    const bytes = fs.readFileSync(path.join(__dirname, "wasm", file));
    const module = new WebAssembly.Module(bytes);
    this.memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
    const sab = new SharedArrayBuffer((ARGS_AT + ARG_INTS * threads) * 4);
    this.ctl = new Int32Array(sab);
    this.args = new Int32Array(sab, ARGS_AT * 4);
    for (let i = 0; i < threads - 1; i++) {
      const w = new Worker(WORKER_SRC, {
        eval: true,
        workerData: { module, memory: this.memory, ctl: this.ctl, index: i },
      });
      w.unref(); // never keeps the process alive
      this.workers.push(w);
    }
  }

  /** Grows the shared memory to at least `bytes`. */
  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
  }

  /**
   * Splits C's rows over the calling thread and the workers. Row blocks are multiples of 4 (the
   * micro-kernel height) so every thread but the last works on whole tiles.
   */
  run(job: GemmJob): void {
    const { m, n, k, transA, transB } = job;
    const parts = Math.min(this.threads, Math.max(1, Math.floor(m / 16)));
    const per = Math.ceil(m / parts / 4) * 4;
    const blocks: [number, number][] = [];
    for (let r = 0; r < m; r += per) blocks.push([r, Math.min(m, r + per)]);
    if (blocks.length === 1) {
      job.runLocal(m);
      return;
    }
    // Shared layout (bytes): A | B | C rows of the worker blocks | per-worker scratch.
    const aAt = 0;
    const bAt = aAt + job.a.length * 4;
    const cAt = bAt + job.b.length * 4;
    const scAt = cAt + m * n * 4;
    const layout = gemmScratch(n);
    const sc = layout.floats * 4;
    this.reserve(scAt + sc * blocks.length);
    const heap = new Float32Array(this.memory.buffer);
    heap.set(job.a, aAt / 4);
    heap.set(job.b, bAt / 4);
    const lda = transA ? m : k;
    const ldb = transB ? k : n;
    for (let w = 0; w < this.workers.length; w++) {
      const args = this.args.subarray(w * ARG_INTS, (w + 1) * ARG_INTS);
      const blk = blocks[w + 1];
      if (!blk) {
        args[0] = 0;
        continue;
      }
      const [r0, r1] = blk;
      const s = scAt + w * sc;
      args.set([
        r1 - r0,
        transA ? aAt + 4 * r0 : aAt + 4 * r0 * lda,
        lda,
        bAt,
        ldb,
        cAt + 4 * r0 * n,
        n,
        n,
        k,
      ]);
      args.set([+transA, +transB, s, s + layout.packA, s + layout.tail], 9);
    }
    const id = ++this.job;
    Atomics.store(this.ctl, 0, id);
    Atomics.notify(this.ctl, 0);
    job.runLocal(blocks[0]![1]);
    for (let w = 0; w < this.workers.length; w++) {
      const blk = blocks[w + 1];
      while (Atomics.load(this.ctl, 1 + w) !== id)
        Atomics.wait(this.ctl, 1 + w, Atomics.load(this.ctl, 1 + w));
      if (blk) job.c.set(heap.subarray((cAt >> 2) + blk[0] * n, (cAt >> 2) + blk[1] * n), blk[0] * n);
    }
  }

  /** Stops the workers (tests; the pool otherwise lives as long as the process). */
  close(): void {
    Atomics.store(this.ctl, 0, -1);
    Atomics.notify(this.ctl, 0);
    for (const w of this.workers) void w.terminate();
  }
}

let pool: GemmPool | undefined;
let poolThreads = 0;

/** The process-wide pool for `threads` threads, or undefined when threads ≤ 1. */
export function gemmPool(threads = threadsFromEnv()): GemmPool | undefined {
  if (threads <= 1) return undefined;
  if (!pool || poolThreads !== threads) {
    pool?.close();
    pool = new GemmPool(threads);
    poolThreads = threads;
  }
  return pool;
}
