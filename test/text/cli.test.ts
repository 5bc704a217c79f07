import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { readCaptions, run, tarCaptions } from "../../src/text/cli";
import { UsageError } from "../../src/util/args";

/** A minimal ustar archive (512-byte headers with checksums), enough for tarCaptions. */
function tar(members: [string, string][]): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of members) {
    const data = Buffer.from(text, "utf8");
    const h = Buffer.alloc(512);
    h.write(name, 0, "latin1");
    h.write("0000644\0", 100, "latin1");
    h.write("0000000\0", 108, "latin1");
    h.write("0000000\0", 116, "latin1");
    h.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124, "latin1");
    h.write("00000000000\0", 136, "latin1");
    h.write("0", 156, "latin1");
    h.write("ustar\0", 257, "latin1");
    h.write("00", 263, "latin1");
    h.fill(" ", 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    const code = await run(argv);
    return { code, out: lines.join("\n") };
  } finally {
    console.log = orig;
  }
}

describe("clipdown catlip vocab", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "catlip-cli-"));
  const captions = [...Array(12).fill("a dog in the park"), ...Array(7).fill("red apple icon"), "a cat"];
  const txt = path.join(dir, "caps.txt");
  fs.writeFileSync(txt, `${captions.join("\n")}\n\n`);

  it("reads a captions file and reports sizes at each threshold and the top synsets", async () => {
    const out = path.join(dir, "vocab.json");
    const { code, out: text } = await capture([
      "vocab",
      "--data",
      txt,
      "--json",
      "--min-count",
      "6",
      "--out",
      out,
    ]);
    assert.equal(code, 0);
    const s = JSON.parse(text);
    assert.equal(s.captions, 20);
    assert.equal(s.rule, "paper");
    // dog 12, park 12, apple 7, cat 1 ("icon" is a meta word).
    assert.equal(s.distinctSynsets, 4);
    assert.deepEqual(s.vocabSizeByThreshold, { 5: 3, 10: 2, 20: 0, 50: 0, 100: 0 });
    assert.deepEqual(
      s.top.map((e: { lemma: string; count: number }) => [e.lemma, e.count]),
      [
        ["dog", 12], // dog (n2084071) before park on the id tie-break
        ["park", 12],
        ["apple", 7],
        ["cat", 1],
      ],
    );
    assert.equal(JSON.parse(fs.readFileSync(out, "utf8")).entries.length, 3);
  });

  it("reads the .txt members of WebDataset shards and skips unsafe paths", () => {
    const shards = path.join(dir, "shards");
    fs.mkdirSync(shards);
    fs.writeFileSync(
      path.join(shards, "p-000000.tar"),
      tar([
        ["000001.txt", "a dog"],
        ["000001.png", "not a caption"],
        ["../evil.txt", "escape"],
        ["000002.txt", "two cats"],
      ]),
    );
    fs.writeFileSync(path.join(shards, "p-000001.tar"), tar([["000003.txt", "a red apple"]]));
    assert.deepEqual(tarCaptions(path.join(shards, "p-000000.tar")), ["a dog", "two cats"]);
    assert.deepEqual(readCaptions(shards), ["a dog", "two cats", "a red apple"]);
  });

  it("fails clearly on bad input", async () => {
    await assert.rejects(run(["vocab"]), /--data is required/);
    await assert.rejects(run(["vocab", "--data", "/nonexistent"]), /--data \/nonexistent does not exist/);
    await assert.rejects(
      run(["vocab", "--data", txt, "--rule", "verbs"]),
      /--rule must be one of paper, reference, got "verbs"/,
    );
    await assert.rejects(run(["vocab", "--data", os.tmpdir() + "/none-" + Date.now()]), UsageError);
    await assert.rejects(run(["vocabs"]), /unknown subcommand "vocabs"; valid subcommands: vocab/);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "catlip-empty-"));
    await assert.rejects(run(["vocab", "--data", empty]), /has neither captions.txt nor \*.tar shards/);
  });
});
