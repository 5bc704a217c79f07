/**
 * The engine driving engineer E's real CLIP model (nano preset) and CLIP strategy on synthetic
 * pairs: loss falls below ln(B), in-batch retrieval becomes exact, determinism, no tensor leak.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { embedImages, embedTexts } from "../../src/eval/embed";
import { evalRetrieval, evalZeroShot, spreadIndices } from "../../src/eval/heldout-eval";
import { retrievalRecall } from "../../src/eval/retrieval";
import { buildClipModel } from "../../src/models/clip-model";
import { resolvePreset } from "../../src/models/presets";
import { getStrategy, type Strategy } from "../../src/strategies";
import { BpeTokenizer } from "../../src/text/bpe";
import { initBackend, tf } from "../../src/tf";
import { clipTask, type PairBatchLike } from "../../src/train/clip-task";
import { type DataSource, Trainer } from "../../src/train/trainer";

before(async () => {
  await initBackend();
});

const SIZE = 16;
const COLORS: Array<[string, number[]]> = [
  ["red", [255, 0, 0]],
  ["green", [0, 200, 0]],
  ["blue", [0, 0, 255]],
  ["black", [0, 0, 0]],
];
const SHAPES = ["square", "bar", "dot", "frame"];

/** 16 pairs: a coloured shape on white, captioned "a <color> <shape>". */
function pairs(): { images: Uint8Array; captions: string[] } {
  const images = new Uint8Array(16 * SIZE * SIZE * 3).fill(255);
  const captions: string[] = [];
  COLORS.forEach(([cname, rgb], c) => {
    SHAPES.forEach((sname, s) => {
      const i = c * 4 + s;
      captions.push(`a ${cname} ${sname}`);
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          const on =
            s === 0
              ? x >= 4 && x < 12 && y >= 4 && y < 12
              : s === 1
                ? y >= 6 && y < 10
                : s === 2
                  ? (x - 8) ** 2 + (y - 8) ** 2 < 9
                  : x < 2 || y < 2 || x >= SIZE - 2 || y >= SIZE - 2;
          if (on) images.set(rgb, ((i * SIZE + y) * SIZE + x) * 3);
        }
      }
    });
  });
  return { images, captions };
}

/** Full-set batches of all 16 pairs in a seeded order per epoch (like BatchLoader, state = cursor). */
class PairData implements DataSource<PairBatchLike> {
  step = 0;
  constructor(readonly p: { images: Uint8Array; captions: string[] }) {}
  async next(): Promise<PairBatchLike> {
    const order = Array.from({ length: 16 }, (_, i) => (i * 5 + this.step * 3) % 16);
    this.step++;
    const per = SIZE * SIZE * 3;
    const images = new Uint8Array(16 * per);
    order.forEach((j, k) => {
      images.set(this.p.images.subarray(j * per, (j + 1) * per), k * per);
    });
    return { images, captions: order.map((j) => this.p.captions[j]!), size: SIZE, epoch: this.step - 1 };
  }
  state(): unknown {
    return { step: this.step };
  }
  restore(s: unknown): void {
    this.step = (s as { step: number }).step;
  }
}

async function trainNano(steps: number, seed: number) {
  const p = pairs();
  const tokenizer = BpeTokenizer.train(p.captions, { vocabSize: 280 });
  const model = buildClipModel(
    resolvePreset("nano", { imageSize: SIZE, vocabSize: tokenizer.vocabSize, contextLength: 8 }),
    seed,
  );
  const strategy = getStrategy("clip");
  const extra = strategy.initParams?.(model) ?? {};
  const h = { model, strategy, extra, tokenizer, cache: { n: 16 } };
  const losses: number[] = [];
  const trainer = new Trainer(clipTask(h, new PairData(p), { contextLength: 8, seed }), {
    batch: 16,
    accumSteps: 1,
    totalSteps: steps,
    lr: 0.01,
    minLr: 0.001,
    warmup: 5,
    wd: 0.01,
    beta1: 0.9,
    beta2: 0.98,
    eps: 1e-6,
    clipNorm: 1,
    seed,
    logEvery: 10,
    checkpointEverySteps: 0,
    evalEverySteps: 0,
    quiet: true,
    onLoss: (_s, l) => losses.push(l),
  });
  return { p, tokenizer, model, extra, trainer, losses };
}

test("nano CLIP trains on synthetic pairs: loss ≪ ln 16, retrieval exact, tensors flat", async () => {
  const r = await trainNano(120, 0);
  const t = r.trainer;
  for (let i = 0; i < 10; i++) await t.trainStep();
  await t.flush();
  const base = tf.memory().numTensors;
  await t.run();
  assert.equal(tf.memory().numTensors, base, "no tensors leaked over 110 steps");
  // Random init with scale exp(2.66) ≈ 14 gives a loss around or above ln 16 ≈ 2.77.
  assert.ok(r.losses[0]! > 2.3, `initial loss ${r.losses[0]}`);
  const last = r.losses[r.losses.length - 1]!;
  assert.ok(last < 0.5, `final loss ${last}`);
  const img = await embedImages(r.model, r.p.images, 16, SIZE);
  const txt = await embedTexts(r.model, r.tokenizer, r.p.captions, 8);
  const rec = retrievalRecall(img, txt, [1, 5, 10]);
  assert.ok(rec["text_retrieval_recall@1"]! >= 0.9, `i2t R@1 ${rec["text_retrieval_recall@1"]}`);
  // The held-out evaluators give the same numbers through their own batching (batch 128 > 16 here).
  const set = { n: 16, size: SIZE, images: r.p.images, captions: r.p.captions };
  // The trainer's read-out: the same recalls under the held-out dataset's name.
  assert.deepEqual(
    await evalRetrieval(r.model, r.tokenizer, set, { contextLength: 8 }),
    Object.fromEntries(Object.entries(rec).map(([k, v]) => [`heldout-noto/${k}`, v])),
  );
  // Zero-shot over the 4 colours: labels are the colour of each pair; result is a valid accuracy.
  const cls = {
    ...set,
    labels: Int32Array.from({ length: 16 }, (_, i) => i >> 2),
    classNames: COLORS.map((c) => c[0]),
  };
  const zs = await evalZeroShot(r.model, r.tokenizer, cls, { contextLength: 8, maxImages: 8 });
  assert.deepEqual(Object.keys(zs), ["heldout-emoji-441/acc1", "heldout-emoji-441/acc5"]);
  assert.ok(
    zs["heldout-emoji-441/acc1"]! >= 0 &&
      zs["heldout-emoji-441/acc1"]! <= 1 &&
      zs["heldout-emoji-441/acc5"] === 1,
    JSON.stringify(zs),
  ); // 4 classes: top-5 always hits
  assert.deepEqual(Array.from(spreadIndices(16, 8)), [0, 2, 4, 6, 8, 10, 12, 14]);
  assert.deepEqual(Array.from(spreadIndices(3, 0)), [0, 1, 2]);
  t.dispose();
  r.model.dispose();
});

test("nano CLIP: same seed → same losses", async () => {
  const a = await trainNano(4, 7);
  const b = await trainNano(4, 7);
  for (const r of [a, b]) {
    await r.trainer.run();
    r.trainer.dispose();
    r.model.dispose();
  }
  assert.equal(a.losses.length, 4);
  assert.deepEqual(a.losses, b.losses);
});

test("clipTask routes everything strategy-specific through the interface (tokens, views, params, decay)", async () => {
  const p = pairs();
  const tokenizer = BpeTokenizer.train(p.captions, { vocabSize: 280 });
  const model = buildClipModel(
    resolvePreset("nano", { imageSize: SIZE, vocabSize: tokenizer.vocabSize, contextLength: 8 }),
    0,
  );
  const seen: Array<{ tokens: boolean; captions: number; step: number; total?: number; perStep?: number }> =
    [];
  const head = tf.variable(tf.ones([16, 2]), true);
  const bias = tf.variable(tf.zeros([2]), true);
  // A text-free strategy that trains only the image tower's features and its own head.
  const strategy: Strategy = {
    name: "probe",
    description: "test probe",
    usesText: false,
    usesParam: (n) => (n.startsWith("visual.") && n !== "visual.proj") || n.startsWith("probe."),
    decayExtra: (n) => n === "probe.w",
    prepareBatch(input, ctx) {
      seen.push({
        tokens: input.tokens !== undefined,
        captions: input.captions.length,
        step: ctx.step,
        total: ctx.totalSteps,
        perStep: ctx.samplesPerStep,
      });
      return { images: input.images, views: [input.images] };
    },
    loss(m, batch, ctx) {
      const f = m.imageFeatures(batch.views![0]!, { training: ctx.training });
      const loss = tf.mean(
        tf.square(tf.add(tf.matMul(f, ctx.extra["probe.w"]!), ctx.extra["probe.b"]!)),
      ) as tf.Scalar;
      return { loss, metrics: {} };
    },
    trainFlopsPerSample: () => 1,
  };
  const extra = { "probe.w": head, "probe.b": bias };
  const task = clipTask({ model, strategy, extra, tokenizer, cache: { n: 16 } }, new PairData(p), {
    contextLength: 8,
    seed: 1,
    totalSteps: 3,
    samplesPerStep: 16,
  });
  const names = Object.keys(task.params);
  assert.ok(names.includes("probe.w") && names.includes("visual.patch.w"));
  assert.ok(!names.some((n) => n.startsWith("text.") || n === "logit_scale" || n === "visual.proj"));
  assert.equal(task.decay("probe.w"), true);
  assert.equal(task.decay("probe.b"), false);
  assert.equal(task.decay("visual.patch.w"), model.decay("visual.patch.w"));
  const trainer = new Trainer(task, {
    batch: 16,
    accumSteps: 1,
    totalSteps: 3,
    lr: 0.01,
    minLr: 0.001,
    warmup: 1,
    wd: 0.1,
    beta1: 0.9,
    beta2: 0.98,
    eps: 1e-6,
    clipNorm: 1,
    seed: 1,
    logEvery: 10,
    checkpointEverySteps: 0,
    evalEverySteps: 0,
    quiet: true,
  });
  const textBefore = await model.params["text.proj"]!.data();
  await trainer.run();
  assert.deepEqual(
    seen,
    [0, 1, 2].map((step) => ({ tokens: false, captions: 16, step, total: 3, perStep: 16 })),
  );
  // The text tower got no update (and AdamW was never asked for its gradient).
  assert.deepEqual(await model.params["text.proj"]!.data(), textBefore);
  assert.notDeepEqual(await head.data(), new Float32Array(32).fill(1));
  trainer.dispose();
  tf.dispose([head, bias]);
  model.dispose();
});
