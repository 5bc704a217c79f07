import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  writeSafetensors,
} from "../../src/train/safetensors";

test("round-trips F32/I32 tensors and metadata; header layout follows the spec", () => {
  const file = {
    tensors: {
      "b/x": { dtype: "F32" as const, shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -6.5]) },
      a: { dtype: "I32" as const, shape: [2], data: Int32Array.from([7, -8]) },
    },
    metadata: { step: "12", note: "hi" },
  };
  const buf = encodeSafetensors(file);
  const n = Number(buf.readBigUInt64LE(0));
  assert.equal((8 + n) % 8, 0, "data starts 8-byte aligned");
  const header = JSON.parse(buf.subarray(8, 8 + n).toString());
  assert.deepEqual(header.__metadata__, { step: "12", note: "hi" });
  // Sorted names: "a" (8 bytes) first, then "b/x" (24 bytes).
  assert.deepEqual(header.a, { dtype: "I32", shape: [2], data_offsets: [0, 8] });
  assert.deepEqual(header["b/x"].data_offsets, [8, 32]);
  assert.equal(buf.length, 8 + n + 32);
  assert.equal(buf.readInt32LE(8 + n + 4), -8, "raw little-endian data");
  const back = decodeSafetensors(buf);
  assert.deepEqual(back.metadata, file.metadata);
  assert.deepEqual(Array.from(back.tensors["b/x"]!.data), [1, 2, 3, 4, 5, -6.5]);
  assert.deepEqual(back.tensors.a, file.tensors.a);
});

test("truncated or malformed files are errors naming the problem", () => {
  const buf = encodeSafetensors({
    tensors: { w: { dtype: "F32", shape: [4], data: new Float32Array(4) } },
    metadata: {},
  });
  assert.throws(
    () => decodeSafetensors(buf.subarray(0, buf.length - 1), "x.st"),
    /x.st: tensor "w" data \[0, 16\) lies outside the file/,
  );
  assert.throws(
    () => decodeSafetensors(buf.subarray(0, 20), "x.st"),
    /header length \d+ exceeds file size 20/,
  );
  assert.throws(() => decodeSafetensors(Buffer.alloc(3), "x.st"), /file too short/);
  assert.throws(
    () =>
      encodeSafetensors({
        tensors: { w: { dtype: "F32", shape: [3], data: new Float32Array(4) } },
        metadata: {},
      }),
    /tensor "w" has shape \[3\] but 4 values/,
  );
});

test("killing the writer mid-write never leaves a corrupt file under the final name", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-st-"));
  const target = path.join(dir, "last.safetensors");
  writeSafetensors(target, {
    tensors: { w: { dtype: "F32", shape: [1], data: Float32Array.from([42]) } },
    metadata: { gen: "0" },
  });
  // A child rewrites a 32 MB checkpoint in a loop; kill it at an arbitrary moment.
  const script = `
    const { writeSafetensors } = require(${JSON.stringify(path.resolve("src/train/safetensors.ts"))});
    const data = new Float32Array(8 << 20).fill(1);
    for (let g = 1; ; g++) { writeSafetensors(${JSON.stringify(target)}, { tensors: { w: { dtype: "F32", shape: [data.length], data } }, metadata: { gen: String(g) } }); process.stdout.write("w"); }
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let writes = 0;
  await new Promise<void>((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      writes += d.length;
      // Kill shortly after the second completed write, i.e. in the middle of the third.
      if (writes === 2) setTimeout(() => child.kill("SIGKILL"), 15);
    });
    child.on("exit", () => resolve());
  });
  const f = readSafetensors(target); // must parse completely
  assert.ok(Number(f.metadata.gen) >= 2, `gen ${f.metadata.gen}`);
  assert.equal(f.tensors.w!.data.length, 8 << 20);
  assert.ok(f.tensors.w!.data.every((x) => x === 1));
});
