/** Run-directory locks: exclusivity (also across processes), stale detection and safe breaking. */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { FOREIGN_STALE_MS, processStartTime, readLock, staleReason, tryLock } from "../../src/sweep/lock";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-lock-"));

/** A pid that certainly belongs to no running process: a child that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(r.stdout.toString());
}

test("a held lock excludes a second taker until released; release removes only our own lock", () => {
  const dir = tmp();
  const a = tryLock(dir);
  assert.ok(a);
  const info = readLock(dir)!;
  assert.equal(info.pid, process.pid);
  assert.equal(info.host, os.hostname());
  assert.ok(Date.parse(info.startedAt) > 0);
  assert.equal(tryLock(dir), undefined);
  a.release();
  assert.equal(readLock(dir), undefined);
  const b = tryLock(dir)!;
  a.release(); // a second release of an old lock must not remove b's
  assert.equal(readLock(dir)?.startedAt, b.info.startedAt);
  b.release();
});

test("a lock whose holder pid is dead on this host is stale, broken once, and reported", () => {
  const dir = tmp();
  const pid = deadPid();
  fs.writeFileSync(
    path.join(dir, "lock"),
    JSON.stringify({ pid, host: os.hostname(), startedAt: "2020-01-01T00:00:00.000Z" }),
  );
  const reasons: string[] = [];
  const l = tryLock(dir, { onStale: (r) => reasons.push(r) });
  assert.ok(l, "stale lock should be taken over");
  assert.deepEqual(reasons, [`holder pid ${pid} on ${os.hostname()} is not running`]);
  assert.equal(readLock(dir)!.pid, process.pid);
  l.release();
});

test("a recycled pid (same pid, different process start time) does not keep a lock alive", () => {
  const info = {
    pid: process.ppid,
    host: os.hostname(),
    startedAt: "x",
    pidStart: "1",
    mtimeMs: Date.now(),
  };
  const real = processStartTime(process.ppid);
  if (!real) return; // no /proc: the pid check alone applies
  assert.match(staleReason(info)!, /exited \(the pid now belongs to another process\)/);
  assert.equal(staleReason({ ...info, pidStart: real }), undefined);
});

test("a lock from another host is live while its heartbeat is fresh and stale after FOREIGN_STALE_MS", () => {
  const now = Date.now();
  const info = { pid: 1, host: "some-other-node", startedAt: "x" };
  assert.equal(staleReason({ ...info, mtimeMs: now - 1000 }, FOREIGN_STALE_MS, now), undefined);
  assert.match(
    staleReason({ ...info, mtimeMs: now - FOREIGN_STALE_MS - 5000 }, FOREIGN_STALE_MS, now)!,
    /has not refreshed the lock for \d+ s/,
  );
});

test("of several processes racing for the same lock, exactly one wins", async () => {
  const dir = tmp();
  const script = `
    const { tryLock } = require(${JSON.stringify(path.resolve(__dirname, "../../src/sweep/lock.ts"))});
    const go = Number(process.argv[1]);
    while (Date.now() < go) {}
    const l = tryLock(${JSON.stringify(dir)});
    process.stdout.write(l ? "won" : "lost");
    setTimeout(() => {}, 4000);
  `;
  const go = Date.now() + 2500;
  const outs = await Promise.all(
    Array.from(
      { length: 4 },
      () =>
        new Promise<string>((resolve) => {
          const c = spawn(process.execPath, ["--import", "tsx", "-e", script, String(go)]);
          let out = "";
          c.stdout.on("data", (d) => {
            out += d;
          });
          c.on("exit", () => resolve(out));
        }),
    ),
  );
  assert.equal(outs.filter((o) => o === "won").length, 1, `outcomes: ${outs.join(",")}`);
  assert.equal(outs.filter((o) => o === "lost").length, 3);
});
