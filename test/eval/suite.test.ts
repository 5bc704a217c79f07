/**
 * The whole suite on tiny colour-square sets read by the real loaders, with fake encoders whose
 * answers are known exactly: an image embeds to the one-hot of its dominant channel, a text to the
 * one-hot of the colour it names, and features are the mean RGB (separable by construction).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { type Emb, emb } from "../../src/eval/embeddings";
import type { EvalRecord } from "../../src/eval/records";
import { runSuite, type SuiteOptions } from "../../src/eval/suite";
import type { Encoders } from "../../src/eval/tasks";
import { synsetVocabFromIds } from "../../src/text/synset-vocab";
import { loadWordNet, synsetId } from "../../src/text/wordnet";
import { initBackend } from "../../src/tf";
import { COLORS, writeColorSet } from "./fixtures";

let root = "";

before(async () => {
  await initBackend();
  root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-suite-"));
  await writeColorSet(path.join(root, "emoji-441"), { perClass: 4 });
  await writeColorSet(path.join(root, "emoji-441-sketch"), { perClass: 2 });
  await writeColorSet(path.join(root, "noto"), { perClass: 1 });
  await writeColorSet(path.join(root, "noto-subgroups"), { perClass: 10 });
  await writeColorSet(path.join(root, "fashion-mnist"), { perClass: 10, split: { train: 7 } });
});

const fakeEncoders: Encoders = {
  async images(images, n, size) {
    const feats: number[][] = [];
    const embs: number[][] = [];
    const per = size * size * 3;
    for (let i = 0; i < n; i++) {
      const m = [0, 0, 0];
      for (let p = 0; p < size * size; p++) for (let c = 0; c < 3; c++) m[c]! += images[i * per + 3 * p + c]!;
      const mean = m.map((v) => v / (size * size * 255));
      feats.push(mean);
      const top = mean.indexOf(Math.max(...mean)); // first on ties: white → channel 0 (red)
      embs.push([0, 1, 2].map((c) => (c === top ? 1 : 0)));
    }
    return { features: emb(feats), embeddings: emb(embs) };
  },
  async texts(texts): Promise<Emb> {
    return emb(texts.map((t) => COLORS.map(([name]) => (t.includes(name) ? 1 : 0))));
  },
};

const wn = loadWordNet();

function options(over: Partial<SuiteOptions> = {}): SuiteOptions {
  const vocab = synsetVocabFromIds(
    COLORS.map(([name]) => synsetId(wn.nounSynsets(name)[0]!)),
    "paper",
  );
  return {
    dataRoot: root,
    imageSize: 8,
    contextLength: 8,
    tasks: ["zeroshot", "linear-probe", "few-shot", "retrieval", "transfer"],
    meta: { model: "fake", runId: "r", checkpoint: "ck", samplesSeen: 1, flops: 2, strategy: "clip" },
    shots: [2, 5],
    fewShotSeeds: [0, 1],
    fractions: [0.1, 1],
    transferEpochs: 2,
    // The synset head is the identity on mean-RGB features: the transferred classifier is exact.
    synsetHead: {
      head: { d: 3, V: 3, w: Float32Array.from([5, 0, 0, 0, 5, 0, 0, 0, 5]), b: new Float32Array(3) },
      vocab,
    },
    ...over,
  };
}

const find = (rs: EvalRecord[], task: string, dataset: string) => {
  const r = rs.find((x) => x.task === task && x.dataset === dataset);
  assert.ok(
    r,
    `no ${task} record for ${dataset}; have ${rs.map((x) => `${x.task}/${x.dataset}`).join(", ")}`,
  );
  return r.metrics;
};

test("suite: every task on its default sets, with exactly known answers", async () => {
  const rs = await runSuite(fakeEncoders, options());
  assert.equal(rs.length, 14);
  for (const r of rs) {
    assert.equal(r.language, "en");
    assert.equal(r.run_id, "r");
  }
  // Zero-shot with the one-hot text encoder: exact on the originals, low-res and sketch sets.
  assert.equal(find(rs, "zeroshot_classification", "emoji-441").acc1, 1);
  assert.equal(find(rs, "zeroshot_classification", "emoji-441-lowres").acc1, 1);
  assert.equal(find(rs, "zeroshot_classification", "emoji-441-sketch").acc1, 1);
  // A solid square has no edges: its line drawing is all white, which the fake encoder calls red.
  const edges = find(rs, "zeroshot_classification", "emoji-441-edges");
  assert.equal(edges.acc1, 1 / 3);
  assert.equal(edges.mean_per_class_recall, 1 / 3);
  const mean = find(rs, "zeroshot_classification", "emoji-441-shift-mean");
  assert.ok(Math.abs((mean.acc1 as number) - 7 / 9) < 1e-12);
  assert.deepEqual(mean.variants, ["emoji-441-edges", "emoji-441-lowres", "emoji-441-sketch"]);
  // Fashion-MNIST zero-shot uses its test split only (3 per class).
  assert.equal(find(rs, "zeroshot_classification", "fashion-mnist").images, 9);
  // Probes: separable features → 100 %, on the set's own split or a seeded stratified one.
  const lpF = find(rs, "linear_probe", "fashion-mnist");
  assert.equal(lpF.lp_acc1, 1);
  assert.deepEqual([lpF.train_rows, lpF.test_rows, lpF.split], [21, 9, "dataset"]);
  const lpN = find(rs, "linear_probe", "noto-subgroups");
  assert.equal(lpN.lp_acc1, 1);
  assert.equal(lpN.test_rows, 9);
  const fs5 = find(rs, "few_shot", "fashion-mnist");
  assert.equal(fs5.k2_acc1, 1);
  assert.equal(fs5.k5_acc1, 1);
  // Retrieval: one distinct colour per image → Recall@1 = 1 both ways.
  const ret = find(rs, "zeroshot_retrieval", "noto");
  assert.equal(ret["image_retrieval_recall@1"], 1);
  assert.equal(ret["text_retrieval_recall@1"], 1);
  // Transfer: every colour name matches its synset exactly; the identity head is right from the start.
  const tr = find(rs, "transfer_init", "fashion-mnist");
  assert.deepEqual(tr.label_matches, { exact: 3, similar: 0, compound: 0, none: 0 });
  assert.equal(tr["transfer_acc1@10pct"], 1);
  // Both protocols are recorded, with each head's accuracy before training.
  assert.equal(tr["raw_transfer_acc1@10pct"], 1);
  assert.equal(tr["raw_transfer_acc1@init"], 1, "the identity head on raw mean-RGB features");
  assert.equal(typeof tr["transfer_acc1@init"], "number");
  const rows = tr.rows as Array<{ features: string; fraction: number }>;
  assert.deepEqual(
    rows.map((r) => `${r.features}@${r.fraction}`),
    ["standardized@0.1", "standardized@1", "raw@0.1", "raw@1"],
  );
});

test("suite: an explicitly named missing dataset is an error naming clipdown data build", async () => {
  await assert.rejects(
    runSuite(fakeEncoders, options({ tasks: ["zeroshot"], datasets: ["nonesuch"] })),
    /dataset "nonesuch" not found .*clipdown data build/,
  );
  await assert.rejects(
    runSuite(
      fakeEncoders,
      options({ tasks: ["transfer"], synsetHead: undefined, datasets: ["fashion-mnist"] }),
    ),
    /transfer needs a CatLIP checkpoint/,
  );
});
