/**
 * FINDINGS.md: every finding of `ALL_FINDINGS` judged on the published results (`results/*.jsonl`).
 *
 * For each section the largest profile whose sweep is wholly published (full > quick > smoke) is used
 * and named; a larger profile still running is listed as in progress, not judged. Each
 * finding shows the paper's claim, what we measured, its evidence (mean ± std, n, and the run hashes,
 * each a line of `results/<section>.jsonl`; where the mean is a stored metric of those runs, the
 * metric and the per-run values are printed too), the verdict decided by the finding's rule, and the
 * rule. A finding whose rule throws is "inconclusive: <error>". The text depends only on the results
 * and the rules (no clock, no machine of the reader), so a test can regenerate it and compare bytes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { baseCorpusHash, shortHash } from "../../data/corpus/identity";
import { loadResultsFile, type ResultLine, withLabels } from "../../sweep/results";
import { DEFAULT_ROOT, PROFILES, type Profile } from "../../sweep/sweep";
import { sectionNames, sweepFor } from "../catalog";
import { ruleText } from "./stats";
import { traceEvidence } from "./trace";
import type { Evidence, Finding, FindingResult, Verdict } from "./types";

/** The published lines of every `<section>.jsonl` in `dir`, by section (sorted by name). */
export function loadResultsDir(dir: string): Map<string, ResultLine[]> {
  const out = new Map<string, ResultLine[]>();
  if (!fs.existsSync(dir)) return out;
  for (const f of fs
    .readdirSync(dir)
    .filter((x) => x.endsWith(".jsonl"))
    .sort()) {
    const loaded = loadResultsFile(path.join(dir, f));
    if (loaded.skipped.length)
      throw new Error(
        `${path.join(dir, f)}: line ${loaded.skipped[0]!.line} is not a result line (${loaded.skipped[0]!.reason}); ` +
          "published files are written whole by clipdown reproduce: re-run it for this section",
      );
    out.set(f.slice(0, -".jsonl".length), loaded.records);
  }
  return out;
}

export interface SectionUse {
  section: string;
  /** The profile whose lines the findings were judged on. */
  profile?: Profile;
  /** The lines of that profile. */
  used: ResultLine[];
  /** Every published line of the section (all profiles). */
  all: ResultLine[];
  /**
   * Profiles whose sweep is only partly published (runs published of runs in the sweep), largest
   * first. A profile in progress is not judged while a smaller one is complete: a half-run `full`
   * sweep would otherwise decide verdicts on whichever runs happened to finish first.
   */
  partial: Array<{ profile: Profile; have: number; of: number }>;
}

/**
 * The spec hashes of a section's sweep for a profile, as the code builds it now; undefined when the
 * section or profile is unknown here (its lines are then taken by their profile label, all of them).
 */
export type SweepHashes = (section: string, profile: Profile) => readonly string[] | undefined;
/** Each run's labels in the current sweep, by hash (undefined: the section is not registered here). */
export type SweepLabels = (
  section: string,
  profile: Profile,
) => ReadonlyMap<string, Record<string, string[]>> | undefined;

/**
 * For each section, the largest profile whose sweep is completely published (with `hashes`; without,
 * the largest profile present). A profile's lines are the published lines whose hash is a run of its
 * sweep, whatever profile label they carry (a run shared by quick and full is published once, as
 * full); a partial sweep none of whose lines carries its label was never started and is left out.
 * When no profile is complete, the largest one with any lines is judged and marked partial.
 */
export function sectionUses(
  bySection: Map<string, ResultLine[]>,
  hashes: SweepHashes = () => undefined,
  labels: SweepLabels = () => undefined,
): Map<string, SectionUse> {
  const out = new Map<string, SectionUse>();
  for (const [section, all] of bySection) {
    const candidates: Array<{ profile: Profile; used: ResultLine[]; of?: number }> = [];
    for (const profile of [...PROFILES].reverse()) {
      const want = hashes(section, profile);
      if (want) {
        const set = new Set(want);
        const byHash = labels(section, profile);
        const used = all.filter((l) => set.has(l.hash)).map((l) => withLabels(l, byHash?.get(l.hash)));
        // A sweep nobody ran yet may share a run or two with a smaller one: it is not in progress.
        const started = used.length >= set.size || used.some((l) => l.profile === profile);
        if (used.length && started) candidates.push({ profile, used, of: set.size });
      } else {
        const used = all.filter((l) => l.profile === profile);
        if (used.length) candidates.push({ profile, used });
      }
    }
    const complete = (c: (typeof candidates)[number]) => c.of === undefined || c.used.length >= c.of;
    const pick = candidates.find(complete) ?? candidates[0];
    const partial = candidates
      .filter((c) => !complete(c))
      .map((c) => ({ profile: c.profile, have: c.used.length, of: c.of! }));
    out.set(section, { section, profile: pick?.profile, used: pick?.used ?? [], all, partial });
  }
  return out;
}

export interface Judged {
  finding: Finding;
  /** The profile the verdict was decided on (absent when nothing was evaluated). */
  profile?: Profile;
  result: FindingResult;
}

/** Evaluates every finding on its section's largest profile; never throws for a finding's sake. */
export function judge(findings: readonly Finding[], uses: Map<string, SectionUse>): Judged[] {
  const order = findings.map((f, i) => ({ f, i })).sort((a, b) => a.f.id - b.f.id || a.i - b.i);
  return order.map(({ f }) => {
    if (f.section === null || !f.evaluate) {
      const why =
        f.untestable ?? (f.section === null ? "no section tests it" : "no rule is implemented for it");
      return { finding: f, result: { verdict: "not testable", measured: why, evidence: [], rule: "—" } };
    }
    const use = uses.get(f.section);
    if (!use?.used.length) {
      return {
        finding: f,
        result: {
          verdict: "inconclusive",
          measured: `no published results for section ${f.section}`,
          evidence: [],
          rule: ruleText(),
          note: `run \`npx clipdown reproduce --section ${f.section}\``,
        },
      };
    }
    try {
      return { finding: f, profile: use.profile, result: f.evaluate(use.used) };
    } catch (e) {
      return {
        finding: f,
        profile: use.profile,
        result: {
          verdict: "inconclusive",
          measured: `inconclusive: ${(e as Error).message}`,
          evidence: [],
          rule: ruleText(),
        },
      };
    }
  });
}

// ── rendering ───────────────────────────────────────────────────────────────────────────────────

/** Numbers as printed everywhere in the report (enough digits to find them in the JSONL). */
export function num(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return String(v);
  return v.toFixed(digits);
}

/** Text safe inside a Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

const PAPER_REF = (f: Finding) => `D${f.id}`;

export interface Compute {
  runs: number;
  wallSeconds: number;
  flops: number;
  machines: string[];
  software: string[];
  commits: string[];
  first?: string;
  last?: string;
}

/** Totals over lines, with the machines and software named by their provenance (sorted, counted). */
export function computeOf(lines: readonly ResultLine[]): Compute {
  const count = (keys: string[]) => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([k, n]) => `${k} (${n} run${n === 1 ? "" : "s"})`);
  };
  const prov = (l: ResultLine) => l.provenance;
  const machine = (l: ResultLine) => {
    const p = prov(l);
    return p.cpu !== undefined
      ? `${p.cpu}, ${p.cores} cores, ${p.memGiB} GiB, ${p.platform}`
      : `host ${p.host} (no hardware recorded)`;
  };
  const software = (l: ResultLine) => {
    const p = prov(l);
    const backend = p.backend ?? l.info?.backend;
    return `backend ${backend ?? `not recorded (${l.kind} runs)`}, tfjs ${p.tfjs ?? "not recorded"}, node ${p.node}`;
  };
  const times = lines
    .map((l) => l.finishedAt)
    .filter(Boolean)
    .sort();
  return {
    runs: lines.length,
    wallSeconds: lines.reduce((s, l) => s + l.wallSeconds, 0),
    flops: lines.reduce((s, l) => s + l.flops, 0),
    machines: count(lines.map(machine)),
    software: count(lines.map(software)),
    commits: count(lines.map((l) => (l.provenance.gitCommit ?? "unknown").slice(0, 12))),
    ...(times.length ? { first: times[0], last: times[times.length - 1] } : {}),
  };
}

export function hours(s: number): string {
  return s >= 3600 ? `${(s / 3600).toFixed(2)} h` : `${(s / 60).toFixed(1)} min`;
}

export function flopsText(f: number): string {
  return f >= 1e15 ? `${(f / 1e15).toFixed(2)} PFLOPs` : `${(f / 1e12).toFixed(2)} TFLOPs`;
}

function verdictCounts(judged: readonly Judged[]): string {
  const verdicts: Verdict[] = ["reproduced", "not reproduced", "inconclusive", "not testable"];
  return verdicts.map((v) => `${judged.filter((j) => j.result.verdict === v).length} ${v}`).join(", ");
}

function evidenceTable(evidence: readonly Evidence[], lines: readonly ResultLine[]): string[] {
  if (!evidence.length) return [];
  const rows = evidence.map((e) => {
    const t = traceEvidence(e, lines);
    const runs = e.runs.map((h) => `\`${h.slice(0, 12)}\``).join(" ");
    const from = t.missing.length
      ? `⚠ not in the results: ${t.missing.map((h) => h.slice(0, 12)).join(", ")}`
      : t.source
        ? `\`${t.source}\`: ${t.values!.map((v) => num(v, 4)).join(", ")}`
        : "derived from these runs (not one stored metric)";
    return `| ${cell(e.label)} | ${num(e.mean)} | ${num(e.std)} | ${e.n} | ${runs} | ${cell(from)} |`;
  });
  return ["| quantity | mean | std | n | runs | per-run values |", "|---|---:|---:|---:|---|---|", ...rows];
}

/** The corpora `lines` trained on (the built corpus under a derived one), with run counts. */
export function corpusText(lines: readonly ResultLine[]): string {
  const by = new Map<string, { n: number; pairs?: number }>();
  for (const l of lines) {
    const key = l.corpus ? baseCorpusHash(l.corpus) : "";
    const g = by.get(key) ?? { n: 0 };
    g.n++;
    if (l.corpus && !l.corpus.source) g.pairs = l.corpus.samples;
    by.set(key, g);
  }
  const name = (k: string, g: { pairs?: number }) =>
    k
      ? `\`${shortHash(k)}\`${g.pairs !== undefined ? ` (${g.pairs.toLocaleString("en")} pairs)` : ""}`
      : "not recorded";
  if (!by.size) return "—";
  const all = [...by.entries()];
  if (all.length === 1) return name(all[0]![0], all[0]![1]);
  return all.map(([k, g]) => `${name(k, g)}: ${g.n}`).join("; ");
}

/** The whole FINDINGS.md. */
export function renderFindings(judged: readonly Judged[], uses: Map<string, SectionUse>): string {
  const out: string[] = [];
  const allLines = [...uses.values()].flatMap((u) => u.all);
  const usedLines = [...uses.values()].flatMap((u) => u.used);
  out.push(
    "# What we found: *Scaling (Down) CLIP* and *CatLIP* at clipdown's scale",
    "",
    "Generated by `npx clipdown findings` from `results/*.jsonl` (written by `npx clipdown reproduce`);",
    "do not edit by hand. Each verdict is decided by the finding's rule in",
    "`src/papers/<paper>/<section>-findings.ts`; every mean below lists the runs it averages, each a line",
    "of `results/<section>.jsonl` (find it by its hash).",
    "",
    `Verdict rule (all findings): ${ruleText()}. A finding may add conditions; its rule line says so.`,
    "",
    "## Summary",
    "",
    `${judged.length} findings: ${verdictCounts(judged)}.`,
    "",
    "| finding | paper | section | profile | verdict |",
    "|---|---|---|---|---|",
    ...judged.map(
      (j) =>
        `| ${PAPER_REF(j.finding)}. ${cell(j.finding.title)} | ${j.finding.paper} | ${j.finding.section ?? "—"} | ${j.profile ?? "—"} | **${j.result.verdict}** |`,
    ),
    "",
    "## Hardware and compute",
    "",
  );
  if (!allLines.length) out.push("No results are published yet (run `npx clipdown reproduce`).", "");
  else {
    const all = computeOf(allLines);
    const used = computeOf(usedLines);
    out.push(
      `- Machines: ${all.machines.join("; ")}`,
      `- Software: ${all.software.join("; ")}`,
      `- Code: git ${all.commits.join("; ")}`,
      `- Runs finished between ${all.first} and ${all.last}`,
      `- Judged on: ${used.runs} runs, ${hours(used.wallSeconds)} of wall time, ${flopsText(used.flops)} of training`,
      `- Published in all (every profile): ${all.runs} runs, ${hours(all.wallSeconds)} of wall time, ${flopsText(all.flops)} of training`,
      "",
      "| section | profile judged | runs | wall time | training FLOPs | corpus of the judged runs | other profiles published |",
      "|---|---|---:|---:|---:|---|---|",
      ...[...uses.values()].map((u) => {
        const c = computeOf(u.used);
        const others = PROFILES.filter((p) => p !== u.profile).flatMap((p) => {
          const part = u.partial.find((x) => x.profile === p);
          if (part) return [`${p}: ${part.have} of ${part.of} runs (in progress, not judged)`];
          const n = u.all.filter((l) => l.profile === p).length;
          return n ? [`${p}: ${n} runs`] : [];
        });
        const own = u.partial.find((x) => x.profile === u.profile);
        const judgedAs = own ? `${u.profile} (only ${own.have} of ${own.of} runs)` : (u.profile ?? "—");
        return `| ${u.section} | ${judgedAs} | ${c.runs} | ${hours(c.wallSeconds)} | ${flopsText(c.flops)} | ${corpusText(u.used)} | ${others.join(", ") || "—"} |`;
      }),
      "",
      "The corpus is the content hash of the pre-training corpus's manifest (`data/<name>/manifest.json`)",
      "that the runs recorded; a notebook uses published runs as its own only on a machine whose corpus",
      "has that hash (otherwise it says so, and `CLIPDOWN_CORPUS=local` trains them there).",
      "Wall time is each run's own time (with its evaluations, over every attempt when a run was",
      "resumed) on a machine shared with other work, so it is an upper bound on what an idle machine",
      "needs.",
      ...lastAttemptOnly(allLines),
      "",
    );
    const running = [...uses.values()].flatMap((u) =>
      u.partial.map((x) => `${u.section} ${x.profile} (${x.have} of ${x.of} runs)`),
    );
    if (running.length)
      out.push(
        `Sweeps in progress, published run by run and judged only once complete: ${running.join(", ")}.`,
        "Continue them with `npx clipdown reproduce --section S --profile P` (finished runs are kept).",
        "",
      );
  }
  const failed = judged.filter((j) => j.result.verdict === "not reproduced");
  if (failed.length) {
    out.push("## What did not reproduce, and why we think so", "");
    for (const j of failed)
      out.push(
        `- **${PAPER_REF(j.finding)}. ${j.finding.title}**: ${j.result.note ?? "(the rule gives no note)"}`,
      );
    out.push("");
  }
  out.push("## Findings", "");
  for (const j of judged) {
    const f = j.finding;
    const lines = f.section ? (uses.get(f.section)?.used ?? []) : [];
    out.push(
      `### ${PAPER_REF(f)}. ${f.title}`,
      "",
      `- **Paper** (${f.paper}): ${f.claim}`,
      `- **Tested by**: ${f.section ? `section \`${f.section}\`, profile ${j.profile ?? "—"}` : "—"}`,
      `- **Verdict**: **${j.result.verdict}**`,
      `- **Measured**: ${j.result.measured}`,
      `- **Rule**: ${j.result.rule}`,
      ...(j.result.note ? [`- **Note**: ${j.result.note}`] : []),
      ...(f.untestable && j.result.verdict !== "not testable" ? [`- **Limits**: ${f.untestable}`] : []),
      "",
      ...evidenceTable(j.result.evidence, lines),
      ...(j.result.evidence.length ? [""] : []),
    );
  }
  return `${out.join("\n").trimEnd()}\n`;
}

export const README_START = "<!-- findings:start -->";
export const README_END = "<!-- findings:end -->";

/** The README's "What we found" block (between the markers, markers excluded). */
export function renderReadmeBlock(judged: readonly Judged[], uses: Map<string, SectionUse>): string {
  const allLines = [...uses.values()].flatMap((u) => u.all);
  const out = [
    "<!-- generated by `npx clipdown findings --readme` from results/FINDINGS.md's inputs; do not edit -->",
    "",
    `${judged.length} findings of the two papers: ${verdictCounts(judged)}. Details, evidence and the run behind`,
    "every number: [results/FINDINGS.md](results/FINDINGS.md).",
    "",
    "| finding | paper says | we measured | verdict |",
    "|---|---|---|---|",
    ...judged.map(
      (j) =>
        `| ${PAPER_REF(j.finding)}. ${cell(j.finding.title)} | ${cell(j.finding.claim)} | ${cell(j.result.measured)}${j.profile ? ` (${j.profile})` : ""} | **${j.result.verdict}** |`,
    ),
    "",
  ];
  if (allLines.length) {
    const c = computeOf(allLines);
    out.push(
      `Hardware: ${c.machines.join("; ")}; ${c.software.join("; ")}. Total compute: ${c.runs} runs, ` +
        `${hours(c.wallSeconds)} of wall time, ${flopsText(c.flops)} of training.`,
    );
  } else out.push("No results are published yet (run `npx clipdown reproduce`).");
  return `${out.join("\n")}\n`;
}

/** `readme` with the text between the markers replaced by `block`; throws when a marker is missing. */
export function replaceReadmeBlock(readme: string, block: string): string {
  const a = readme.indexOf(README_START);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a)
    throw new Error(
      `README.md has no "${README_START}" … "${README_END}" block; add both marker lines where the findings table goes`,
    );
  return `${readme.slice(0, a + README_START.length)}\n${block}${readme.slice(b)}`;
}

/** The block currently between the markers (what replaceReadmeBlock would replace). */
export function currentReadmeBlock(readme: string): string | undefined {
  const a = readme.indexOf(README_START);
  const b = readme.indexOf(README_END);
  return a < 0 || b < a ? undefined : readme.slice(a + README_START.length + 1, b);
}

/** The registered section's sweep hashes for `profile`; undefined for a section not registered here. */
export const currentSweepHashes: SweepHashes = (section, profile) => {
  if (!sectionNames().includes(section)) return undefined;
  return sweepFor(section, profile, DEFAULT_ROOT).runs.map((r) => r.hash);
};

/** The registered section's run labels for `profile`, by hash. */
export const currentSweepLabels: SweepLabels = (section, profile) => {
  if (!sectionNames().includes(section)) return undefined;
  return new Map(sweepFor(section, profile, DEFAULT_ROOT).runs.map((r) => [r.hash, r.labels]));
};

/** Everything `clipdown findings` writes, from a results directory and a list of findings. */
export function buildReport(
  findings: readonly Finding[],
  resultsDir: string,
): { judged: Judged[]; findingsMd: string; readmeBlock: string } {
  const uses = sectionUses(loadResultsDir(resultsDir), currentSweepHashes, currentSweepLabels);
  const judged = judge(findings, uses);
  return { judged, findingsMd: renderFindings(judged, uses), readmeBlock: renderReadmeBlock(judged, uses) };
}

/**
 * Lines of runs resumed before the runner kept earlier attempts' time (no `attemptSeconds`,
 * `attempts` > 1): their wall time covers only the last attempt. One sentence, or none.
 */
export function lastAttemptOnly(lines: readonly ResultLine[]): string[] {
  const short = lines.filter((l) => l.attemptSeconds === undefined && (l.attempts ?? 1) > 1);
  if (!short.length) return [];
  const ids = short.map((l) => `\`${l.hash.slice(0, 8)}\``).join(", ");
  return [
    `${short.length} published run${short.length === 1 ? " was" : "s were"} resumed before earlier attempts' time was kept (${ids}): their wall time counts only their last attempt, and the totals above leave out the earlier ones.`,
  ];
}
