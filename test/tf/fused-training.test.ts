/**
 * End to end: 50 CLIP training steps (ViT + causal text tower, AdamW with decay and global-norm
 * clipping) give the same loss curve with the fused wasm kernels as with stock tf ops.
 * A reduced reference model keeps it fast (~10 s); `npm run bench -- --only loss-parity` runs the
 * same check on the full reference step.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildClipModel } from "../../src/models/clip-model";
import type { ClipConfig } from "../../src/models/config";
import { clipStrategy } from "../../src/strategies/clip";
import { initBackend, setFused, tf } from "../../src/tf";
import { AdamW, clipByGlobalNorm } from "../../src/train/optimizer";

const CFG: ClipConfig = {
  name: "loss-parity",
  embedDim: 32,
  image: {
    kind: "vit",
    imageSize: 16,
    patchSize: 4,
    width: 32,
    depth: 2,
    heads: 2,
    mlpRatio: 4,
    pool: "cls",
  },
  text: { vocabSize: 64, contextLength: 8, width: 32, depth: 2, heads: 2, mlpRatio: 4 },
};

function lossCurve(fusedOn: boolean, steps: number): number[] {
  setFused(fusedOn);
  const model = buildClipModel(CFG, 7);
  const b = 16;
  const images = tf.randomUniform([b, 16, 16, 3], -1, 1, "float32", 1) as tf.Tensor4D;
  const tokens = tf.randomUniform([b, 8], 1, 64, "int32", 2) as tf.Tensor2D;
  const opt = new AdamW(model.params, {
    beta1: 0.9,
    beta2: 0.98,
    eps: 1e-6,
    weightDecay: 0.1,
    decay: model.decay,
  });
  const key = new Map(Object.entries(model.params).map(([k, v]) => [v.name, k]));
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { value, grads } = tf.variableGrads(() => {
      const out = clipStrategy.loss(
        model,
        { images, tokens },
        { training: true, step: s, seed: 0, extra: {} },
      );
      tf.dispose(Object.values(out.metrics));
      return out.loss;
    });
    const named: Record<string, tf.Tensor> = {};
    for (const [k, g] of Object.entries(grads)) named[key.get(k)!] = g;
    const clipped = clipByGlobalNorm(named, 1.0);
    opt.apply(clipped.grads, 5e-4);
    tf.tidy(() => clipStrategy.afterStep?.(model, {}));
    losses.push(value.dataSync()[0]!);
    tf.dispose([value, clipped.norm, ...Object.values(grads), ...Object.values(clipped.grads)]);
  }
  opt.dispose();
  model.dispose();
  tf.dispose([images, tokens]);
  return losses;
}

before(async () => {
  assert.equal((await initBackend()).fused, "on");
});
after(() => setFused(undefined));

describe("fused vs unfused training", () => {
  it("50 steps: loss curves agree within 1e-4 relative, and the loss falls", () => {
    const before = tf.memory().numTensors;
    const f = lossCurve(true, 50);
    const u = lossCurve(false, 50);
    assert.equal(tf.memory().numTensors, before, "no tensors leaked by either path");
    let worst = 0;
    for (let i = 0; i < 50; i++) worst = Math.max(worst, Math.abs(f[i]! - u[i]!) / Math.abs(u[i]!));
    assert.ok(worst < 1e-4, `worst relative loss difference ${worst}`);
    assert.ok(f[49]! < 0.5 * f[0]!, `loss should fall on a fixed batch: ${f[0]} -> ${f[49]}`);
  });
});
