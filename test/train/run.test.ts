/**
 * `trainRun` end to end on a tiny WebDataset written with B's ShardWriter (no corpus needed):
 * run-directory layout, and an interrupted-then-resumed run (real BatchLoader state, real model
 * and strategy) reproducing the uninterrupted loss sequence.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import sharp from "sharp";
import { ShardWriter } from "../../src/data/webdataset";
import { BpeTokenizer } from "../../src/text/bpe";
import { initBackend } from "../../src/tf";
import { resolveTrainConfig } from "../../src/train/config";
import { readMetrics } from "../../src/train/metrics";
import { trainRun } from "../../src/train/run";
import { readSafetensors } from "../../src/train/safetensors";

const SIZE = 16;
let data = "";

before(async () => {
  await initBackend();
  data = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-run-data-"));
  const colors: Array<[string, number[]]> = [
    ["red", [255, 0, 0]],
    ["green", [0, 200, 0]],
    ["blue", [0, 0, 255]],
    ["black", [0, 0, 0]],
  ];
  const w = new ShardWriter({ dir: data, samplesPerShard: 10 });
  const captions: string[] = [];
  for (const [c, rgb] of colors) {
    for (let s = 0; s < 4; s++) {
      const px = Buffer.alloc(SIZE * SIZE * 3, 255);
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++)
          if ((s === 0 && x < 8) || (s === 1 && y < 8) || (s === 2 && x >= 8) || (s === 3 && y >= 8))
            px.set(rgb, (y * SIZE + x) * 3);
      }
      const png = await sharp(px, { raw: { width: SIZE, height: SIZE, channels: 3 } })
        .png()
        .toBuffer();
      const caption = `a ${c} ${["left", "top", "right", "bottom"][s]} half`;
      captions.push(caption);
      w.write({ key: `${c}${s}`, files: { png, txt: Buffer.from(caption), json: Buffer.from("{}") } });
    }
  }
  await w.close();
  BpeTokenizer.train(captions, { vocabSize: 280 }).save(path.join(data, "tokenizer.json"));
});

function config(out: string, over: Record<string, unknown> = {}) {
  return resolveTrainConfig({
    model: "nano",
    strategy: "clip",
    data,
    samples: 8 * 16,
    batch: 8,
    lr: 0.01,
    warmup: 2,
    imageSize: SIZE,
    contextLength: 8,
    seed: 0,
    out,
    logEvery: 1,
    evalData: path.join(out, "no-heldout"),
    quiet: true,
    ...over,
  });
}

const losses = (out: string) => readMetrics(path.join(out, "metrics.jsonl")).map((r) => r.loss as number);

test("writes the run directory; an interrupted + resumed run repeats the uninterrupted losses", async () => {
  const a = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-run-a-"));
  const ra = await trainRun(config(a), () => {});
  assert.equal(ra.steps, 16);
  for (const f of ["config.json", "metrics.jsonl", "last.safetensors", "final.safetensors"])
    assert.ok(fs.existsSync(path.join(a, f)), f);
  assert.equal(JSON.parse(fs.readFileSync(path.join(a, "config.json"), "utf8")).model, "nano");
  const ck = readSafetensors(path.join(a, "final.safetensors"));
  assert.equal(ck.metadata.step, "16");
  assert.ok("param/logit_scale" in ck.tensors && "adam_m/logit_scale" in ck.tensors);
  const la = losses(a);
  assert.equal(la.length, 16);
  assert.ok(la[15]! < la[0]!, `loss ${la[0]} → ${la[15]}`);
  const rec = readMetrics(path.join(a, "metrics.jsonl"))[15]!;
  for (const k of ["clip_loss", "i2t_acc", "temperature", "grad_norm", "lr", "flops", "epoch"])
    assert.equal(typeof rec[k], "number", k);

  const b = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-run-b-"));
  const rb1 = await trainRun(config(b, { stopAt: 8 * 6 }), () => {});
  assert.equal(rb1.stopped, true);
  assert.ok(!fs.existsSync(path.join(b, "final.safetensors")));
  // Pretend the crash came later than the checkpoint: extra log lines past step 6 are dropped on resume.
  fs.appendFileSync(path.join(b, "metrics.jsonl"), `${JSON.stringify({ step: 7, samples: 56, loss: 99 })}\n`);
  const rb2 = await trainRun(config(b, { resume: true }), () => {});
  assert.equal(rb2.steps, 16);
  const lb = losses(b);
  assert.equal(lb.length, 16);
  lb.forEach((l, i) => {
    assert.ok(Math.abs(l - la[i]!) < 1e-6, `step ${i + 1}: resumed ${l} vs uninterrupted ${la[i]}`);
  });
});
