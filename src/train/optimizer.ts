/**
 * AdamW (Loshchilov & Hutter) written out by hand, because tfjs 4.22 has no decoupled weight decay
 * and its Adam keeps its moments where a checkpoint cannot reach them.
 *
 * Each parameter owns two moment variables (`m`, `v`); one fused update per parameter runs inside
 * `tf.tidy`. Weight decay is applied only where `decay(name)` is true (no decay on biases, norms,
 * position tables or the temperature), decoupled from the gradient as in PyTorch's AdamW:
 * `w ← w − lr·(m̂/(√v̂+ε) + wd·w)`.
 */
import { fused, fusedEnabled, tf } from "../tf";

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** True where weight decay applies to the named parameter. */
  decay: (name: string) => boolean;
}

export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.98, eps: 1e-6 } as const;

export class AdamW {
  readonly m: Record<string, tf.Variable> = {};
  readonly v: Record<string, tf.Variable> = {};
  /** Number of updates applied so far (drives bias correction; saved in checkpoints). */
  t = 0;

  constructor(
    readonly params: Record<string, tf.Variable>,
    readonly opts: AdamWOptions,
  ) {
    for (const [name, p] of Object.entries(params)) {
      // tf.variable keeps its own reference; the zeros tensor objects would otherwise stay tracked.
      const zm = tf.zerosLike(p);
      const zv = tf.zerosLike(p);
      this.m[name] = tf.variable(zm, false);
      this.v[name] = tf.variable(zv, false);
      tf.dispose([zm, zv]);
    }
  }

  /** Applies one update with learning rate `lr`. `grads` is keyed like `params`; missing grads are an error. */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const { beta1, beta2, eps, weightDecay } = this.opts;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    if (fusedEnabled()) {
      // Same update for every parameter in one wasm kernel (src/tf/fused.ts).
      const names = Object.keys(this.params);
      const gs = names.map((name) => {
        const g = grads[name];
        if (!g) throw new Error(`AdamW: no gradient for parameter "${name}" (is it used by the loss?)`);
        return g;
      });
      const wds = names.map((name) => (this.opts.decay(name) ? weightDecay : 0));
      const at = (r: Record<string, tf.Variable>) => names.map((name) => r[name]!);
      fused.adamW(at(this.params), gs, at(this.m), at(this.v), wds, { lr, beta1, beta2, eps, t: this.t });
      return;
    }
    for (const [name, p] of Object.entries(this.params)) {
      const g = grads[name];
      if (!g) throw new Error(`AdamW: no gradient for parameter "${name}" (is it used by the loss?)`);
      const wd = this.opts.decay(name) ? weightDecay : 0;
      tf.tidy(() => {
        const m = this.m[name]!;
        const v = this.v[name]!;
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        // Bias-corrected step: lr·m̂/(√v̂+ε) with m̂ = m/bc1, v̂ = v/bc2.
        const update = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), eps));
        const decayed = wd > 0 ? tf.mul(p, 1 - lr * wd) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
        m.assign(m1);
        v.assign(v1);
      });
    }
  }

  /** Moment variables keyed `adam_m/<name>` and `adam_v/<name>` for checkpointing. */
  stateVariables(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    for (const name of Object.keys(this.params)) {
      out[`adam_m/${name}`] = this.m[name]!;
      out[`adam_v/${name}`] = this.v[name]!;
    }
    return out;
  }

  dispose(): void {
    for (const name of Object.keys(this.params)) {
      this.m[name]!.dispose();
      this.v[name]!.dispose();
    }
  }
}

/**
 * Scales gradients so their global L2 norm is at most `maxNorm` (no clipping when maxNorm ≤ 0).
 * Returns the new gradients and the pre-clip norm (a scalar tensor, read only at log time).
 */
export function clipByGlobalNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number,
): { grads: Record<string, tf.Tensor>; norm: tf.Scalar } {
  if (fusedEnabled()) {
    const names = Object.keys(grads);
    const r = fused.clipByGlobalNorm(
      names.map((n) => grads[n]!),
      maxNorm,
    );
    return { grads: Object.fromEntries(names.map((n, i) => [n, r.grads[i]!])), norm: r.norm };
  }
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const sq = names.map((n) => tf.sum(tf.square(grads[n]!)));
    const norm = tf.sqrt(sq.length ? tf.addN(sq) : tf.scalar(0)) as tf.Scalar;
    if (!(maxNorm > 0)) {
      const same: Record<string, tf.Tensor> = {};
      for (const n of names) same[n] = tf.clone(grads[n]!);
      return { grads: same, norm };
    }
    // min(1, max/(norm+1e-6)) as in torch.nn.utils.clip_grad_norm_.
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    const out: Record<string, tf.Tensor> = {};
    for (const n of names) out[n] = tf.mul(grads[n]!, scale);
    return { grads: out, norm };
  });
}
