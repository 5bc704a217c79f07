/**
 * Published results (src/papers/published.ts) on the `fake-mini` plugin section: published
 * lines are used without running, the other runs run, lines for specs outside the sweep are ignored,
 * dependencies of unpublished runs still run, and publishing merges profiles in a fixed order.
 * ~1 s.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { sweepFor } from "../../src/papers/catalog";
import {
  finishedLines,
  loadPublished,
  publishedDrift,
  publishedFile,
  publishLines,
  RESULTS_DIR,
  sectionResults,
} from "../../src/papers/published";
import { PLUGINS_ENV } from "../../src/sweep/plugins";
import type { ResultLine } from "../../src/sweep/results";
import { runSweep } from "../../src/sweep/runner";

process.env[PLUGINS_ENV] = path.join(__dirname, "..", "sweep", "plugin.ts");

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-published-"));
const quiet = { log: () => {} };

/** A hand-made published line for run `i` of fake-mini/<profile> with a score no real run gives. */
function fakeLine(root: string, profile: string, i: number, score: number): ResultLine {
  const run = sweepFor("fake-mini", profile, root).runs[i]!;
  return {
    hash: run.hash,
    section: "fake-mini",
    profile,
    index: i,
    kind: "fake",
    spec: run.spec,
    metrics: { score },
    samples: 50,
    flops: 5e6,
    wallSeconds: 1.5,
    attempts: 1,
    finishedAt: "2026-01-01T00:00:00.000Z",
    provenance: { host: "elsewhere", node: "v22.0.0" },
  };
}

function writeLines(file: string, lines: unknown[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
}

test("RESULTS_DIR is the project's results/ folder whatever the current directory", () => {
  assert.equal(RESULTS_DIR, path.resolve(__dirname, "..", "..", "results"));
});

test("published lines are used without running; the rest run; foreign specs are ignored", async () => {
  const root = tmp();
  const resultsDir = tmp();
  const sweep = sweepFor("fake-mini", "quick", root);
  const gamma = fakeLine(root, "quick", 2, 99);
  // A line for a spec of another profile (smoke: 2 steps) is not a run of the quick sweep.
  const foreign = fakeLine(root, "smoke", 3, 77);
  assert.ok(!sweep.runs.some((r) => r.hash === foreign.hash));
  writeLines(publishedFile("fake-mini", resultsDir), [gamma, foreign]);

  const lines = await sectionResults("fake-mini", "quick", { root, resultsDir, jobs: 0, ...quiet });
  assert.deepEqual(
    lines.map((l) => l.hash),
    sweep.runs.map((r) => r.hash),
  );
  assert.deepEqual(
    lines.map((l) => l.index),
    [0, 1, 2, 3],
  );
  assert.ok(lines.every((l) => l.profile === "quick"));
  // gamma came from the published line and never ran (no run directory); the others ran.
  assert.equal(lines[2]!.metrics.score, 99);
  assert.equal(lines[2]!.provenance.host, "elsewhere");
  assert.ok(!fs.existsSync(sweep.runs[2]!.dir));
  for (const i of [0, 1, 3]) {
    assert.equal(lines[i]!.metrics.score, (sweep.runs[i]!.spec.name as string).length / 10);
    assert.ok(fs.existsSync(path.join(sweep.runs[i]!.dir, "result.json")));
  }
  assert.ok(!lines.some((l) => l.metrics.score === 77));
});

test("an unpublished run's published dependency still runs (its artifacts are needed)", async () => {
  const root = tmp();
  const resultsDir = tmp();
  const sweep = sweepFor("fake-mini", "quick", root);
  assert.deepEqual(sweep.runs[1]!.needs, [sweep.runs[0]!.hash]);
  writeLines(publishedFile("fake-mini", resultsDir), [fakeLine(root, "quick", 0, 42)]);
  const lines = await sectionResults("fake-mini", "quick", { root, resultsDir, jobs: 0, ...quiet });
  assert.equal(lines.length, 4);
  assert.equal(lines[0]!.metrics.score, 42, "the published line is returned for the dependency");
  assert.ok(fs.existsSync(path.join(sweep.runs[0]!.dir, "final.txt")), "the dependency ran for beta");
  assert.equal(lines[1]!.metrics.score, 0.4);
});

test("run: false returns published and locally finished runs only, running nothing", async () => {
  const root = tmp();
  const resultsDir = tmp();
  const sweep = sweepFor("fake-mini", "quick", root);
  await runSweep(sweep, { jobs: 0, runs: [sweep.runs[3]!], ...quiet });
  writeLines(publishedFile("fake-mini", resultsDir), [fakeLine(root, "quick", 2, 99)]);
  const logs: string[] = [];
  const lines = await sectionResults("fake-mini", "quick", {
    root,
    resultsDir,
    run: false,
    log: (s) => logs.push(s),
  });
  assert.deepEqual(
    lines.map((l) => l.index),
    [2, 3],
  );
  assert.ok(!fs.existsSync(sweep.runs[0]!.dir));
  assert.match(logs.join("\n"), /no result for 2 run\(s\): \[0\] .*\[1\] .*not run/);
});

test("publishLines merges profiles, keeps a shared run's larger profile, sorts, adds backend", async () => {
  const root = tmp();
  const resultsDir = tmp();
  const quick = sweepFor("fake-mini", "quick", root);
  const smoke = sweepFor("fake-mini", "smoke", root);
  await runSweep(quick, { jobs: 0, ...quiet });
  await runSweep(smoke, { jobs: 0, ...quiet });
  const quickLines = finishedLines(quick).map((l) => ({ ...l, info: { ...l.info, backend: "wasm" } }));
  publishLines("fake-mini", quickLines.reverse(), resultsDir);
  publishLines("fake-mini", finishedLines(smoke), resultsDir);
  const text = fs.readFileSync(publishedFile("fake-mini", resultsDir), "utf8");
  const lines = loadPublished("fake-mini", resultsDir);
  assert.equal(text.trimEnd().split("\n").length, 8);
  assert.deepEqual(
    lines.map((l) => `${l.profile}${l.index}`),
    ["smoke0", "smoke1", "smoke2", "smoke3", "quick0", "quick1", "quick2", "quick3"],
  );
  const q = lines.find((l) => l.profile === "quick")!;
  assert.equal(q.provenance.backend, "wasm");
  assert.equal(q.provenance.cores, os.cpus().length);
  assert.ok(q.provenance.node.startsWith("v"));

  // Publishing the quick sweep again as if it were smoke-profile lines cannot demote them.
  publishLines(
    "fake-mini",
    finishedLines(quick).map((l) => ({ ...l, profile: "smoke", index: 9 })),
    resultsDir,
  );
  const again = loadPublished("fake-mini", resultsDir);
  assert.equal(again.filter((l) => l.profile === "quick").length, 4);
  assert.deepEqual(
    again.filter((l) => l.profile === "quick").map((l) => l.index),
    [0, 1, 2, 3],
  );
  // Re-publishing is idempotent byte for byte.
  const before = fs.readFileSync(publishedFile("fake-mini", resultsDir), "utf8");
  publishLines("fake-mini", finishedLines(quick), resultsDir);
  assert.equal(fs.readFileSync(publishedFile("fake-mini", resultsDir), "utf8"), before);
  assert.throws(
    () => publishLines("other", finishedLines(quick), resultsDir),
    /belongs to section "fake-mini", not "other"/,
  );
});

test("publishedDrift names stale published lines and unpublished runs per profile", async () => {
  const root = tmp();
  const resultsDir = tmp();
  assert.deepEqual(publishedDrift(resultsDir, root), []);
  const quick = sweepFor("fake-mini", "quick", root);
  await runSweep(quick, { jobs: 0, ...quiet });
  publishLines("fake-mini", finishedLines(quick), resultsDir);
  assert.deepEqual(publishedDrift(resultsDir, root), []);
  // A line whose spec the sweep no longer makes (as if the section changed) and a dropped run.
  const lines = loadPublished("fake-mini", resultsDir);
  const changed = { ...lines[3]!, hash: "f".repeat(16) };
  writeLines(publishedFile("fake-mini", resultsDir), [...lines.slice(0, 3), changed]);
  assert.deepEqual(publishedDrift(resultsDir, root), [
    { section: "fake-mini", profile: "quick", stale: ["f".repeat(16)], unpublished: [quick.runs[3]!.hash] },
  ]);
});
