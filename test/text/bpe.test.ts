import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { BpeTokenizer, MIN_VOCAB_SIZE, normalizeText, preTokenize } from "../../src/text/bpe";
import { PairHeap } from "../../src/text/pair-heap";

/** id of a single byte (ids 1..256 are bytes 0..255). */
const b = (ch: string): number => ch.charCodeAt(0) + 1;

const CAPTIONS = [
  "a red apple on a wooden table",
  "grinning face with big eyes",
  "two dogs playing with a frisbee in the park",
  "Emperor Penguin standing on the ice",
  "person kneeling next to a red bicycle",
  "cherry blossom",
  "articulated lorry",
  "a man riding a horse on a sandy beach",
  "red heart",
  "blue heart",
  "green apple",
  "a dog and a cat",
];

describe("BpeTokenizer: hand-derived merges (Sennrich's low/lower/newest/widest corpus)", () => {
  // Word counts low 5, lower 2, newest 6, widest 3, each caption one word so no leading spaces.
  const texts = [
    ...Array(5).fill("low"),
    ...Array(2).fill("lower"),
    ...Array(6).fill("newest"),
    ...Array(3).fill("widest"),
  ];
  const tok = BpeTokenizer.train(texts, { vocabSize: MIN_VOCAB_SIZE + 7 });

  it("learns es, est, lo, low, ew, new, newest in that order", () => {
    // e-s and s-t tie at 9: (e, s) wins on the smaller left id. Then es-t 9; l-o and o-w tie at 7;
    // then e-w, n-e, w-est tie at 6 and e (101) is the smallest left byte; then n-ew, new-est.
    const es = 257;
    const est = 258;
    const lo = 259;
    const ew = 261;
    const nw = 262;
    assert.deepEqual(tok.mergeList(), [
      [b("e"), b("s")],
      [es, b("t")],
      [b("l"), b("o")],
      [lo, b("w")],
      [b("e"), b("w")],
      [b("n"), ew],
      [nw, est],
    ]);
    assert.deepEqual(
      tok.mergeList().map((_, i) => tok.tokenString(257 + i)),
      ["es", "est", "lo", "low", "ew", "new", "newest"],
    );
  });

  it("encodes with the merges applied lowest rank first", () => {
    assert.deepEqual(tok.tokenize("newest"), [263]);
    assert.deepEqual(tok.tokenize("lowest"), [260, 258]);
    assert.deepEqual(tok.tokenize("widest"), [b("w"), b("i"), b("d"), 258]);
    assert.deepEqual(tok.tokenize("lower"), [260, b("e"), b("r")]);
  });

  it("stops early when no pair reaches minFrequency, and reports the smaller vocabulary", () => {
    const small = BpeTokenizer.train(texts, { vocabSize: 4096, minFrequency: 7 });
    // Only es (9), est (9), lo (7) and low (7) reach 7; the next best pairs (e-w, n-e, w-est) have 6.
    assert.equal(small.mergeList().length, 4);
    assert.equal(small.vocabSize, MIN_VOCAB_SIZE + 4);
    assert.equal(small.eotId, small.vocabSize - 1);
  });
});

describe("BpeTokenizer: encode / decode", () => {
  const tok = BpeTokenizer.train(CAPTIONS, { vocabSize: 400 });

  it("has pad 0, sot = vocab-2, eot = vocab-1 (the largest id)", () => {
    assert.equal(tok.padId, 0);
    assert.equal(tok.sotId, tok.vocabSize - 2);
    assert.equal(tok.eotId, tok.vocabSize - 1);
  });

  it("frames with sot/eot and pads with 0", () => {
    const ids = tok.encode("red heart", 10);
    assert.equal(ids.length, 10);
    assert.equal(ids[0], tok.sotId);
    const body = tok.tokenize("red heart");
    assert.deepEqual([...ids.slice(1, 1 + body.length)], body);
    assert.equal(ids[1 + body.length], tok.eotId);
    assert.deepEqual([...ids.slice(2 + body.length)], Array(10 - 2 - body.length).fill(0));
    // argmax over ids finds eot, as CLIP's pooling assumes.
    assert.equal(ids.indexOf(Math.max(...ids)), 1 + body.length);
  });

  it("truncates long text so eot is always the last token", () => {
    const long = "an extremely long caption about many zebras and quokkas ".repeat(5);
    for (const ctx of [2, 3, 8, 16]) {
      const ids = tok.encode(long, ctx);
      assert.equal(ids.length, ctx);
      assert.equal(ids[0], tok.sotId);
      assert.equal(ids[ctx - 1], tok.eotId);
      assert.deepEqual([...ids.slice(1, ctx - 1)], tok.tokenize(long).slice(0, ctx - 2));
    }
    assert.throws(() => tok.encode("x", 1), /contextLength must be an integer ≥ 2/);
  });

  it("round-trips ASCII, accents, emoji and CJK with no unknown token", () => {
    const cases = [
      "A Red  Apple,\n on a table!",
      "Crème brûlée à la française",
      "café naïve Ångström",
      "👩🏽‍🚀 astronaut with 🚀 and ❤️",
      "日本語のテキスト 中文 한국어",
      "price: $12.50 (approx.)",
    ];
    for (const text of cases) {
      const ids = tok.tokenize(text);
      for (const id of ids) assert.ok(id >= 1 && id < tok.sotId, `content id ${id} in range`);
      assert.equal(tok.decode(tok.encode(text, 256)), normalizeText(text));
      assert.equal(tok.decode(ids), normalizeText(text));
    }
  });

  it("round-trips seeded random Unicode strings (any code point outside the surrogate range)", () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648; // LCG: fixed seed, same strings every run
      return seed % n;
    };
    const pools = [
      [0x20, 0x7e],
      [0xc0, 0x24f],
      [0x3040, 0x30ff],
      [0x4e00, 0x9fff],
      [0x1f300, 0x1faff],
      [0x0, 0x10ffff],
    ];
    for (let k = 0; k < 300; k++) {
      const cps: number[] = [];
      const len = 1 + rand(20);
      for (let i = 0; i < len; i++) {
        const [lo, hi] = pools[rand(pools.length)]!;
        let cp = lo! + rand(hi! - lo! + 1);
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41; // lone surrogates are not valid text
        cps.push(rand(5) === 0 ? 0x20 : cp);
      }
      const text = String.fromCodePoint(...cps);
      assert.equal(tok.decode(tok.tokenize(text)), normalizeText(text), `string #${k}`);
    }
  });

  it("decode skips pad and specials and rejects out-of-range ids", () => {
    assert.equal(tok.decode([tok.sotId, ...tok.tokenize("a dog"), tok.eotId, 0, 0]), "a dog");
    const v = tok.vocabSize;
    assert.throws(() => tok.decode([1, v]), new RegExp(`id ${v} at position 1 is outside \\[0, ${v}\\)`));
  });

  it("encodeBatch is row-major encode of each text", () => {
    const texts = ["red heart", "", "a dog and a cat riding a horse on the beach"];
    const flat = tok.encodeBatch(texts, 8);
    assert.equal(flat.length, 24);
    texts.forEach((t, i) => {
      assert.deepEqual([...flat.slice(i * 8, i * 8 + 8)], [...tok.encode(t, 8)]);
    });
    assert.deepEqual([...tok.encode("", 4)], [tok.sotId, tok.eotId, 0, 0]);
  });

  it("pre-tokenizes words with their leading space, single digits and punctuation runs", () => {
    assert.deepEqual(preTokenize("  Hello, World 42!! "), ["hello", ",", " world", " 4", "2", "!!"]);
  });
});

describe("BpeTokenizer: determinism and serialisation", () => {
  it("trains to identical JSON twice, regardless of caption order", () => {
    const a = BpeTokenizer.train(CAPTIONS, { vocabSize: 350 });
    const b2 = BpeTokenizer.train([...CAPTIONS].reverse(), { vocabSize: 350 });
    assert.equal(
      JSON.stringify(a.toJSON()),
      JSON.stringify(BpeTokenizer.train(CAPTIONS, { vocabSize: 350 }).toJSON()),
    );
    assert.equal(JSON.stringify(a.toJSON()), JSON.stringify(b2.toJSON()));
  });

  it("save/load and fromJSON give the same ids", () => {
    const tok = BpeTokenizer.train(CAPTIONS, { vocabSize: 330 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bpe-"));
    const file = path.join(dir, "tokenizer.json");
    tok.save(file);
    const back = BpeTokenizer.load(file);
    assert.equal(back.vocabSize, tok.vocabSize);
    assert.deepEqual(back.encodeBatch(CAPTIONS, 12), tok.encodeBatch(CAPTIONS, 12));
    const j = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.equal(j.format, "clipdown-bpe");
    assert.equal(j.version, 1);
    assert.equal(j.merges.length, tok.vocabSize - MIN_VOCAB_SIZE);
    fs.rmSync(dir, { recursive: true });
  });

  it("rejects corrupt JSON with a message naming the problem", () => {
    const j = BpeTokenizer.train(CAPTIONS, { vocabSize: 300 }).toJSON();
    assert.throws(
      () => BpeTokenizer.fromJSON({ ...j, vocabSize: 5 }),
      /vocabSize 5 does not match 41 merges/,
    );
    assert.throws(() => BpeTokenizer.fromJSON({ ...j, version: 9 }), /unsupported version 9/);
    assert.throws(() => BpeTokenizer.fromJSON({ merges: [] }), /not a clipdown-bpe tokenizer/);
    assert.throws(
      () => BpeTokenizer.fromJSON({ ...j, merges: [[1, 999]], vocabSize: 260 }),
      /merge 0 \(\[1,999\]\) must be two ids in \[1, 257\)/,
    );
    assert.throws(() => BpeTokenizer.load("/nonexistent/tok.json"), /cannot read \/nonexistent\/tok.json/);
    assert.throws(
      () => BpeTokenizer.train(CAPTIONS, { vocabSize: 10 }),
      /vocabSize must be an integer in \[259/,
    );
  });
});

describe("PairHeap", () => {
  it("pops by count descending, then key ascending, like a full sort", () => {
    const heap = new PairHeap();
    const items: [number, number][] = [];
    for (let i = 0; i < 500; i++) items.push([(i * 7919) % 13, (i * 104729) % 997]);
    for (const [c, k] of items) heap.push(c, k);
    const popped: [number, number][] = [];
    while (heap.size > 0) {
      const { count, key } = heap.pop();
      popped.push([count, key]);
    }
    assert.deepEqual(
      popped,
      [...items].sort((a, b2) => b2[0] - a[0] || a[1] - b2[1]),
    );
  });
});
