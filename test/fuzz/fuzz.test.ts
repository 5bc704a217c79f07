/**
 * The fast subset of the fuzz suite (issue 19): 150 seeded cases of mutated shards, manifests,
 * image folders and checkpoints, each of which must end in success with every item accounted for
 * or in a clear one-line error, within 30 s and 1 GB. `npm run fuzz -- --cases 1000` runs more.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runFuzz } from "./run";

test("fuzz (fast subset): 150 cases, no crash, hang, memory blow-up, silent loss or write outside --out", async () => {
  const s = await runFuzz({ seed: 7, cases: 150, jobs: 1, timeoutS: 30, maxRssMb: 1024, log: () => {} });
  assert.equal(s.cases, 150);
  assert.deepEqual(
    s.failures.map((f) => `${f.index} ${f.outcome}: ${f.what}: ${f.detail?.split("\n")[0]}`),
    [],
  );
  // Both ends are exercised: inputs that convert and inputs refused with a message.
  assert.ok(s.outcomes.ok > 30 && s.outcomes.error > 10, JSON.stringify(s.outcomes));
  for (const target of ["shards", "inspect", "cache", "verify"])
    assert.ok(s.byTarget[target], `no ${target} cases`);
});
