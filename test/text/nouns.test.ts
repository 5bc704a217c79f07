import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { captionSynsets, cleanCaption, NounExtractor, wordTokens } from "../../src/text/nouns";
import { loadWordNet } from "../../src/text/wordnet";

const wn = loadWordNet();
const heads = (caption: string, rule: "paper" | "reference"): string[] =>
  captionSynsets(caption, rule).map((m) => wn.synset(m.offset).words[0]!);
const lemmas = (caption: string, rule: "paper" | "reference"): string[] =>
  captionSynsets(caption, rule).map((m) => m.lemma);

describe("caption cleaning and tokens (corenet's caption_preprocessing, NLTK-like tokens)", () => {
  it("unquotes, strips HTML, collapses spaces, lower-cases", () => {
    assert.equal(cleanCaption("A%20Red+Apple <b>on</b>   a  Table\n"), "a red apple on a table");
    assert.equal(cleanCaption("100% cotton"), "100% cotton"); // a lone % is not an escape
  });

  it("keeps hyphenated words and splits clitics and punctuation", () => {
    assert.deepEqual(wordTokens("a dog's t-shirt, don't."), [
      "a",
      "dog",
      "'s",
      "t-shirt",
      ",",
      "do",
      "n't",
      ".",
    ]);
  });
});

describe("reference rule (corenet)", () => {
  it("maps 'An image of black dog.' to image, black and dog", () => {
    const ms = captionSynsets("An image of black dog.", "reference");
    const byLemma = new Map(ms.map((m) => [m.lemma, m.offset]));
    assert.equal(byLemma.get("image"), 5928118);
    assert.equal(byLemma.get("black"), 4960277);
    assert.equal(byLemma.get("dog"), 2084071);
    assert.ok(!byLemma.has("of"));
  });

  it("lemmatises plurals and irregulars, and drops words whose first sense has another head word", () => {
    assert.deepEqual(
      lemmas("two dogs and three mice", "reference").filter((l) => l !== "two" && l !== "three"),
      ["dog", "mouse"],
    );
    // sneaker.n.01 is named gym_shoe.n.01, so corenet's name check drops it.
    assert.deepEqual(lemmas("white sneakers", "reference"), ["white"]);
    assert.equal(wn.synsetName(wn.nounSynsets("sneaker")[0]!), "gym_shoe.n.01");
  });
});

describe("paper rule (POS-tagged nouns)", () => {
  it("keeps nouns only, so 'black' (an adjective here) does not count", () => {
    assert.deepEqual(lemmas("An image of black dog.", "paper"), ["image", "dog"]);
  });

  it("maps to the first (most frequent) synset, including ones named after another word", () => {
    assert.deepEqual(heads("two dogs playing with a frisbee in the park", "paper"), [
      "dog",
      "Frisbee",
      "park",
    ]);
    assert.deepEqual(heads("white sneakers", "paper"), ["gym_shoe"]);
    assert.deepEqual(lemmas("articulated lorry", "paper"), ["lorry"]);
    assert.deepEqual(lemmas("Mice and geese", "paper"), ["mouse", "goose"]);
  });

  it("drops meta words from the stop-list, and the list can be replaced", () => {
    assert.deepEqual(lemmas("red apple icon outline emoji", "paper"), ["apple"]);
    const keepAll = new NounExtractor("paper", { stopWords: [] });
    assert.deepEqual(
      keepAll.extract("apple icon").map((m) => m.lemma),
      ["apple", "icon"],
    );
  });

  it("rejects an unknown rule naming the valid ones", () => {
    assert.throws(
      () => new NounExtractor("nouns" as "paper"),
      /unknown synset matching rule "nouns"; valid rules: paper, reference/,
    );
  });
});
