/**
 * A tiny self-contained trainable task for the engine tests: linear regression y = xW + b on
 * seeded synthetic data, with a resumable data source (cursor state) like B's BatchLoader.
 */
import { tf } from "../../src/tf";
import type { DataSource, TrainerOptions, TrainTask } from "../../src/train/trainer";

export interface ToyBatch {
  x: Float32Array;
  y: Float32Array;
  n: number;
  epoch: number;
}

const IN = 4;
const OUT = 3;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** N fixed samples; batches walk them in order, wrapping (epoch = wraps). */
export class ToyData implements DataSource<ToyBatch> {
  cursor = 0;
  readonly xs: Float32Array;
  readonly ys: Float32Array;
  constructor(
    readonly n: number,
    readonly micro: number,
    seed = 1,
  ) {
    const r = mulberry32(seed);
    this.xs = Float32Array.from({ length: n * IN }, () => r() * 2 - 1);
    this.ys = new Float32Array(n * OUT);
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < OUT; o++) {
        let s = 0.5 * o;
        for (let j = 0; j < IN; j++) s += this.xs[i * IN + j]! * ((j + 1) * (o - 1));
        this.ys[i * OUT + o] = s;
      }
    }
  }
  async next(): Promise<ToyBatch> {
    const x = new Float32Array(this.micro * IN);
    const y = new Float32Array(this.micro * OUT);
    const epoch = Math.floor(this.cursor / this.n);
    for (let k = 0; k < this.micro; k++) {
      const i = (this.cursor + k) % this.n;
      x.set(this.xs.subarray(i * IN, (i + 1) * IN), k * IN);
      y.set(this.ys.subarray(i * OUT, (i + 1) * OUT), k * OUT);
    }
    this.cursor += this.micro;
    return { x, y, n: this.micro, epoch };
  }
  state(): unknown {
    return { cursor: this.cursor };
  }
  restore(s: unknown): void {
    this.cursor = (s as { cursor: number }).cursor;
  }
}

/** Seeded linear model + MSE task. `nanAt` makes the loss NaN from that step on. */
export function toyTask(
  data: DataSource<ToyBatch>,
  seed = 0,
  nanAt = -1,
): TrainTask<ToyBatch> & { dispose(): void } {
  const r = mulberry32(seed + 100);
  const W = tf.variable(
    tf.tensor2d(
      Float32Array.from({ length: IN * OUT }, () => r() - 0.5),
      [IN, OUT],
    ),
    true,
    `toy_W_${Math.random()}`,
  );
  const b = tf.variable(tf.zeros([OUT]), true, `toy_b_${Math.random()}`);
  const count = tf.variable(tf.zeros([1]), false);
  return {
    params: { W, b },
    buffers: { count },
    decay: (n) => n === "W",
    data,
    epochOf: (bt) => bt.epoch,
    loss(bt, step) {
      const x = tf.tensor2d(bt.x, [bt.n, IN]);
      const y = tf.tensor2d(bt.y, [bt.n, OUT]);
      const pred = tf.add(tf.matMul(x, W), b);
      let loss = tf.mean(tf.square(tf.sub(pred, y))) as tf.Scalar;
      if (nanAt >= 0 && step >= nanAt) loss = tf.mul(loss, Number.NaN) as tf.Scalar;
      return { loss, metrics: { abs_err: tf.mean(tf.abs(tf.sub(pred, y))) as tf.Scalar } };
    },
    dispose() {
      tf.dispose([W, b, count]);
    },
  };
}

export function toyOptions(over: Partial<TrainerOptions> = {}): TrainerOptions {
  return {
    batch: 8,
    accumSteps: 1,
    totalSteps: 20,
    lr: 0.05,
    minLr: 0.001,
    warmup: 3,
    wd: 0.01,
    beta1: 0.9,
    beta2: 0.98,
    eps: 1e-6,
    clipNorm: 1,
    seed: 0,
    logEvery: 1,
    checkpointEverySteps: 0,
    evalEverySteps: 0,
    quiet: true,
    ...over,
  };
}
