/**
 * Acceptance: `clipdown train` end to end on the real corpus. Trains the nano preset with CLIP on
 * a fixed 1k-pair slice of data/pictograms (built by `ensureData()` if missing) at 32 px, batch
 * 64, for 200 steps; then reloads final.safetensors into a fresh model and checks that the loss
 * fell well below ln(64) and that image→text top-1 on those pairs is far above chance (1/1000).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { ensureCache } from "../../src/data/cache";
import { ensureData } from "../../src/data/corpus/build";
import { subsetIndices } from "../../src/data/loader";
import { heldOutEvaluator } from "../../src/eval/during-training";
import { embedImages, embedTexts } from "../../src/eval/embed";
import { retrievalRecall } from "../../src/eval/retrieval";
import { buildClipModel } from "../../src/models/clip-model";
import { resolvePreset } from "../../src/models/presets";
import { BpeTokenizer } from "../../src/text/bpe";
import { initBackend } from "../../src/tf";
import { loadCheckpoint } from "../../src/train/checkpoint";
import { configFromArgv } from "../../src/train/cli";
import { readMetrics } from "../../src/train/metrics";
import { trainRun } from "../../src/train/run";

before(async () => {
  await initBackend();
  await ensureData("data", { quiet: true });
});

test("nano CLIP on 1k real pairs: loss ≪ ln 64, image→text top-1 ≫ chance", {
  timeout: 300_000,
}, async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-real-"));
  const cfg = configFromArgv([
    "--model",
    "nano",
    "--strategy",
    "clip",
    "--data",
    "data/pictograms",
    "--subset",
    "1000",
    "--samples",
    String(64 * 200),
    "--batch",
    "64",
    "--lr",
    "3e-3",
    "--wd",
    "0.1",
    "--warmup",
    "20",
    "--image-size",
    "32",
    "--seed",
    "0",
    // The stored captions: this test scores the pairs it memorised by their stored captions.
    "--captions",
    "full",
    "--out",
    out,
    "--log-every",
    "25",
    "--eval-data",
    "data",
    "--eval-size",
    "200",
    "--quiet",
  ])!;
  const res = await trainRun(cfg, () => {}, heldOutEvaluator);
  assert.equal(res.steps, 200);
  for (const f of ["config.json", "metrics.jsonl", "last.safetensors", "final.safetensors", "eval.json"]) {
    assert.ok(fs.existsSync(path.join(out, f)), f);
  }
  const recs = readMetrics(path.join(out, "metrics.jsonl"));
  const evals = JSON.parse(fs.readFileSync(path.join(out, "eval.json"), "utf8"));
  assert.equal(evals.length, 1);
  for (const k of [
    "heldout-emoji-441/acc1",
    "heldout-emoji-441/acc5",
    "heldout-noto/text_retrieval_recall@1",
    "heldout-noto/text_retrieval_recall@5",
    "heldout-noto/text_retrieval_recall@10",
    "heldout-noto/image_retrieval_recall@1",
    "heldout-noto/image_retrieval_recall@5",
    "heldout-noto/image_retrieval_recall@10",
  ]) {
    assert.ok(evals[0][k] >= 0 && evals[0][k] <= 1, `${k} = ${evals[0][k]}`);
  }
  const trainRecs = recs.filter((r) => !r.eval);
  assert.equal(trainRecs.length, 8);
  const tail = trainRecs.slice(-4).map((r) => r.loss as number);
  const meanTail = tail.reduce((a, b) => a + b, 0) / tail.length;
  assert.ok(meanTail < 0.5 * Math.log(64), `late loss ${meanTail} vs ln 64 = ${Math.log(64).toFixed(3)}`);

  // Fresh model (other seed) + weights from final.safetensors: i2t on the 1k training pairs.
  const tokenizer = BpeTokenizer.load("data/pictograms/tokenizer.json");
  const model = buildClipModel(resolvePreset("nano", { imageSize: 32, vocabSize: tokenizer.vocabSize }), 123);
  loadCheckpoint(path.join(out, "final.safetensors"), { param: model.params, buffer: model.buffers });
  const cache = await ensureCache("data/pictograms", 32);
  const idx = subsetIndices(cache.n, 1000, 0);
  const per = 32 * 32 * 3;
  const images = new Uint8Array(idx.length * per);
  idx.forEach((j, i) => {
    images.set(cache.images.subarray(j * per, (j + 1) * per), i * per);
  });
  const img = await embedImages(model, images, idx.length, 32);
  const txt = await embedTexts(
    model,
    tokenizer,
    Array.from(idx, (j) => cache.captions[j]!),
    16,
  );
  const r = retrievalRecall(img, txt, [1]);
  model.dispose();
  t.diagnostic(
    `late loss ${meanTail.toFixed(3)} (ln 64 = 4.159), i2t top-1 ${r["text_retrieval_recall@1"]} on 1000 pairs; held-out ${JSON.stringify(evals[0])}`,
  );
  assert.ok(r["text_retrieval_recall@1"]! > 0.1, `i2t top-1 ${r["text_retrieval_recall@1"]} (chance 0.001)`);
});
