/**
 * Test plugin (loaded through CLIPDOWN_SWEEP_PLUGINS by worker processes, the CLI and Slurm tasks):
 *
 * - run kind `fake`: sleeps through `steps` steps of `stepMs`, checkpointing its step count in
 *   state.json after each, so it can be killed and resumed; writes final.txt + reports metrics
 *   derived from its spec. It appends "start/end <hash> <pid> <ms>" to $CLIPDOWN_FAKE_EVENTS so
 *   tests can check that no two processes ran the same spec at once. It throws while the file
 *   named by `failWhile` exists, and kills its process when `crash` is set.
 * - section `fake-mini`: four fake runs, the second needing the first.
 * - section `fake-corpus`: three fake runs reading the corpus in $CLIPDOWN_FAKE_DATA (one through a
 *   `run:` reference), reporting its identity as a train run does.
 * - section `tiny`: real `train` runs of the `nano` model on the corpus in $CLIPDOWN_TINY_DATA
 *   (built by tiny-data.ts), used for the kill-and-resume and Slurm integration tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { corpusIdentity } from "../../src/data/corpus/identity";
import { writeJsonAtomic } from "../../src/sweep/atomic";
import type { RunKind } from "../../src/sweep/kinds";
import type { RunCorpus } from "../../src/sweep/run-dir";
import { isHash, isRunRef, type RunSpec, refHash, specHash } from "../../src/sweep/spec";
import type { Section } from "../../src/sweep/sweep";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function event(what: string, dir: string): void {
  const file = process.env.CLIPDOWN_FAKE_EVENTS;
  if (file) fs.appendFileSync(file, `${what} ${path.basename(dir)} ${process.pid} ${Date.now()}\n`);
}

/** The identity a corpus derived from run `ref`'s corpus records: its own hash, its source's. */
function derivedCorpus(ref: string, depDir: string) {
  const dep = JSON.parse(fs.readFileSync(path.join(depDir, "result.json"), "utf8")) as { corpus?: RunCorpus };
  if (!dep.corpus) return undefined;
  return {
    dir: ref,
    contentHash: `sha256:${"d".repeat(64)}`,
    samples: dep.corpus.samples,
    source: dep.corpus.contentHash,
  };
}

const fakeKind: RunKind = {
  name: "fake",
  normalize(raw) {
    const allowed = ["kind", "name", "steps", "stepMs", "failWhile", "crash", "needs", "data"];
    for (const k of Object.keys(raw))
      if (!allowed.includes(k)) throw new Error(`unknown fake spec field "${k}"`);
    const name = raw.name;
    if (typeof name !== "string" || !name)
      throw new Error(`name must be a non-empty string, got ${JSON.stringify(name)}`);
    const steps = raw.steps ?? 3;
    if (typeof steps !== "number" || !Number.isInteger(steps) || steps < 1)
      throw new Error(`steps must be an integer >= 1, got ${JSON.stringify(steps)}`);
    const needs = (raw.needs ?? []) as unknown[];
    if (!Array.isArray(needs) || !needs.every(isHash)) throw new Error("needs must be a list of run hashes");
    return {
      kind: "fake",
      name,
      steps,
      stepMs: (raw.stepMs as number) ?? 10,
      failWhile: (raw.failWhile as string) ?? "",
      crash: Boolean(raw.crash),
      needs: needs as string[],
      // Only when given, so the hashes of the other fake specs do not change.
      ...(typeof raw.data === "string" ? { data: raw.data } : {}),
    } satisfies RunSpec;
  },
  needs: (spec) => spec.needs as string[],
  async execute(spec, ctx) {
    event("start", ctx.dir);
    if (spec.crash) process.exit(3);
    if (spec.failWhile && fs.existsSync(spec.failWhile as string)) {
      event("end", ctx.dir);
      throw new Error(`fake failure: ${spec.failWhile} exists`);
    }
    for (const h of spec.needs as string[]) {
      if (!fs.existsSync(path.join(ctx.depDir(h), "final.txt")))
        throw new Error(`dependency ${h} has no final.txt`);
    }
    const stateFile = path.join(ctx.dir, "state.json");
    let step = fs.existsSync(stateFile)
      ? (JSON.parse(fs.readFileSync(stateFile, "utf8")) as { step: number }).step
      : 0;
    const resumedFrom = step;
    if (step) ctx.log(`resumed at step ${step}`);
    while (step < (spec.steps as number)) {
      await sleep(spec.stepMs as number);
      step++;
      writeJsonAtomic(stateFile, { step });
    }
    fs.writeFileSync(path.join(ctx.dir, "final.txt"), `ok ${step}`);
    event("end", ctx.dir);
    // A plain folder's manifest; a `run:` reference is a corpus derived from its run's (as a noise copy).
    const corpus =
      typeof spec.data !== "string"
        ? undefined
        : !isRunRef(spec.data)
          ? corpusIdentity(spec.data)
          : derivedCorpus(spec.data, ctx.depDir(refHash(spec.data)));
    return {
      metrics: { score: (spec.name as string).length / 10, steps: step, resumedFrom },
      samples: step * 10,
      flops: step * 1e6,
      info: { pid: process.pid },
      ...(corpus ? { corpus } : {}),
    };
  },
  verify(dir) {
    const f = path.join(dir, "final.txt");
    if (!fs.existsSync(f)) return "final.txt is missing";
    return /^ok \d+$/.test(fs.readFileSync(f, "utf8")) ? undefined : "final.txt is corrupt";
  },
  discard(dir) {
    fs.rmSync(path.join(dir, "final.txt"), { force: true });
  },
  cost: (spec) => (spec.steps as number) * 1e6,
  progress(spec, dir) {
    const f = path.join(dir, "state.json");
    if (!fs.existsSync(f)) return 0;
    return (JSON.parse(fs.readFileSync(f, "utf8")) as { step: number }).step / (spec.steps as number);
  },
  describe: (spec) => ({ name: spec.name, steps: spec.steps }),
  dataSource: (spec) => spec.data as string | undefined,
};

const fakeMini: Section = {
  name: "fake-mini",
  title: "four fake runs (engine tests)",
  build(profile) {
    const stepMs = Number(process.env.CLIPDOWN_FAKE_STEP_MS ?? 20);
    const steps = profile === "smoke" ? 2 : 5;

    const first = fakeKind.normalize({ kind: "fake", name: "alpha", steps, stepMs });
    return {
      section: "fake-mini",
      profile,
      runs: [
        first,
        { kind: "fake", name: "beta", steps, stepMs, needs: [specHash(first)] },
        { kind: "fake", name: "gamma", steps, stepMs },
        { kind: "fake", name: "delta", steps, stepMs },
      ],
    };
  },
};

/** Fake runs that read a corpus ($CLIPDOWN_FAKE_DATA), the third through a `run:` reference to the first. */
const fakeCorpus: Section = {
  name: "fake-corpus",
  title: "three fake runs on a corpus (published-corpus tests)",
  build(profile) {
    const data = process.env.CLIPDOWN_FAKE_DATA ?? "data/fake";
    const first = fakeKind.normalize({ kind: "fake", name: "one", steps: 2, stepMs: 1, data });
    return {
      section: "fake-corpus",
      profile,
      runs: [
        first,
        { kind: "fake", name: "two", steps: 2, stepMs: 1, data },
        {
          kind: "fake",
          name: "derived",
          steps: 2,
          stepMs: 1,
          data: `run:${specHash(first)}`,
          needs: [specHash(first)],
        },
      ],
    };
  },
};

const tiny: Section = {
  name: "tiny",
  title: "nano CLIP on a 32-pair corpus (integration tests)",
  build(profile) {
    const data = process.env.CLIPDOWN_TINY_DATA ?? "data/tiny";
    const n = profile === "smoke" ? 2 : 4;
    const samples = profile === "full" ? 8 * 40 : 8 * 24;
    return {
      section: "tiny",
      profile,
      runs: Array.from({ length: n }, (_, seed) => ({
        model: "nano",
        strategy: "clip",
        data,
        samples,
        batch: 8,
        lr: 0.01,
        warmup: 2,
        imageSize: 16,
        contextLength: 8,
        seed,
        evalData: path.join(data, "no-heldout"),
      })),
    };
  },
};

/** What CLIPDOWN_SWEEP_PLUGINS reads from this module (src/sweep/plugins.ts). */
export const kinds = [fakeKind];
export const sections = [fakeMini, fakeCorpus, tiny];
