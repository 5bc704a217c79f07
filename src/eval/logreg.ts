/**
 * Multinomial logistic regression on frozen features: the linear head of the linear probe,
 * few-shot and transfer evaluations.
 *
 * Objective (the one sklearn's `LogisticRegression(multi_class="multinomial")` minimises, with
 * C = 1/(n·l2)): mean softmax cross-entropy + (l2/2)·‖W‖², the bias unregularised. Two solvers:
 * - {@link fitSoftmaxLbfgs}: full-batch L-BFGS to convergence (the probe; convex, so its answer does
 *   not depend on the start point beyond the tolerance);
 * - {@link fitSoftmaxAdam}: a fixed budget of minibatch Adam epochs from a given init (CatLIP's
 *   transfer comparison, where the budget is the point: with few steps the init matters).
 * Matrix products run on the tfjs backend (X·W and Xᵀ·G as plain NN matmuls, the fast form on wasm);
 * one value+gradient over 60k×256 features with 10 classes takes a few tens of milliseconds.
 */

import { tf } from "../tf";
import { mulberry32 } from "../util/rng";
import { lbfgs } from "./lbfgs";

/** Row-major features [n, d] with a class index per row. */
export interface LabeledFeatures {
  x: Float32Array;
  n: number;
  d: number;
  labels: Int32Array;
}

/** A linear classifier: scores = x·W + b. */
export interface LinearHead {
  /** [d, C] row-major. */
  w: Float32Array;
  /** [C]. */
  b: Float32Array;
  d: number;
  numClasses: number;
}

/** An all-zero head (the paper's linear-probe init). */
export function zeroHead(d: number, numClasses: number): LinearHead {
  return { w: new Float32Array(d * numClasses), b: new Float32Array(numClasses), d, numClasses };
}

function checkData(data: LabeledFeatures, numClasses: number): void {
  if (data.x.length !== data.n * data.d)
    throw new Error(`features: ${data.x.length} values is not n*d = ${data.n}*${data.d}`);
  if (data.labels.length !== data.n)
    throw new Error(`features: ${data.labels.length} labels for ${data.n} rows`);
  for (let i = 0; i < data.n; i++) {
    const y = data.labels[i]!;
    if (!(y >= 0 && y < numClasses)) throw new Error(`label ${y} of row ${i} outside [0, ${numClasses})`);
  }
}

/** Class scores [n, C] of a head on features [n, d] (host, float32). */
export function headScores(head: LinearHead, x: Float32Array, n: number): Float32Array {
  const { d, numClasses: C, w, b } = head;
  if (x.length !== n * d) throw new Error(`headScores: ${x.length} values is not n*d = ${n}*${d}`);
  const out = new Float32Array(n * C);
  for (let i = 0; i < n; i++) {
    const row = out.subarray(i * C, (i + 1) * C);
    row.set(b);
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j]!;
      if (v === 0) continue;
      const wr = j * C;
      for (let c = 0; c < C; c++) row[c]! += v * w[wr + c]!;
    }
  }
  return out;
}

/**
 * Value and gradient of the regularised mean cross-entropy at θ = [W (d·C, row-major), b (C)],
 * with the features resident on the backend for the life of the object. The two products X·W and
 * Xᵀ·G run on the backend; the softmax over the [n, C] logits runs on the host, which is cheaper
 * than half a dozen element-wise backend ops at C ≈ 10. Call `dispose()` when done.
 */
export class SoftmaxObjective {
  private readonly x: tf.Tensor2D; // [n, d]
  private readonly xt: tf.Tensor2D; // [d, n]: Xᵀ·G as an NN matmul (wasm's transposed matmuls are slow)
  private readonly labels: Int32Array;
  readonly n: number;
  readonly d: number;
  readonly numClasses: number;

  constructor(
    data: LabeledFeatures,
    numClasses: number,
    readonly l2: number,
  ) {
    checkData(data, numClasses);
    this.n = data.n;
    this.d = data.d;
    this.numClasses = numClasses;
    this.labels = data.labels;
    this.x = tf.tensor2d(data.x, [data.n, data.d]);
    this.xt = tf.tidy(() => tf.transpose(this.x) as tf.Tensor2D);
  }

  async valueAndGradient(theta: Float64Array): Promise<{ f: number; g: Float64Array }> {
    const { n, d, numClasses: C, l2 } = this;
    const wHost = Float32Array.from(theta.subarray(0, d * C));
    const logitsT = tf.tidy(() =>
      tf.add(
        tf.matMul(this.x, tf.tensor2d(wHost, [d, C])),
        tf.tensor1d(Float32Array.from(theta.subarray(d * C))),
      ),
    );
    const z = (await logitsT.data()) as Float32Array; // [n, C]
    logitsT.dispose();
    // G = (softmax(z) − onehot(y)) / n, written over z in place.
    let ce = 0;
    const gb = new Float64Array(C);
    for (let i = 0; i < n; i++) {
      const o = i * C;
      let m = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < C; c++) m = Math.max(m, z[o + c]!);
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(z[o + c]! - m);
      const lse = m + Math.log(s);
      const y = this.labels[i]!;
      ce += lse - z[o + y]!;
      for (let c = 0; c < C; c++) {
        const gi = (Math.exp(z[o + c]! - lse) - (c === y ? 1 : 0)) / n;
        z[o + c] = gi;
        gb[c]! += gi;
      }
    }
    const gwT = tf.tidy(() => tf.matMul(this.xt, tf.tensor2d(z, [n, C])));
    const gw = await gwT.data();
    gwT.dispose();
    let w2 = 0;
    const g = new Float64Array(d * C + C);
    for (let k = 0; k < d * C; k++) {
      const wk = theta[k]!;
      w2 += wk * wk;
      g[k] = gw[k]! + l2 * wk;
    }
    g.set(gb, d * C);
    return { f: ce / n + 0.5 * l2 * w2, g };
  }

  dispose(): void {
    tf.dispose([this.x, this.xt]);
  }
}

export interface LbfgsFitOptions {
  numClasses: number;
  /** Weight decay λ of (λ/2)‖W‖². */
  l2: number;
  /** Start point (default zeros). */
  init?: LinearHead;
  maxIter?: number;
  gradTol?: number;
}

export interface FitResult {
  head: LinearHead;
  /** Final objective value. */
  loss: number;
  iterations: number;
  reason: string;
}

function headToTheta(h: LinearHead): Float64Array {
  const t = new Float64Array(h.w.length + h.b.length);
  t.set(h.w);
  t.set(h.b, h.w.length);
  return t;
}

function thetaToHead(t: Float64Array, d: number, C: number): LinearHead {
  return {
    w: Float32Array.from(t.subarray(0, d * C)),
    b: Float32Array.from(t.subarray(d * C)),
    d,
    numClasses: C,
  };
}

/** Full-batch L-BFGS fit of the regularised softmax regression. */
export async function fitSoftmaxLbfgs(data: LabeledFeatures, opts: LbfgsFitOptions): Promise<FitResult> {
  const C = opts.numClasses;
  const obj = new SoftmaxObjective(data, C, opts.l2);
  try {
    const x0 = headToTheta(opts.init ?? zeroHead(data.d, C));
    const r = await lbfgs((t) => obj.valueAndGradient(t), x0, {
      maxIter: opts.maxIter ?? 300,
      gradTol: opts.gradTol ?? 1e-5,
    });
    return { head: thetaToHead(r.x, data.d, C), loss: r.f, iterations: r.iterations, reason: r.reason };
  } finally {
    obj.dispose();
  }
}

export interface AdamFitOptions {
  numClasses: number;
  init: LinearHead;
  epochs: number;
  batchSize?: number;
  /** Peak learning rate, cosine-decayed to 0 over the run. Default 1e-2. */
  lr?: number;
  /** Decoupled weight decay on W (AdamW). Default 0. */
  weightDecay?: number;
  seed?: number;
}

/**
 * Minibatch AdamW for a fixed number of epochs from `init` (each epoch a fresh seeded permutation;
 * the last partial batch kept, so 1 % of a small set still takes steps). Deterministic for a seed.
 * Plain host loops: at probe sizes (B·d·C ≈ 10⁵–10⁶) a step costs ~1 ms here, while the same step
 * as ~20 small backend ops costs ~10 ms of dispatch on wasm. Weights are held class-major
 * ([C, d]) so the inner loops run over contiguous memory.
 */
export async function fitSoftmaxAdam(data: LabeledFeatures, opts: AdamFitOptions): Promise<FitResult> {
  const C = opts.numClasses;
  checkData(data, C);
  const { d, n, x, labels } = data;
  if (opts.init.d !== d || opts.init.numClasses !== C)
    throw new Error(`init head is [${opts.init.d}, ${opts.init.numClasses}], data needs [${d}, ${C}]`);
  const bs = Math.min(opts.batchSize ?? 256, n);
  const lr = opts.lr ?? 1e-2;
  const wd = opts.weightDecay ?? 0;
  const stepsPerEpoch = Math.ceil(n / bs);
  const total = stepsPerEpoch * opts.epochs;
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const P = C * d + C;
  // θ = [W class-major (C·d), b (C)].
  const theta = new Float64Array(P);
  for (let j = 0; j < d; j++) for (let c = 0; c < C; c++) theta[c * d + j] = opts.init.w[j * C + c]!;
  theta.set(opts.init.b, C * d);
  const m = new Float64Array(P);
  const v = new Float64Array(P);
  const grad = new Float64Array(P);
  const z = new Float64Array(C);
  const rng = mulberry32(opts.seed ?? 0);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  let t = 0;
  let lastLoss = Number.NaN;
  for (let e = 0; e < opts.epochs; e++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    for (let s = 0; s < stepsPerEpoch; s++) {
      t++;
      const lo = s * bs;
      const B = Math.min(n, lo + bs) - lo;
      let ce = 0;
      grad.fill(0);
      for (let r = 0; r < B; r++) {
        const xo = perm[lo + r]! * d;
        // Forward for one row: z = W·x + b, then softmax − onehot (scaled by 1/B) into z.
        let mx = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < C; c++) {
          const wo = c * d;
          let acc = theta[C * d + c]!;
          for (let j = 0; j < d; j++) acc += theta[wo + j]! * x[xo + j]!;
          z[c] = acc;
          if (acc > mx) mx = acc;
        }
        let se = 0;
        for (let c = 0; c < C; c++) se += Math.exp(z[c]! - mx);
        const lse = mx + Math.log(se);
        const y = labels[xo / d]!;
        ce += lse - z[y]!;
        for (let c = 0; c < C; c++) {
          const g = (Math.exp(z[c]! - lse) - (c === y ? 1 : 0)) / B;
          const wo = c * d;
          for (let j = 0; j < d; j++) grad[wo + j]! += g * x[xo + j]!;
          grad[C * d + c]! += g;
        }
      }
      lastLoss = ce / B;
      const rate = 0.5 * lr * (1 + Math.cos((Math.PI * (t - 1)) / total));
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      for (let k = 0; k < P; k++) {
        const gk = grad[k]!;
        m[k] = b1 * m[k]! + (1 - b1) * gk;
        v[k] = b2 * v[k]! + (1 - b2) * gk * gk;
        let upd = m[k]! / c1 / (Math.sqrt(v[k]! / c2) + eps);
        if (k < C * d) upd += wd * theta[k]!;
        theta[k]! -= rate * upd;
      }
    }
  }
  const w = new Float32Array(d * C);
  for (let j = 0; j < d; j++) for (let c = 0; c < C; c++) w[j * C + c] = theta[c * d + j]!;
  return {
    head: { w, b: Float32Array.from(theta.subarray(C * d)), d, numClasses: C },
    loss: lastLoss,
    iterations: t,
    reason: "epochs",
  };
}
