import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { dataTokenizerPath } from "../../src/eval/load-run";

test("a run's relative data path is found from the working directory, else from the folders above the run", () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-repo-"));
  fs.mkdirSync(path.join(repo, "data/pictograms"), { recursive: true });
  fs.writeFileSync(path.join(repo, "data/pictograms/tokenizer.json"), "{}");
  const run = path.join(repo, "runs/quickstart-quick");
  fs.mkdirSync(run, { recursive: true });
  const cwd = process.cwd();
  try {
    process.chdir(os.tmpdir()); // elsewhere: data/pictograms is not under the working directory
    assert.equal(
      dataTokenizerPath(run, "data/pictograms"),
      path.join(repo, "data/pictograms/tokenizer.json"),
    );
    assert.equal(dataTokenizerPath(run, "data/nothing-here"), undefined);
    assert.equal(
      dataTokenizerPath(run, path.join(repo, "data/pictograms")),
      path.join(repo, "data/pictograms/tokenizer.json"),
    );
    process.chdir(repo);
    assert.equal(dataTokenizerPath(run, "data/pictograms"), path.join("data/pictograms", "tokenizer.json"));
  } finally {
    process.chdir(cwd);
  }
});
