import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeCaption } from "../../src/data/caption";

const dec = (s: string | number[]) =>
  decodeCaption(typeof s === "string" ? Buffer.from(s, "utf8") : Uint8Array.from(s));

test("captions: strict UTF-8, BOM dropped, whitespace and control characters collapsed; NUL-only is empty", () => {
  assert.deepEqual(dec("\uFEFF  a  red\tapple\r\n"), { caption: "a red apple" });
  assert.deepEqual(dec("a\u0000red\u0007apple\u0085"), { caption: "a red apple" });
  assert.deepEqual(dec("\u0000"), { reason: "empty-caption" });
  assert.deepEqual(dec("\u0000\u0000 \u001b"), { reason: "empty-caption" });
  assert.deepEqual(dec(""), { reason: "empty-caption" });
  assert.deepEqual(dec([0x61, 0xff, 0x62]), { reason: "non-utf8-caption" });
  assert.deepEqual(dec("café ☕ 日本"), { caption: "café ☕ 日本" });
});
