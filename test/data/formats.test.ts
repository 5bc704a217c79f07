/**
 * The formats users bring (CSV/TSV manifests, image folders, WebDataset shards) read to exact
 * samples, and converted to shards with `convertToShards` (what `clipdown shards` runs), read back.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { BadSamples } from "../../src/data/bad-samples";
import { decodeImage } from "../../src/data/image";
import { readImageFolder } from "../../src/data/image-folder";
import { readCsvManifest } from "../../src/data/manifest-csv";
import { convertToShards } from "../../src/data/shards-cli";
import { readShards, ShardWriter, type WdsSample } from "../../src/data/webdataset";
import { listTree, solidJpeg, solidPng, tmpDir } from "./fixtures";

const quiet = { log: () => {} };

async function collect(
  dir: string | readonly string[],
  opts: Parameters<typeof readShards>[1] = {},
): Promise<WdsSample[]> {
  const out: WdsSample[] = [];
  for await (const s of readShards(dir, opts)) out.push(s);
  return out;
}

test("CSV manifest: paths relative to the manifest, quoting, bad rows counted; shards round-trip", async () => {
  const root = tmpDir("fmt-csv");
  const data = path.join(root, "data");
  fs.mkdirSync(path.join(data, "imgs"), { recursive: true });
  const red = await solidPng([255, 0, 0]);
  const green = await solidJpeg([0, 200, 0]);
  fs.writeFileSync(path.join(data, "imgs", "r.png"), red);
  fs.writeFileSync(path.join(data, "imgs", "g.jpg"), green);
  fs.writeFileSync(
    path.join(data, "m.csv"),
    [
      "filepath,caption",
      "imgs/r.png,a red square",
      '"imgs/g.jpg","a green, ""quoted""\nsquare"',
      "imgs/missing.png,a ghost", // file does not exist: counted when converting
      "imgs/r.png,", // empty caption
      ",no path", // empty filepath
      "notes.txt,a text file", // not an image
      "",
    ].join("\r\n"),
  );
  const bad = new BadSamples();
  const m = readCsvManifest(path.join(data, "m.csv"), { bad });
  assert.deepEqual(m.columns, ["filepath", "caption"]);
  assert.equal(m.seen, 6);
  assert.deepEqual(
    m.rows.map((r) => [r.row, r.image, r.relPath, r.ext, r.caption]),
    [
      [0, path.join(data, "imgs/r.png"), "imgs/r.png", "png", "a red square"],
      [1, path.join(data, "imgs/g.jpg"), "imgs/g.jpg", "jpg", 'a green, "quoted" square'],
      [2, path.join(data, "imgs/missing.png"), "imgs/missing.png", "png", "a ghost"],
    ],
  );
  assert.deepEqual(bad.counts(), { "empty-caption": 1, "unknown-extension": 1, "missing-image": 1 });
  assert.throws(
    () => readCsvManifest(path.join(data, "m.csv"), { captionKey: "title" }),
    /no column "title" .*--csv-caption-key/,
  );

  const before = listTree(root);
  const out = path.join(root, "out");
  const man = await convertToShards({
    from: path.join(data, "m.csv"),
    out,
    samplesPerShard: 1,
    maxBadFraction: 1,
    ...quiet,
  });
  assert.equal(man.kind, "csv");
  assert.equal(man.samples, 2);
  assert.equal(man.seen, 6);
  assert.deepEqual(man.shards, ["shard-000000.tar", "shard-000001.tar"]);
  assert.deepEqual(man.bad.counts, { "empty-caption": 1, "unknown-extension": 1, "missing-image": 2 });
  assert.deepEqual(
    listTree(root),
    [...before, "out", "out/manifest.json", "out/shard-000000.tar", "out/shard-000001.tar"].sort(),
  );
  const back = await collect(out);
  assert.deepEqual(
    back.map((s) => [s.key, Object.keys(s.files).sort(), s.files.txt!.toString()]),
    [
      ["000000000", ["json", "png", "txt"], "a red square"],
      ["000000001", ["jpg", "json", "txt"], 'a green, "quoted" square'],
    ],
  );
  assert.ok(back[0]!.files.png!.equals(red)); // original bytes kept (imageSize 0)
  assert.ok(back[1]!.files.jpg!.equals(green));
  assert.deepEqual(JSON.parse(back[1]!.files.json!.toString()), {
    key: "000000001",
    source: "imgs/g.jpg",
    row: 1,
  });

  // Too many bad rows for the default 5 %: rejected, naming the flag.
  await assert.rejects(
    convertToShards({ from: path.join(data, "m.csv"), out: path.join(root, "out2"), ...quiet }),
    /4 of 6 samples are bad .*--max-bad-fraction/,
  );
});

test("TSV manifest with custom columns, absolute paths and a non-UTF-8 caption; --image-size re-encodes", async () => {
  const root = tmpDir("fmt-tsv");
  const blue = await solidPng([0, 0, 255], 16, 16);
  fs.writeFileSync(path.join(root, "b.png"), blue);
  const abs = path.join(tmpDir("fmt-tsv-abs"), "w.png");
  fs.writeFileSync(abs, await solidPng([255, 255, 255]));
  fs.writeFileSync(
    path.join(root, "pairs.tsv"),
    Buffer.concat([
      Buffer.from(`id\ttitle\timg\n1\ta blue square\tb.png\n2\ta white one\t${abs}\n3\t`),
      Buffer.from([0x63, 0x61, 0x66, 0xe9]), // latin-1 "café"
      Buffer.from("\tb.png\n"),
    ]),
  );
  const bad = new BadSamples();
  const m = readCsvManifest(path.join(root, "pairs.tsv"), { imgKey: "img", captionKey: "title", bad });
  assert.deepEqual(
    m.rows.map((r) => [r.image, r.caption]),
    [
      [path.join(root, "b.png"), "a blue square"],
      [abs, "a white one"],
    ],
  );
  assert.deepEqual(bad.counts(), { "non-utf8-caption": 1 });
  assert.throws(() => readCsvManifest(path.join(root, "pairs.tsv")), /no column "filepath" .*--csv-img-key/);

  const out = path.join(root, "shards");
  const man = await convertToShards({
    from: path.join(root, "pairs.tsv"),
    out,
    imgKey: "img",
    captionKey: "title",
    imageSize: 4,
    maxBadFraction: 1,
    ...quiet,
  });
  assert.equal(man.samples, 2);
  assert.deepEqual(man.bad.counts, { "non-utf8-caption": 1 });
  const back = await collect(out);
  assert.deepEqual(
    back.map((s) => s.files.txt!.toString()),
    ["a blue square", "a white one"],
  );
  const px = await decodeImage(back[0]!.files.png!, "png", 4);
  assert.deepEqual(px, await decodeImage(blue, "png", 4)); // stored 4×4 PNG = the decode at 4 px
});

test("image folder: labels from sorted class folders, names from folders or a JSON map; to shards", async () => {
  const root = tmpDir("fmt-folder");
  const src = path.join(root, "src");
  for (const d of ["cat", "dog/sub", ".hidden"]) fs.mkdirSync(path.join(src, d), { recursive: true });
  const red = await solidPng([255, 0, 0]);
  for (const f of ["cat/a.png", "cat/b.png", "dog/x.png", "dog/sub/y.png", ".hidden/z.png", "top.png"]) {
    fs.writeFileSync(path.join(src, f), red);
  }
  fs.writeFileSync(path.join(src, "dog", "readme.txt"), "not an image");
  const bad = new BadSamples();
  const f = readImageFolder(src, { bad });
  assert.deepEqual(f.folders, ["cat", "dog"]);
  assert.deepEqual(f.classNames, ["cat", "dog"]);
  assert.deepEqual(
    f.samples.map((s) => [s.relPath, s.label]),
    [
      ["cat/a.png", 0],
      ["cat/b.png", 0],
      ["dog/sub/y.png", 1],
      ["dog/x.png", 1],
    ],
  );
  assert.equal(f.seen, 5);
  assert.deepEqual(bad.counts(), { "unknown-extension": 1 });

  const mapFile = path.join(root, "classes.json");
  fs.writeFileSync(mapFile, JSON.stringify({ cat: "tabby cat", dog: "puppy" }));
  assert.deepEqual(readImageFolder(src, { classMap: mapFile }).classNames, ["tabby cat", "puppy"]);
  assert.throws(() => readImageFolder(src, { classMap: { cat: "tabby" } }), /no name for folder\(s\) dog/);

  const out = path.join(root, "out");
  const man = await convertToShards({
    from: src,
    out,
    classMap: mapFile,
    captionTemplate: "a photo of a {}.",
    maxBadFraction: 1,
    ...quiet,
  });
  assert.equal(man.kind, "image-folder");
  assert.equal(man.samples, 4);
  assert.equal(man.classes, 2);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, "classes.json"), "utf8")), [
    "tabby cat",
    "puppy",
  ]);
  const back = await collect(out);
  assert.deepEqual(
    back.map((s) => {
      const j = JSON.parse(s.files.json!.toString());
      return [s.files.txt!.toString(), j.label, j.folder, j.source];
    }),
    [
      ["a photo of a tabby cat.", 0, "cat", "cat/a.png"],
      ["a photo of a tabby cat.", 0, "cat", "cat/b.png"],
      ["a photo of a puppy.", 1, "dog", "dog/sub/y.png"],
      ["a photo of a puppy.", 1, "dog", "dog/x.png"],
    ],
  );
});

test("ShardWriter: deterministic bytes, fixed-size shards, bad keys refused; readShards shuffles by seed", async () => {
  const write = async (dir: string, n: number) => {
    const w = new ShardWriter({ dir, samplesPerShard: 4, prefix: "ds" });
    for (let i = 0; i < n; i++) {
      w.write({
        key: `s${String(i).padStart(2, "0")}`,
        files: { txt: Buffer.from(`c${i}`), bin: Buffer.from([i]) },
      });
    }
    assert.equal(w.write({ key: "s00", files: { txt: Buffer.from("again") } }), false);
    assert.equal(w.write({ key: "../up", files: { txt: Buffer.from("x") } }), false);
    assert.equal(w.write({ key: "a.b", files: { txt: Buffer.from("x") } }), false);
    assert.deepEqual(w.bad.counts(), { "unsafe-path": 2, "duplicate-key": 1 });
    return w.close();
  };
  const a = tmpDir("fmt-wds-a");
  const b = tmpDir("fmt-wds-b");
  const ra = await write(a, 10);
  await write(b, 10);
  assert.equal(ra.samples, 10);
  assert.deepEqual(fs.readdirSync(a).sort(), ["ds-000000.tar", "ds-000001.tar", "ds-000002.tar"]);
  for (const f of fs.readdirSync(a)) {
    assert.ok(fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))), f);
  }
  // A smaller rewrite into the same folder removes the leftover third shard.
  await write(b, 5);
  assert.deepEqual(fs.readdirSync(b).sort(), ["ds-000000.tar", "ds-000001.tar"]);

  const keys = Array.from({ length: 10 }, (_, i) => `s${String(i).padStart(2, "0")}`);
  const plain = await collect(a);
  assert.deepEqual(
    plain.map((s) => s.key),
    keys,
  );
  assert.deepEqual(plain[3]!.files.bin, Buffer.from([3]));
  const shuffled = async (seed: number, epoch = 0) =>
    (await collect(a, { shuffleShards: true, shuffleBuffer: 4, seed, epoch })).map((s) => s.key);
  const s1 = await shuffled(1);
  assert.deepEqual([...s1].sort(), keys);
  assert.notDeepEqual(s1, keys);
  assert.deepEqual(await shuffled(1), s1);
  assert.notDeepEqual(await shuffled(2), s1);
  assert.notDeepEqual(await shuffled(1, 1), s1);
  // Shard shuffling alone keeps each shard's samples together, in a seeded shard order.
  const byShard = async (seed: number) =>
    (await collect(a, { shuffleShards: true, seed })).map((s) => path.basename(s.shard));
  const orders = new Set<string>();
  for (let seed = 0; seed < 6; seed++) {
    const o = await byShard(seed);
    assert.deepEqual(
      o,
      o
        .filter((x, i) => i === 0 || o[i - 1] !== x)
        .flatMap((x) => Array(x === "ds-000002.tar" ? 2 : 4).fill(x)),
    );
    orders.add([...new Set(o)].join());
  }
  assert.ok(orders.size > 1, "shard order never changes with the seed");
  // The same shard listed twice: the second copy's keys are duplicates.
  const bad = new BadSamples();
  const twice = await collect([path.join(a, "ds-000000.tar"), path.join(a, "ds-000000.tar")], { bad });
  assert.equal(twice.length, 4);
  assert.deepEqual(bad.counts(), { "duplicate-key": 4 });
});

test("a CSV manifest with an unclosed quote is an error naming the file and the line, not one giant caption", () => {
  const dir = tmpDir("csv-unclosed");
  const file = path.join(dir, "m.csv");
  const rows = Array.from({ length: 200 }, (_, i) => `img${i}.png,caption ${i}`);
  rows.splice(3, 0, 'bad.png,"a caption that never closes');
  fs.writeFileSync(file, `filepath,caption\n${rows.join("\n")}\n`);
  assert.throws(() => readCsvManifest(file), /m\.csv: line 5: a quoted field is never closed/);
  // Closed quotes, doubled quotes and newlines inside quotes still parse (whitespace is normalised).
  fs.writeFileSync(file, 'filepath,caption\na.png,"say ""hi""\nthere"\nb.png,plain\n');
  assert.deepEqual(
    readCsvManifest(file).rows.map((r) => r.caption),
    ['say "hi" there', "plain"],
  );
});

test("files a manifest names that must not be read whole are refused and counted: /dev/zero, a FIFO, a directory, an oversized file (F5)", async (t) => {
  const root = tmpDir("fmt-special");
  const red = await solidPng([255, 0, 0]);
  fs.writeFileSync(path.join(root, "ok.png"), red);
  fs.symlinkSync("/dev/zero", path.join(root, "zero.png"));
  fs.mkdirSync(path.join(root, "dir.png"));
  fs.writeFileSync(path.join(root, "big.png"), Buffer.concat([red, Buffer.alloc(4096)]));
  const rows = ["filepath,caption", "ok.png,red", "zero.png,endless", "dir.png,a folder", "big.png,too big"];
  const fifo = spawnSync("mkfifo", [path.join(root, "pipe.png")]).status === 0;
  if (fifo) rows.push("pipe.png,blocks forever");
  else t.diagnostic("mkfifo unavailable: the FIFO case is not exercised");
  fs.writeFileSync(path.join(root, "m.csv"), rows.join("\n"));
  const man = await convertToShards({
    from: path.join(root, "m.csv"),
    out: path.join(root, "out"),
    maxFileBytes: red.length + 100,
    maxBadFraction: 1,
    ...quiet,
  });
  assert.equal(man.samples, 1);
  assert.equal(man.seen, rows.length - 1);
  assert.deepEqual(man.bad.counts, { "non-regular-file": fifo ? 3 : 2, "too-large-file": 1 });
  const ex = JSON.stringify(man.bad);
  assert.match(ex, /zero\.png \(a character device, not an image file\)/);
  assert.match(ex, /big\.png \(\d+ bytes, over the \d+-byte limit \(raise it with --max-file-bytes\)\)/);
});

test("a sample's own .json cannot rename its output key", async () => {
  const root = tmpDir("fmt-json-key");
  const src = path.join(root, "in");
  const w = new ShardWriter({ dir: src, samplesPerShard: 10 });
  w.write({
    key: "000000007",
    files: {
      png: await solidPng([0, 0, 255]),
      txt: Buffer.from("blue"),
      json: Buffer.from(JSON.stringify({ key: "../../evil", note: "kept" })),
    },
  });
  await w.close();
  await convertToShards({ from: src, out: path.join(root, "out"), ...quiet });
  const [s] = await collect(path.join(root, "out"));
  assert.deepEqual(JSON.parse(s!.files.json!.toString()), { key: s!.key, note: "kept" });
  assert.equal(s!.key, "000000007");
});
