import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { buildSynsetVocab, multiHot, SynsetVocab, synsetVocabFromIds } from "../../src/text/synset-vocab";

/** corenet's unit-test vocabulary (wordnet_tagged_classification test), in its order. */
const CORENET_TEST_VOCAB = [
  "n5928118",
  "n13333833",
  "n4960277",
  "n7947958",
  "n9638875",
  "n928077",
  "n7996689",
  "n10787470",
  "n5938976",
  "n8559508",
];

describe("multiHot against corenet's unit test", () => {
  const vocab = synsetVocabFromIds(CORENET_TEST_VOCAB, "reference");

  it("builds [image, stock, black, ...] from the ids", () => {
    assert.deepEqual(
      vocab.entries.slice(0, 3).map((e) => e.lemma),
      ["image", "stock", "black"],
    );
    assert.equal(vocab.size, 10);
  });

  it('maps "An image of black dog." to {0, 2} under the reference rule', () => {
    assert.deepEqual(multiHot("An image of black dog.", vocab), [0, 2]);
  });

  it("collapses repeats and ignores synsets outside the vocabulary", () => {
    assert.deepEqual(multiHot("black image, black images and a dog", vocab), [0, 2]);
    assert.deepEqual(multiHot("a dog", vocab), []);
  });

  it("paper rule drops the adjective", () => {
    const paper = synsetVocabFromIds(CORENET_TEST_VOCAB, "paper");
    assert.deepEqual(paper.multiHot("An image of black dog."), [0]);
  });
});

describe("buildSynsetVocab", () => {
  const captions = [
    "a dog and a cat",
    "two dogs",
    "a dog on a dog bed",
    "a cat",
    "a red apple",
    "an apple and a cat",
    "green apple",
    "the sun",
    "!!!",
  ];

  it("counts captions per synset, sorts by count then id, and records hypernyms", () => {
    const v = buildSynsetVocab(captions, { rule: "paper" });
    // dog: 3 captions (twice in one counts once); apple 3; cat 3; sun 1; bed 1.
    const top = v.entries.map((e) => [e.lemma, e.count]);
    assert.deepEqual(
      top.slice(0, 3).map((x) => x[1]),
      [3, 3, 3],
    );
    const ids = v.entries.slice(0, 3).map((e) => e.offset);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    ); // ties in id order
    const dog = v.entries.find((e) => e.lemma === "dog")!;
    assert.equal(dog.id, "n2084071");
    assert.equal(dog.hypernyms[0], "n2083346"); // canine
    assert.equal(dog.hypernyms.at(-1), "n1740"); // entity
    assert.equal(v.stats.captions, 9);
    assert.equal(v.stats.captionsWithSynset, 8);
    assert.equal(v.stats.distinctSynsets, v.size);
  });

  it("keeps count > minCount (Vτ) and the top K", () => {
    const v = buildSynsetVocab(captions, { rule: "paper", minCount: 2 });
    assert.deepEqual(v.entries.map((e) => e.lemma).sort(), ["apple", "cat", "dog"]);
    assert.equal(buildSynsetVocab(captions, { rule: "paper", minCount: 3 }).size, 0);
    const k = buildSynsetVocab(captions, { rule: "paper", topK: 2 });
    assert.deepEqual(k.entries, v.entries.slice(0, 2));
    assert.deepEqual(buildSynsetVocab(captions, { rule: "paper" }).prune({ minCount: 2 }).entries, v.entries);
    assert.throws(
      () => buildSynsetVocab(captions, { rule: "paper", minCount: -1 }),
      /minCount must be a non-negative integer/,
    );
  });

  it("multiHotBatch matches multiHot row by row", () => {
    const v = buildSynsetVocab(captions, { rule: "reference", minCount: 1 });
    const dense = v.multiHotBatch(captions);
    assert.equal(dense.length, captions.length * v.size);
    captions.forEach((c, r) => {
      const row = [...dense.slice(r * v.size, (r + 1) * v.size)];
      const idx = row.flatMap((x, i) => (x === 1 ? [i] : []));
      assert.deepEqual(idx, v.multiHot(c));
      assert.ok(row.every((x) => x === 0 || x === 1));
    });
  });

  it("saves and loads", () => {
    const v = buildSynsetVocab(captions, { rule: "reference" });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vocab-")), "v.json");
    v.save(file);
    const back = SynsetVocab.load(file);
    assert.deepEqual(back.toJSON(), v.toJSON());
    assert.deepEqual(back.multiHot("a dog and an apple"), v.multiHot("a dog and an apple"));
    assert.throws(() => SynsetVocab.fromJSON({ format: "x" }), /not a clipdown-synset-vocab file/);
    assert.throws(() => synsetVocabFromIds(["dog"], "paper"), /not a noun synset id: "dog"/);
  });
});
