/**
 * Fused ops for training on the wasm backend: LayerNorm, GELU, bias add, the attention core,
 * the CLIP loss, global-norm clipping and AdamW, each one kernel forward and one backward instead
 * of the tens of small tfjs kernels their composition costs (see kernels/fused-kernels.ts).
 *
 * Callers (models, the CLIP loss, the optimiser) ask `fusedEnabled()` and otherwise compose the
 * same maths from stock tf ops. It is on when the backend is wasm and fused.wasm loaded, unless
 * `CLIPDOWN_FUSED=0` (or `setFused(false)`) selects the unfused path, e.g. to compare the two.
 */
import * as tf from "@tensorflow/tfjs-core";
import { FUSED } from "./kernels/fused-kernels";

let available = false;
let override: boolean | undefined;

/** Called by the backend chooser once the wasm kernels are registered. */
export function markFusedAvailable(ok: boolean): void {
  available = ok;
}

/** Reads CLIPDOWN_FUSED: "0"/"false" disables, unset/"1"/"true" enables; anything else is an error. */
export function fusedFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CLIPDOWN_FUSED?.trim().toLowerCase();
  if (v === undefined || v === "" || v === "1" || v === "true") return true;
  if (v === "0" || v === "false") return false;
  throw new Error(
    `CLIPDOWN_FUSED='${env.CLIPDOWN_FUSED}' is not valid; use 1 (fused kernels) or 0 (stock tf ops)`,
  );
}

/** Forces fused ops on or off (undefined: back to CLIPDOWN_FUSED). Tests compare both paths with it. */
export function setFused(on: boolean | undefined): void {
  override = on;
}

/** True when the fused kernels should be used for the current backend. */
export function fusedEnabled(): boolean {
  if (!available || tf.getBackend() !== "wasm") return false;
  return override ?? fusedFromEnv();
}

function run(name: string, inputs: tf.NamedTensorMap, attrs: object = {}): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap);
  return Array.isArray(out) ? out : [out as tf.Tensor];
}

/** x[..., d] + b[d]. */
export function biasAdd(x: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return run(FUSED.biasAdd, { x, bias: b })[0]!;
}

/** LayerNorm over the last axis: (x − mean)/√(var + eps)·gamma + beta (biased variance, as PyTorch). */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  const [y, mean, rstd] = run(FUSED.layerNorm, { x, gamma, beta }, { eps });
  // The tape keeps its own reference to mean/rstd when recording, so these handles can go now.
  tf.dispose([mean!, rstd!]);
  return y!;
}

/** GELU, tanh approximation. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return run(FUSED.gelu, { x })[0]!;
}

/**
 * Multi-head self-attention core on a fused q|k|v projection [B, N, 3W] → [B, N, W] (heads merged
 * back), softmax(q·kᵀ/√D + mask)·v per head; `mask` is an additive [N, N] matrix.
 */
export function attention(qkv: tf.Tensor, heads: number, mask?: tf.Tensor): tf.Tensor {
  const inputs: tf.NamedTensorMap = mask ? { qkv, mask } : { qkv };
  const [out, probs] = run(FUSED.attention, inputs, { heads });
  probs!.dispose();
  return out!;
}

/** Symmetric CLIP cross-entropy of square logits with the diagonal as positives (a scalar). */
export function clipLoss(logits: tf.Tensor2D): tf.Scalar {
  const [loss, rowLse, colLse] = run(FUSED.clipLoss, { logits });
  tf.dispose([rowLse!, colLse!]);
  return loss as tf.Scalar;
}

/**
 * All gradients scaled by min(1, maxNorm/(norm+1e-6)) in one kernel (no clipping for maxNorm ≤ 0).
 * Returns new tensors (the caller disposes them) and the pre-clip global norm.
 */
export function clipByGlobalNorm(
  grads: tf.Tensor[],
  maxNorm: number,
): { grads: tf.Tensor[]; norm: tf.Scalar } {
  const inputs: tf.NamedTensorMap = {};
  grads.forEach((g, i) => {
    inputs[`g${i}`] = g;
  });
  const [norm, ...out] = run(FUSED.clipByNorm, inputs, { maxNorm });
  return { grads: out, norm: norm as tf.Scalar };
}

export interface AdamWStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Update count after this step (t ≥ 1), for the bias corrections. */
  t: number;
}

/**
 * One AdamW update of every parameter in a single kernel; assigns the new values to `params`,
 * `m` and `v` (same order as `grads`; `wd[i]` is parameter i's weight decay).
 */
export function adamW(
  params: tf.Variable[],
  grads: tf.Tensor[],
  m: tf.Variable[],
  v: tf.Variable[],
  wd: number[],
  o: AdamWStep,
): void {
  const inputs: tf.NamedTensorMap = {};
  params.forEach((p, i) => {
    inputs[`p${i}`] = p;
    inputs[`g${i}`] = grads[i]!;
    inputs[`m${i}`] = m[i]!;
    inputs[`v${i}`] = v[i]!;
  });
  const attrs = {
    lr: o.lr,
    beta1: o.beta1,
    beta2: o.beta2,
    eps: o.eps,
    bc1: 1 - o.beta1 ** o.t,
    bc2: 1 - o.beta2 ** o.t,
    wd,
  };
  const out = run(FUSED.adamW, inputs, attrs);
  params.forEach((p, i) => {
    p.assign(out[3 * i]!);
    m[i]!.assign(out[3 * i + 1]!);
    v[i]!.assign(out[3 * i + 2]!);
  });
  tf.dispose(out);
}
