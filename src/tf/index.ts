/**
 * The only module that imports `@tensorflow/*`. Everything else does `import { tf } from "../tf"`.
 *
 * `initBackend()` must be awaited once before any tensor is created (the CLI, tests and notebooks
 * do it first); it picks the fastest backend that loads and passes a one-op self-test.
 */
export * as tf from "@tensorflow/tfjs-core";
export { type BackendInfo, backendInfo, initBackend } from "./backend";
