/**
 * `clipdown reproduce` (in this process, jobs 0): the fake-mini plugin section (runs, publishes,
 * merges profiles, runs nothing twice), the `tiny` section with real training (the published line
 * names the backend, versions, commit and machine), and its usage errors, one of them through
 * bin/clipdown.js to check the command is registered. ~10 s on an idle machine.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { sweepFor } from "../../src/papers/catalog";
import { loadPublished, publishedFile } from "../../src/papers/published";
import { run as reproduce } from "../../src/papers/reproduce-cli";
import { PLUGINS_ENV } from "../../src/sweep/plugins";
import { makeTinyCorpus } from "../sweep/tiny-data";

const CLI = path.join(__dirname, "..", "..", "bin", "clipdown.js");
const PLUGIN = path.join(__dirname, "..", "sweep", "plugin.ts");
let env: NodeJS.ProcessEnv;

before(async () => {
  const data = await makeTinyCorpus();
  env = { ...process.env, [PLUGINS_ENV]: PLUGIN, CLIPDOWN_TINY_DATA: data };
  Object.assign(process.env, { [PLUGINS_ENV]: PLUGIN, CLIPDOWN_TINY_DATA: data });
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-reproduce-"));

/** Runs `clipdown reproduce <args>` in this process, capturing what it prints and logs. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const write = process.stderr.write;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  process.stderr.write = ((s: string) => err.push(String(s)) > 0) as typeof process.stderr.write;
  try {
    const code = await reproduce(args.slice(1));
    return { code, stdout: out.join("\n"), stderr: err.join("") };
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
}

test("reproduce runs a section, publishes one line per run in sweep order, and merges profiles", async () => {
  const root = tmp();
  const results = tmp();
  const args = ["--section", "fake-mini", "--jobs", "0", "--root", root, "--results", results];
  const r1 = await cli(["reproduce", ...args, "--profile", "quick"]);
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /fake-mini\/quick: published 4 of 4 runs/);
  const file = publishedFile("fake-mini", results);
  const quick = sweepFor("fake-mini", "quick", root);
  const lines = loadPublished("fake-mini", results);
  assert.deepEqual(
    lines.map((l) => [l.hash, l.index, l.profile]),
    quick.runs.map((r) => [r.hash, r.index, "quick"]),
  );
  assert.equal(lines[0]!.metrics.score, 0.5);
  assert.equal(lines[0]!.samples, 50);
  const text1 = fs.readFileSync(file, "utf8");

  // Again: nothing runs (the result files are not rewritten) and the published file is identical.
  const resultMtime = fs.statSync(path.join(quick.runs[0]!.dir, "result.json")).mtimeMs;
  const r2 = await cli(["reproduce", ...args, "--profile", "quick"]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stderr, /4 already finished, 0 to run/);
  assert.equal(fs.statSync(path.join(quick.runs[0]!.dir, "result.json")).mtimeMs, resultMtime);
  assert.equal(fs.readFileSync(file, "utf8"), text1);

  // Another profile is added next to the first; --publish-only runs nothing.
  const r3 = await cli(["reproduce", ...args, "--profile", "smoke", "--publish-only"]);
  assert.equal(r3.code, 1, "nothing finished for smoke yet");
  assert.match(r3.stdout, /published 0 of 4 runs .*4 not finished/);
  const fresh = tmp();
  const r3b = await cli(["reproduce", ...args.slice(0, -1), fresh, "--profile", "smoke", "--publish-only"]);
  assert.equal(r3b.code, 1);
  assert.deepEqual(fs.readdirSync(fresh), [], "no empty file for a section with nothing finished");
  assert.equal(fs.readFileSync(file, "utf8"), text1);
  const r4 = await cli(["reproduce", ...args, "--profile", "smoke"]);
  assert.equal(r4.code, 0, r4.stderr);
  const all = loadPublished("fake-mini", results);
  assert.deepEqual(
    all.map((l) => l.profile),
    ["smoke", "smoke", "smoke", "smoke", "quick", "quick", "quick", "quick"],
  );
  assert.ok(!fs.readdirSync(results).some((f) => f.includes(".tmp")), "no temp file left behind");
});

test("each run is published as it finishes: a kill mid-sweep loses no finished run", async () => {
  const root = tmp();
  const results = tmp();
  const slowEnv = { ...env, CLIPDOWN_FAKE_STEP_MS: "250" };
  const args = [CLI, "reproduce", "--section", "fake-mini", "--profile", "quick", "--jobs", "0"];
  const file = publishedFile("fake-mini", results);
  const child = spawn(process.execPath, [...args, "--root", root, "--results", results], {
    env: slowEnv,
    stdio: "ignore",
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const deadline = Date.now() + 60_000;
  while (!(fs.existsSync(file) && fs.readFileSync(file, "utf8").trim()) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  child.kill("SIGTERM");
  assert.equal(await exited, 143, "the runner exits as interrupted");
  const published = loadPublished("fake-mini", results);
  assert.ok(
    published.length >= 1 && published.length < 4,
    `published ${published.length} of 4 before the kill`,
  );
  const first = published[0]!;
  assert.equal(first.profile, "quick");
  assert.equal(first.metrics.steps, 5);
  // The next invocation finishes the rest and does not redo what was published. (The step time is
  // part of the fake specs: build the sweep here with the children's.)
  process.env.CLIPDOWN_FAKE_STEP_MS = "250";
  const sweep = sweepFor("fake-mini", "quick", root);
  delete process.env.CLIPDOWN_FAKE_STEP_MS;
  const doneDir = sweep.runs.find((r) => r.hash === first.hash)!.dir;
  const mtime = fs.statSync(path.join(doneDir, "result.json")).mtimeMs;
  const again = spawnSync(process.execPath, [...args, "--root", root, "--results", results], {
    env: slowEnv,
    encoding: "utf8",
  });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(fs.statSync(path.join(doneDir, "result.json")).mtimeMs, mtime);
  assert.deepEqual(
    loadPublished("fake-mini", results).map((l) => l.hash),
    sweep.runs.map((r) => r.hash),
  );
});

test("a published training run carries backend, versions, git commit and machine", async () => {
  const root = tmp();
  const results = tmp();
  const r = await cli([
    "reproduce",
    "--section",
    "tiny",
    "--profile",
    "smoke",
    "--jobs",
    "0",
    "--root",
    root,
    "--results",
    results,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = loadPublished("tiny", results);
  assert.equal(lines.length, 2);
  const prov = lines[0]!.provenance;
  assert.equal(typeof prov.backend, "string");
  assert.equal(prov.backend, lines[0]!.info?.backend);
  assert.match(String(prov.tfjs), /^\d+\.\d+\.\d+$/);
  assert.match(String(prov.gitCommit), /^[0-9a-f]{40}$/);
  assert.equal(prov.cores, os.cpus().length);
  assert.equal(lines[0]!.samples, 8 * 24);
  assert.ok(lines[0]!.flops > 0 && lines[0]!.wallSeconds > 0);
  assert.equal(typeof lines[0]!.metrics.loss, "number");
  // No checkpoint or run-directory path is published.
  assert.doesNotMatch(fs.readFileSync(publishedFile("tiny", results), "utf8"), /safetensors|runs\/sweeps/);
});

test("reproduce names the bad section or profile and the valid ones", async () => {
  await assert.rejects(
    cli(["reproduce", "--section", "fake-mini,nope"]),
    /unknown section "nope"; valid sections: .*fake-mini/,
  );
  await assert.rejects(
    cli(["reproduce", "--section", "fake-mini", "--profile", "huge"]),
    /unknown profile "huge"; valid profiles: smoke, quick, full/,
  );
  await assert.rejects(cli(["reproduce", "fake-mini"]), /name sections with --section/);
  // Through the real entry point: the command is registered and a usage error exits 2.
  const r = spawnSync(process.execPath, [CLI, "reproduce", "--section", "nope"], { env, encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /clipdown reproduce: unknown section "nope"/);
});

test("--skip-published continues elsewhere: it runs only the unpublished runs and what they need", async () => {
  const results = tmp();
  const base = ["--section", "fake-mini", "--jobs", "0", "--results", results, "--profile", "quick"];
  assert.equal((await cli(["reproduce", ...base, "--root", tmp()])).code, 0);
  const sweep = sweepFor("fake-mini", "quick", tmp());
  // A fresh root (another machine): everything is published, nothing runs.
  const fresh = tmp();
  const r1 = await cli(["reproduce", ...base, "--root", fresh, "--skip-published"]);
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /4 of 4 runs published already and not needed by the others; 0 to run/);
  assert.match(r1.stdout, /published 4 of 4 runs/);
  assert.deepEqual(fs.readdirSync(fresh), [], "no run directory made");
  // Drop beta's line (beta needs alpha): beta runs, and alpha again because beta needs its directory.
  const beta = sweep.runs.find((r) => r.spec.name === "beta")!;
  const file = publishedFile("fake-mini", results);
  const kept = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l && JSON.parse(l).hash !== beta.hash);
  fs.writeFileSync(file, `${kept.join("\n")}\n`);
  const other = tmp();
  const r2 = await cli(["reproduce", ...base, "--root", other, "--skip-published"]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /2 of 4 runs published already and not needed by the others; 2 to run/);
  const ran = sweepFor("fake-mini", "quick", other).runs.filter((r) =>
    fs.existsSync(path.join(r.dir, "result.json")),
  );
  assert.deepEqual(ran.map((r) => r.spec.name).sort(), ["alpha", "beta"]);
  assert.equal(loadPublished("fake-mini", results).length, 4, "beta is published again, nothing lost");
});
