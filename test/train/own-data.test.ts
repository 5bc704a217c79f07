/**
 * The README's "Your own data" commands, run exactly as written (`npx clipdown` → this checkout's
 * bin) in a fresh folder holding only a generated CSV of images: CSV → shards → train (which must
 * train its own tokenizer: the shards have none) → eval → checkpoint verify. Issue 19, F4.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { BpeTokenizer } from "../../src/text/bpe";
import { RUN_TOKENIZER, runTokenizer } from "../../src/train/run";
import { solidPng } from "../data/fixtures";

const REPO = path.resolve(__dirname, "../..");
const CLI = path.join(REPO, "bin", "clipdown.js");

function readmeCommands(): string[] {
  const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
  const m = readme.match(/<!-- own-data:start -->\n```sh\n([\s\S]*?)```\n<!-- own-data:end -->/);
  assert.ok(m, "README.md has the own-data block");
  return m[1]!.trim().split("\n");
}

const COLOURS: Record<string, [number, number, number]> = {
  red: [230, 20, 20],
  green: [20, 200, 40],
  blue: [20, 40, 230],
  yellow: [240, 220, 20],
  black: [10, 10, 10],
  white: [250, 250, 250],
  purple: [140, 30, 170],
  orange: [250, 140, 10],
};

/** my-data/{train,test}.csv: solid squares of 8 colours at 10 sizes, captions naming the colour. */
async function makeData(root: string): Promise<void> {
  const dir = path.join(root, "my-data");
  fs.mkdirSync(path.join(dir, "img"), { recursive: true });
  const rows: string[][] = [[], []];
  let i = 0;
  for (const [name, rgb] of Object.entries(COLOURS)) {
    for (let k = 0; k < 10; k++) {
      const file = `img/${name}-${k}.png`;
      fs.writeFileSync(path.join(dir, file), await solidPng(rgb, 8 + k, 8 + k));
      rows[k < 8 ? 0 : 1]!.push(`${file},"a ${name} square, ${k % 2 ? "small" : "large"}"`);
      i++;
    }
  }
  fs.writeFileSync(path.join(dir, "train.csv"), ["filepath,caption", ...rows[0]!].join("\n"));
  fs.writeFileSync(path.join(dir, "test.csv"), ["filepath,caption", ...rows[1]!].join("\n"));
  assert.equal(i, 80);
}

test("README 'Your own data': CSV → shards → train (own tokenizer) → eval → verify, as written", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-own-"));
  await makeData(root);
  const outputs: string[] = [];
  for (const line of readmeCommands()) {
    assert.match(line, /^npx clipdown /, `README line runs clipdown: ${line}`);
    const args = line.replace(/^npx clipdown /, "").split(/\s+/);
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: root, encoding: "utf8", timeout: 240_000 });
    assert.equal(r.status, 0, `${line}\n${r.stdout}\n${r.stderr}`);
    outputs.push(r.stdout + r.stderr);
  }
  // The shards had no tokenizer: train made one from their captions, beside them.
  assert.ok(fs.existsSync(path.join(root, "data/mine/tokenizer.json")));
  assert.match(outputs[2]!, /tokenizer: none in data\/mine; trained one on its 64 captions/);
  const cfg = JSON.parse(fs.readFileSync(path.join(root, "runs/mine/config.json"), "utf8"));
  assert.equal(cfg.samples, 640); // --epochs 10 × 64 pairs
  // eval wrote a CLIP_benchmark record for the held-out pairs.
  const evalDir = path.join(root, "runs/mine/eval");
  const rec = fs.readdirSync(evalDir).find((f) => f.includes("retrieval"));
  assert.ok(rec, `a retrieval record in ${fs.readdirSync(evalDir)}`);
  const metrics = JSON.parse(fs.readFileSync(path.join(evalDir, rec), "utf8")).metrics;
  assert.equal(typeof metrics["image_retrieval_recall@5"], "number");
  assert.match(outputs[4]!, /^ok runs\/mine\/final\.safetensors: clipdown-checkpoint-v2/m);
});

test("runTokenizer: --tokenizer FILE is used and kept in the run; else <data>/tokenizer.json; else trained and written there", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-tok-"));
  const data = path.join(root, "data");
  fs.mkdirSync(data);
  const captions = ["a red square", "a blue circle", "a red circle", "a blue square"];
  const log: string[] = [];
  const trained = runTokenizer({ data, tokenizer: "", out: path.join(root, "run1") }, { captions }, (s) =>
    log.push(s),
  );
  assert.ok(fs.existsSync(path.join(data, "tokenizer.json")));
  assert.match(log[0]!, /trained one on its 4 captions/);
  assert.equal(fs.existsSync(path.join(root, "run1", RUN_TOKENIZER)), false);
  // Second time: the written one is loaded, not retrained.
  const again = runTokenizer({ data, tokenizer: "", out: path.join(root, "run2") }, { captions: [] }, (s) =>
    log.push(s),
  );
  assert.deepEqual(again.encode("a red circle"), trained.encode("a red circle"));
  assert.equal(log.length, 1);
  // An explicit file wins, and the run keeps a copy where eval and inference look first.
  const other = BpeTokenizer.train(["zebra crossing", "zebra stripes"], { vocabSize: 300 });
  const file = path.join(root, "other.json");
  fs.writeFileSync(file, JSON.stringify(other.toJSON()));
  const given = runTokenizer({ data, tokenizer: file, out: path.join(root, "run3") }, { captions }, () => {});
  assert.deepEqual(given.encode("zebra"), other.encode("zebra"));
  assert.deepEqual(
    JSON.parse(fs.readFileSync(path.join(root, "run3", RUN_TOKENIZER), "utf8")),
    JSON.parse(fs.readFileSync(file, "utf8")),
  );
  assert.throws(
    () =>
      runTokenizer(
        { data, tokenizer: path.join(root, "nope.json"), out: path.join(root, "run4") },
        { captions },
        () => {},
      ),
    /--tokenizer .*nope\.json not found; give a tokenizer\.json/,
  );
});
