/**
 * Registers clipdown's training kernels for the wasm backend (compute-notes §1). Idempotent.
 * Returns the names registered, for `BackendInfo.kernels`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { batchMatMulGradConfig } from "@tensorflow/tfjs-core/dist/gradients/BatchMatMul_grad";
import { conv2dBackpropFilterWasm, conv2dBackpropInputWasm } from "./conv-grads";
import { batchMatMulNNGrad } from "./matmul-grad";
import { unsortedSegmentSumWasm } from "./unsorted-segment-sum";

let registered = false;

export const WASM_KERNELS = [
  "UnsortedSegmentSum",
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "BatchMatMul (gradient)",
];

/** Installs the wasm kernels and the NN-only BatchMatMul gradient. */
export function registerWasmKernels(): string[] {
  if (registered) return WASM_KERNELS;
  for (const k of [unsortedSegmentSumWasm, conv2dBackpropFilterWasm, conv2dBackpropInputWasm]) {
    // The stock naive Conv2DBackpropInput must go first: registering over it throws.
    if (tf.getKernel(k.kernelName, "wasm")) tf.unregisterKernel(k.kernelName, "wasm");
    tf.registerKernel(k);
  }
  useMatMulGradient("nn");
  registered = true;
  return WASM_KERNELS;
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
