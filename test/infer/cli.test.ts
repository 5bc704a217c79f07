/**
 * `clipdown classify`, `embed` and `search` end to end on a nano run. The retrieval test is the
 * issue's acceptance check in small: embed a folder, search each image's own caption, and get the
 * R@1 and R@10 that `clipdown eval` reports for the same pairs.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { ShardWriter } from "../../src/data/webdataset";
import { run as evalRun } from "../../src/eval/cli";
import { run as classify } from "../../src/infer/classify-cli";
import { run as embed } from "../../src/infer/embed-cli";
import { readIndex } from "../../src/infer/embedding-index";
import { decodeNpy, encodeNpy } from "../../src/infer/npy";
import { run as search } from "../../src/infer/search-cli";
import { initBackend } from "../../src/tf";
import { UsageError } from "../../src/util/args";
import { captionOf, noisePng, writeNanoRun } from "./fixtures";

const N = 60;
let tmp = "";
let runDir = "";
let setDir = "";
let csv = "";
let imgDir = "";

before(async () => {
  await initBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-infercli-"));
  runDir = await writeNanoRun(tmp);
  // The same N pairs twice: as a dataset `clipdown eval` reads, and as a folder + open_clip CSV.
  setDir = path.join(tmp, "pairs");
  imgDir = path.join(tmp, "folder");
  fs.mkdirSync(imgDir);
  const w = new ShardWriter({ dir: setDir, samplesPerShard: 25 });
  const rows = ["filepath,caption"];
  for (let i = 0; i < N; i++) {
    const png = await noisePng(100 + i);
    const key = `img-${String(i).padStart(3, "0")}`;
    w.write({ key, files: { png, txt: Buffer.from(captionOf(i)) } });
    fs.writeFileSync(path.join(imgDir, `${key}.png`), png);
    rows.push(`${key}.png,${captionOf(i)}`);
  }
  await w.close();
  fs.writeFileSync(path.join(setDir, "manifest.json"), JSON.stringify({ name: "pairs" }));
  csv = path.join(imgDir, "pairs.csv");
  fs.writeFileSync(csv, `${rows.join("\n")}\n`);
});

/** Runs a command, returning what it printed with console.log. */
async function stdout(cmd: (argv: string[]) => Promise<number>, argv: string[]): Promise<string> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    assert.equal(await cmd(argv), 0);
  } finally {
    console.log = orig;
  }
  return lines.join("\n");
}

test("embed + search reach the R@1 and R@10 that clipdown eval reports for the same pairs", async () => {
  const evalOut = path.join(tmp, "eval.json");
  await stdout(evalRun, [
    "--checkpoint",
    runDir,
    "--task",
    "retrieval",
    "--dataset",
    setDir,
    "--out",
    evalOut,
    "--quiet",
  ]);
  const m = JSON.parse(fs.readFileSync(evalOut, "utf8")).metrics;
  const npy = path.join(tmp, "emb.npy");
  await stdout(embed, ["--checkpoint", runDir, "--images", csv, "--out", npy, "--quiet"]);
  const index = readIndex(npy);
  assert.equal(index.emb.n, N);
  assert.equal(index.captions?.[3], captionOf(3));
  const queries = path.join(tmp, "queries.txt");
  fs.writeFileSync(queries, Array.from({ length: N }, (_, i) => captionOf(i)).join("\n"));
  const res = JSON.parse(
    await stdout(search, [
      "--checkpoint",
      runDir,
      "--index",
      npy,
      "--queries",
      queries,
      "--top-k",
      "10",
      "--json",
    ]),
  );
  const own = (i: number) => path.join(imgDir, `img-${String(i).padStart(3, "0")}.png`);
  const recall = (k: number) =>
    res.filter((r: { results: { item: string }[] }, i: number) =>
      r.results.slice(0, k).some((h) => h.item === own(i)),
    ).length / N;
  assert.equal(recall(10), m["image_retrieval_recall@10"]);
  assert.equal(recall(1), m["image_retrieval_recall@1"]);
  assert.equal(recall(5), m["image_retrieval_recall@5"]);
  assert.ok(
    recall(10) > 0 && recall(10) < 1,
    `R@10 = ${recall(10)} would not tell a wrong order from a right one`,
  );
  // The folder form and .jsonl give the same rows (sorted names = the CSV's order here).
  const jsonl = path.join(tmp, "emb.jsonl");
  await stdout(embed, ["--checkpoint", runDir, "--images", imgDir, "--out", jsonl, "--quiet"]);
  const again = readIndex(jsonl);
  assert.deepEqual(again.items, index.items);
  assert.deepEqual(Array.from(again.emb.data), Array.from(index.emb.data));
  const text = await stdout(search, [
    "--checkpoint",
    runDir,
    "--index",
    jsonl,
    "--query",
    captionOf(7),
    "--top-k",
    "3",
  ]);
  assert.match(
    text,
    new RegExp(
      `^${captionOf(7).replace(".", "\\.")}\\n {3}1\\. -?\\d\\.\\d{4} {2}\\S+img-\\d{3}\\.png\\n {3}2\\.`,
    ),
  );
});

test("embed --texts writes text embeddings that search refuses as an image index", async () => {
  const f = path.join(tmp, "texts.txt");
  fs.writeFileSync(f, "a red cat\n\na blue car\n");
  const out = path.join(tmp, "texts.npy");
  await stdout(embed, ["--checkpoint", runDir, "--texts", f, "--out", out, "--quiet"]);
  const idx = readIndex(out);
  assert.equal(idx.kind, "text");
  assert.deepEqual(idx.items, ["a red cat", "a blue car"]);
  await assert.rejects(
    search(["--checkpoint", runDir, "--index", out, "--query", "cat"]),
    /holds text embeddings/,
  );
});

test("classify prints a top-k list per image, and JSON with probabilities", async () => {
  const img = path.join(imgDir, "img-000.png");
  const labels = "red cat,blue car,green tree,moon,fish,star";
  const text = await stdout(classify, ["--checkpoint", runDir, "--labels", labels, img, "--top-k", "5"]);
  const lines = text.split("\n");
  assert.equal(lines[0], img);
  assert.equal(lines.length, 6);
  assert.match(lines[1]!, /^ {2}1\. \S.* +\d+\.\d %$/);
  const json = JSON.parse(
    await stdout(classify, ["--checkpoint", runDir, "--labels", labels, img, img, "--json"]),
  );
  assert.equal(json.length, 2);
  assert.equal(json[0].labels.length, 5);
  assert.deepEqual(json[0], json[1]);
  assert.ok(json[0].labels[0].prob >= json[0].labels[4].prob);
});

test("bad input: one-line errors naming the thing and the fix", async () => {
  const one = (re: RegExp) => (e: Error) => re.test(e.message) && !e.message.includes("\n");
  await assert.rejects(classify(["--labels", "a,b", "x.png"]), one(/--checkpoint RUN is required/));
  await assert.rejects(classify(["--checkpoint", runDir, "x.png"]), one(/--labels is required/));
  await assert.rejects(classify(["--checkpoint", runDir, "--labels", " , "]), UsageError);
  await assert.rejects(
    classify(["--checkpoint", runDir, "--labels", "a,a", "x.png"]),
    one(/label "a" is given twice/),
  );
  await assert.rejects(
    classify(["--checkpoint", runDir, "--labels", "a,b", path.join(tmp, "no.png")]),
    one(/no\.png: no such image file/),
  );
  await assert.rejects(
    embed(["--checkpoint", runDir, "--images", imgDir, "--out", "x.csv"]),
    one(/name it \.npy or \.jsonl/),
  );
  await assert.rejects(embed(["--checkpoint", runDir, "--out", "x.npy"]), one(/exactly one of --images/));
  await assert.rejects(
    search(["--checkpoint", runDir, "--index", path.join(tmp, "none"), "--query", "a"]),
    one(/no such file .*clipdown embed/),
  );
  await assert.rejects(
    search(["--checkpoint", runDir, "--index", "x", "a", "red", "car"]),
    one(/quote the query/),
  );
  // A corrupt image inside a folder is skipped and counted, not fatal.
  const dir = path.join(tmp, "with-bad");
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(imgDir, "img-001.png"), path.join(dir, "good.png"));
  fs.writeFileSync(path.join(dir, "bad.png"), "not a png");
  const out = path.join(tmp, "bad.jsonl");
  const errs: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => errs.push(a.join(" "));
  try {
    assert.equal(await embed(["--checkpoint", runDir, "--images", dir, "--out", out]), 0);
  } finally {
    console.error = orig;
  }
  assert.deepEqual(readIndex(out).items, [path.join(dir, "good.png")]);
  assert.ok(
    errs.some((e) => /skipped 1 image\(s\) .*bad\.png/.test(e)),
    errs.join("\n"),
  );
});

test("clipdown's entry point prints a bad input as one line, without a stack trace", async () => {
  const { main } = await import("../../src/cli");
  const errs: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => errs.push(a.join(" "));
  try {
    const missing = path.join(tmp, "missing.png");
    assert.equal(await main(["classify", "--checkpoint", runDir, "--labels", "a,b", missing]), 1);
    assert.equal(await main(["classify", "--labels", "a,b", missing]), 2);
  } finally {
    console.error = orig;
  }
  assert.equal(errs.length, 2, errs.join("\n"));
  assert.match(errs[0]!, /^clipdown classify: .*missing\.png: no such image file/);
  assert.match(errs[1]!, /^clipdown classify: --checkpoint RUN is required/);
  for (const e of errs) assert.ok(!e.includes("\n") && !/\n\s+at /.test(e), e);
});

test(".npy round trip with numpy's header layout", () => {
  const data = Float32Array.from([1, -2.5, 3, 0.125, 5, 6]);
  const buf = encodeNpy(data, 2, 3);
  assert.equal(buf.subarray(0, 8).toString("latin1"), "\x93NUMPY\x01\x00");
  assert.equal((10 + buf.readUInt16LE(8)) % 64, 0, "header padded to 64 bytes");
  assert.match(buf.toString("latin1", 10, 10 + buf.readUInt16LE(8)), /'shape': \(2, 3\)/);
  const back = decodeNpy(buf);
  assert.deepEqual([back.rows, back.cols], [2, 3]);
  assert.deepEqual(Array.from(back.data), Array.from(data));
  assert.throws(() => decodeNpy(buf.subarray(0, buf.length - 4), "t.npy"), /t\.npy: .* truncated/);
});
