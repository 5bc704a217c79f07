/**
 * Results belong to a corpus (src/papers/published-corpus.ts) on the `fake-corpus` plugin section:
 * a run records the content hash of the corpus it trained on; a published line is reused as this
 * machine's result only when the local corpus has the same hash; otherwise the log says which
 * corpus the published figures come from, and CLIPDOWN_CORPUS=local trains them again. ~1 s.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { stampLines } from "../../scripts/stamp-corpus";
import { catalog, sweepFor } from "../../src/papers/catalog";
import { corpusText } from "../../src/papers/findings/report";
import { finishedLines, publishLines, sectionResults } from "../../src/papers/published";
import { baseDataDir, CorpusChecker, corpusMode } from "../../src/papers/published-corpus";
import { PLUGINS_ENV } from "../../src/sweep/plugins";
import { runSweep } from "../../src/sweep/runner";

process.env[PLUGINS_ENV] = path.join(__dirname, "..", "sweep", "plugin.ts");

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-corpus-"));
const HASH_A = `sha256:${"a".repeat(64)}`;
const HASH_B = `sha256:${"b".repeat(64)}`;

/** A corpus folder whose manifest has `contentHash` and `samples` pairs (no shards: the fake kind reads none). */
function corpus(dir: string, contentHash: string, samples: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const m = { format: "clipdown-dataset", name: "fake", samples, contentHash, build: { inputs: {} } };
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(m));
}

/** Runs the section once in `root` on the corpus at `data` and publishes it to `resultsDir`. */
async function publishOnce(data: string, resultsDir: string): Promise<void> {
  process.env.CLIPDOWN_FAKE_DATA = data;
  const sweep = sweepFor("fake-corpus", "quick", tmp());
  await runSweep(sweep, { jobs: 0, log: () => {} });
  publishLines("fake-corpus", finishedLines(sweep), resultsDir);
}

test("a run records its corpus; the same corpus elsewhere reuses the published line, another one says so", async () => {
  const data = path.join(tmp(), "pictograms");
  corpus(data, HASH_A, 1234);
  const resultsDir = tmp();
  await publishOnce(data, resultsDir);
  const published = fs
    .readFileSync(path.join(resultsDir, "fake-corpus.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(published[0].corpus, { dir: data, contentHash: HASH_A, samples: 1234 });

  // Another machine with the same bytes: nothing runs.
  const root = tmp();
  const log: string[] = [];
  let lines = await sectionResults("fake-corpus", "quick", {
    root,
    resultsDir,
    jobs: 0,
    log: (s) => log.push(s),
  });
  assert.equal(lines.length, 3);
  assert.deepEqual(fs.existsSync(root) ? fs.readdirSync(root) : [], []);
  assert.ok(!log.some((l) => /trained on/.test(l)), log.join("\n"));

  // Its corpus differs: the published lines are shown, and the log names both corpora and the fix.
  corpus(data, HASH_B, 1200);
  log.length = 0;
  lines = await sectionResults("fake-corpus", "quick", {
    root,
    resultsDir,
    jobs: 0,
    corpus: "published",
    log: (s) => log.push(s),
  });
  assert.equal(lines.length, 3);
  assert.deepEqual(fs.existsSync(root) ? fs.readdirSync(root) : [], [], "nothing trained");
  const note = log.find((l) => /published runs trained on/.test(l));
  assert.ok(note, log.join("\n"));
  assert.match(
    note!,
    /fake-corpus\/quick: 3 published runs trained on .*pictograms sha256:aaaaaaaaaaaa… \(1,234 pairs\)/,
  );
  assert.match(note!, /your .*pictograms is sha256:bbbbbbbbbbbb… \(1,200 pairs\)/);
  assert.match(note!, /CLIPDOWN_CORPUS=local/);

  // CLIPDOWN_CORPUS=local: those runs train again, on the local corpus.
  lines = await sectionResults("fake-corpus", "quick", {
    root,
    resultsDir,
    jobs: 0,
    corpus: "local",
    log: () => {},
  });
  assert.equal(lines.length, 3);
  assert.equal(lines[0]!.corpus?.contentHash, HASH_B);
  assert.equal(fs.readdirSync(root).length > 0, true, "the runs trained here");
});

test("lines published before corpora were recorded are labelled as such; a missing corpus is named", async () => {
  const data = path.join(tmp(), "pictograms");
  corpus(data, HASH_A, 10);
  const resultsDir = tmp();
  await publishOnce(data, resultsDir);
  const file = path.join(resultsDir, "fake-corpus.jsonl");
  const stripped = fs
    .readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const { corpus: _c, ...rest } = JSON.parse(l);
      return JSON.stringify(rest);
    });
  fs.writeFileSync(file, `${stripped.join("\n")}\n`);
  const log: string[] = [];
  const showPublished = () =>
    sectionResults("fake-corpus", "quick", {
      root: tmp(),
      resultsDir,
      jobs: 0,
      corpus: "published",
      log: (s) => log.push(s),
    });
  await showPublished();
  assert.ok(
    log.some((l) => /3 published runs trained on a corpus they did not record/.test(l)),
    log.join("\n"),
  );

  fs.rmSync(data, { recursive: true });
  log.length = 0;
  await showPublished();
  assert.ok(
    log.some((l) => /that corpus is not built here/.test(l)),
    log.join("\n"),
  );
});

test("the corpus under a run: reference is the one its source run reads; a dataless run always matches", () => {
  process.env.CLIPDOWN_FAKE_DATA = "data/somewhere";
  const sweep = sweepFor("fake-corpus", "quick", tmp());
  const { kinds } = catalog();
  assert.match(sweep.runs[2]!.spec.data as string, /^run:/);
  assert.equal(baseDataDir(sweep, kinds, sweep.runs[2]!.spec), "data/somewhere");
  const mini = sweepFor("fake-mini", "quick", tmp());
  const line = { ...finishedLine(mini.runs[0]!.spec) };
  assert.equal(new CorpusChecker(mini, kinds).check(line), "same");
});

test("CLIPDOWN_CORPUS takes published or local; anything else names both", () => {
  assert.equal(corpusMode({}), "published");
  assert.equal(corpusMode({ CLIPDOWN_CORPUS: "local" }), "local");
  assert.throws(
    () => corpusMode({ CLIPDOWN_CORPUS: "mine" }),
    /CLIPDOWN_CORPUS=mine is not a corpus mode; use one of published, local/,
  );
});

function finishedLine(spec: Record<string, unknown>) {
  return {
    hash: "0".repeat(16),
    section: "fake-mini",
    profile: "quick",
    index: 0,
    kind: "fake",
    spec: spec as never,
    metrics: {},
    samples: 0,
    flops: 0,
    wallSeconds: 0,
    attempts: 1,
    finishedAt: "",
    provenance: { host: "x", node: "v20" },
  };
}

test("stamp-corpus adds the local corpus only to train lines made on this host after the corpus was written", () => {
  const id = { dir: "data/pictograms", contentHash: HASH_A, samples: 5 };
  const writtenMs = Date.parse("2026-12-07T02:24:00Z");
  const line = (finishedAt: string, wallSeconds: number, host = "vm", extra: Record<string, unknown> = {}) =>
    ({
      ...finishedLine({ kind: "train", data: "data/pictograms" }),
      kind: "train",
      finishedAt,
      wallSeconds,
      provenance: { host, node: "v20" },
      ...extra,
    }) as never;
  const { lines, stamped } = stampLines(
    [
      line("2026-12-07T03:00:00Z", 600), // started 02:50: after the corpus
      line("2026-12-07T02:30:00Z", 600), // started 02:20: before it was rewritten
      line("2026-12-07T03:00:00Z", 600, "elsewhere"), // another machine
      line("2026-12-07T03:00:00Z", 600, "vm", { corpus: { ...id, contentHash: HASH_B } }), // already recorded
    ],
    "vm",
    () => ({ id, writtenMs }),
  );
  assert.equal(stamped, 1);
  assert.deepEqual(
    lines.map((l) => l.corpus?.contentHash),
    [HASH_A, undefined, undefined, HASH_B],
  );
  // A noise run gets the corpus it copied; a train run on that copy gets it as its source.
  const noise = line("2026-12-07T03:00:00Z", 10, "vm", {
    hash: "abcdef0123456789",
    kind: "noise",
    spec: { kind: "noise", from: "data/pictograms" },
  });
  const onCopy = line("2026-12-07T03:10:00Z", 60, "vm", {
    spec: { kind: "train", data: "run:abcdef0123456789" },
    corpus: {
      dir: "run:abcdef0123456789",
      contentHash: HASH_B,
      samples: 3,
      source: `sha256:${"c".repeat(64)}`,
    },
  });
  const again = stampLines([noise, onCopy], "vm", () => ({ id, writtenMs }));
  assert.equal(again.stamped, 2);
  assert.equal(again.lines[0]!.corpus?.contentHash, HASH_A);
  assert.deepEqual(again.lines[1]!.corpus, {
    dir: "run:abcdef0123456789",
    contentHash: HASH_B,
    samples: 3,
    source: HASH_A,
  });
  // Idempotent.
  assert.equal(stampLines(again.lines, "vm", () => ({ id, writtenMs })).stamped, 0);
});

test("FINDINGS.md names the corpus of each section's judged runs, derived copies under their source", () => {
  const base = finishedLine({ kind: "train", data: "data/pictograms" });
  const plain = { ...base, corpus: { dir: "data/pictograms", contentHash: HASH_A, samples: 32687 } } as never;
  const derived = {
    ...base,
    corpus: { dir: "run:x", contentHash: HASH_B, samples: 3000, source: HASH_A },
  } as never;
  assert.equal(corpusText([plain, derived]), "`sha256:aaaaaaaaaaaa…` (32,687 pairs)");
  assert.equal(
    corpusText([plain, base as never]),
    "`sha256:aaaaaaaaaaaa…` (32,687 pairs): 1; not recorded: 1",
  );
  assert.equal(corpusText([]), "—");
});
