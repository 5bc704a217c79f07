/** The papers' sections: each carries the findings that judge its own results, and the catalog sees them all. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { catalog } from "../../src/papers/catalog";
import { ALL_FINDINGS } from "../../src/papers/findings";
import { PAPER_SECTIONS, SECTIONS } from "../../src/papers/sections";

test("a section's findings judge that section (or none, when untestable here)", () => {
  for (const s of PAPER_SECTIONS) {
    assert.ok(s.findings.length > 0, `${s.name} has findings`);
    for (const f of s.findings)
      assert.ok(f.section === s.name || f.section === null, `D${f.id} in ${s.name}`);
  }
  assert.equal(ALL_FINDINGS.length, 21);
  assert.deepEqual(
    [...new Set(ALL_FINDINGS.map((f) => f.id))].sort((a, b) => a - b),
    Array.from({ length: 20 }, (_, i) => i + 1),
    "D1–D20, each at least once",
  );
});

test("the catalog holds every section and the built-in run kinds, without registration", () => {
  const c = catalog();
  assert.deepEqual(Object.keys(SECTIONS), [
    "recipe",
    "strategies",
    "vit-size",
    "architectures",
    "data-quantity",
    "data-quality",
    "catlip",
  ]);
  for (const name of Object.keys(SECTIONS)) assert.equal(c.sections[name], SECTIONS[name]);
  for (const k of ["train", "noise", "score"]) assert.equal(c.kinds[k]?.name, k);
});
