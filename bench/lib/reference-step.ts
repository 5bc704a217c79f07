/**
 * The reference training step of compute-notes / issue 10, built from clipdown's own model,
 * CLIP loss and AdamW: ViT 32 px, patch 8, width 128, 4 layers, 4 heads; text vocab 2048, context
 * 16, width 128, 4 layers, causal; embedding 128; Adam (AdamW with weight decay 0: lr 5e-4,
 * betas 0.9/0.98, eps 1e-6); one fixed synthetic batch. bench/reference/clip_step.py is the same
 * step in PyTorch (same shapes, same parameter count).
 */
import { buildClipModel, type ClipModel } from "../../src/models/clip-model";
import type { ClipConfig } from "../../src/models/config";
import { clipStrategy } from "../../src/strategies/clip";
import { tf } from "../../src/tf";
import { AdamW } from "../../src/train/optimizer";
import { type Summary, summarize } from "./report";

export interface RefShape {
  batch: number;
  width: number;
  depth: number;
  heads: number;
  patch: number;
  imageSize: number;
}

export const REFERENCE: RefShape = { batch: 128, width: 128, depth: 4, heads: 4, patch: 8, imageSize: 32 };

export function referenceConfig(s: RefShape): ClipConfig {
  return {
    name: "reference",
    embedDim: 128,
    image: {
      kind: "vit",
      imageSize: s.imageSize,
      patchSize: s.patch,
      width: s.width,
      depth: s.depth,
      heads: s.heads,
      mlpRatio: 4,
      pool: "cls",
    },
    text: { vocabSize: 2048, contextLength: 16, width: 128, depth: 4, heads: 4, mlpRatio: 4 },
  };
}

export function paramCount(model: ClipModel): number {
  return Object.values(model.params).reduce((a, v) => a + v.size, 0);
}

export interface StepRunner {
  model: ClipModel;
  /** One forward + backward + Adam update; returns the loss tensor (caller reads/disposes). */
  train(): tf.Scalar;
  /** Forward only (eval mode): both encoders and the CLIP loss. */
  evaluate(): tf.Scalar;
  dispose(): void;
}

/** Builds the model, a fixed batch and the step closures (seeded: the same every run). */
export function referenceRunner(s: RefShape, seed = 0): StepRunner {
  const model = buildClipModel(referenceConfig(s), seed);
  const images = tf.randomUniform([s.batch, s.imageSize, s.imageSize, 3], -1, 1, "float32", 1) as tf.Tensor4D;
  const tokens = tf.randomUniform([s.batch, 16], 1, 2048, "int32", 2) as tf.Tensor2D;
  const opt = new AdamW(model.params, {
    beta1: 0.9,
    beta2: 0.98,
    eps: 1e-6,
    weightDecay: 0,
    decay: () => false,
  });
  const key = new Map(Object.entries(model.params).map(([k, v]) => [v.name, k]));
  const ctx = (training: boolean) => ({ training, step: 0, seed: 0, extra: {} });
  return {
    model,
    train() {
      const { value, grads } = tf.variableGrads(() => {
        const out = clipStrategy.loss(model, { images, tokens }, ctx(true));
        tf.dispose(Object.values(out.metrics));
        return out.loss;
      });
      const named: Record<string, tf.Tensor> = {};
      for (const [k, g] of Object.entries(grads)) named[key.get(k)!] = g;
      opt.apply(named, 5e-4);
      tf.dispose(Object.values(grads));
      tf.tidy(() => clipStrategy.afterStep?.(model, {}));
      return value;
    },
    evaluate() {
      return tf.tidy(() => {
        const out = clipStrategy.loss(model, { images, tokens }, ctx(false));
        tf.dispose(Object.values(out.metrics));
        return out.loss;
      });
    },
    dispose() {
      opt.dispose();
      model.dispose();
      tf.dispose([images, tokens]);
    },
  };
}

/** Times `fn` (which returns a tensor to read) `repeats` times after `warmup` untimed runs; samples/s. */
export async function timeSamplesPerSec(
  fn: () => tf.Tensor,
  batch: number,
  warmup: number,
  repeats: number,
): Promise<{ samplesPerSec: Summary; stepMs: Summary; last: number }> {
  let last = Number.NaN;
  const run = async () => {
    const t = fn();
    last = (await t.data())[0]!; // wasm is synchronous; reading also forces completion elsewhere
    t.dispose();
  };
  for (let i = 0; i < warmup; i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  return { samplesPerSec: summarize(ms.map((m) => (batch * 1000) / m)), stepMs: summarize(ms), last };
}
