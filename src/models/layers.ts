/**
 * Building blocks shared by the towers: seeded parameter creation and the forward ops
 * (dense, LayerNorm, GELU, multi-head attention, pre-LN transformer block).
 *
 * Forms follow compute-notes §1/§6: q·kᵀ is `matMul(q, transpose(k))` because wasm's XNNPACK
 * path only handles the untransposed matmul; LayerNorm uses `tf.moments`; GELU is the tanh form.
 */
import { fused, fusedEnabled, tf } from "../tf";

/** FNV-1a hash of a parameter name, mixed with the model seed: one independent stream per tensor. */
function nameSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 2147483647;
}

/**
 * Creates named variables deterministically: the same (seed, name, shape) always gives the same
 * values, independent of creation order. Tracks which params get AdamW weight decay
 * (matrices and conv kernels only: not biases, norms, embeddings or the temperature).
 */
export class ParamInit {
  readonly params: Record<string, tf.Variable> = {};
  readonly buffers: Record<string, tf.Variable> = {};
  readonly decayed = new Set<string>();

  constructor(readonly seed: number) {}

  private add(name: string, value: tf.Tensor, decay: boolean): tf.Variable {
    if (this.params[name] || this.buffers[name]) throw new Error(`duplicate parameter name "${name}"`);
    // No tfjs variable name: names are global in the engine, and two models may coexist.
    const v = tf.variable(value, true);
    value.dispose();
    this.params[name] = v;
    if (decay) this.decayed.add(name);
    return v;
  }

  /** Truncated normal (±2σ), std given; decayed by default (weights). */
  normal(name: string, shape: number[], std: number, decay = true): tf.Variable {
    return this.add(name, tf.truncatedNormal(shape, 0, std, "float32", nameSeed(this.seed, name)), decay);
  }

  /** Xavier/Glorot uniform for a [fanIn, fanOut] matrix. */
  xavier(name: string, fanIn: number, fanOut: number): tf.Variable {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    return this.add(
      name,
      tf.randomUniform([fanIn, fanOut], -a, a, "float32", nameSeed(this.seed, name)),
      true,
    );
  }

  zeros(name: string, shape: number[]): tf.Variable {
    return this.add(name, tf.zeros(shape), false);
  }

  ones(name: string, shape: number[]): tf.Variable {
    return this.add(name, tf.ones(shape), false);
  }

  constant(name: string, value: number): tf.Variable {
    return this.add(name, tf.scalar(value), false);
  }

  /** Non-trainable state (e.g. BatchNorm running statistics). */
  buffer(name: string, value: tf.Tensor): tf.Variable {
    if (this.params[name] || this.buffers[name]) throw new Error(`duplicate buffer name "${name}"`);
    const v = tf.variable(value, false);
    value.dispose();
    this.buffers[name] = v;
    return v;
  }

  /** Dense layer `${name}.w` [in,out] (xavier) and optional `${name}.b` [out] (zeros). */
  dense(name: string, fanIn: number, fanOut: number, bias = true): void {
    this.xavier(`${name}.w`, fanIn, fanOut);
    if (bias) this.zeros(`${name}.b`, [fanOut]);
  }

  layerNorm(name: string, width: number): void {
    this.ones(`${name}.g`, [width]);
    this.zeros(`${name}.b`, [width]);
  }
}

export type Params = Record<string, tf.Variable>;

function get(p: Params, name: string): tf.Variable {
  const v = p[name];
  if (!v) throw new Error(`missing parameter "${name}"`);
  return v;
}

/** x[..., in] @ w[in, out] (+ b), for any leading shape. */
export function dense(x: tf.Tensor, p: Params, name: string): tf.Tensor {
  const w = get(p, `${name}.w`);
  const inDim = w.shape[0]!;
  const outDim = w.shape[1]!;
  const lead = x.shape.slice(0, -1);
  let y: tf.Tensor = tf.matMul(tf.reshape(x, [-1, inDim]), w);
  const b = p[`${name}.b`];
  if (b) y = fusedEnabled() ? fused.biasAdd(y, b) : tf.add(y, b);
  return tf.reshape(y, [...lead, outDim]);
}

/** LayerNorm over the last axis (eps 1e-5, as PyTorch). */
export function layerNorm(x: tf.Tensor, p: Params, name: string): tf.Tensor {
  if (fusedEnabled()) return fused.layerNorm(x, get(p, `${name}.g`), get(p, `${name}.b`), 1e-5);
  const { mean, variance } = tf.moments(x, -1, true);
  const xn = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
  return tf.add(tf.mul(xn, get(p, `${name}.g`)), get(p, `${name}.b`));
}

/** GELU, tanh approximation. */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (fusedEnabled()) return fused.gelu(x);
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above. */
export function causalMask(t: number): tf.Tensor2D {
  const m = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) m[i * t + j] = -1e9;
  return tf.tensor2d(m, [t, t]);
}

/** Multi-head self-attention on x [B, N, W]; `mask` [N, N] is added to the scores. */
export function attention(x: tf.Tensor, p: Params, name: string, heads: number, mask?: tf.Tensor): tf.Tensor {
  const [b, n, w] = x.shape as [number, number, number];
  const d = w / heads;
  const qkv = dense(x, p, `${name}.qkv`); // [B, N, 3W]
  // The fused kernel reads q, k, v straight from qkv and writes heads merged: no split/transposes.
  if (fusedEnabled() && d % 4 === 0) return dense(fused.attention(qkv, heads, mask), p, `${name}.proj`);
  const [q, k, v] = tf
    .split(qkv, 3, 2)
    .map((t) => tf.transpose(tf.reshape(t, [b, n, heads, d]), [0, 2, 1, 3])) as [
    tf.Tensor4D,
    tf.Tensor4D,
    tf.Tensor4D,
  ]; // each [B, H, N, D]
  let scores: tf.Tensor = tf.mul(tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(d)); // [B, H, N, N]
  if (mask) scores = tf.add(scores, mask);
  const attn = tf.softmax(scores, -1);
  const out = tf.reshape(tf.transpose(tf.matMul(attn, v), [0, 2, 1, 3]), [b, n, w]);
  return dense(out, p, `${name}.proj`);
}

/** Params of one pre-LN transformer block: 12w² + 13w for mlpRatio 4. */
export function initBlock(init: ParamInit, name: string, width: number, mlpRatio: number): void {
  init.layerNorm(`${name}.ln1`, width);
  init.dense(`${name}.attn.qkv`, width, 3 * width);
  init.dense(`${name}.attn.proj`, width, width);
  init.layerNorm(`${name}.ln2`, width);
  init.dense(`${name}.mlp.fc1`, width, mlpRatio * width);
  init.dense(`${name}.mlp.fc2`, mlpRatio * width, width);
}

/** Pre-LN block: x + attn(ln1(x)), then x + mlp(ln2(x)). */
export function block(x: tf.Tensor, p: Params, name: string, heads: number, mask?: tf.Tensor): tf.Tensor {
  const h = tf.add(x, attention(layerNorm(x, p, `${name}.ln1`), p, `${name}.attn`, heads, mask));
  const m = dense(gelu(dense(layerNorm(h, p, `${name}.ln2`), p, `${name}.mlp.fc1`)), p, `${name}.mlp.fc2`);
  return tf.add(h, m);
}

/** [B, S, S, C] → [B, (S/p)², p·p·C] by reshape + transpose (no conv, no gather). */
export function patchify(images: tf.Tensor4D, patch: number): tf.Tensor3D {
  const [b, s, , c] = images.shape;
  const g = s / patch;
  const x = tf.reshape(images, [b, g, patch, g, patch * c]);
  return tf.reshape(tf.transpose(x, [0, 1, 3, 2, 4]), [b, g * g, patch * patch * c]);
}
