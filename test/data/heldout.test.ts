/**
 * The held-out sets on real packages: the Emoji-441 derivation recomputed independently from the
 * raw package files, the subgroup classes, Fashion-MNIST's IDX files and class table, and
 * `loadClassificationSet` / `loadRetrievalSet` on a small set written here.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import * as zlib from "node:zlib";
import {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_README,
  fashionMnistDir,
  parseIdx,
  parseReadmeClasses,
  readFashionMnist,
} from "../../src/data/corpus/fashion-mnist";
import { emoji441Classes, notoSubgroupClasses } from "../../src/data/corpus/heldout-sets";
import { packageDir } from "../../src/data/corpus/packages";
import { buildFingerprint, writeDataset } from "../../src/data/corpus/write";
import { loadClassificationSet, loadRetrievalSet } from "../../src/data/heldout";
import { defaultWordNetDir } from "../../src/text/wordnet";

const readJson = (pkg: string, rel: string): any =>
  JSON.parse(fs.readFileSync(path.join(packageDir(pkg), rel), "utf8"));

test("Emoji-441 on the real packages: 500 distinct classes, recomputed independently", () => {
  const classes = emoji441Classes();
  const names = classes.map((c) => c.label);
  // Independent derivation: raw files, a plain Set of index.noun lemmas, string joins written out here.
  const lemmas = new Set(
    fs
      .readFileSync(path.join(defaultWordNetDir(), "index.noun"), "latin1")
      .split("\n")
      .filter((l) => l && !l.startsWith(" "))
      .map((l) => l.slice(0, l.indexOf(" "))),
  );
  const strip = (h: string): string =>
    h
      .toUpperCase()
      .replace(/-FE0F/g, "")
      .replace(/^FE0F-/, "");
  const noto = new Set(
    readJson("emoji-datasource-google", "emoji.json")
      .filter((e: any) => e.has_img_google)
      .map((e: any) => strip(e.unified)),
  );
  const om = new Set(readJson("openmoji", "data/openmoji.json").map((e: any) => strip(e.hexcode)));
  const expected = readJson("emojibase-data", "en/data.json")
    .filter(
      (e: any) =>
        e.group >= 3 &&
        e.group <= 7 &&
        lemmas.has(e.label.replace(/ /g, "_")) &&
        noto.has(strip(e.hexcode)) &&
        om.has(strip(e.hexcode)),
    )
    .map((e: any) => e.label);
  assert.deepEqual(names, expected);
  assert.equal(names.length, 500);
  assert.equal(new Set(names).size, names.length, "a class appears twice");
  for (const c of ["dog", "penguin", "violin", "guide dog", "hot dog", "bicycle"])
    assert.ok(names.includes(c), c);
  // Multi-word names are single WordNet lemmas ("polar_bear"), never free phrases.
  assert.ok(!names.includes("dog face") && !names.includes("grinning face"));
  // Data-sources.md's 441 comes from joining with U+FE0F kept: that join loses e.g. the umbrella (2602-FE0F).
  const rawNoto = new Set(readJson("emoji-datasource-google", "emoji.json").map((e: any) => e.unified));
  const rawJoin = expected.filter((l: string) => {
    const e = readJson("emojibase-data", "en/data.json").find((x: any) => x.label === l);
    return rawNoto.has(e.hexcode);
  });
  assert.ok(rawJoin.length < 445 && rawJoin.length > 435, `raw join keeps ${rawJoin.length}`);
  assert.ok(names.includes("umbrella") && !rawJoin.includes("umbrella"));
});

test("Noto subgroups: 98 CLDR subgroups, component group left out, every base Noto emoji labelled", () => {
  const { classes, labelOf } = notoSubgroupClasses();
  assert.equal(classes.length, 98);
  assert.equal(new Set(classes).size, classes.length);
  for (const c of ["animal mammal", "food fruit", "face smiling", "country flag"])
    assert.ok(classes.includes(c), c);
  assert.ok(!classes.includes("skin tone") && !classes.includes("hair style"));
  // 1,911 base Noto emoji minus the 5 skin-tone swatches (the only components with a Noto image).
  assert.equal(labelOf.size, 1911 - 5);
  assert.equal(classes[labelOf.get("1F415")!], "animal mammal"); // 🐕
});

test("Fashion-MNIST: IDX parsing, class table equals the upstream README, 1,000 test images per class", {
  skip: !fs.existsSync(fashionMnistDir()) && "dataset-fashion-mnist not installed",
}, () => {
  if (fs.existsSync(FASHION_MNIST_README)) {
    const readme = zlib.gunzipSync(fs.readFileSync(FASHION_MNIST_README)).toString("utf8");
    assert.deepEqual(parseReadmeClasses(readme), FASHION_MNIST_CLASSES);
  }
  const splits = readFashionMnist()!;
  assert.deepEqual(
    splits.map((s) => [s.split, s.n]),
    [
      ["train", 60000],
      ["test", 10000],
    ],
  );
  const perClass = new Array(10).fill(0);
  for (const l of splits[1]!.labels) perClass[l]++;
  assert.deepEqual(perClass, new Array(10).fill(1000));
  assert.throws(() => parseIdx(Buffer.from([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]), "x"), /truncated/);
  assert.throws(() => parseIdx(Buffer.from([1, 2, 3, 4]), "x"), /bad magic/);
});

test("loadClassificationSet / loadRetrievalSet on a small built set (labels, splits, errors)", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-heldout-"));
  const dir = path.join(root, "tiny");
  const png = (v: number): Buffer => {
    // 2×2 gray PNG via the builder's encoder path: stored as is.
    const { encodePngSync } =
      require("../../src/data/corpus/png") as typeof import("../../src/data/corpus/png");
    return encodePngSync(new Uint8Array([v, v, v, v]), 2, 2, 1);
  };
  const items = [0, 1, 2, 3, 4, 5].map((i) => ({
    key: `s${i}`,
    caption: `thing ${i}`,
    source: "test",
    style: "gray",
    name: `thing ${i}`,
    tags: [],
    data: png(40 * i),
    ext: "png" as const,
    extra: { split: i < 4 ? "train" : "test" },
  }));
  await writeDataset(
    dir,
    {
      name: "tiny",
      role: "classification",
      description: "test",
      params: {},
      fingerprint: buildFingerprint("tiny", {}, {}),
    },
    {
      listings: [{ source: "test", items, skipped: {}, inputs: {}, licence: "none" }],
      size: 2,
      samplesPerShard: 4,
      storeAsIs: true,
      labels: { classes: ["even", "odd"], of: (it) => Number(it.key.slice(1)) % 2 },
    },
  );
  const all = await loadClassificationSet(dir, 4, { quiet: true });
  assert.equal(all.n, 6);
  assert.deepEqual(Array.from(all.labels), [0, 1, 0, 1, 0, 1]);
  assert.deepEqual(all.classNames, ["even", "odd"]);
  assert.equal(all.images.length, 6 * 4 * 4 * 3);
  assert.equal(all.images[4 * 4 * 3 * 5], 200); // sample 5 is gray 200 everywhere
  const test5 = await loadClassificationSet(dir, 4, { split: "test", quiet: true });
  assert.deepEqual(test5.keys, ["s4", "s5"]);
  assert.deepEqual(Array.from(test5.labels), [0, 1]);
  await assert.rejects(
    loadClassificationSet(dir, 4, { split: "val", quiet: true }),
    /no samples with split "val"; splits: train, test/,
  );
  const ret = await loadRetrievalSet(dir, 4, { quiet: true });
  assert.deepEqual(ret.captions, ["thing 0", "thing 1", "thing 2", "thing 3", "thing 4", "thing 5"]);
  await assert.rejects(
    loadClassificationSet(path.join(root, "nope"), 4),
    /not a built dataset.*clipdown data build/,
  );
  fs.writeFileSync(path.join(dir, "classes.json"), '["only-one"]');
  await assert.rejects(
    loadClassificationSet(dir, 4, { quiet: true }),
    /label 1, expected an integer in \[0, 1\)/,
  );
  fs.rmSync(root, { recursive: true, force: true });
});
