/**
 * `loadClip`: every kind of image input gives the pixels training and evaluation decode (hence the
 * same embeddings), classification is eval's prompt ensemble under a softmax, and no call leaks tensors.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import sharp from "sharp";
import { decodeImage } from "../../src/data/image";
import { embedImages } from "../../src/eval/embed";
import { loadRunForEval } from "../../src/eval/load-run";
import { zeroShotScores } from "../../src/eval/zeroshot";
import { loadClip } from "../../src/infer";
import { labelEmbeddings } from "../../src/infer/core";
import { initBackend, tf } from "../../src/tf";
import { noisePng, writeNanoRun } from "./fixtures";

let tmp = "";
let runDir = "";
const files: string[] = [];

before(async () => {
  await initBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-infer-"));
  runDir = await writeNanoRun(tmp);
  for (let i = 0; i < 3; i++) {
    const f = path.join(tmp, `img-${i}.png`);
    fs.writeFileSync(f, await noisePng(i + 1));
    files.push(f);
  }
});

const rows = (e: { data: Float32Array; n: number; d: number }) =>
  Array.from({ length: e.n }, (_, i) => Array.from(e.data.subarray(i * e.d, (i + 1) * e.d)));

test("paths, encoded bytes, sharp pipelines and raw RGBA give the embeddings eval computes", async () => {
  const clip = await loadClip(runDir);
  try {
    const f = files[0]!;
    const { data, info } = await sharp(f).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const raw = { data: new Uint8Array(data), width: info.width, height: info.height };
    const fromEach = await clip.encodeImages([f, fs.readFileSync(f), sharp(f), raw]);
    const r = rows(fromEach);
    for (let i = 1; i < 4; i++) assert.deepEqual(r[i], r[0], `input kind ${i} differs from the path`);
    // Evaluation's route: the cache's decoder, then embedImages on the run's model.
    const run = loadRunForEval(runDir);
    try {
      const px = await decodeImage(fs.readFileSync(f), "png", 16);
      assert.deepEqual(rows(await embedImages(run.model, px, 1, 16))[0], r[0]);
    } finally {
      run.dispose();
    }
    // A different image gives a different embedding (the comparison above can fail).
    assert.notDeepEqual(rows(await clip.encodeImages([files[1]!]))[0], r[0]);
  } finally {
    clip.dispose();
  }
});

test("classify ranks labels by a softmax whose argmax is zero-shot's; topK and templates apply", async () => {
  const clip = await loadClip(runDir);
  try {
    const labels = ["cat", "dog", "car", "star", "tree"];
    const out = await clip.classify(files, labels);
    assert.equal(out.length, 3);
    const img = await clip.encodeImages(files);
    const run = loadRunForEval(runDir);
    const cls = await labelEmbeddings(
      { model: run.model, tokenizer: run.tokenizer!, imageSize: 16, contextLength: 8 },
      labels,
    );
    const cos = zeroShotScores(img, cls);
    run.dispose();
    out.forEach((ranked, i) => {
      assert.equal(ranked.length, 5);
      const sum = ranked.reduce((a, s) => a + s.prob, 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `probabilities sum to ${sum}`);
      for (let k = 1; k < ranked.length; k++) assert.ok(ranked[k - 1]!.prob >= ranked[k]!.prob);
      const row = Array.from(cos.subarray(i * 5, i * 5 + 5));
      assert.equal(ranked[0]!.label, labels[row.indexOf(Math.max(...row))]);
      for (const s of ranked) assert.ok(Math.abs(s.cosine - row[labels.indexOf(s.label)]!) < 1e-12);
    });
    const top2 = await clip.classify([files[0]!], labels, { topK: 2, templates: ["a photo of a {}."] });
    assert.equal(top2[0]!.length, 2);
    assert.notDeepEqual(top2[0]![0]!.cosine, out[0]![0]!.cosine, "templates change the class embeddings");
    const sim = await clip.similarity(files, ["a red cat", "a blue car"]);
    assert.equal(sim.length, 3);
    assert.equal(sim[0]!.length, 2);
    for (const r of sim) for (const v of r) assert.ok(v >= -1 - 1e-9 && v <= 1 + 1e-9);
  } finally {
    clip.dispose();
  }
});

test("tensor counts stay flat over repeated calls and return to the start after dispose", async () => {
  const start = tf.memory().numTensors;
  const clip = await loadClip(runDir);
  await clip.classify(files, ["cat", "dog"]);
  const loaded = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    await clip.classify(files, ["cat", "dog", "car"]);
    await clip.encodeImages(files);
    await clip.encodeTexts(["a cat", "a dog"]);
    await clip.similarity(files, ["a cat"]);
  }
  assert.equal(tf.memory().numTensors, loaded);
  clip.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("bad input is an error that names the input and the fix", async () => {
  const clip = await loadClip(runDir);
  try {
    await assert.rejects(clip.encodeImages([path.join(tmp, "nope.png")]), /nope\.png: no such image file/);
    await assert.rejects(clip.encodeImages([path.join(tmp, "x.txt")]), /no such image file/);
    fs.writeFileSync(path.join(tmp, "notes.txt"), "hi");
    await assert.rejects(
      clip.encodeImages([path.join(tmp, "notes.txt")]),
      /"\.txt" is not an image extension/,
    );
    await assert.rejects(
      clip.encodeImages([{ data: new Uint8Array(10), width: 2, height: 2 }]),
      /10 bytes is not width × height × channels = 2×2×4/,
    );
    await assert.rejects(clip.encodeImages([Buffer.from("not an image")]), /not an image sharp can read/);
    await assert.rejects(clip.classify(files, []), /no labels/);
    await assert.rejects(clip.classify(files, ["a"], { templates: ["no placeholder"] }), /needs a \{\}/);
  } finally {
    clip.dispose();
  }
  await assert.rejects(clip.encodeTexts(["a"]), /disposed/);
  await assert.rejects(loadClip(path.join(tmp, "missing-run")), /no such run directory or checkpoint file/);
});
