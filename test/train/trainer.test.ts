import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { initBackend, tf } from "../../src/tf";
import { readMetrics } from "../../src/train/metrics";
import { readSafetensors } from "../../src/train/safetensors";
import { NonFiniteLossError, Trainer } from "../../src/train/trainer";
import { ToyData, toyOptions, toyTask } from "./toy";

before(async () => {
  await initBackend();
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-train-"));

async function losses(seed: number, over = {}, micro = 8): Promise<number[]> {
  const out: number[] = [];
  const task = toyTask(new ToyData(40, micro), seed);
  const tr = new Trainer(task, toyOptions({ seed, onLoss: (_s, l) => out.push(l), ...over }));
  await tr.run();
  tr.dispose();
  task.dispose();
  return out;
}

test("loss falls, metrics.jsonl is written and parses, final + last checkpoints exist", async () => {
  const dir = tmp();
  const got = await losses(0, { outDir: dir, totalSteps: 30, lr: 0.3 });
  assert.equal(got.length, 30);
  assert.ok(got[29]! < got[0]! * 0.5, `loss ${got[0]} → ${got[29]}`);
  const recs = readMetrics(path.join(dir, "metrics.jsonl"));
  assert.equal(recs.length, 30);
  const r = recs[29]!;
  assert.equal(r.step, 30);
  assert.equal(r.samples, 240);
  assert.equal(r.epoch, 5); // 40 samples, cursor at 232 when the last batch was drawn
  for (const k of ["loss", "abs_err", "lr", "grad_norm", "samples_per_s"])
    assert.equal(typeof r[k], "number", k);
  assert.ok(Math.abs((r.loss as number) - got[29]!) < 1e-12);
  assert.ok(
    fs.existsSync(path.join(dir, "last.safetensors")) && fs.existsSync(path.join(dir, "final.safetensors")),
  );
  const ck = readSafetensors(path.join(dir, "final.safetensors"));
  assert.deepEqual(Object.keys(ck.tensors).sort(), [
    "adam_m/W",
    "adam_m/b",
    "adam_v/W",
    "adam_v/b",
    "buffer/count",
    "param/W",
    "param/b",
  ]);
  assert.equal(ck.metadata.step, "30");
  assert.deepEqual(JSON.parse(ck.metadata.loader!), { cursor: 240 });
});

test("same seed → identical loss curve; different seed → different", async () => {
  const a = await losses(3);
  const b = await losses(3);
  const c = await losses(4);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test("gradient accumulation: 4 micro-batches of 2 give the full-batch update (1e-5)", async () => {
  const full = await losses(0, { totalSteps: 10, clipNorm: 0 }, 8);
  const accum = await losses(0, { totalSteps: 10, clipNorm: 0, accumSteps: 4 }, 2);
  full.forEach((l, i) => {
    assert.ok(Math.abs(l - accum[i]!) < 1e-5, `step ${i}: ${l} vs ${accum[i]}`);
  });
});

test("resume from a step-k checkpoint reproduces the uninterrupted loss sequence", async () => {
  const dir = tmp();
  const ref = await losses(0, { totalSteps: 20 });
  // First run: stop after 8 steps with a checkpoint (as if interrupted).
  const part: number[] = [];
  const t1 = toyTask(new ToyData(40, 8), 0);
  const tr1 = new Trainer(t1, toyOptions({ outDir: dir, onLoss: (_s, l) => part.push(l) }));
  for (let i = 0; i < 8; i++) await tr1.trainStep();
  await tr1.checkpoint();
  for (let i = 0; i < 3; i++) await tr1.trainStep(); // work lost by the "crash"
  tr1.dispose();
  t1.dispose();
  // Fresh model (different init seed, so the weights must come from the file) + fresh data cursor.
  const rest: number[] = [];
  const t2 = toyTask(new ToyData(40, 8), 99);
  const tr2 = new Trainer(t2, toyOptions({ outDir: dir, onLoss: (_s, l) => rest.push(l) }));
  const st = tr2.resume(path.join(dir, "last.safetensors"));
  assert.equal(st.step, 8);
  await tr2.run();
  tr2.dispose();
  t2.dispose();
  const joined = [...part.slice(0, 8), ...rest];
  assert.equal(joined.length, 20);
  joined.forEach((l, i) => {
    assert.ok(Math.abs(l - ref[i]!) < 1e-6, `step ${i}: ${l} vs ${ref[i]}`);
  });
});

test("a NaN loss stops the run naming the step and keeps the last good checkpoint", async () => {
  const dir = tmp();
  const task = toyTask(new ToyData(40, 8), 0, 7);
  const tr = new Trainer(task, toyOptions({ outDir: dir, logEvery: 4, checkpointEverySteps: 4 }));
  await assert.rejects(tr.run(), (e: Error) => {
    assert.ok(e instanceof NonFiniteLossError);
    assert.match(e.message, /loss became NaN at step 7; stopped/);
    return true;
  });
  const ck = readSafetensors(path.join(dir, "last.safetensors"));
  assert.equal(ck.metadata.step, "4");
  assert.ok(Array.from(ck.tensors["param/W"]!.data).every(Number.isFinite));
  tr.dispose();
  task.dispose();
});

test("tensor count stays flat over 200 steps (with accumulation)", async () => {
  const task = toyTask(new ToyData(40, 4), 0);
  const tr = new Trainer(task, toyOptions({ totalSteps: 400, accumSteps: 2, logEvery: 7 }));
  for (let i = 0; i < 10; i++) await tr.trainStep();
  await tr.flush();
  const base = tf.memory().numTensors;
  for (let i = 0; i < 200; i++) {
    await tr.trainStep();
    if (tr.step % 7 === 0) await tr.flush();
  }
  await tr.flush();
  assert.equal(tf.memory().numTensors, base);
  tr.dispose();
  task.dispose();
});

test("eval.json keeps the evaluations made before a stop, after resuming (and drops later ones)", async () => {
  const dir = tmp();
  const evaluate = async (step: number) => ({ score: step * 10 });
  const opts = { outDir: dir, evalEverySteps: 4, evaluate, totalSteps: 12 };
  const t1 = toyTask(new ToyData(40, 8), 0);
  const tr1 = new Trainer(t1, toyOptions({ ...opts, stopAtStep: 8 }));
  const r1 = await tr1.run();
  tr1.dispose();
  t1.dispose();
  assert.equal(r1.stopped, true);
  const file = path.join(dir, "eval.json");
  // An eval logged after the checkpoint (lost work) must not survive the resume.
  const before = JSON.parse(fs.readFileSync(file, "utf8"));
  fs.writeFileSync(file, JSON.stringify([...before, { step: 9, samples: 72, score: -1 }]));
  const t2 = toyTask(new ToyData(40, 8), 0);
  const tr2 = new Trainer(t2, toyOptions(opts));
  tr2.resume(path.join(dir, "last.safetensors"));
  const r2 = await tr2.run();
  tr2.dispose();
  t2.dispose();
  const steps = (e: Array<{ step: number }>) => e.map((x) => x.step);
  assert.deepEqual(steps(before), [4, 8]);
  assert.deepEqual(steps(r2.evals), [4, 8, 12]);
  assert.deepEqual(steps(JSON.parse(fs.readFileSync(file, "utf8"))), [4, 8, 12]);
  assert.deepEqual(
    r2.evals.map((e) => e.score),
    [40, 80, 120],
  );
});
