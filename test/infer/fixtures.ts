/**
 * A run directory laid out as `clipdown train` writes it (config.json + final.safetensors of an
 * untrained nano model, its tokenizer in a sibling data folder), and small PNGs with transparency
 * whose captions are all different: what the inference tests and the browser test load.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import { buildClipModel } from "../../src/models/clip-model";
import { resolvePreset } from "../../src/models/presets";
import { BpeTokenizer } from "../../src/text/bpe";
import { tf } from "../../src/tf";
import { saveCheckpoint } from "../../src/train/checkpoint";
import { resolveTrainConfig } from "../../src/train/config";

export const WORDS = ["red", "green", "blue", "cat", "dog", "car", "star", "tree", "moon", "fish"];

/** Writes `<root>/data/tokenizer.json` and `<root>/run` (nano, `imageSize` px); returns the run dir. */
export async function writeNanoRun(
  root: string,
  opts: { imageSize?: number; seed?: number; logitScale?: number } = {},
): Promise<string> {
  const data = path.join(root, "data");
  fs.mkdirSync(data, { recursive: true });
  const tok = BpeTokenizer.train(
    WORDS.flatMap((a) => WORDS.map((b) => `an emoji of a ${a} ${b}.`)),
    { vocabSize: 300 },
  );
  tok.save(path.join(data, "tokenizer.json"));
  const runDir = path.join(root, "run");
  fs.mkdirSync(runDir, { recursive: true });
  const imageSize = opts.imageSize ?? 16;
  const cfg = resolveTrainConfig({
    model: "nano",
    data,
    imageSize,
    contextLength: 8,
    out: runDir,
    samples: 256,
  });
  const model = buildClipModel(
    resolvePreset("nano", { imageSize, vocabSize: tok.vocabSize, contextLength: 8 }),
    opts.seed ?? 7,
  );
  // A sharper softmax than the initial 1/0.07 makes probabilities sensitive to small input changes.
  if (opts.logitScale !== undefined) model.params.logit_scale!.assign(tf.scalar(Math.log(opts.logitScale)));
  const state = { step: 1, samples: 256, optimizerT: 1, seed: 0, loader: null, config: cfg };
  await saveCheckpoint(
    path.join(runDir, "final.safetensors"),
    { param: model.params, buffer: model.buffers },
    state,
  );
  model.dispose();
  fs.writeFileSync(path.join(runDir, "config.json"), JSON.stringify(cfg));
  return runDir;
}

/** A `side`-px RGBA PNG of seeded noise with a transparent border (exercises flattening on white). */
export async function noisePng(seed: number, side = 24): Promise<Buffer> {
  let s = (seed * 2654435761) >>> 0 || 1;
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % 256;
  };
  const px = Buffer.alloc(side * side * 4);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const o = 4 * (y * side + x);
      const edge = x < 2 || y < 2 || x >= side - 2 || y >= side - 2;
      px[o] = rand();
      px[o + 1] = rand();
      px[o + 2] = rand();
      px[o + 3] = edge ? 0 : 255;
    }
  return sharp(px, { raw: { width: side, height: side, channels: 4 } })
    .png()
    .toBuffer();
}

/** A caption per index, all distinct: "an emoji of a <w1> <w2>." */
export function captionOf(i: number): string {
  return `an emoji of a ${WORDS[i % WORDS.length]} ${WORDS[Math.floor(i / WORDS.length) % WORDS.length]}.`;
}
