/**
 * The training loop, independent of any model or strategy: it sees named trainable variables, a
 * loss closure over a host-side batch, and a resumable data source.
 *
 * Sections: setup → step (grads, accumulation, clipping, AdamW) → log (the only sync point) →
 * eval → checkpoint. Scalars are read with `await data()` only at log/checkpoint time; between
 * those, each step's loss tensor is kept so a NaN can still be traced to its exact step.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { tf } from "../tf";
import { migrateMetricNames } from "../util/metric-names";
import { Progress } from "../util/progress";
import { type CheckpointState, loadCheckpoint, saveCheckpoint } from "./checkpoint";
import { MetricsWriter } from "./metrics";
import { AdamW, clipByGlobalNorm } from "./optimizer";
import { writeTextAtomic } from "./safetensors";
import { lrAt } from "./schedule";

/** Evaluations over training, rewritten after each one: `<outDir>/eval.json`. */
export const EVAL_FILE = "eval.json";

/** Evaluations recorded in `file` at or before `step` (none when it is missing or unreadable). */
export function previousEvals(file: string, step: number): TrainResult["evals"] {
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    // No (or a torn) eval.json from an earlier attempt: the resumed run starts its eval history afresh.
    return [];
  }
  if (!Array.isArray(v)) return [];
  return v
    .filter(
      (r): r is TrainResult["evals"][number] =>
        r !== null && typeof r === "object" && typeof r.step === "number" && r.step <= step,
    )
    .map((r) => migrateMetricNames(r) as TrainResult["evals"][number]);
}

/** A resumable source of host-side micro-batches (e.g. B's BatchLoader). */
export interface DataSource<B> {
  next(): Promise<B>;
  state(): unknown;
  restore(s: unknown): void;
}

export interface TrainTask<B> {
  /** Trainable variables by name (model params + strategy extras such as `logit_scale`). */
  params: Record<string, tf.Variable>;
  /** Non-trainable state saved in checkpoints (BN running stats). */
  buffers: Record<string, tf.Variable>;
  decay(name: string): boolean;
  /** Builds the loss for one micro-batch; called inside gradient recording (create tensors freely). */
  loss(batch: B, step: number): { loss: tf.Scalar; metrics: Record<string, tf.Scalar> };
  /** Runs after each update (e.g. clamp the temperature). */
  afterStep?(): void;
  data: DataSource<B>;
  /** Epoch a batch came from (for the logs). */
  epochOf?(batch: B): number;
}

export interface TrainerOptions {
  /** Samples per optimiser step (= micro-batch size × accumSteps). */
  batch: number;
  accumSteps: number;
  totalSteps: number;
  lr: number;
  minLr: number;
  warmup: number;
  wd: number;
  beta1: number;
  beta2: number;
  eps: number;
  clipNorm: number;
  seed: number;
  logEvery: number;
  /** Checkpoint every N steps (0 = only when `checkpoint()` is asked and at the end). */
  checkpointEverySteps: number;
  /** End this invocation after this step with a checkpoint, no final/eval (time-sliced runs; resume later). */
  stopAtStep?: number;
  /** Evaluate every N steps (0 = only at the end). */
  evalEverySteps: number;
  /** Run directory (metrics.jsonl, last/final.safetensors); undefined = keep nothing on disk. */
  outDir?: string;
  /** Anything JSON saved into checkpoints. */
  config?: unknown;
  /** Forward FLOPs × 3 per sample, for the logs. */
  trainFlopsPerSample?: number;
  quiet?: boolean;
  /** Evaluation hook, run every evalEverySteps and at the end; results are logged. */
  evaluate?(step: number): Promise<Record<string, number>>;
  /** Receives every step's loss once it has been read (tests, plots). */
  onLoss?(step: number, loss: number): void;
}

export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    value: number,
  ) {
    super(
      `loss became ${value} at step ${step}; stopped. The last good checkpoint (if any) is kept unchanged.`,
    );
    this.name = "NonFiniteLossError";
  }
}

export interface TrainResult {
  steps: number;
  samples: number;
  finalLoss: number;
  evals: Array<{ step: number; samples: number } & Record<string, number>>;
  /** True when the run ended early at `stopAtStep` (resumable). */
  stopped?: boolean;
}

interface Pending {
  step: number;
  loss: tf.Scalar;
  metrics: Record<string, tf.Scalar>;
  norm: tf.Scalar;
}

export class Trainer<B> {
  readonly opt: AdamW;
  step = 0;
  private readonly metrics?: MetricsWriter;
  private pending: Pending[] = [];
  private lastLoss = Number.NaN;
  private tLog = 0;
  private samplesAtLog = 0;
  private epoch = 0;
  private readonly varKey = new Map<string, string>();

  constructor(
    readonly task: TrainTask<B>,
    readonly o: TrainerOptions,
  ) {
    if (o.batch % o.accumSteps !== 0)
      throw new Error(`accumSteps ${o.accumSteps} must divide batch ${o.batch}`);
    this.opt = new AdamW(task.params, {
      beta1: o.beta1,
      beta2: o.beta2,
      eps: o.eps,
      weightDecay: o.wd,
      decay: (n) => task.decay(n),
    });
    for (const [k, v] of Object.entries(task.params)) this.varKey.set(v.name, k);
    if (o.outDir) {
      fs.mkdirSync(o.outDir, { recursive: true });
      this.metrics = new MetricsWriter(path.join(o.outDir, "metrics.jsonl"));
    }
  }

  get samples(): number {
    return this.step * this.o.batch;
  }

  // ── checkpoint ────────────────────────────────────────────────────────────────────────────
  private groups() {
    return { param: this.task.params, buffer: this.task.buffers, ...groupOptimizer(this.opt) };
  }

  /** Writes `<outDir>/<name>` atomically after confirming every pending loss is finite. */
  async checkpoint(name = "last.safetensors", file?: string): Promise<void> {
    await this.flush();
    const target = file ?? (this.o.outDir ? path.join(this.o.outDir, name) : undefined);
    if (!target) return;
    await saveCheckpoint(target, this.groups(), {
      step: this.step,
      samples: this.samples,
      optimizerT: this.opt.t,
      seed: this.o.seed,
      loader: this.task.data.state(),
      config: this.o.config ?? null,
    });
  }

  /** Restores weights, buffers, moments, step and data-loader state from a checkpoint file. */
  resume(file: string): CheckpointState {
    const st = loadCheckpoint(file, this.groups());
    this.step = st.step;
    this.opt.t = st.optimizerT;
    this.task.data.restore(st.loader);
    return st;
  }

  // ── step ──────────────────────────────────────────────────────────────────────────────────
  /** One optimiser step over `accumSteps` micro-batches. Nothing is read back from the device. */
  async trainStep(): Promise<void> {
    const k = this.o.accumSteps;
    const vars = Object.values(this.task.params);
    let sum: Record<string, tf.Tensor> | undefined;
    let lossSum: tf.Scalar | undefined;
    let metricSum: Record<string, tf.Scalar> = {};
    for (let i = 0; i < k; i++) {
      const batch = await this.task.data.next();
      if (this.task.epochOf) this.epoch = this.task.epochOf(batch);
      let metrics: Record<string, tf.Scalar> = {};
      const { value, grads } = tf.variableGrads(() => {
        const out = this.task.loss(batch, this.step);
        // Keep the metric scalars past the gradient tape's tidy; disposed below.
        metrics = Object.fromEntries(Object.entries(out.metrics).map(([n, t]) => [n, tf.keep(t)]));
        return out.loss;
      }, vars);
      const named: Record<string, tf.Tensor> = {};
      for (const [vn, g] of Object.entries(grads)) named[this.varKey.get(vn) ?? vn] = g;
      const prev = { sum, lossSum, metricSum };
      sum = prev.sum ? mapAdd(prev.sum, named) : named;
      lossSum = prev.lossSum ? (tf.tidy(() => tf.add(prev.lossSum!, value)) as tf.Scalar) : value;
      metricSum = mapAdd(prev.metricSum, metrics) as Record<string, tf.Scalar>;
      if (prev.sum) {
        tf.dispose(Object.values(prev.sum));
        tf.dispose(Object.values(named));
        tf.dispose([prev.lossSum!, value]);
      }
      if (i > 0) tf.dispose([...Object.values(prev.metricSum), ...Object.values(metrics)]);
    }
    // Mean over micro-batches: for a per-sample-mean loss this equals the full-batch gradient.
    const mean = tf.tidy(() => mapScale(sum!, 1 / k));
    const loss = tf.tidy(() => tf.div(lossSum!, k)) as tf.Scalar;
    const metrics = tf.tidy(() => mapScale(metricSum, 1 / k)) as Record<string, tf.Scalar>;
    tf.dispose([...Object.values(sum!), lossSum!, ...Object.values(metricSum)]);
    const { grads, norm } = clipByGlobalNorm(mean, this.o.clipNorm);
    tf.dispose(Object.values(mean));
    this.opt.apply(grads, this.lr(this.step));
    tf.dispose(Object.values(grads));
    // Inside tidy: `v.assign(tidy(() => …))` leaves the assigned tensor object alive otherwise.
    tf.tidy(() => this.task.afterStep?.());
    this.pending.push({ step: this.step, loss, metrics, norm });
    this.step += 1;
  }

  lr(step: number): number {
    const o = this.o;
    return lrAt(step, { base: o.lr, warmup: o.warmup, total: o.totalSteps, floor: o.minLr });
  }

  // ── log (sync point) ──────────────────────────────────────────────────────────────────────
  /** Reads all pending scalars (one device sync), checks them, writes the metrics line. */
  async flush(): Promise<Record<string, number> | undefined> {
    if (!this.pending.length) return undefined;
    const pending = this.pending;
    this.pending = [];
    const losses = await readScalars(pending.map((p) => p.loss));
    const last = pending[pending.length - 1]!;
    const metricNames = Object.keys(last.metrics);
    const metricVals = await readScalars(metricNames.map((n) => last.metrics[n]!));
    const [norm] = await readScalars([last.norm]);
    const temperature = await this.readTemperature();
    for (const p of pending) tf.dispose([p.loss, p.norm, ...Object.values(p.metrics)]);
    for (let i = 0; i < losses.length; i++) {
      if (!Number.isFinite(losses[i]!)) throw new NonFiniteLossError(pending[i]!.step, losses[i]!);
      this.o.onLoss?.(pending[i]!.step, losses[i]!);
    }
    this.lastLoss = losses[losses.length - 1]!;
    const now = performance.now();
    const dt = (now - this.tLog) / 1000;
    const sps = this.tLog > 0 && dt > 0 ? (this.samples - this.samplesAtLog) / dt : undefined;
    this.tLog = now;
    this.samplesAtLog = this.samples;
    const rec: Record<string, number> = {
      step: this.step,
      samples: this.samples,
      epoch: this.epoch,
      loss: this.lastLoss,
      ...Object.fromEntries(metricNames.map((n, i) => [n, metricVals[i]!])),
      lr: this.lr(last.step),
      grad_norm: norm!,
    };
    if (temperature !== undefined) rec.temperature = temperature;
    if (sps !== undefined) rec.samples_per_s = sps;
    if (this.o.trainFlopsPerSample) rec.flops = this.o.trainFlopsPerSample * this.samples;
    this.metrics?.append(rec as never);
    return rec;
  }

  /** exp(logit_scale) when the task has such a parameter (CLIP's learned temperature). */
  private async readTemperature(): Promise<number | undefined> {
    const ls = this.task.params.logit_scale;
    if (!ls) return undefined;
    const [v] = await readScalars([ls as unknown as tf.Scalar]);
    return Math.exp(v!);
  }

  // ── loop ──────────────────────────────────────────────────────────────────────────────────
  /** Runs from the current step to `totalSteps`, logging, evaluating and checkpointing. */
  async run(): Promise<TrainResult> {
    const o = this.o;
    const progress = new Progress({
      label: "train",
      total: o.totalSteps,
      startAt: this.step,
      unit: "steps",
      quiet: o.quiet,
    });
    // A resumed run keeps the evaluations made before its checkpoint (each eval is followed by a
    // checkpoint, so those at or before the resumed step belong to this run's history).
    const evals: TrainResult["evals"] = o.outDir
      ? previousEvals(path.join(o.outDir, EVAL_FILE), this.step)
      : [];
    const doEval = async () => {
      if (!o.evaluate) return;
      await this.flush();
      const r = { step: this.step, samples: this.samples, ...(await o.evaluate(this.step)) };
      evals.push(r);
      this.metrics?.append({ ...r, eval: true } as never);
      if (o.outDir) writeTextAtomic(path.join(o.outDir, EVAL_FILE), `${JSON.stringify(evals, null, 2)}\n`);
    };
    this.tLog = performance.now();
    this.samplesAtLog = this.samples;
    while (this.step < o.totalSteps) {
      if (o.stopAtStep !== undefined && this.step >= o.stopAtStep) {
        progress.finish();
        await this.checkpoint();
        return { steps: this.step, samples: this.samples, finalLoss: this.lastLoss, evals, stopped: true };
      }
      await this.trainStep();
      const s = this.step;
      if (s % o.logEvery === 0 || s === o.totalSteps) {
        const rec = await this.flush();
        if (rec) progress.update(s, { loss: rec.loss, lr: rec.lr, "samples/s": rec.samples_per_s });
      }
      if (o.evalEverySteps > 0 && s % o.evalEverySteps === 0 && s < o.totalSteps) {
        await doEval();
        await this.checkpoint();
      } else if (o.checkpointEverySteps > 0 && s % o.checkpointEverySteps === 0) {
        await this.checkpoint();
      }
    }
    progress.finish();
    await this.checkpoint();
    if (o.outDir)
      fs.copyFileSync(path.join(o.outDir, "last.safetensors"), path.join(o.outDir, "final.safetensors"));
    await doEval();
    return { steps: this.step, samples: this.samples, finalLoss: this.lastLoss, evals };
  }

  dispose(): void {
    for (const p of this.pending) tf.dispose([p.loss, p.norm, ...Object.values(p.metrics)]);
    this.pending = [];
    this.opt.dispose();
  }
}

function groupOptimizer(opt: AdamW) {
  const m: Record<string, tf.Variable> = {};
  const v: Record<string, tf.Variable> = {};
  for (const n of Object.keys(opt.params)) {
    m[n] = opt.m[n]!;
    v[n] = opt.v[n]!;
  }
  return { adam_m: m, adam_v: v };
}

function mapAdd(a: Record<string, tf.Tensor>, b: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const k of Object.keys(b)) out[k] = a[k] ? tf.add(a[k]!, b[k]!) : b[k]!;
  return out;
}

function mapScale(a: Record<string, tf.Tensor>, s: number): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const k of Object.keys(a)) out[k] = tf.mul(a[k]!, s);
  return out;
}

/** Reads scalars in one device round trip (stack → data). */
async function readScalars(ts: tf.Tensor[]): Promise<number[]> {
  if (!ts.length) return [];
  const stacked = tf.tidy(() => tf.stack(ts.map((t) => tf.reshape(t, []))));
  const d = await stacked.data();
  stacked.dispose();
  return Array.from(d);
}
