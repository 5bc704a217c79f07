import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { preprocessImages } from "../../src/infer/images";

test("an image path that is a device or a directory is refused with its name, not read whole", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-infer-img-"));
  fs.symlinkSync("/dev/zero", path.join(dir, "zero.png"));
  fs.mkdirSync(path.join(dir, "folder.png"));
  await assert.rejects(
    preprocessImages([path.join(dir, "zero.png")], 8),
    /zero\.png: a character device, not an image file/,
  );
  await assert.rejects(
    preprocessImages([path.join(dir, "folder.png")], 8),
    /folder\.png: a directory, not an image file/,
  );
});
