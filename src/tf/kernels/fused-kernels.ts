/**
 * Fused training kernels for the wasm backend (compute-notes §1: tfjs composes LayerNorm, GELU,
 * attention and the CLIP loss from many small single-threaded kernels that each allocate and copy).
 * Each forward kernel has a matching gradient kernel; `fused-grads.ts` wires them into autodiff.
 *
 * Kernels run the SIMD code in wasm/fused.c directly on the tfjs heap (wasm-module.ts); the tiny
 * CLIP loss (B×B logits) is a JS loop over the heap. Outputs come from `backend.makeOutput`, so tfjs
 * owns and frees them as usual. Only float32 is supported (training is fp32 here).
 */
import type * as tf from "@tensorflow/tfjs-core";
import { type FusedExports, fusedExports, ptr, type WasmBackendLike } from "./wasm-module";

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Kernel names (also the names `clipdown info` lists). */
export const FUSED = {
  biasAdd: "ClipdownBiasAdd",
  colSum: "ClipdownColSum",
  layerNorm: "ClipdownLayerNorm",
  layerNormGrad: "ClipdownLayerNormGrad",
  gelu: "ClipdownGelu",
  geluGrad: "ClipdownGeluGrad",
  attention: "ClipdownAttention",
  attentionGrad: "ClipdownAttentionGrad",
  clipLoss: "ClipdownClipLoss",
  clipLossGrad: "ClipdownClipLossGrad",
  clipByNorm: "ClipdownClipByGlobalNorm",
  adamW: "ClipdownAdamW",
} as const;

function env(args: KernelArgs): { b: WasmBackendLike; k: FusedExports; p: (t: tf.TensorInfo) => number } {
  const b = args.backend as WasmBackendLike;
  return { b, k: fusedExports(b), p: (t) => ptr(b, t) };
}

function f32(kernel: string, ...ts: tf.TensorInfo[]): void {
  for (const t of ts) {
    if (t.dtype !== "float32") throw new Error(`${kernel}: expects float32 tensors, got ${t.dtype}`);
  }
}

const size = (shape: number[]): number => shape.reduce((a, d) => a * d, 1);
const lastDim = (t: tf.TensorInfo): number => t.shape[t.shape.length - 1] ?? 1;

function kernel(kernelName: string, kernelFunc: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]) {
  return { kernelName, backendName: "wasm", kernelFunc } as tf.KernelConfig;
}

const biasAdd = kernel(FUSED.biasAdd, (a) => {
  const { b, k, p } = env(a);
  const { x, bias } = a.inputs as { x: tf.TensorInfo; bias: tf.TensorInfo };
  f32(FUSED.biasAdd, x, bias);
  const d = lastDim(x);
  if (bias.shape.length !== 1 || bias.shape[0] !== d)
    throw new Error(`${FUSED.biasAdd}: bias shape [${bias.shape}] does not match last axis ${d}`);
  const y = b.makeOutput(x.shape, "float32");
  k.bias_add(p(x), p(bias), p(y), size(x.shape) / d, d);
  return y;
});

const colSum = kernel(FUSED.colSum, (a) => {
  const { b, k, p } = env(a);
  const { x } = a.inputs as { x: tf.TensorInfo };
  f32(FUSED.colSum, x);
  const d = lastDim(x);
  const out = b.makeOutput([d], "float32");
  k.col_sum(p(x), p(out), size(x.shape) / d, d);
  return out;
});

const layerNorm = kernel(FUSED.layerNorm, (a) => {
  const { b, k, p } = env(a);
  const { x, gamma, beta } = a.inputs as Record<string, tf.TensorInfo>;
  f32(FUSED.layerNorm, x!, gamma!, beta!);
  const d = lastDim(x!);
  const rows = size(x!.shape) / d;
  const y = b.makeOutput(x!.shape, "float32");
  const mean = b.makeOutput([rows], "float32");
  const rstd = b.makeOutput([rows], "float32");
  const eps = (a.attrs as { eps: number }).eps;
  k.layernorm_fwd(p(x!), p(gamma!), p(beta!), p(y), p(mean), p(rstd), rows, d, eps);
  return [y, mean, rstd];
});

const layerNormGrad = kernel(FUSED.layerNormGrad, (a) => {
  const { b, k, p } = env(a);
  const { dy, x, gamma, mean, rstd } = a.inputs as Record<string, tf.TensorInfo>;
  const d = lastDim(x!);
  const rows = size(x!.shape) / d;
  const dx = b.makeOutput(x!.shape, "float32");
  const dg = b.makeOutput([d], "float32");
  const db = b.makeOutput([d], "float32");
  k.layernorm_bwd(p(dy!), p(x!), p(gamma!), p(mean!), p(rstd!), p(dx), p(dg), p(db), rows, d);
  return [dx, dg, db];
});

const gelu = kernel(FUSED.gelu, (a) => {
  const { b, k, p } = env(a);
  const { x } = a.inputs as { x: tf.TensorInfo };
  f32(FUSED.gelu, x);
  const y = b.makeOutput(x.shape, "float32");
  k.gelu_fwd(p(x), p(y), size(x.shape));
  return y;
});

const geluGrad = kernel(FUSED.geluGrad, (a) => {
  const { b, k, p } = env(a);
  const { x, dy } = a.inputs as Record<string, tf.TensorInfo>;
  const dx = b.makeOutput(x!.shape, "float32");
  k.gelu_bwd(p(x!), p(dy!), p(dx), size(x!.shape));
  return dx;
});

interface AttnAttrs {
  heads: number;
}

function attnDims(qkv: tf.TensorInfo, heads: number): { B: number; N: number; W: number; D: number } {
  const [B, N, W3] = qkv.shape as [number, number, number];
  if (qkv.shape.length !== 3 || W3 % 3 !== 0)
    throw new Error(`${FUSED.attention}: qkv must be [B, N, 3W], got [${qkv.shape}]`);
  const W = W3 / 3;
  if (W % heads !== 0 || (W / heads) % 4 !== 0)
    throw new Error(`${FUSED.attention}: width ${W} / heads ${heads} must be a multiple of 4`);
  return { B, N, W, D: W / heads };
}

const attention = kernel(FUSED.attention, (a) => {
  const { b, k, p } = env(a);
  const { qkv, mask } = a.inputs as Record<string, tf.TensorInfo | undefined>;
  const { heads } = a.attrs as unknown as AttnAttrs;
  f32(FUSED.attention, qkv!);
  const { B, N, W, D } = attnDims(qkv!, heads);
  if (mask && (mask.shape.length !== 2 || mask.shape[0] !== N || mask.shape[1] !== N))
    throw new Error(`${FUSED.attention}: mask must be [${N}, ${N}], got [${mask.shape}]`);
  const out = b.makeOutput([B, N, W], "float32");
  const probs = b.makeOutput([B, heads, N, N], "float32");
  k.attn_fwd(p(qkv!), mask ? p(mask) : 0, p(out), p(probs), B, N, heads, D, 1 / Math.sqrt(D));
  return [out, probs];
});

const attentionGrad = kernel(FUSED.attentionGrad, (a) => {
  const { b, k, p } = env(a);
  const { qkv, probs, dy } = a.inputs as Record<string, tf.TensorInfo>;
  const { heads } = a.attrs as unknown as AttnAttrs;
  const { B, N, D } = attnDims(qkv!, heads);
  const dqkv = b.makeOutput(qkv!.shape, "float32");
  const scratch = b.makeOutput([N], "float32");
  try {
    k.attn_bwd(p(qkv!), p(probs!), p(dy!), p(dqkv), p(scratch), B, N, heads, D, 1 / Math.sqrt(D));
  } finally {
    b.disposeData(scratch.dataId);
  }
  return dqkv;
});

/**
 * Symmetric CLIP cross-entropy of square logits L [n, n] with the diagonal as targets:
 * loss = (Σ_i (lse(L[i,:]) − L[i,i]) + Σ_j (lse(L[:,j]) − L[j,j])) / 2n. Also outputs the row and
 * column log-sum-exps for the backward. float64 accumulation; n is the batch (≤ a few thousand).
 */
const clipLoss = kernel(FUSED.clipLoss, (a) => {
  const { b } = env(a);
  const { logits } = a.inputs as { logits: tf.TensorInfo };
  f32(FUSED.clipLoss, logits);
  const [n, n2] = logits.shape as [number, number];
  if (logits.shape.length !== 2 || n !== n2)
    throw new Error(`${FUSED.clipLoss}: logits must be square, got [${logits.shape}]`);
  const loss = b.makeOutput([], "float32");
  const rowLse = b.makeOutput([n], "float32");
  const colLse = b.makeOutput([n], "float32");
  const L = b.typedArrayFromHeap(logits) as Float32Array;
  const rl = b.typedArrayFromHeap(rowLse) as Float32Array;
  const cl = b.typedArrayFromHeap(colLse) as Float32Array;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let mr = -Infinity;
    let mc = -Infinity;
    for (let j = 0; j < n; j++) {
      mr = Math.max(mr, L[i * n + j]!);
      mc = Math.max(mc, L[j * n + i]!);
    }
    let sr = 0;
    let sc = 0;
    for (let j = 0; j < n; j++) {
      sr += Math.exp(L[i * n + j]! - mr);
      sc += Math.exp(L[j * n + i]! - mc);
    }
    rl[i] = mr + Math.log(sr);
    cl[i] = mc + Math.log(sc);
    total += rl[i]! + cl[i]! - 2 * L[i * n + i]!;
  }
  (b.typedArrayFromHeap(loss) as Float32Array)[0] = total / (2 * n);
  return [loss, rowLse, colLse];
});

/** dL[i,j] = dloss/2n · (softmax_row[i,j] + softmax_col[i,j] − 2·[i=j]). */
const clipLossGrad = kernel(FUSED.clipLossGrad, (a) => {
  const { b } = env(a);
  const { dy, logits, rowLse, colLse } = a.inputs as Record<string, tf.TensorInfo>;
  const n = logits!.shape[0]!;
  const out = b.makeOutput(logits!.shape, "float32");
  const L = b.typedArrayFromHeap(logits!) as Float32Array;
  const rl = b.typedArrayFromHeap(rowLse!) as Float32Array;
  const cl = b.typedArrayFromHeap(colLse!) as Float32Array;
  const g = (b.typedArrayFromHeap(dy!) as Float32Array)[0]! / (2 * n);
  const o = b.typedArrayFromHeap(out) as Float32Array;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const l = L[i * n + j]!;
      o[i * n + j] = g * (Math.exp(l - rl[i]!) + Math.exp(l - cl[j]!) - (i === j ? 2 : 0));
    }
  }
  return out;
});

/**
 * Global-norm gradient clipping over all gradients in one kernel (torch's clip_grad_norm_):
 * outputs [norm, g0·s, g1·s, …] with s = min(1, maxNorm/(norm+1e-6)); maxNorm ≤ 0 means no clipping.
 * Unscaled outputs share the input's buffer (no copy).
 */
const clipByNorm = kernel(FUSED.clipByNorm, (a) => {
  const { b, k, p } = env(a);
  const { maxNorm } = a.attrs as { maxNorm: number };
  const gs = Object.keys(a.inputs)
    .sort((x, y) => Number(x.slice(1)) - Number(y.slice(1)))
    .map((n) => a.inputs[n]!);
  f32(FUSED.clipByNorm, ...gs);
  let sq = 0;
  for (const g of gs) sq += k.sum_squares(p(g), size(g.shape));
  const norm = Math.sqrt(sq);
  const out = b.makeOutput([], "float32");
  (b.typedArrayFromHeap(out) as Float32Array)[0] = norm;
  const s = maxNorm > 0 ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
  const scaled = gs.map((g) => {
    if (s === 1) {
      b.incRef(g.dataId);
      return { dataId: g.dataId, shape: g.shape, dtype: g.dtype };
    }
    const y = b.makeOutput(g.shape, "float32");
    k.scale(p(g), p(y), size(g.shape), s);
    return y;
  });
  return [out, ...scaled];
});

export interface AdamWAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Bias corrections 1-β1^t and 1-β2^t. */
  bc1: number;
  bc2: number;
  /** Weight decay per parameter, in input order. */
  wd: number[];
}

/**
 * AdamW over every parameter in one kernel: inputs p0,g0,m0,v0, p1,… ; outputs [p0', m0', v0', …]
 * (new buffers: tfjs tensors are immutable, the optimiser assigns them to its variables).
 */
const adamW = kernel(FUSED.adamW, (a) => {
  const { b, k, p } = env(a);
  const at = a.attrs as unknown as AdamWAttrs;
  const outs: tf.TensorInfo[] = [];
  for (let i = 0; i < at.wd.length; i++) {
    const [pi, gi, mi, vi] = ["p", "g", "m", "v"].map((n) => a.inputs[`${n}${i}`]!);
    f32(FUSED.adamW, pi!, gi!, mi!, vi!);
    const n = size(pi!.shape);
    const po = b.makeOutput(pi!.shape, "float32");
    const mo = b.makeOutput(pi!.shape, "float32");
    const vo = b.makeOutput(pi!.shape, "float32");
    k.adamw(
      p(pi!),
      p(gi!),
      p(mi!),
      p(vi!),
      p(po),
      p(mo),
      p(vo),
      n,
      1,
      at.lr,
      at.wd[i]!,
      at.beta1,
      at.beta2,
      at.eps,
      at.bc1,
      at.bc2,
    );
    outs.push(po, mo, vo);
  }
  return outs;
});

/**
 * wasm's stock Identity copies the whole buffer; the engine clones every tensor it saves for the
 * backward pass through Identity, so a training step made ~900 needless copies. Tensors are
 * immutable, so sharing the buffer (as the cpu backend's Identity does) is equivalent.
 */
const identityShare = kernel("Identity", (a) => {
  const x = (a.inputs as { x: tf.TensorInfo }).x;
  (a.backend as tf.KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
});

export const FUSED_KERNELS: tf.KernelConfig[] = [
  biasAdd,
  colSum,
  layerNorm,
  layerNormGrad,
  gelu,
  geluGrad,
  attention,
  attentionGrad,
  clipLoss,
  clipLossGrad,
  clipByNorm,
  adamW,
];

export const IDENTITY_SHARE: tf.KernelConfig = identityShare;
