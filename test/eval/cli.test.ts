/**
 * `clipdown eval` end to end on a real (untrained, nano) checkpoint in a run directory laid out as
 * `clipdown train` writes it, over a tiny colour-square set read by the real loaders.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { run } from "../../src/eval/cli";
import { evaluateSuite } from "../../src/eval/suite";
import { buildClipModel } from "../../src/models/clip-model";
import { resolvePreset } from "../../src/models/presets";
import { getStrategy } from "../../src/strategies";
import { BpeTokenizer } from "../../src/text/bpe";
import { initBackend, tf } from "../../src/tf";
import { saveCheckpoint } from "../../src/train/checkpoint";
import { resolveTrainConfig } from "../../src/train/config";
import { UsageError } from "../../src/util/args";
import { COLORS, writeColorSet } from "./fixtures";

let tmp = "";
let runDir = "";
let setDir = "";
const SAMPLES = 1234;

before(async () => {
  await initBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-evalcli-"));
  const data = path.join(tmp, "pictograms");
  fs.mkdirSync(data);
  const tok = BpeTokenizer.train(
    COLORS.map(([c]) => `a ${c} square number`),
    { vocabSize: 270 },
  );
  tok.save(path.join(data, "tokenizer.json"));
  setDir = path.join(tmp, "colors");
  await writeColorSet(setDir, { perClass: 6 });
  runDir = path.join(tmp, "run-a");
  fs.mkdirSync(runDir);
  const cfg = resolveTrainConfig({
    model: "nano",
    data,
    imageSize: 8,
    contextLength: 8,
    out: runDir,
    samples: 2048,
  });
  const model = buildClipModel(
    resolvePreset("nano", { imageSize: 8, vocabSize: tok.vocabSize, contextLength: 8 }),
    3,
  );
  await saveCheckpoint(
    path.join(runDir, "final.safetensors"),
    { param: model.params, buffer: model.buffers },
    {
      step: 10,
      samples: SAMPLES,
      optimizerT: 10,
      seed: 0,
      loader: null,
      config: cfg,
    },
  );
  model.dispose();
  fs.writeFileSync(path.join(runDir, "config.json"), JSON.stringify(cfg));
});

const read = (f: string) => JSON.parse(fs.readFileSync(f, "utf8"));

test("eval writes one CLIP_benchmark record per (task, dataset) with the run's metadata", async () => {
  const before = tf.memory().numTensors;
  const code = await run([
    "--checkpoint",
    runDir,
    "--task",
    "zeroshot,linear-probe,retrieval",
    "--dataset",
    setDir,
    "--quiet",
  ]);
  assert.equal(code, 0);
  assert.equal(tf.memory().numTensors, before, "model and intermediate tensors disposed");
  const dir = path.join(runDir, "eval");
  assert.deepEqual(fs.readdirSync(dir).sort(), [
    "linear_probe_colors.json",
    "zeroshot_classification_colors.json",
    "zeroshot_retrieval_colors.json",
  ]);
  const zs = read(path.join(dir, "zeroshot_classification_colors.json"));
  assert.equal(zs.model, "nano");
  assert.equal(zs.dataset, "colors");
  assert.equal(zs.run_id, "run-a");
  assert.equal(zs.samples_seen, SAMPLES);
  assert.equal(zs.strategy, "clip");
  assert.equal(zs.checkpoint, path.join(runDir, "final.safetensors"));
  const model = buildClipModel(resolvePreset("nano", { imageSize: 8, vocabSize: 270, contextLength: 8 }), 0);
  assert.equal(zs.flops, getStrategy("clip").trainFlopsPerSample(model.config) * SAMPLES);
  model.dispose();
  for (const k of ["acc1", "acc5", "mean_per_class_recall"])
    assert.ok(zs.metrics[k] >= 0 && zs.metrics[k] <= 1);
  const ret = read(path.join(dir, "zeroshot_retrieval_colors.json"));
  assert.equal(ret.metrics.images, 18);
  assert.ok("image_retrieval_recall@10" in ret.metrics && "text_retrieval_recall@1" in ret.metrics);
  assert.ok(read(path.join(dir, "linear_probe_colors.json")).metrics.lp_acc1 >= 0);
});

test("eval --out file.json writes all records into one file; the in-process API gives the same numbers", async () => {
  const out = path.join(tmp, "one.json");
  assert.equal(
    await run([
      "--checkpoint",
      path.join(runDir, "final.safetensors"),
      "--task",
      "zeroshot",
      "--dataset",
      setDir,
      "--out",
      out,
      "--quiet",
    ]),
    0,
  );
  const rec = read(out);
  assert.equal(rec.task, "zeroshot_classification");
  const { loadRunForEval } = await import("../../src/eval/load-run");
  const loaded = loadRunForEval(runDir);
  try {
    const [again] = await evaluateSuite(loaded.model, loaded.tokenizer, {
      dataRoot: tmp,
      imageSize: 8,
      contextLength: 8,
      tasks: ["zeroshot"],
      datasets: [setDir],
      meta: loaded.meta,
    });
    assert.equal(again!.metrics.acc1, rec.metrics.acc1);
  } finally {
    loaded.dispose();
  }
});

test("eval errors: config mismatch, missing dataset, missing checkpoint, bad flags", async () => {
  // config.json edited to another preset than the checkpoint was trained with.
  const bad = path.join(tmp, "run-b");
  fs.mkdirSync(bad);
  fs.copyFileSync(path.join(runDir, "final.safetensors"), path.join(bad, "last.safetensors"));
  const cfg = read(path.join(runDir, "config.json"));
  fs.writeFileSync(path.join(bad, "config.json"), JSON.stringify({ ...cfg, model: "nano-mixer" }));
  await assert.rejects(
    run(["--checkpoint", bad, "--quiet"]),
    /checkpoint\/config mismatch: .* model = "nano" .* "nano-mixer"/,
  );
  // A checkpoint without its config copy: the tensors themselves disagree with the preset.
  const tok = BpeTokenizer.load(path.join(cfg.data, "tokenizer.json"));
  const other = buildClipModel(
    resolvePreset("nano", { imageSize: 16, vocabSize: tok.vocabSize, contextLength: 8 }),
    0,
  );
  const noCfg = path.join(tmp, "run-c");
  fs.mkdirSync(noCfg);
  const state = { step: 0, samples: 0, optimizerT: 0, seed: 0, loader: null, config: null };
  await saveCheckpoint(
    path.join(noCfg, "final.safetensors"),
    { param: other.params, buffer: other.buffers },
    state,
  );
  other.dispose();
  fs.writeFileSync(path.join(noCfg, "config.json"), JSON.stringify(cfg));
  await assert.rejects(
    run(["--checkpoint", noCfg, "--quiet"]),
    /checkpoint\/config mismatch: .* has "param\/visual\.pos" of shape \[5,16\] but preset "nano" at this config expects \[2,16\]/,
  );
  await assert.rejects(
    run([
      "--checkpoint",
      runDir,
      "--task",
      "zeroshot",
      "--dataset",
      "nonesuch",
      "--data-root",
      tmp,
      "--quiet",
    ]),
    /dataset "nonesuch" not found .*clipdown data build/,
  );
  await assert.rejects(
    run(["--checkpoint", path.join(tmp, "nope")]),
    /no such run directory or checkpoint file/,
  );
  fs.mkdirSync(path.join(tmp, "empty-run"));
  await assert.rejects(
    run(["--checkpoint", path.join(tmp, "empty-run")]),
    /has no final.safetensors or last.safetensors/,
  );
  await assert.rejects(run(["--checkpoint", runDir, "--task", "bogus"]), UsageError);
  await assert.rejects(run(["--task", "zeroshot"]), /--checkpoint is required/);
});
