/**
 * The primary zero-shot benchmark's rule (heldout-sets.ts `notoNounClasses`): head segments, the
 * class thresholds and caps, determinism, and the built set on disk agreeing with the rule.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { headSegment, NOUN_CLASS_RULE, notoNounClasses } from "../../src/data/corpus/heldout-sets";
import { DEFAULT_PICTOGRAM_PARAMS, listPictograms } from "../../src/data/corpus/pictograms";
import { nounExtractor } from "../../src/text/nouns";

test("headSegment keeps what a CLDR name is a picture of", () => {
  assert.equal(headSegment("grinning face with big eyes"), "grinning face");
  assert.equal(headSegment("flag: Germany"), "flag");
  assert.equal(headSegment("A button (blood type)"), "A button");
  assert.equal(headSegment("cat with tears of joy"), "cat");
  assert.equal(headSegment("kiss: woman, man"), "kiss");
  assert.equal(headSegment("police car"), "police car");
});

test("a toy corpus: thresholds, the last noun of the head segment, the per-class cap", () => {
  // Extractor stand-in: every lower-case word is a noun.
  const words = (t: string) =>
    t
      .toLowerCase()
      .split(/[^a-z]+/)
      .filter(Boolean);
  const captions = [...Array(30).fill("face, smile"), ...Array(5).fill("cat, pet")];
  const rule = { minCaptions: 20, minImages: 4, maxPerClass: 10 };
  const r = notoNounClasses(captions, words, rule);
  // Only "face" is in ≥ 20 captions; Noto has far more than 10 face emoji, so the cap applies.
  assert.deepEqual(r.classes, ["face"]);
  assert.equal(r.stats[0]!.kept, 10);
  assert.ok(r.stats[0]!.heads > 10);
  assert.equal(r.labelOf.size, 10);
  assert.deepEqual(notoNounClasses(captions, words, { ...rule, minCaptions: 31 }).classes, []);
});

test("the real rule: ≥ 40 classes, none above the cap, deterministic, from npm sources only", {
  timeout: 120_000,
}, () => {
  const ex = nounExtractor("paper");
  const extract = (t: string) => ex.extract(t).map((m) => m.lemma);
  const captions = listPictograms({ ...DEFAULT_PICTOGRAM_PARAMS, openclipart: false }).flatMap((l) =>
    l.items.map((it) => it.caption),
  );
  const a = notoNounClasses(captions, extract);
  assert.ok(a.classes.length >= 40, `${a.classes.length} classes`);
  for (const s of a.stats) {
    assert.ok(
      s.kept <= NOUN_CLASS_RULE.maxPerClass && s.kept >= NOUN_CLASS_RULE.minImages,
      JSON.stringify(s),
    );
    assert.ok(s.captions >= NOUN_CLASS_RULE.minCaptions, JSON.stringify(s));
  }
  for (const c of ["face", "flag", "cat", "dog", "car", "heart"]) assert.ok(a.classes.includes(c), c);
  const b = notoNounClasses(captions, extract);
  assert.deepEqual(b.classes, a.classes);
  assert.deepEqual([...b.labelOf], [...a.labelOf]);
  // The built set on disk (when built) holds exactly these classes.
  const classesFile = path.join("data", "noto-nouns", "classes.json");
  if (fs.existsSync(classesFile))
    assert.deepEqual(JSON.parse(fs.readFileSync(classesFile, "utf8")), a.classes);
});
