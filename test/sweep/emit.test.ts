/** The emitted Slurm sbatch script and Kubernetes Indexed Job manifest (text and structure). */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { sweepFor } from "../../src/papers/catalog";
import { k8sManifest, slurmScript } from "../../src/sweep/emit";
import { PLUGINS_ENV } from "../../src/sweep/plugins";

process.env[PLUGINS_ENV] = path.join(__dirname, "plugin.ts");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-emit-"));
const sweep = sweepFor("fake-mini", "quick", root);

test("sbatch script: one array task per run, task id → run index, per-task logs, plugins exported", () => {
  const s = slurmScript(sweep, {
    cpusPerTask: 2,
    mem: "6G",
    time: "02:00:00",
    partition: "cpu",
    maxParallel: 3,
  });
  const lines = s.split("\n");
  assert.equal(lines[0], "#!/bin/bash");
  const directives = lines.filter((l) => l.startsWith("#SBATCH "));
  assert.deepEqual(directives, [
    "#SBATCH --job-name=clipdown-fake-mini-quick",
    "#SBATCH --array=0-3%3",
    `#SBATCH --output=${path.join(root, "fake-mini-quick-slurm")}/%a.log`,
    "#SBATCH --open-mode=append",
    "#SBATCH --cpus-per-task=2",
    "#SBATCH --mem=6G",
    "#SBATCH --time=02:00:00",
    "#SBATCH --partition=cpu",
  ]);
  // Directives must come before the first command, or sbatch ignores them.
  const firstCommand = lines.findIndex((l) => l && !l.startsWith("#"));
  assert.ok(lines.findIndex((l) => l.startsWith("#SBATCH")) < firstCommand);
  assert.ok(lines.map((l) => l.startsWith("#SBATCH")).lastIndexOf(true) < firstCommand);
  assert.ok(lines.includes(`export ${PLUGINS_ENV}=${path.join(__dirname, "plugin.ts")}`));
  const exec = lines.find((l) => l.startsWith("exec "))!;
  assert.equal(
    exec,
    `exec ${process.execPath} ${path.resolve(__dirname, "../../bin/clipdown.js")} sweep run-index fake-mini "$SLURM_ARRAY_TASK_ID" --profile quick --root ${root}`,
  );
  // Valid bash.
  const f = path.join(root, "s.sbatch");
  fs.writeFileSync(f, s);
  assert.equal(spawnSync("bash", ["-n", f]).status, 0);
});

test("sbatch script: a path with spaces is quoted; a newline or a double quote in a path is refused, not written as a shell line (F9)", () => {
  const spaced = path.join(root, "runs with space");
  const s = slurmScript(sweepFor("fake-mini", "quick", spaced), { partition: "cpu long" });
  const lines = s.split("\n");
  assert.ok(lines.includes(`#SBATCH --output="${path.join(spaced, "fake-mini-quick-slurm")}/%a.log"`));
  assert.ok(lines.includes(`#SBATCH --partition="cpu long"`));
  assert.ok(lines.includes(`mkdir -p '${path.join(spaced, "fake-mini-quick-slurm")}'`));
  for (const bad of [`${root}/x\ntouch /tmp/pwned`, `${root}/x\rb`, `${root}/a"b`]) {
    assert.throws(
      () => slurmScript(sweepFor("fake-mini", "quick", bad)),
      /contains a control character or a double quote, which a Slurm script cannot carry; choose one without them/,
    );
  }
  assert.throws(
    () => slurmScript(sweep, { time: "1:00\nrm -rf ~" }),
    /--time "1:00\\nrm -rf ~" contains a control character/,
  );
});

test("k8s manifest: an Indexed Job with one completion per run and JOB_COMPLETION_INDEX as the index", () => {
  const m = k8sManifest(sweep, { image: "reg/clipdown:1", parallelism: 2, memory: "6Gi" });
  for (const line of [
    "apiVersion: batch/v1",
    "kind: Job",
    '  name: "clipdown-fake-mini-quick"',
    "  completionMode: Indexed",
    "  completions: 4",
    "  parallelism: 2",
    "      restartPolicy: Never",
    '          image: "reg/clipdown:1"',
    '              memory: "6Gi"',
  ])
    assert.ok(m.split("\n").includes(line), `missing line: ${line}`);
  assert.match(
    m,
    /command: \["\/bin\/sh", "-c", "exec node bin\/clipdown\.js sweep run-index fake-mini \\"\$JOB_COMPLETION_INDEX\\" --profile quick --root \/clipdown\/runs\/sweeps"\]/,
  );
  // When PyYAML is around, check the whole document parses to the intended structure.
  const py = spawnSync(
    "python3",
    ["-c", "import sys,yaml,json; d=yaml.safe_load(sys.stdin); print(json.dumps(d))"],
    { input: m, encoding: "utf8" },
  );
  if (py.status !== 0) return;
  const doc = JSON.parse(py.stdout);
  assert.equal(doc.spec.completionMode, "Indexed");
  assert.equal(doc.spec.completions, 4);
  const c = doc.spec.template.spec.containers[0];
  assert.deepEqual(c.command.slice(0, 2), ["/bin/sh", "-c"]);
  assert.deepEqual(
    doc.spec.template.spec.volumes.map((v: { name: string }) => v.name),
    ["runs", "data"],
  );
});

test("an empty sweep cannot be emitted", () => {
  const empty = { ...sweep, runs: [] };
  assert.throws(() => slurmScript(empty), /has no runs to submit/);
  assert.throws(() => k8sManifest(empty), /has no runs to submit/);
});
