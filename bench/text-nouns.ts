/**
 * Caption → synsets speed for both matching rules on ~30k real captions (WordNet and wink load
 * time reported separately), plus vocabulary sizes at a few thresholds.
 * Run: node --import tsx bench/text-nouns.ts [--captions 30000]
 * Prints figures and writes bench/results/text-nouns.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MATCH_RULES, NounExtractor } from "../src/text/nouns";
import { buildSynsetVocab } from "../src/text/synset-vocab";
import { loadWordNet } from "../src/text/wordnet";
import { parseArgs } from "../src/util/args";
import { benchCaptions } from "./text-captions";

const { flags } = parseArgs(process.argv.slice(2), {
  captions: { kind: "number", help: "number of captions", default: 30_000 },
});
const captions = benchCaptions(flags.captions as number);
let t = performance.now();
loadWordNet();
const wordnetLoadSeconds = (performance.now() - t) / 1000;
const rules: Record<string, unknown> = {};
for (const rule of MATCH_RULES) {
  const ex = new NounExtractor(rule);
  ex.extract("warm up: load the tagger"); // wink's model loads on first use
  t = performance.now();
  let matches = 0;
  for (const c of captions) matches += ex.extract(c).length;
  const s = (performance.now() - t) / 1000;
  const vocab = buildSynsetVocab(captions, { rule });
  rules[rule] = {
    captionsPerSecond: Math.round(captions.length / s),
    meanSynsetsPerCaption: matches / captions.length,
    captionsWithSynset: vocab.stats.captionsWithSynset / captions.length,
    distinctSynsets: vocab.stats.distinctSynsets,
    vocabSizeByThreshold: Object.fromEntries(
      [5, 10, 20, 50, 100].map((v) => [v, vocab.prune({ minCount: v }).size]),
    ),
  };
}
const result = { captions: captions.length, wordnetLoadSeconds, rules };
console.log(JSON.stringify(result, null, 2));
const dir = path.join(__dirname, "results");
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "text-nouns.json"), JSON.stringify(result, null, 2));
