/**
 * The only module that imports `@tensorflow/*`. Everything else does `import { tf } from "../tf"`.
 *
 * `initBackend()` must be awaited once before any tensor is created (the CLI, tests and notebooks
 * do it first); it picks the fastest backend that loads and passes a one-op self-test.
 */
// The tfjs-core bundle registers no gradient functions; training needs them. Order matters: the
// bundle must load first so that its Tensor class (with its op handler set) becomes the global one;
// the gradient files (a second, ES-module copy of the ops) then work on those tensors.
import "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";

export * as tf from "@tensorflow/tfjs-core";
export { type BackendInfo, backendInfo, initBackend } from "./backend";
export * as fused from "./fused";
export { fusedEnabled, setFused } from "./fused";
export { useMatMulGradient } from "./kernels";
