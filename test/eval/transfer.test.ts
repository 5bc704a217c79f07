import assert from "node:assert/strict";
import { test } from "node:test";
import { featureStats, standardize } from "../../src/eval/linear-probe";
import { headScores, type LabeledFeatures } from "../../src/eval/logreg";
import { labelTerms, matchLabelsToVocab, pathSimilarity } from "../../src/eval/synset-match";
import {
  foldStandardization,
  meanColumnNorm,
  randomHead,
  type SynsetHead,
  transferComparison,
  transferHead,
} from "../../src/eval/transfer";
import { synsetVocabFromIds } from "../../src/text/synset-vocab";
import { loadWordNet, synsetId } from "../../src/text/wordnet";
import { mulberry32 } from "../../src/util/rng";

const wn = loadWordNet();
const first = (w: string) => wn.nounSynsets(w)[0]!;
// V = [dog, ankle, boot, shoe, kitchen]: first senses, as CatLIP's vocabularies hold.
const VOCAB_WORDS = ["dog", "ankle", "boot", "shoe", "kitchen"];
const vocab = synsetVocabFromIds(
  VOCAB_WORDS.map((w) => synsetId(first(w))),
  "paper",
);

test("WordNet path similarity matches NLTK's values", () => {
  assert.equal(pathSimilarity(wn, first("dog"), first("cat")), 0.2); // NLTK: dog.path_similarity(cat) = 0.2
  assert.equal(pathSimilarity(wn, first("dog"), first("dog")), 1);
  assert.equal(pathSimilarity(wn, first("sandal"), first("shoe")), 0.5); // sandal → shoe (hypernym)
});

test("labels split into WordNet terms", () => {
  assert.deepEqual(labelTerms("Polar bear", wn), ["polar bear"]);
  assert.deepEqual(labelTerms("T-shirt/top", wn), ["t-shirt", "top"]);
  assert.deepEqual(labelTerms("Ankle boot", wn), ["ankle", "boot"]);
  assert.deepEqual(labelTerms("restaurant kitchen", wn), ["restaurant", "kitchen"]);
  assert.deepEqual(labelTerms("xqzzy blorf", wn), []);
});

test("label → synset mapping: exact, lemmatised, compound, similar, none", () => {
  const m = matchLabelsToVocab(
    ["dog", "Dogs", "Ankle boot", "sandal", "xqzzy blorf", "cat", "restaurant kitchen"],
    vocab,
  );
  const byLabel = Object.fromEntries(m.map((x) => [x.label, x]));
  assert.equal(byLabel.dog!.kind, "exact");
  assert.deepEqual(
    byLabel.dog!.parts.map((p) => p.vocabIndex),
    [0],
  );
  assert.equal(byLabel.Dogs!.kind, "exact");
  assert.equal(byLabel["Ankle boot"]!.kind, "compound");
  assert.deepEqual(
    byLabel["Ankle boot"]!.parts.map((p) => p.vocabIndex),
    [1, 2],
  );
  assert.equal(byLabel.sandal!.kind, "similar");
  assert.deepEqual(
    byLabel.sandal!.parts.map((p) => [p.vocabIndex, p.similarity]),
    [[3, 0.5]],
  );
  assert.equal(byLabel["xqzzy blorf"]!.kind, "none");
  assert.equal(byLabel.cat!.kind, "none", "dog–cat similarity 0.2 is below α = 0.25");
  // "restaurant" has no row near enough; "kitchen" is exact: one part, so the label takes that row.
  assert.deepEqual(
    byLabel["restaurant kitchen"]!.parts.map((p) => p.vocabIndex),
    [4],
  );
  const loose = matchLabelsToVocab(["cat"], vocab, { alpha: 0.2 });
  assert.equal(loose[0]!.kind, "similar");
  assert.equal(loose[0]!.parts[0]!.vocabIndex, 0);
});

// A synset head over that vocabulary: d = 3, V = 5, columns chosen by hand.
const head: SynsetHead = {
  d: 3,
  V: 5,
  // Row-major [d, V]: column v = (w[v], w[5 + v], w[10 + v]).
  w: Float32Array.from([1, 0, 2, 0, 3, 0, 1, 2, 0, 4, 0, 0, 0, 5, 0]),
  b: Float32Array.from([-1, -2, -3, -4, -5]),
};

test("transfer-init head: matched rows copied, compound rows averaged, unmatched random at the mean norm", () => {
  const matches = matchLabelsToVocab(["dog", "ankle boot", "xqzzy"], vocab);
  const h = transferHead(matches, head, { seed: 7 });
  const col = (c: number) => [0, 1, 2].map((j) => h.w[j * 3 + c]!);
  assert.deepEqual(col(0), [1, 0, 0]); // dog's column
  assert.deepEqual(col(1), [(0 + 2) / 2, (1 + 2) / 2, 0]); // mean of ankle (0,1,0) and boot (2,2,0)
  // Column norms: 1, 1, √8, 5, 5 → mean (12 + 2√2)/5.
  const norm = Math.hypot(...col(2));
  assert.ok(Math.abs(norm - meanColumnNorm(head)) < 1e-5);
  assert.ok(Math.abs(meanColumnNorm(head) - (12 + 2 * Math.SQRT2) / 5) < 1e-6);
  // The unmatched column is exactly the random-init column for the same seed.
  const r = randomHead(3, 3, meanColumnNorm(head), 7);
  assert.deepEqual(
    [0, 1, 2].map((j) => r.w[j * 3 + 2]),
    col(2),
  );
  assert.deepEqual(Array.from(h.b), [0, 0, 0], "bias zero by default");
  const copied = transferHead(matches, head, { seed: 7, bias: "copy" });
  // dog −1; ankle/boot mean −2.5; unmatched: the mean of matched biases, −1.75.
  assert.deepEqual(Array.from(copied.b), [-1, -2.5, -1.75]);
});

test("transfer beats random init when labels are scarce; the gap closes with all the data", async () => {
  // 4 classes whose features lie along the (matched) synset columns: the transferred head is right
  // from the start, a random head is not. Same epochs for both fractions: 1 % (one row per class) is
  // 30 Adam steps, too few to turn a random head of norm ~2 around; all the data is 750 steps.
  const rng = mulberry32(3);
  const d = 6;
  const words = ["dog", "ankle", "boot", "shoe"];
  const dirs = words.map(() => Array.from({ length: d }, () => rng() - 0.5));
  const pre: SynsetHead = { d, V: 5, w: new Float32Array(d * 5), b: new Float32Array(5) };
  dirs.forEach((u, v) => {
    u.forEach((x, j) => {
      pre.w[j * 5 + v] = 3 * x;
    });
  });
  const make = (n: number): LabeledFeatures => {
    const x = new Float32Array(n * d);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 4;
      for (let j = 0; j < d; j++) x[i * d + j] = dirs[i % 4]![j]! * 2 + (rng() - 0.5) * 0.2;
    }
    return { x, n, d, labels };
  };
  const matches = matchLabelsToVocab(words, vocab);
  assert.ok(matches.every((m) => m.kind === "exact"));
  const rows = await transferComparison(make(400), make(200), pre, matches, {
    fractions: [0.01, 1],
    epochs: 30,
    batchSize: 16,
    lr: 0.01,
    seed: 1,
    features: "raw",
  });
  assert.equal(rows[0]!.trainRows, 4);
  assert.equal(rows[0]!.transferAcc1AtInit, 1);
  assert.equal(rows[0]!.transfer.acc1, 1);
  assert.ok(rows[0]!.random.acc1 < 0.6, `random at 1 %: ${rows[0]!.random.acc1}`);
  assert.equal(rows[1]!.random.acc1, 1, "with all 400 rows both inits reach 100 %");
  assert.equal(rows[1]!.transfer.acc1, 1);
});

test("folding the standardisation into a head keeps its logits: w'ⱼ = wⱼσⱼ, b' = b + Σ wⱼμⱼ", () => {
  // Hand case: d = 2, C = 1, x rows (1, 10) and (3, 30): μ = (2, 20), σ = (1, 10).
  const h = { d: 2, numClasses: 1, w: Float32Array.from([2, -1]), b: Float32Array.from([0.5]) };
  const stats = featureStats(Float32Array.from([1, 10, 3, 30]), 2, 2);
  assert.deepEqual(Array.from(stats.mean), [2, 20]);
  assert.deepEqual(Array.from(stats.std), [1, 10]);
  const f = foldStandardization(h, stats);
  assert.deepEqual(Array.from(f.w), [2, -10]);
  assert.deepEqual(Array.from(f.b), [0.5 + 2 * 2 - 1 * 20]);
  // Dropping the offset: the logits of the head on centred features, w·(x − μ) + b.
  const centred = foldStandardization(h, stats, { offset: "drop" });
  assert.deepEqual(Array.from(centred.w), [2, -10]);
  assert.deepEqual(Array.from(centred.b), [0.5]);
  // And on random data with C = 3: scores on raw x equal the folded head's on standardised x.
  const rng = mulberry32(5);
  const n = 7;
  const d = 4;
  const x = Float32Array.from({ length: n * d }, () => rng() * 10 - 3);
  const g = {
    d,
    numClasses: 3,
    w: Float32Array.from({ length: d * 3 }, () => rng() - 0.5),
    b: Float32Array.from([1, -2, 0.3]),
  };
  const st = featureStats(x, n, d);
  const xs = standardize({ x, n, d, labels: new Int32Array(n) }, st).x;
  const a = headScores(g, x, n);
  const b = headScores(foldStandardization(g, st), xs, n);
  a.forEach((v, i) => {
    assert.ok(Math.abs(v - b[i]!) < 1e-4, `score ${i}: ${v} vs ${b[i]}`);
  });
  assert.throws(
    () => foldStandardization(g, featureStats(x, n / 7, 1)),
    /statistics are 1-d but the head is 4-d/,
  );
});

test("a shared offset sinks the raw-feature fit at the majority class; standardised features learn", async () => {
  // Every row = 40 in every dimension + a class signal of ±0.3, class 0 holding half of the rows.
  // On raw features Adam's 30 epochs barely move the direction that separates the classes; after
  // standardisation the signal is the whole feature.
  const rng = mulberry32(11);
  const d = 4;
  const words = ["dog", "ankle", "boot", "shoe"];
  const signs = [
    [1, 1, -1, -1],
    [1, -1, 1, -1],
    [-1, 1, 1, -1],
    [-1, -1, -1, 1],
  ];
  const make = (n: number): LabeledFeatures => {
    const x = new Float32Array(n * d);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const y = i % 2 === 0 ? 0 : 1 + (i % 3);
      labels[i] = y;
      for (let j = 0; j < d; j++) x[i * d + j] = 40 + 0.3 * signs[y]![j]! + (rng() - 0.5) * 0.1;
    }
    return { x, n, d, labels };
  };
  const pre: SynsetHead = { d, V: 5, w: new Float32Array(d * 5), b: new Float32Array(5) };
  for (let j = 0; j < d * 5; j++) pre.w[j] = rng() - 0.5;
  const matches = matchLabelsToVocab(words, vocab);
  const train = make(600);
  const test_ = make(300);
  const run = (features: "raw" | "standardized") =>
    transferComparison(train, test_, pre, matches, { fractions: [1], epochs: 30, seed: 2, features });
  const [raw] = await run("raw");
  const [std] = await run("standardized");
  const majority = 0.5;
  assert.ok(Math.abs(raw!.random.acc1 - majority) < 0.02, `raw random init: ${raw!.random.acc1}`);
  assert.ok(std!.random.acc1 > 0.95, `standardised random init: ${std!.random.acc1}`);
  assert.ok(std!.transfer.acc1 > 0.95, `standardised transfer init: ${std!.transfer.acc1}`);
  // The standardised protocol starts each head on centred features: its at-init accuracy is the
  // raw head's on x − μ, computed here independently.
  const init = transferHead(matches, pre, { seed: 2 });
  const mu = featureStats(train.x, train.n, d).mean;
  const xc = Float32Array.from(test_.x, (v, i) => v - mu[i % d]!);
  const s = headScores(init, xc, test_.n);
  let hits = 0;
  for (let i = 0; i < test_.n; i++) {
    const row = Array.from(s.subarray(i * 4, i * 4 + 4));
    if (row.indexOf(Math.max(...row)) === test_.labels[i]) hits++;
  }
  assert.equal(std!.transferAcc1AtInit, hits / test_.n);
  await assert.rejects(
    transferComparison(train, test_, pre, matches, { features: "whitened" as never }),
    /features must be "standardized" or "raw", not "whitened"/,
  );
});
