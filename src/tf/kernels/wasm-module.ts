/**
 * Loads clipdown's fused SIMD kernels (`wasm/fused.c`, built to the committed `wasm/fused.wasm`)
 * onto the tfjs wasm backend's own linear memory, so kernels read and write tensors in place.
 *
 * This only *reads* public-facing fields of the backend (`wasm.asm.memory`, the emscripten export
 * tfjs itself uses for HEAPU8, and `getMemoryOffset`); nothing in tfjs is patched. If the memory is
 * not reachable (another tfjs build), loading fails with a reason and clipdown runs unfused.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as tf from "@tensorflow/tfjs-core";

type Ptr = number;

// tsconfig's lib (ES2022, no DOM) has no WebAssembly typings; Node provides the global at run time.
declare namespace WebAssembly {
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  function validate(bytes: Uint8Array): boolean;
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: Record<string, unknown>;
  }
}

/** Exports of fused.wasm; pointers are byte offsets in the tfjs heap. */
export interface FusedExports {
  bias_add(x: Ptr, b: Ptr, y: Ptr, rows: number, d: number): void;
  col_sum(x: Ptr, out: Ptr, rows: number, d: number): void;
  layernorm_fwd(
    x: Ptr,
    g: Ptr,
    b: Ptr,
    y: Ptr,
    mean: Ptr,
    rstd: Ptr,
    rows: number,
    d: number,
    eps: number,
  ): void;
  layernorm_bwd(
    dy: Ptr,
    x: Ptr,
    g: Ptr,
    mean: Ptr,
    rstd: Ptr,
    dx: Ptr,
    dg: Ptr,
    db: Ptr,
    rows: number,
    d: number,
  ): void;
  gelu_fwd(x: Ptr, y: Ptr, n: number): void;
  gelu_bwd(x: Ptr, dy: Ptr, dx: Ptr, n: number): void;
  attn_fwd(
    qkv: Ptr,
    mask: Ptr,
    out: Ptr,
    probs: Ptr,
    b: number,
    n: number,
    h: number,
    d: number,
    scale: number,
  ): void;
  attn_bwd(
    qkv: Ptr,
    probs: Ptr,
    dout: Ptr,
    dqkv: Ptr,
    scratch: Ptr,
    b: number,
    n: number,
    h: number,
    d: number,
    scale: number,
  ): void;
  gemm(
    a: Ptr,
    lda: number,
    b: Ptr,
    ldb: number,
    c: Ptr,
    ldc: number,
    bias: Ptr,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    packB: Ptr,
    packA: Ptr,
    tail: Ptr,
  ): void;
  sum_squares(x: Ptr, n: number): number;
  scale(x: Ptr, y: Ptr, n: number, s: number): void;
  adamw(
    p: Ptr,
    g: Ptr,
    m: Ptr,
    v: Ptr,
    po: Ptr,
    mo: Ptr,
    vo: Ptr,
    n: number,
    gscale: number,
    lr: number,
    wd: number,
    beta1: number,
    beta2: number,
    eps: number,
    bc1: number,
    bc2: number,
  ): void;
}

/** The parts of tfjs's BackendWasm the fused kernels use. */
export interface WasmBackendLike extends tf.KernelBackend {
  wasm: { asm?: { memory?: WebAssembly.Memory } };
  getMemoryOffset(dataId: object): number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

export const WASM_DIR = path.join(__dirname, "wasm");

/**
 * Which build of the kernels runs: "fma" (GEMM multiply-adds as relaxed-SIMD f32x4.relaxed_madd,
 * ~35% faster matmuls) when the engine accepts relaxed SIMD, else "plain" (SIMD128 mul + add).
 * Node 20's V8 has relaxed SIMD behind --experimental-wasm-relaxed-simd; it is switched on through
 * v8.setFlagsFromString (it only gates which wasm opcodes validate) unless CLIPDOWN_WASM_FMA=0.
 */
export function chooseVariant(env: NodeJS.ProcessEnv = process.env): {
  variant: "fma" | "plain";
  why: string;
} {
  const v = env.CLIPDOWN_WASM_FMA?.trim();
  if (v === "0") return { variant: "plain", why: "CLIPDOWN_WASM_FMA=0" };
  if (v && v !== "1")
    throw new Error(`CLIPDOWN_WASM_FMA='${v}' is not valid; use 1 (default: FMA if supported) or 0`);
  const bytes = fs.readFileSync(path.join(WASM_DIR, "fused-fma.wasm"));
  if (WebAssembly.validate(bytes)) return { variant: "fma", why: "relaxed SIMD supported" };
  try {
    (require("node:v8") as typeof import("node:v8")).setFlagsFromString("--experimental-wasm-relaxed-simd");
  } catch {
    // not Node: stay on the plain build
  }
  return WebAssembly.validate(bytes)
    ? { variant: "fma", why: "relaxed SIMD enabled with --experimental-wasm-relaxed-simd" }
    : { variant: "plain", why: "this engine has no relaxed SIMD" };
}

let loaded: { backend: tf.KernelBackend; exports: FusedExports; variant: "fma" | "plain" } | undefined;

/** The build in use (see chooseVariant), once loaded. */
export function fusedVariant(): "fma" | "plain" | undefined {
  return loaded?.variant;
}

/** Instantiates the kernels on `backend`'s memory (once per backend); throws with the reason on failure. */
export function loadFusedWasm(backend: tf.KernelBackend): FusedExports {
  if (loaded?.backend === backend) return loaded.exports;
  const memory = (backend as WasmBackendLike).wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error("the tfjs wasm backend does not expose its WebAssembly.Memory (wasm.asm.memory)");
  }
  const { variant } = chooseVariant();
  const file = variant === "fma" ? "fused-fma.wasm" : "fused.wasm";
  const module = new WebAssembly.Module(fs.readFileSync(path.join(WASM_DIR, file)));
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  loaded = { backend, exports: instance.exports as unknown as FusedExports, variant };
  return loaded.exports;
}

/** The loaded kernels; throws if `loadFusedWasm` has not succeeded for this backend. */
export function fusedExports(backend: tf.KernelBackend): FusedExports {
  if (loaded?.backend !== backend) throw new Error("fused.wasm is not loaded for this backend");
  return loaded.exports;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function ptr(backend: tf.KernelBackend, t: tf.TensorInfo): number {
  return (backend as WasmBackendLike).getMemoryOffset(t.dataId);
}
