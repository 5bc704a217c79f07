/**
 * A fuzz worker process (forked by run.ts): builds each case it is sent, runs the code the CLI
 * command runs on it, checks the result and reports one outcome per case over IPC. The parent
 * enforces the time and memory bounds (it kills a worker that overruns them).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureCache } from "../../src/data/cache";
import { inspectDataset } from "../../src/data/corpus/inspect";
import { convertToShards } from "../../src/data/shards-cli";
import { readShards } from "../../src/data/webdataset";
import { initBackend } from "../../src/tf";
import { CheckpointError, readCheckpoint } from "../../src/train/checkpoint";
import { decodeSafetensors } from "../../src/train/safetensors";
import { buildCase, type FuzzCase } from "./cases";

export type Outcome = "ok" | "error" | "crash" | "loss" | "escape" | "rejected-good" | "hang" | "memory";

export interface CaseResult {
  index: number;
  what: string;
  target: string;
  outcome: Outcome;
  detail?: string;
  ms: number;
}

/** An error a user can act on: an ordinary Error with a one-line message (the CLI prints it as is). */
function classify(e: unknown): { outcome: Outcome; detail: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  const programming =
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof ReferenceError ||
    err instanceof SyntaxError ||
    err.name === "AssertionError";
  const oneLine = err.message.length > 0 && !err.message.includes("\n") && err.message.length < 2000;
  if (programming || !oneLine)
    return { outcome: "crash", detail: `${err.name}: ${err.message}\n${err.stack ?? ""}` };
  return { outcome: "error", detail: err.message };
}

function tree(dir: string): Set<string> {
  return new Set((fs.readdirSync(dir, { recursive: true }) as string[]).map(String));
}

async function count(dir: string): Promise<number> {
  let n = 0;
  for await (const _ of readShards(dir)) n++;
  return n;
}

async function runShards(c: FuzzCase, dir: string): Promise<{ outcome: Outcome; detail?: string }> {
  const out = path.join(dir, "out");
  const before = tree(dir);
  let m: Awaited<ReturnType<typeof convertToShards>>;
  try {
    m = await convertToShards({ from: c.input, out, maxBadFraction: 1, log: () => {} });
  } catch (e) {
    return classify(e);
  }
  const escaped = [...tree(dir)].filter(
    (f) => !before.has(f) && f !== "out" && !f.startsWith(`out${path.sep}`),
  );
  if (escaped.length) return { outcome: "escape", detail: `wrote outside --out: ${escaped.join(", ")}` };
  if (m.seen !== m.samples + m.bad.total)
    return { outcome: "loss", detail: `seen ${m.seen} ≠ converted ${m.samples} + bad ${m.bad.total}` };
  if (c.rows !== undefined && m.seen !== c.rows)
    return { outcome: "loss", detail: `the input has ${c.rows} rows but ${m.seen} were seen` };
  const back = m.samples ? await count(out) : 0;
  if (back !== m.samples)
    return { outcome: "loss", detail: `manifest says ${m.samples} samples, shards hold ${back}` };
  return { outcome: "ok", detail: `${m.samples} converted, ${m.bad.total} bad of ${m.seen}` };
}

async function runCache(c: FuzzCase): Promise<{ outcome: Outcome; detail?: string }> {
  try {
    const cache = await ensureCache(c.input, 8, { maxBadFraction: 1, quiet: true });
    const bad = cache.bad?.total ?? 0;
    if (cache.seen !== undefined && cache.seen !== cache.n + bad)
      return { outcome: "loss", detail: `seen ${cache.seen} ≠ cached ${cache.n} + bad ${bad}` };
    return { outcome: "ok", detail: `${cache.n} cached, ${bad} bad` };
  } catch (e) {
    return classify(e);
  }
}

async function runInspect(c: FuzzCase): Promise<{ outcome: Outcome; detail?: string }> {
  try {
    const r = await inspectDataset(c.input);
    return { outcome: "ok", detail: `${r.samples} good, ${r.readBad.total} bad` };
  } catch (e) {
    return classify(e);
  }
}

function runVerify(c: FuzzCase, dir: string): { outcome: Outcome; detail?: string } {
  try {
    const got = readCheckpoint(c.input);
    if (c.untouched) return { outcome: "ok", detail: "verified" };
    // Accepted although changed: only harmless if it decodes to exactly the original.
    const orig = decodeSafetensors(fs.readFileSync(path.join(dir, "ck.safetensors")));
    const same =
      JSON.stringify(orig.metadata) === JSON.stringify(got.file.metadata) &&
      Object.keys(orig.tensors).every(
        (k) =>
          Buffer.compare(
            Buffer.from(orig.tensors[k]!.data.buffer),
            Buffer.from(got.file.tensors[k]!.data.buffer),
          ) === 0,
      );
    return same
      ? { outcome: "ok", detail: "changed bytes decode to the same checkpoint" }
      : { outcome: "loss", detail: "a changed checkpoint was accepted" };
  } catch (e) {
    if (c.untouched) return { outcome: "rejected-good", detail: String((e as Error).message) };
    if (e instanceof CheckpointError) return { outcome: "error", detail: e.message };
    return classify(e);
  }
}

export async function runCase(seed: number, index: number, root: string): Promise<CaseResult> {
  const dir = path.join(root, `case-${index}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  let c: FuzzCase;
  try {
    c = await buildCase(seed, index, dir);
  } catch (e) {
    return {
      index,
      what: "(building the case)",
      target: "-",
      outcome: "crash",
      detail: String((e as Error).stack),
      ms: 0,
    };
  }
  const res =
    c.target === "shards"
      ? await runShards(c, dir)
      : c.target === "inspect"
        ? await runInspect(c)
        : c.target === "cache"
          ? await runCache(c)
          : runVerify(c, dir);
  fs.rmSync(dir, { recursive: true, force: true });
  return { index, what: c.what, target: c.target, ...res, ms: Math.round(performance.now() - t0) };
}

if (require.main === module && process.send) {
  void (async () => {
    await initBackend();
    process.on("message", async (msg: { seed: number; index: number; root: string }) => {
      const r = await runCase(msg.seed, msg.index, msg.root);
      process.send!(r);
    });
    process.send!({ ready: true });
  })();
}
