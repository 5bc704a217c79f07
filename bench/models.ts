/**
 * Forward throughput of the image towers (eval mode) and of the text tower at 32 px, batch 64.
 * Usage: npx tsx bench/models.ts [presets...]   → prints samples/s, writes bench/results/models.json
 */
import { writeFileSync } from "node:fs";
import { buildClipModel } from "../src/models/clip-model";
import { resolvePreset } from "../src/models/presets";
import { clipStrategy } from "../src/strategies/clip";
import { initBackend, tf } from "../src/tf";

const BATCH = 64;
const SIZE = 32;
const REPS = 5;

async function main(): Promise<void> {
  const info = await initBackend();
  const names =
    process.argv.length > 2 ? process.argv.slice(2) : ["vit-ti/8", "vit-s/8", "rn-s", "mixer-b/8"];
  const images = tf.randomUniform([BATCH, SIZE, SIZE, 3], -1, 1, "float32", 0) as tf.Tensor4D;
  const tokens = tf.randomUniform([BATCH, 16], 1, 2047, "int32", 0) as tf.Tensor2D;
  const rows: Record<string, unknown>[] = [];
  for (const name of names) {
    const model = buildClipModel(resolvePreset(name, { imageSize: SIZE, vocabSize: 2048 }), 0);
    const time = (f: () => tf.Tensor): number => {
      f().dispose(); // warm-up
      const t0 = performance.now();
      for (let i = 0; i < REPS; i++) {
        const y = f();
        y.dataSync(); // sync point: wait for the backend
        y.dispose();
      }
      return (BATCH * REPS) / ((performance.now() - t0) / 1000);
    };
    const image = time(() => model.encodeImage(images, { training: false }));
    const text = time(() => model.encodeText(tokens, { training: false }));
    // One CLIP forward+backward (no optimiser); convs need Conv2DBackpropFilter, absent from stock wasm.
    const canTrain =
      model.config.image.kind !== "resnet" || !!tf.getKernel("Conv2DBackpropFilter", tf.getBackend());
    const ctx = { training: true, step: 0, seed: 0, extra: {} };
    const train = canTrain
      ? time(() => {
          const { value, grads } = tf.variableGrads(
            () => clipStrategy.loss(model, { images, tokens }, ctx).loss,
          );
          tf.dispose(Object.values(grads));
          return value;
        })
      : Number.NaN;
    const row = {
      preset: name,
      imageForwardPerSec: Math.round(image),
      textForwardPerSec: Math.round(text),
      clipTrainStepPerSec: canTrain ? Math.round(train) : null,
    };
    const trainText = canTrain ? `${row.clipTrainStepPerSec}/s` : "n/a (no Conv2DBackpropFilter kernel)";
    console.log(
      `${name.padEnd(10)} image forward ${row.imageForwardPerSec}/s, text forward ${row.textForwardPerSec}/s, CLIP fwd+bwd ${trainText}`,
    );
    rows.push(row);
    model.dispose();
  }
  tf.dispose([images, tokens]);
  writeFileSync(
    "bench/results/models.json",
    JSON.stringify({ backend: info, batch: BATCH, size: SIZE, rows }, null, 2),
  );
}

main();
