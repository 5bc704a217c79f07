/**
 * Backend parity probe (issue 20), run as a child process under the backend named by
 * CLIPDOWN_BACKEND: for each nano tower and each strategy, the loss and every parameter's gradient
 * on a fixed batch of the strategy tests' synthetic pairs, then the losses of a short training run.
 * Prints one JSON object; test/tf/webgpu-parity.test.ts compares webgpu's against wasm's.
 * `node --import tsx test/tf/parity-probe.ts [--only clip:nano] [--steps 20]`
 */
import { buildClipModel } from "../../src/models/clip-model";
import { resolvePreset } from "../../src/models/presets";
import { createStrategy, type StrategyName } from "../../src/strategies";
import { BpeTokenizer } from "../../src/text/bpe";
import { initBackend, tf } from "../../src/tf";
import { clipTask } from "../../src/train/clip-task";
import { PairData, pairs, SIZE, setupNano } from "../strategies/helpers";

/** (strategy, preset) pairs: every strategy on the ViT; CLIP on the ResNet and the Mixer too. */
export const PARITY_CASES: Array<[StrategyName, string]> = [
  ["clip", "nano"],
  ["clip-aug", "nano"],
  ["slip", "nano"],
  ["flip", "nano"],
  ["siglip", "nano"],
  ["catlip", "nano"],
  ["clip", "nano-rn"],
  ["clip", "nano-mixer"],
];

export interface ProbeOut {
  backend: string;
  cases: Record<string, { loss: number; grads: Record<string, number[]> }>;
  train: number[];
  /** tf.addN over 20 tensors (webgpu's own kernel cannot bind that many; see src/tf/kernels/webgpu.ts). */
  addN20: number[];
  tensorsLeaked: number;
}

async function gradients(strategy: StrategyName, preset: string) {
  const p = pairs();
  const tokenizer = BpeTokenizer.train(p.captions, { vocabSize: 280 });
  const model = buildClipModel(
    resolvePreset(preset, { imageSize: SIZE, vocabSize: tokenizer.vocabSize, contextLength: 8 }),
    3,
  );
  const s = createStrategy(strategy, {});
  const extra = s.initParams?.(model, { trainCaptions: () => p.captions, seed: 3 }) ?? {};
  const task = clipTask(
    { model, strategy: s, extra, tokenizer, cache: { n: 16 } } as never,
    new PairData(p),
    {
      contextLength: 8,
      seed: 3,
      totalSteps: 10,
      samplesPerStep: 16,
    },
  );
  const batch = await task.data.next();
  let metrics: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const out = task.loss(batch, 1);
    metrics = Object.values(out.metrics).map((m) => tf.keep(m));
    return out.loss;
  }, Object.values(task.params));
  const names = Object.entries(task.params);
  const out: Record<string, number[]> = {};
  for (const [n, v] of names) {
    const g = grads[v.name];
    out[n] = g ? Array.from(await g.data()) : [];
  }
  const loss = (await value.data())[0]!;
  tf.dispose([value, ...Object.values(grads), ...metrics]);
  model.dispose();
  tf.dispose(Object.values(extra));
  return { loss, grads: out };
}

async function main() {
  const argv = process.argv.slice(2);
  const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : undefined;
  const steps = argv.includes("--steps") ? Number(argv[argv.indexOf("--steps") + 1]) : 20;
  const info = await initBackend();
  const before = tf.memory().numTensors;
  const cases: ProbeOut["cases"] = {};
  for (const [s, preset] of PARITY_CASES) {
    const key = `${s}:${preset}`;
    if (only && key !== only) continue;
    cases[key] = await gradients(s, preset);
  }
  const run = setupNano(createStrategy("clip", {}), { steps, seed: 0 });
  await run.trainer.run();
  run.trainer.dispose();
  run.model.dispose();
  tf.dispose(Object.values(run.extra));
  const terms = Array.from({ length: 20 }, (_, i) => tf.fill([3], i + 1));
  const sum = tf.addN(terms);
  const addN20 = Array.from(await sum.data());
  tf.dispose([...terms, sum]);
  const out: ProbeOut = {
    backend: info.backend,
    cases,
    train: run.losses,
    addN20,
    tensorsLeaked: tf.memory().numTensors - before,
  };
  // Exit only once the (large) line is flushed: a pipe would otherwise truncate it.
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(out)}\n`, () => resolve()));
}

if (require.main === module) void main().then(() => process.exit(0));
