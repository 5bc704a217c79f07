/** appendLine after a crash mid-write: the partial line is ended, the new record stays whole. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { appendLine } from "../../src/sweep/atomic";

test("appendLine starts on a fresh line after a partial last line", () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "append-")), "r.jsonl");
  appendLine(file, '{"a":1}');
  fs.appendFileSync(file, '{"b":'); // a writer killed mid-record
  appendLine(file, '{"c":3}');
  appendLine(file, '{"d":4}');
  const lines = fs.readFileSync(file, "utf8").split("\n");
  assert.deepEqual(lines, ['{"a":1}', '{"b":', '{"c":3}', '{"d":4}', ""]);
});
