/**
 * Checkpoint integrity (issue 19, F7): every corruption an adversarial user tried resumed with exit 0
 * before checksums. Each is refused here, naming the file and the tensor or field, while an untouched
 * checkpoint still resumes (the bit-identical resume itself is trainer.test.ts and run.test.ts).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { initBackend, tf } from "../../src/tf";
import { CHECKPOINT_FORMAT, readCheckpoint, saveCheckpoint } from "../../src/train/checkpoint";
import { decodeSafetensors, encodeSafetensors, readSafetensors } from "../../src/train/safetensors";
import { Trainer } from "../../src/train/trainer";
import { ToyData, toyOptions, toyTask } from "./toy";

before(async () => {
  await initBackend();
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-ckpt-"));
const CLI = path.resolve(__dirname, "../../bin/clipdown.js");

/** A real checkpoint: the toy trainer after 6 steps. */
async function trained(): Promise<string> {
  const task = toyTask(new ToyData(40, 8), 0);
  const tr = new Trainer(task, toyOptions({ outDir: dir }));
  for (let i = 0; i < 6; i++) await tr.trainStep();
  await tr.checkpoint();
  tr.dispose();
  task.dispose();
  return path.join(dir, "last.safetensors");
}

function resume(file: string): number {
  const task = toyTask(new ToyData(40, 8), 5);
  const tr = new Trainer(task, toyOptions({ outDir: dir }));
  try {
    return tr.resume(file).step;
  } finally {
    tr.dispose();
    task.dispose();
  }
}

/** The data offset of a tensor in a safetensors file. */
function dataStart(buf: Buffer, name: string): number {
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString());
  return 8 + n + header[name].data_offsets[0];
}

function variant(name: string, buf: Buffer): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, buf);
  return f;
}

test("an untouched checkpoint carries checksums, verifies and resumes", async () => {
  const file = await trained();
  const c = readCheckpoint(file);
  assert.equal(c.format, CHECKPOINT_FORMAT);
  assert.equal(c.checksummed, true);
  const sums = JSON.parse(c.file.metadata.checksums!);
  assert.deepEqual(Object.keys(sums).sort(), ["__metadata__", ...Object.keys(c.file.tensors)].sort());
  assert.equal(resume(file), 6);
});

test("16 flipped bytes in a weight tensor are refused, naming the tensor", async () => {
  const good = fs.readFileSync(await trained());
  const buf = Buffer.from(good);
  const at = dataStart(buf, "param/W");
  for (let i = 0; i < 16; i++) buf[at + i]! ^= 0x5a;
  const f = variant("flipped.safetensors", buf);
  assert.throws(
    () => resume(f),
    /flipped\.safetensors: tensor "param\/W" does not match its checksum; the file is corrupt/,
  );
});

test("a NaN in Adam's second moment is refused even with matching checksums", async () => {
  const file = await trained();
  const st = readCheckpoint(file).state;
  const v = tf.variable(tf.tensor1d([0.5, Number.NaN]));
  const m = tf.variable(tf.tensor1d([0, 0]));
  const f = path.join(dir, "nan.safetensors");
  await saveCheckpoint(f, { param: { logit_scale: m }, adam_v: { logit_scale: v } }, st);
  tf.dispose([v, m]);
  assert.equal(readSafetensors(f).metadata.format, CHECKPOINT_FORMAT);
  assert.throws(
    () => readCheckpoint(f),
    /tensor "adam_v\/logit_scale" holds a non-finite value \(NaN at index 1\)/,
  );
  const neg = tf.variable(tf.tensor1d([-1e-3]));
  await saveCheckpoint(f, { adam_v: { s: neg } }, st);
  neg.dispose();
  assert.throws(() => readCheckpoint(f), /holds a negative second moment/);
});

test('edited metadata (step "abc", a huge loader cursor) fails the metadata checksum; a v1 file is range-checked', async () => {
  const good = fs.readFileSync(await trained());
  const edit = (over: Record<string, string>, format?: string) => {
    const f = decodeSafetensors(good);
    const metadata = { ...f.metadata, ...over };
    if (format) {
      metadata.format = format;
      delete metadata.checksums;
    }
    return encodeSafetensors({ tensors: f.tensors, metadata });
  };
  const step = variant("step.safetensors", edit({ step: "abc" }));
  assert.throws(() => resume(step), /step\.safetensors: the metadata does not match its checksum/);
  const loader = JSON.parse(decodeSafetensors(good).metadata.loader!);
  const cursor = variant(
    "cursor.safetensors",
    edit({ loader: JSON.stringify({ ...loader, cursor: 99_999_999 }) }),
  );
  assert.throws(() => resume(cursor), /the metadata does not match its checksum/);
  // Stripping the checksums does not help: a v2 file must have them.
  const stripped = decodeSafetensors(good);
  delete stripped.metadata.checksums;
  const nosum = variant("nosum.safetensors", encodeSafetensors(stripped));
  assert.throws(() => resume(nosum), /metadata "checksums" is missing or not JSON/);
  // A legacy v1 file (no checksums) still loads, but its fields are checked by type and range.
  const v1 = variant("v1.safetensors", edit({}, "clipdown-checkpoint-v1"));
  assert.equal(readCheckpoint(v1).checksummed, false);
  assert.equal(resume(v1), 6);
  const v1bad = variant("v1bad.safetensors", edit({ step: "abc" }, "clipdown-checkpoint-v1"));
  assert.throws(() => resume(v1bad), /metadata "step" must be a non-negative integer, got "abc"/);
  const trunc = variant("trunc.safetensors", good.subarray(0, good.length - 3));
  assert.throws(() => readCheckpoint(trunc), /trunc\.safetensors: tensor ".*" data .* lies outside the file/);
});

test("clipdown checkpoint verify: exit 0 with a summary for a good file, 1 with the reason for a corrupt one", async () => {
  const good = await trained();
  const buf = Buffer.from(fs.readFileSync(good));
  buf[dataStart(buf, "adam_m/b")]! ^= 1;
  const bad = variant("verify-bad.safetensors", buf);
  const ok = spawnSync(process.execPath, [CLI, "checkpoint", "verify", good], { encoding: "utf8" });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(
    ok.stdout,
    /^ok .*last\.safetensors: clipdown-checkpoint-v2, step 6, 48 samples; 7 tensors and the metadata match their SHA-256/,
  );
  const no = spawnSync(process.execPath, [CLI, "checkpoint", "verify", good, bad], { encoding: "utf8" });
  assert.equal(no.status, 1);
  assert.match(
    no.stderr,
    /^FAILED .*verify-bad\.safetensors: tensor "adam_m\/b" does not match its checksum/m,
  );
  assert.doesNotMatch(no.stderr, /\n\s+at /, "no stack trace");
});
