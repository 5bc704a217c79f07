import assert from "node:assert/strict";
import { test } from "node:test";
import { classificationMetrics } from "../../src/eval/classify";
import { emb, l2normalize, rankOf } from "../../src/eval/embeddings";
import { multiCaptionRecall, retrievalRecall } from "../../src/eval/retrieval";
import {
  buildPrompts,
  ensembleClassEmbeddings,
  zeroShotAccuracy,
  zeroShotMetrics,
} from "../../src/eval/zeroshot";

test("identical image and text embeddings give Recall@1 = 1 both ways", () => {
  const e = emb([
    [1, 0, 0],
    [0, 2, 0],
    [0, 0, 3],
    [1, 1, 0],
  ]);
  const r = retrievalRecall(e, e, [1, 5]);
  assert.deepEqual(r, {
    "text_retrieval_recall@1": 1,
    "image_retrieval_recall@1": 1,
    "text_retrieval_recall@5": 1,
    "image_retrieval_recall@5": 1,
  });
});

test("retrieval recall on a hand-built case", () => {
  // Image 0 matches text 0; image 1 is closest to text 0 (rank 1 for its pair); image 2 is closest to text 0 then 1.
  const img = emb([
    [1, 0],
    [1, 0.1],
    [1, 0.2],
  ]);
  const txt = emb([
    [1, 0],
    [0, 1],
    [-1, 0],
  ]);
  const r = retrievalRecall(img, txt, [1, 2, 3]);
  assert.equal(r["text_retrieval_recall@1"], 1 / 3); // only image 0
  assert.equal(r["text_retrieval_recall@2"], 2 / 3); // image 1 finds text 1 second; image 2 ranks text 2 last
  assert.equal(r["text_retrieval_recall@3"], 1);
  // text→image: text 0 → image 0 (1 beats 0.995) ✓; text 1 → image 2 best, its pair image 1 second;
  // text 2 = (-1, 0) is least negative against image 2, its pair ✓.
  assert.equal(r["image_retrieval_recall@1"], 2 / 3);
  assert.equal(r["image_retrieval_recall@2"], 1);
  assert.throws(() => retrievalRecall(img, emb([[1, 0]])), /3 images but 1 texts/);
});

test("one-hot text encoder: zero-shot accuracy is the exact fraction of correct labels", () => {
  // Classes are one-hot directions; images point mostly at their class, except two that point at the wrong one.
  const classEmb = emb([
    [1, 0, 0, 0, 0, 0],
    [0, 1, 0, 0, 0, 0],
    [0, 0, 1, 0, 0, 0],
    [0, 0, 0, 1, 0, 0],
    [0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 1],
  ]);
  const img = emb([
    [5, 1, 0, 0, 0, 0], // label 0 ✓
    [0, 5, 1, 0, 0, 0], // label 1 ✓
    [3, 0, 1, 2, 0, 0], // label 2: ranks 3rd (after 0 and 3)
    [0, 0, 0, 1, 0, 0], // label 3 ✓
    [1, 2, 3, 4, 5, 0], // label 5: score 0, ranks 6th
  ]);
  const labels = Int32Array.from([0, 1, 2, 3, 5]);
  const acc = zeroShotAccuracy(img, classEmb, labels);
  assert.equal(acc.top1, 3 / 5);
  assert.equal(acc.top5, 4 / 5);
  assert.throws(
    () => zeroShotAccuracy(img, classEmb, Int32Array.from([0, 1, 2, 3, 9])),
    /label 9 of image 4 outside \[0, 6\)/,
  );
});

test("prompt ensembling: class-major prompts, mean of normalised embeddings, renormalised", () => {
  assert.deepEqual(buildPrompts(["cat", "dog"], ["a {}.", "{}"]), ["a cat.", "cat", "a dog.", "dog"]);
  // Class 0 prompts: (2,0) and (0,3) → normalised (1,0),(0,1) → mean (.5,.5) → (1/√2, 1/√2).
  const p = emb([
    [2, 0],
    [0, 3],
    [0, -1],
    [0, -4],
  ]);
  const c = ensembleClassEmbeddings(p, 2);
  assert.equal(c.n, 2);
  assert.ok(Math.abs(c.data[0]! - Math.SQRT1_2) < 1e-6 && Math.abs(c.data[1]! - Math.SQRT1_2) < 1e-6);
  assert.deepEqual(Array.from(c.data.slice(2)), [0, -1]);
  assert.throws(() => ensembleClassEmbeddings(p, 3), /not a multiple of 3 templates/);
});

test("helpers: normalisation and tie-aware ranks", () => {
  assert.deepEqual(
    Array.from(l2normalize(emb([[3, 4]])).data).map((x) => Math.round(x * 1e6) / 1e6),
    [0.6, 0.8],
  );
  assert.equal(rankOf(Float64Array.from([1, 1, 1]), 2), 2, "ties before the target count against it");
  assert.equal(rankOf(Float64Array.from([0.5, 0.9, 0.1]), 0), 1);
});

test("mean per-class recall against a hand count", () => {
  // 6 rows, 3 classes. Predicted (argmax): 0,0,1 | 1,0 | 0 for labels 0,0,0 | 1,1 | 2.
  // Recall: class 0 = 2/3, class 1 = 1/2, class 2 = 0/1 → mean 7/18; top-1 = 3/6.
  const scores = [
    [0.9, 0.1, 0], // y=0 ✓
    [0.8, 0.2, 0], // y=0 ✓
    [0.1, 0.9, 0], // y=0 ✗
    [0.1, 0.8, 0.1], // y=1 ✓
    [0.7, 0.2, 0.1], // y=1 ✗
    [0.6, 0.3, 0.1], // y=2 ✗ (rank 2)
  ].flat();
  const m = classificationMetrics(scores, 6, 3, Int32Array.from([0, 0, 0, 1, 1, 2]));
  assert.equal(m.acc1, 3 / 6);
  assert.ok(Math.abs(m.meanPerClassRecall - 7 / 18) < 1e-12);
  assert.equal(m.acc5, 1, "3 classes: every label is in the top 5");
  // A class absent from the labels does not count in the mean (sklearn's balanced accuracy).
  const m4 = classificationMetrics([1, 0, 0, 0, 0, 1, 0, 0], 2, 4, Int32Array.from([0, 1]));
  assert.equal(m4.meanPerClassRecall, 1);
  assert.throws(
    () => classificationMetrics([1, 2], 1, 3, Int32Array.from([0])),
    /2 values is not n\*C = 1\*3/,
  );
  // Ties count against the label: a constant scorer gets credit only for class 0.
  const tie = classificationMetrics(new Float64Array(6), 2, 3, Int32Array.from([0, 2]));
  assert.equal(tie.acc1, 0.5);
});

test("retrieval on a known shuffled pairing: R@1 = fixed points / N, R@2 = 1", () => {
  // Images e_i; text i = e_{π(i)} + 0.1·e_i. Image i's top text is π⁻¹(i) (score 1), its own text
  // scores 0.1 (unless π(i) = i), every other text 0 — so its own text ranks exactly 2nd, or 1st at a
  // fixed point. The same holds for each text over images. π below fixes 3 of 8 points.
  const perm = [0, 2, 1, 3, 5, 6, 4, 7]; // fixed: 0, 3, 7
  const N = perm.length;
  const onehot = (i: number) => Array.from({ length: N }, (_, j) => (j === i ? 1 : 0));
  const img = emb(Array.from({ length: N }, (_, i) => onehot(i)));
  const txt = emb(perm.map((p, i) => onehot(p).map((v, j) => v + (j === i && p !== i ? 0.1 : 0))));
  const r = retrievalRecall(img, txt, [1, 2]);
  assert.deepEqual(r, {
    "text_retrieval_recall@1": 3 / 8,
    "image_retrieval_recall@1": 3 / 8,
    "text_retrieval_recall@2": 1,
    "image_retrieval_recall@2": 1,
  });
});

test("multi-caption retrieval: image→text hits on any caption, text→image averages over texts", () => {
  const img = emb([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ]);
  // Texts of image 0: t0 (looks like image 1), t1 (its own). Image 1: t2 (looks like image 2).
  // Image 2: t3, t4. Ranks worked out by hand in the comments of each row.
  const txt = emb([
    [0.2, 1, 0], // t0 → img 0: images ranked 1, 0 → rank 1
    [1, 0, 0.1], // t1 → img 0: rank 0
    [0, 0.5, 1], // t2 → img 1: images ranked 2, 1 → rank 1
    [0, 0, 1], // t3 → img 2: rank 0
    [0.3, 0, 1], // t4 → img 2: rank 0
  ]);
  const links = Int32Array.from([0, 0, 1, 2, 2]);
  const r = multiCaptionRecall(img, txt, links, [1, 2]);
  // i2t: image 0's best caption t1 is 1st ✓; image 1's t2 is 2nd (t0 above it); image 2's t3 is 1st ✓.
  assert.deepEqual(r.i2t, { 1: 2 / 3, 2: 1 });
  // t2i: t1, t3, t4 at rank 0; t0 and t2 at rank 1 → 3/5 at K=1.
  assert.deepEqual(r.t2i, { 1: 3 / 5, 2: 1 });
  assert.throws(
    () => multiCaptionRecall(img, txt, Int32Array.from([0, 0, 0, 2, 2])),
    /image 1 has no caption/,
  );
  assert.throws(() => multiCaptionRecall(img, txt, Int32Array.from([0, 0, 1, 2, 5])), /links to image 5/);
});

test("zero-shot with a one-hot text encoder through the template ensemble", () => {
  // Every prompt of class c embeds to e_c whatever the template, so the ensemble is e_c and the
  // classifier is argmax over the image's coordinates: images 0..3 point at 0,1,2,2 with labels 0,1,2,0.
  const classes = ["cat", "dog", "owl"];
  const prompts = buildPrompts(classes, ["an emoji of a {}.", "{}"]);
  const textEnc = (p: string) => classes.map((c) => (p.includes(c) ? 1 : 0));
  const cls = ensembleClassEmbeddings(emb(prompts.map(textEnc)), 2);
  const img = emb([
    [3, 1, 0],
    [0, 2, 1],
    [0, 1, 4],
    [1, 0, 2],
  ]);
  const m = zeroShotMetrics(img, cls, Int32Array.from([0, 1, 2, 0]));
  assert.equal(m.acc1, 3 / 4);
  assert.equal(m.meanPerClassRecall, (1 / 2 + 1 + 1) / 3);
});
