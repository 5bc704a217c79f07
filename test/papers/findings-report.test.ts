/**
 * The findings report (src/papers/findings/report.ts, `clipdown findings`): FINDINGS.md and the
 * README block regenerated from the COMMITTED results/ must equal the committed files; on hand-made
 * results, the largest profile is judged and named, every printed evidence number is traced to
 * metric values of the JSONL lines it names, a throwing rule is "inconclusive: <error>", untestable
 * findings say why, and the output is deterministic. ~2 s.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { ALL_FINDINGS } from "../../src/papers/findings";
import { run as findingsCli, README_FILE } from "../../src/papers/findings/cli";
import {
  buildReport,
  currentReadmeBlock,
  currentSweepHashes,
  judge,
  lastAttemptOnly,
  loadResultsDir,
  README_END,
  README_START,
  renderFindings,
  replaceReadmeBlock,
  sectionUses,
} from "../../src/papers/findings/report";
import { compareMeans, ruleText, selectRuns, summarize, verdictFor } from "../../src/papers/findings/stats";
import { traceEvidence } from "../../src/papers/findings/trace";
import type { Finding } from "../../src/papers/findings/types";
import { hasPublished, publishedDrift, RESULTS_DIR } from "../../src/papers/published";
import type { ResultLine } from "../../src/sweep/results";

const noResults = hasPublished(RESULTS_DIR)
  ? false
  : "results/ has no <section>.jsonl yet (publish with npx clipdown reproduce)";

test("results/FINDINGS.md is what clipdown findings writes from the committed results", {
  skip: noResults,
}, () => {
  const { findingsMd } = buildReport(ALL_FINDINGS, RESULTS_DIR);
  const file = path.join(RESULTS_DIR, "FINDINGS.md");
  assert.ok(fs.existsSync(file), "results/FINDINGS.md is missing: run npx clipdown findings --readme");
  assert.equal(
    fs.readFileSync(file, "utf8"),
    findingsMd,
    "results/FINDINGS.md is out of date: run npx clipdown findings --readme",
  );
});

test("README's findings block is what clipdown findings --readme writes", { skip: noResults }, () => {
  const { readmeBlock } = buildReport(ALL_FINDINGS, RESULTS_DIR);
  assert.equal(
    currentReadmeBlock(fs.readFileSync(README_FILE, "utf8")),
    readmeBlock,
    "README.md's findings block is out of date: run npx clipdown findings --readme",
  );
});

test("the committed results are the runs of the current sweeps (no section changed after publishing)", {
  skip: noResults,
}, () => {
  // A sweep still in progress (e.g. full, published run by run) may lack runs; it is not judged.
  // Every published line must still be a run of today's sweep, and every judged profile complete,
  // except in a section with no complete profile yet (its first sweep, still running: e.g. recipe).
  const uses = sectionUses(loadResultsDir(RESULTS_DIR), currentSweepHashes);
  const inProgress = new Set(
    [...uses.values()].flatMap((u) => {
      const noneComplete = u.partial.some((p) => p.profile === u.profile);
      return u.partial
        .filter((p) => p.profile !== u.profile || noneComplete)
        .map((p) => `${u.section}/${p.profile}`);
    }),
  );
  assert.deepEqual(
    publishedDrift(RESULTS_DIR)
      .filter((d) => d.stale.length || !inProgress.has(`${d.section}/${d.profile}`))
      .map((d) => `${d.section}/${d.profile}: ${d.stale.length} stale, ${d.unpublished.length} unpublished`),
    [],
    "re-run npx clipdown reproduce --section S --profile P for these sections, then npx clipdown findings --readme",
  );
});

// ── hand-made results ───────────────────────────────────────────────────────────────────────────

let counter = 0;
function line(section: string, profile: string, spec: Record<string, unknown>, acc: number): ResultLine {
  const hash = `${String(++counter).padStart(4, "0")}${"c".repeat(12)}`;
  return {
    hash,
    section,
    profile,
    index: counter,
    kind: "train",
    spec: { kind: "train", ...spec } as ResultLine["spec"],
    metrics: { acc, loss: 1 - acc },
    samples: 1000,
    flops: 2e12,
    wallSeconds: 90,
    attempts: 1,
    finishedAt: `2026-01-05T10:00:${String(counter % 60).padStart(2, "0")}.000Z`,
    provenance: {
      host: "box",
      node: "v22.1.0",
      tfjs: "4.22.0",
      gitCommit: "0123456789abcdef0123456789abcdef01234567",
      backend: "wasm",
      cpu: "Test CPU",
      cores: 2,
      memGiB: 24,
      platform: "linux-x64",
    },
    info: { backend: "wasm" },
  };
}

/** "model a beats model b" on `acc` in points, the lead's rule. */
const BEATS: Finding = {
  id: 2,
  paper: "Scaling (Down) CLIP",
  title: "A beats B",
  claim: "A is better than B by 3 points.",
  section: "alpha",
  evaluate(results) {
    const a = summarize(selectRuns(results, { model: "a" }), "acc", "model a, acc (%)", 100);
    const b = summarize(selectRuns(results, { model: "b" }), "acc", "model b, acc (%)", 100);
    const c = compareMeans(a, b);
    return {
      verdict: verdictFor(c),
      measured: `A ${a.mean.toFixed(1)} vs B ${b.mean.toFixed(1)}`,
      evidence: [a, b],
      rule: ruleText(),
      note: "tiny models",
    };
  },
};
const THROWS: Finding = {
  id: 1,
  paper: "CatLIP",
  title: "needs runs that are missing",
  claim: "C beats D.",
  section: "alpha",
  evaluate(results) {
    summarize(selectRuns(results, { model: "c" }), "acc", "model c");
    throw new Error("unreachable");
  },
};
const UNTESTABLE: Finding = {
  id: 20,
  paper: "CatLIP",
  title: "needs ImageNet",
  claim: "something on ImageNet",
  section: null,
  untestable: "no ImageNet on this machine",
};
const NO_RESULTS: Finding = { ...BEATS, id: 3, title: "section never run", section: "gamma" };
const SMOKE_ONLY: Finding = { ...BEATS, id: 4, title: "B beats A on beta", section: "beta" };

function writeResults(dir: string, lines: ResultLine[]): void {
  const bySection = new Map<string, ResultLine[]>();
  for (const l of lines) bySection.set(l.section, [...(bySection.get(l.section) ?? []), l]);
  for (const [s, ls] of bySection)
    fs.writeFileSync(path.join(dir, `${s}.jsonl`), ls.map((l) => `${JSON.stringify(l)}\n`).join(""));
}

function handMade(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-findings-"));
  writeResults(dir, [
    // quick: B looks better; full: A is better by ~5 points. Full must be the one judged.
    line("alpha", "quick", { model: "a", seed: 0 }, 0.1),
    line("alpha", "quick", { model: "b", seed: 0 }, 0.3),
    line("alpha", "full", { model: "a", seed: 0 }, 0.41),
    line("alpha", "full", { model: "a", seed: 1 }, 0.43),
    line("alpha", "full", { model: "a", seed: 2 }, 0.45),
    line("alpha", "full", { model: "b", seed: 0 }, 0.37),
    line("alpha", "full", { model: "b", seed: 1 }, 0.38),
    line("alpha", "full", { model: "b", seed: 2 }, 0.39),
    line("beta", "smoke", { model: "a", seed: 0 }, 0.2),
    line("beta", "smoke", { model: "b", seed: 0 }, 0.21),
  ]);
  return dir;
}

const FINDINGS = [BEATS, THROWS, UNTESTABLE, NO_RESULTS, SMOKE_ONLY];

test("the largest profile is judged and named; verdicts follow each rule; order is by finding number", () => {
  const { judged, findingsMd } = buildReport(FINDINGS, handMade());
  assert.deepEqual(
    judged.map((j) => [j.finding.id, j.profile ?? null, j.result.verdict]),
    [
      [1, "full", "inconclusive"],
      [2, "full", "reproduced"],
      [3, null, "inconclusive"],
      [4, "smoke", "inconclusive"],
      [20, null, "not testable"],
    ],
  );
  assert.match(
    findingsMd,
    /\| D2\. A beats B \| Scaling \(Down\) CLIP \| alpha \| full \| \*\*reproduced\*\* \|/,
  );
  assert.match(findingsMd, /5 findings: 1 reproduced, 0 not reproduced, 3 inconclusive, 1 not testable\./);
  assert.match(findingsMd, /- \*\*Measured\*\*: A 43\.0 vs B 38\.0/);
  // A throwing rule and a section without results do not crash the report.
  assert.match(findingsMd, /- \*\*Measured\*\*: inconclusive: no runs for "model c"/);
  assert.match(
    findingsMd,
    /no published results for section gamma[\s\S]*npx clipdown reproduce --section gamma/,
  );
  // Untestable findings say why.
  assert.match(
    findingsMd,
    /### D20\. needs ImageNet[\s\S]*\*\*Verdict\*\*: \*\*not testable\*\*[\s\S]*no ImageNet on this machine/,
  );
});

test("a profile whose sweep is only partly published is not judged: the complete smaller one is", () => {
  const dir = handMade();
  const bySection = loadResultsDir(dir);
  const alpha = bySection.get("alpha")!;
  const hashOf = (profile: string, model: string, seed: number) =>
    alpha.find((l) => l.profile === profile && l.spec.model === model && l.spec.seed === seed)!.hash;
  // The current full sweep has a 7th run nobody published yet; quick is complete. beta: unknown.
  const sweeps = (section: string, profile: string) =>
    section !== "alpha"
      ? undefined
      : profile === "full"
        ? [...alpha.filter((l) => l.profile === "full").map((l) => l.hash), "e".repeat(16)]
        : profile === "quick"
          ? [hashOf("quick", "a", 0), hashOf("quick", "b", 0)]
          : [];
  const uses = sectionUses(bySection, sweeps);
  const a = uses.get("alpha")!;
  assert.equal(a.profile, "quick");
  assert.deepEqual(
    a.used.map((l) => l.hash),
    [hashOf("quick", "a", 0), hashOf("quick", "b", 0)],
  );
  assert.deepEqual(a.partial, [{ profile: "full", have: 6, of: 7 }]);
  assert.equal(uses.get("beta")!.profile, "smoke", "an unknown sweep falls back to the labels");
  const judged = judge(FINDINGS, uses);
  const d2 = judged.find((j) => j.finding.id === 2)!;
  // On quick, B (30 %) beats A (10 %) by 20 points: the claim fails there.
  assert.deepEqual([d2.profile, d2.result.verdict], ["quick", "not reproduced"]);
  const md = renderFindings(judged, uses);
  assert.match(
    md,
    /\| alpha \| quick \| 2 \| 3\.0 min \| 4\.00 TFLOPs \| not recorded \| full: 6 of 7 runs \(in progress, not judged\) \|/,
  );
  assert.match(
    md,
    /Sweeps in progress, published run by run and judged only once complete: alpha full \(6 of 7 runs\)\./,
  );
  // A run shared by two sweeps counts for both, whatever label it was published under.
  const shared = sectionUses(bySection, (s, p) =>
    s === "alpha" && p === "quick" ? [hashOf("full", "a", 0), hashOf("quick", "b", 0)] : undefined,
  ).get("alpha")!;
  assert.equal(shared.profile, "full", "full (by label) is complete and larger");
  const onlyQuick = sectionUses(bySection, (s, p) =>
    s === "alpha" && p === "quick"
      ? [hashOf("full", "a", 0), hashOf("quick", "b", 0)]
      : s === "alpha"
        ? []
        : undefined,
  ).get("alpha")!;
  assert.equal(onlyQuick.profile, "quick");
  assert.deepEqual(
    onlyQuick.used.map((l) => l.hash),
    alpha
      .filter(
        (l) =>
          l === alpha.find((x) => x.hash === l.hash) &&
          [hashOf("full", "a", 0), hashOf("quick", "b", 0)].includes(l.hash),
      )
      .map((l) => l.hash),
  );
  // Nothing complete at all: the largest profile with lines is judged, and the table says so.
  const none = sectionUses(bySection, (s, p) =>
    s === "alpha" ? [...alpha.filter((l) => l.profile === p).map((l) => l.hash), "d".repeat(16)] : undefined,
  );
  assert.equal(none.get("alpha")!.profile, "full");
  assert.match(renderFindings(judge(FINDINGS, none), none), /\| alpha \| full \(only 6 of 7 runs\) \| 6 \|/);
});

test("every evidence number is traceable: run hashes are lines, values are their metrics, means recompute", () => {
  const dir = handMade();
  const lines = [...loadResultsDir(dir).values()].flat();
  const byPrefix = (p: string) => lines.filter((l) => l.hash.startsWith(p));
  const { findingsMd } = buildReport(FINDINGS, dir);
  const rows = findingsMd.split("\n").filter((l) => /^\| model [ab], acc/.test(l));
  assert.equal(rows.length, 4, "two evidence rows for D2 (full) and two for D4 (smoke)");
  for (const row of rows) {
    const cells = row.split("|").map((c) => c.trim());
    const [, , mean, std, n, runs, values] = cells;
    const hashes = [...runs!.matchAll(/`([0-9a-f]{12})`/g)].map((m) => m[1]!);
    assert.equal(hashes.length, Number(n));
    const matched = hashes.map((h) => {
      const found = byPrefix(h);
      assert.equal(found.length, 1, `run ${h} is one line of the results`);
      return found[0]!;
    });
    assert.match(values!, /^`acc × 100`: /);
    const printed = values!
      .replace(/^`acc × 100`: /, "")
      .split(", ")
      .map(Number);
    assert.deepEqual(
      printed,
      matched.map((l) => Number((l.metrics.acc! * 100).toFixed(4))),
    );
    const m = printed.reduce((s, v) => s + v, 0) / printed.length;
    assert.equal(mean, m.toFixed(2));
    const sd =
      printed.length > 1
        ? Math.sqrt(printed.reduce((s, v) => s + (v - m) ** 2, 0) / (printed.length - 1))
        : 0;
    assert.equal(std, sd.toFixed(2));
  }
});

test("compute and hardware come from the lines; the text is deterministic", () => {
  const dir = handMade();
  const a = buildReport(FINDINGS, dir);
  const b = buildReport(FINDINGS, dir);
  assert.equal(a.findingsMd, b.findingsMd);
  assert.equal(a.readmeBlock, b.readmeBlock);
  assert.match(a.findingsMd, /- Machines: Test CPU, 2 cores, 24 GiB, linux-x64 \(10 runs\)/);
  assert.match(a.findingsMd, /- Software: backend wasm, tfjs 4\.22\.0, node v22\.1\.0 \(10 runs\)/);
  // Judged: 6 full alpha lines + 2 smoke beta lines = 8 × 90 s, 8 × 2e12 FLOPs; all: 10 lines.
  assert.match(a.findingsMd, /Judged on: 8 runs, 12\.0 min of wall time, 16\.00 TFLOPs/);
  assert.match(a.findingsMd, /every profile\): 10 runs, 15\.0 min of wall time, 20\.00 TFLOPs/);
  assert.match(
    a.findingsMd,
    /\| alpha \| full \| 6 \| 9\.0 min \| 12\.00 TFLOPs \| not recorded \| quick: 2 runs \|/,
  );
  assert.doesNotMatch(a.findingsMd, new RegExp(new Date().toISOString().slice(0, 10)));
  // The README block: one table row per finding, with the claim and the measurement.
  assert.match(
    a.readmeBlock,
    /\| D2\. A beats B \| A is better than B by 3 points\. \| A 43\.0 vs B 38\.0 \(full\) \| \*\*reproduced\*\* \|/,
  );
  assert.match(a.readmeBlock, /Total compute: 10 runs, 15\.0 min of wall time/);
});

test("README block replacement round-trips and names missing markers", () => {
  const readme = `# x\n\n## What we found\n\n${README_START}\nold\n${README_END}\n\nmore\n`;
  const next = replaceReadmeBlock(readme, "new table\n");
  assert.equal(next, `# x\n\n## What we found\n\n${README_START}\nnew table\n${README_END}\n\nmore\n`);
  assert.equal(currentReadmeBlock(next), "new table\n");
  assert.throws(() => replaceReadmeBlock("# x\n", "t\n"), /README\.md has no "<!-- findings:start -->"/);
});

test("clipdown findings writes the report and README block; --check detects staleness", async () => {
  const dir = handMade();
  const readme = path.join(dir, "README.md");
  fs.writeFileSync(readme, `# r\n${README_START}\n(none)\n${README_END}\n`);
  const quiet = console.log;
  const quietErr = console.error;
  console.log = () => {};
  console.error = () => {};
  try {
    const base = ["--results", dir, "--readme", "--readme-file", readme];
    assert.equal(await findingsCli([...base, "--check"]), 1, "nothing written yet");
    assert.equal(await findingsCli(base), 0);
    const { findingsMd, readmeBlock } = buildReport(ALL_FINDINGS, dir);
    assert.equal(fs.readFileSync(path.join(dir, "FINDINGS.md"), "utf8"), findingsMd);
    assert.equal(currentReadmeBlock(fs.readFileSync(readme, "utf8")), readmeBlock);
    assert.equal(await findingsCli([...base, "--check"]), 0);
    fs.appendFileSync(path.join(dir, "FINDINGS.md"), "hand edit\n");
    assert.equal(await findingsCli([...base, "--check"]), 1);
    await assert.rejects(
      findingsCli(["--results", path.join(dir, "nope")]),
      /does not exist; publish results/,
    );
  } finally {
    console.log = quiet;
    console.error = quietErr;
  }
});

test("a corrupt published line is an error naming the file and the fix", () => {
  const dir = handMade();
  fs.appendFileSync(path.join(dir, "alpha.jsonl"), "{not json\n");
  assert.throws(
    () => loadResultsDir(dir),
    /alpha\.jsonl: line 9 is not a result line .*re-run it for this section/,
  );
});

test("traceEvidence prefers the metric the label names, lists ties, and flags derived numbers", () => {
  const a = line("t", "quick", { model: "a" }, 0.5);
  const b = line("t", "quick", { model: "b" }, 0.5);
  a.metrics = {
    x: 0,
    y: 0,
    "heldout-noto/text_retrieval_recall@1": 0.2,
    "heldout-noto/image_retrieval_recall@1": 0.4,
  };
  b.metrics = {
    x: 0,
    y: 0,
    "heldout-noto/text_retrieval_recall@1": 0.3,
    "heldout-noto/image_retrieval_recall@1": 0.5,
  };
  const ev = (label: string, mean: number, std = 0) => ({ label, mean, std, n: 2, runs: [a.hash, b.hash] });
  assert.equal(traceEvidence(ev("y (%)", 0), [a, b]).source, "y × 100");
  assert.match(
    traceEvidence(ev("something", 0), [a, b]).source!,
    /^one of x × 100 \/ y × 100 \/ .*equal here$/,
  );
  // Both retrieval directions averaged in %: runs give 30 and 40, mean 35, std √50.
  const r = traceEvidence(ev("R@1 (%)", 35, Math.sqrt(50)), [a, b]);
  assert.equal(
    r.source,
    // Names in sorted order: image_ (text → image) before text_ (image → text).
    "mean of heldout-noto/image_retrieval_recall@1, heldout-noto/text_retrieval_recall@1 × 100",
  );
  assert.deepEqual(
    r.values!.map((v) => Math.round(v * 1e9) / 1e9),
    [30, 40],
  );
  assert.equal(traceEvidence(ev("a difference", 12.5), [a, b]).source, undefined);
  assert.deepEqual(traceEvidence({ ...ev("x", 0), runs: ["f".repeat(16)] }, [a, b]).missing, [
    "f".repeat(16),
  ]);
});

test("runs resumed before attempt times were kept are named; others are not", () => {
  const l = (hash: string, attempts: number, attemptSeconds?: number) =>
    ({
      hash,
      attempts,
      wallSeconds: 9,
      ...(attemptSeconds === undefined ? {} : { attemptSeconds }),
    }) as unknown as ResultLine;
  assert.deepEqual(lastAttemptOnly([l("aaaaaaaa11", 1), l("bbbbbbbb22", 2, 4)]), []);
  const [line] = lastAttemptOnly([l("aaaaaaaa11", 1), l("cccccccc33", 3), l("dddddddd44", 2)]);
  assert.match(
    line!,
    /^2 published runs were resumed .* \(`cccccccc`, `dddddddd`\): their wall time counts only their last attempt/,
  );
  assert.match(lastAttemptOnly([l("eeeeeeee55", 2)])[0]!, /^1 published run was resumed/);
});
