/** A missing --data folder is one line that names the command building it. */
import assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { resolveTrainConfig } from "../../src/train/config";
import { prepareRun } from "../../src/train/run";

test("a missing corpus names its build command (--only for an on-demand one); other folders name `clipdown shards`", async () => {
  const cfg = (data: string) => resolveTrainConfig({ data, out: path.join(os.tmpdir(), "clipdown-missing") });
  const root = path.join(os.tmpdir(), "clipdown-no-such-root");
  await assert.rejects(
    prepareRun(cfg(path.join(root, "pictograms-xl")), () => {}),
    /pictograms-xl does not exist; build it with `clipdown data build --only pictograms-xl`$/,
  );
  await assert.rejects(
    prepareRun(cfg(path.join(root, "pictograms")), () => {}),
    /pictograms does not exist; build it with `clipdown data build`$/,
  );
  await assert.rejects(
    prepareRun(cfg(path.join(root, "my-shards")), () => {}),
    /my-shards does not exist; make shards with `clipdown shards --from <folder or CSV> --out <dir>`$/,
  );
});
