import assert from "node:assert/strict";
import { before, test } from "node:test";
import { modelTable, run } from "../../src/models/cli";
import { PRESET_NAMES } from "../../src/models/presets";
import { initBackend } from "../../src/tf";

before(async () => {
  await initBackend();
});

test("models table has one row per preset with counted params and shape FLOPs", () => {
  const rows = modelTable(32, 64);
  assert.deepEqual(
    rows.map((r) => r.preset),
    PRESET_NAMES,
  );
  const nano = rows.find((r) => r.preset === "nano")!;
  // 64-token vocab: text = 64·16 + 16·16 + (12·16² + 13·16) + 2·16 + 16·16
  assert.deepEqual(
    [nano.tower, nano.imageParams, nano.textParams],
    ["vit", 6960, 1024 + 256 + 3280 + 32 + 256],
  );
  assert.equal(nano.imageGflops, 221760 / 1e9);
});

test("clipdown models rejects conflicting output flags", async () => {
  await assert.rejects(run(["--markdown", "--json"]), /choose one of --markdown and --json/);
  await assert.rejects(run(["extra"]), /unexpected argument "extra"/);
});

test("the README's models table is what `clipdown models --markdown` prints now", async () => {
  const fs = await import("node:fs");
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: unknown) => lines.push(String(s));
  try {
    assert.equal(await run(["--markdown"]), 0);
  } finally {
    console.log = log;
  }
  const readme = fs.readFileSync("README.md", "utf8");
  const block = /<!-- models:start -->\n([\s\S]*?)<!-- models:end -->/.exec(readme)?.[1];
  assert.ok(block, "README.md has no <!-- models:start --> … <!-- models:end --> block");
  assert.equal(block, `${lines.join("\n")}\n`, "regenerate it with npx clipdown models --markdown");
});
