/**
 * BPE training/encoding speed on ~30k real captions.
 * Run: node --import tsx bench/text-bpe.ts [--captions 30000] [--vocab 4096]
 * Prints figures and writes bench/results/text-bpe.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BpeTokenizer } from "../src/text/bpe";
import { parseArgs } from "../src/util/args";
import { benchCaptions } from "./text-captions";

const { flags } = parseArgs(process.argv.slice(2), {
  captions: { kind: "number", help: "number of captions", default: 30_000 },
  vocab: { kind: "number", help: "vocabulary size", default: 4096 },
});
const captions = benchCaptions(flags.captions as number);
const words = captions.reduce((s, c) => s + c.split(/\s+/).length, 0);
let t = performance.now();
const tok = BpeTokenizer.train(captions, { vocabSize: flags.vocab as number });
const trainS = (performance.now() - t) / 1000;
t = performance.now();
const ids = tok.encodeBatch(captions, 16);
const encodeS = (performance.now() - t) / 1000;
let truncated = 0;
let tokens = 0;
for (const c of captions) {
  const n = tok.tokenize(c).length;
  tokens += n;
  if (n > 14) truncated++;
}
const result = {
  captions: captions.length,
  meanWords: words / captions.length,
  vocabSize: tok.vocabSize,
  trainSeconds: trainS,
  encodeBatchCaptionsPerSecond: captions.length / encodeS,
  meanTokensPerCaption: tokens / captions.length,
  fractionTruncatedAt16: truncated / captions.length,
  idsChecksum: ids.reduce((s, x) => (s * 31 + x) % 1_000_000_007, 0),
};
console.log(result);
const dir = path.join(__dirname, "results");
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "text-bpe.json"), JSON.stringify(result, null, 2));
