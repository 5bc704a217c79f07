import assert from "node:assert/strict";
import { test } from "node:test";
import { parseArgs, UsageError } from "../../src/util/args";

const specs = {
  "batch-size": { kind: "number" as const, help: "batch", default: 256 },
  model: { kind: "string" as const, help: "model" },
  json: { kind: "boolean" as const, help: "json", default: false },
};

test("parses separate and = values, booleans and positionals, keeping defaults", () => {
  const { flags, positional } = parseArgs(
    ["build", "--model", "vit-s/8", "--json", "--batch-size=64", "x"],
    specs,
  );
  assert.deepEqual(flags, { "batch-size": 64, model: "vit-s/8", json: true });
  assert.deepEqual(positional, ["build", "x"]);
  assert.equal(parseArgs([], specs).flags["batch-size"], 256);
});

test("unknown flags, missing values and non-numbers are errors naming the flag", () => {
  assert.throws(
    () => parseArgs(["--batch", "3"], specs),
    (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /unknown flag --batch; valid flags: --batch-size, --model, --json/);
      return true;
    },
  );
  assert.throws(() => parseArgs(["--model"], specs), /--model needs a value/);
  assert.throws(() => parseArgs(["--batch-size", "abc"], specs), /--batch-size must be a number, got "abc"/);
  assert.throws(() => parseArgs(["--json=yes"], specs), /--json takes true or false/);
});
