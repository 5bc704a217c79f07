import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadWordNet, parseSynsetId, synsetId, WordNet } from "../../src/text/wordnet";

describe("WordNet 3.0 nouns", () => {
  const wn = loadWordNet();
  const head = (offset: number): string => wn.synset(offset).words[0]!;

  it("has WordNet 3.0's 117,798 noun lemmas", () => {
    assert.equal(wn.lemmaCount, 117_798);
  });

  it("dog → 02084071 with hypernym canine, chain up to entity", () => {
    const offs = wn.nounSynsets("dog");
    assert.equal(offs.length, 7);
    assert.equal(offs[0], 2084071);
    const dog = wn.synset(2084071);
    assert.deepEqual(dog.words, ["dog", "domestic_dog", "Canis_familiaris"]);
    assert.equal(dog.id, "n2084071");
    assert.match(dog.gloss, /^a member of the genus Canis/);
    assert.equal(head(dog.hypernyms[0]!), "canine");
    assert.deepEqual(wn.hypernymChain(2084071).map(head), [
      "canine",
      "carnivore",
      "placental",
      "mammal",
      "vertebrate",
      "chordate",
      "animal",
      "organism",
      "living_thing",
      "whole",
      "object",
      "physical_entity",
      "entity",
    ]);
    assert.equal(wn.synsetName(2084071), "dog.n.01");
  });

  it("lemmatizes as NLTK: exceptions, the word, then suffix rules", () => {
    assert.equal(wn.lemmatizeNoun("mice"), "mouse");
    assert.equal(wn.lemmatizeNoun("dogs"), "dog");
    assert.equal(wn.lemmatizeNoun("Dogs"), "dog");
    assert.equal(wn.lemmatizeNoun("boxes"), "box");
    assert.equal(wn.lemmatizeNoun("churches"), "church");
    assert.equal(wn.lemmatizeNoun("women"), "woman");
    assert.equal(wn.lemmatizeNoun("berries"), "berry");
    assert.equal(wn.lemmatizeNoun("wolves"), "wolf");
    assert.equal(wn.lemmatizeNoun("glasses"), "glass"); // both are lemmas; NLTK keeps the shortest
    assert.equal(wn.lemmatizeNoun("black"), "black");
    assert.equal(wn.lemmatizeNoun("xyzzyq"), "xyzzyq"); // unknown: returned as is, like NLTK
    assert.deepEqual(wn.nounLemmas("of"), []);
  });

  it("finds penguin, lorry, sneaker, frisbee, t-shirt, pullover at data-sources.md's offsets", () => {
    const first = (w: string): number => wn.nounSynsets(wn.lemmatizeNoun(w))[0]!;
    assert.equal(first("penguin"), 2055803);
    assert.equal(first("lorries"), 3690600);
    assert.equal(head(wn.synset(3690600).hypernyms[0]!), "wagon");
    assert.equal(first("sneakers"), 3472535);
    assert.deepEqual(wn.synset(3472535).words, ["gym_shoe", "sneaker", "tennis_shoe"]);
    assert.equal(wn.synsetName(3472535), "gym_shoe.n.01");
    assert.equal(first("frisbee"), 3397947);
    assert.equal(first("t-shirt"), 3595614);
    assert.equal(first("pullover"), 4021028);
    assert.ok(wn.hypernymChain(2055803).map(head).includes("bird"));
  });

  it("converts synset ids both ways, including ImageNet's padded form", () => {
    assert.equal(synsetId(2084071), "n2084071");
    assert.equal(parseSynsetId("n2084071"), 2084071);
    assert.equal(parseSynsetId("n01440764"), 1440764);
    assert.throws(() => parseSynsetId("dog.n.01"), /not a noun synset id: "dog.n.01"/);
  });

  it("gives clear errors for bad offsets and a missing database", () => {
    assert.throws(() => wn.synset(12), /offset 12 is not the start of a noun synset/);
    assert.throws(() => wn.synset(-1), /no noun synset at offset -1/);
    assert.throws(
      () => new WordNet("/nonexistent"),
      /cannot read \/nonexistent\/data.noun .*CLIPDOWN_WORDNET_DIR/,
    );
  });
});
