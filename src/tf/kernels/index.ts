/**
 * Registers clipdown's training kernels for the wasm backend (compute-notes §1). Idempotent.
 * Returns the names registered, for `BackendInfo.kernels`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { batchMatMulGradConfig } from "@tensorflow/tfjs-core/dist/gradients/BatchMatMul_grad";
import { conv2dBackpropFilterWasm, conv2dBackpropInputWasm } from "./conv-grads";
import { FUSED_GRADS } from "./fused-grads";
import { FUSED_KERNELS, IDENTITY_SHARE } from "./fused-kernels";
import { batchMatMulKernel } from "./matmul";
import { batchMatMulNNGrad } from "./matmul-grad";
import { unsortedSegmentSumWasm } from "./unsorted-segment-sum";
import { fusedVariant, loadFusedWasm } from "./wasm-module";

let registered: { kernels: string[]; fusedError?: string } | undefined;

export const WASM_KERNELS = [
  "UnsortedSegmentSum",
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "BatchMatMul (gradient)",
  "Identity (shares the buffer)",
];

function replaceKernel(k: tf.KernelConfig): void {
  // A stock kernel (naive Conv2DBackpropInput, copying Identity) must go first: registering over it throws.
  if (tf.getKernel(k.kernelName, "wasm")) tf.unregisterKernel(k.kernelName, "wasm");
  tf.registerKernel(k);
}

/**
 * Installs the wasm kernels, the NN-only BatchMatMul gradient and, when fused.wasm loads on this
 * backend, the fused training kernels (see ../fused.ts). `fusedError` says why fused ones are absent.
 */
export function registerWasmKernels(): { kernels: string[]; fusedError?: string } {
  if (registered) return registered;
  for (const k of [
    unsortedSegmentSumWasm,
    conv2dBackpropFilterWasm,
    conv2dBackpropInputWasm,
    IDENTITY_SHARE,
  ]) {
    replaceKernel(k);
  }
  useMatMulGradient("nn");
  const kernels = [...WASM_KERNELS];
  let fusedError: string | undefined;
  try {
    loadFusedWasm(tf.findBackend("wasm")!);
    for (const k of FUSED_KERNELS) replaceKernel(k);
    replaceKernel(batchMatMulKernel(tf.getKernel("BatchMatMul", "wasm")));
    for (const g of FUSED_GRADS) tf.registerGradient(g);
    const gemm = fusedVariant() === "fma" ? "relaxed-SIMD FMA" : "SIMD128 mul+add";
    kernels.push(...FUSED_KERNELS.map((k) => k.kernelName), `BatchMatMul (clipdown GEMM, ${gemm})`);
  } catch (e) {
    fusedError = `fused kernels not loaded: ${(e as Error).message}`;
  }
  registered = { kernels, fusedError };
  return registered;
}

/**
 * Switches the BatchMatMul gradient between tfjs's stock one (transposed matmuls) and clipdown's
 * NN-only override (the default once wasm is chosen). Gradients are global, not per backend; the
 * override is numerically the same maths, so it is harmless on the other backends.
 */
export function useMatMulGradient(which: "stock" | "nn"): void {
  // registerGradient warns "Overriding the gradient for 'BatchMatMul'"; that override is intended,
  // so only that one message is filtered and any other warning passes through.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].includes("Overriding the gradient for 'BatchMatMul'")) return;
    warn(...args);
  };
  try {
    tf.registerGradient(which === "nn" ? batchMatMulNNGrad : batchMatMulGradConfig);
  } finally {
    console.warn = warn;
  }
}
