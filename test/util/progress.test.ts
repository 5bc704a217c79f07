import assert from "node:assert/strict";
import { test } from "node:test";
import { formatEta, Progress, roundNum } from "../../src/util/progress";

function fake(isTTY: boolean) {
  const out: string[] = [];
  let t = 0;
  return {
    out,
    stream: { isTTY, write: (s: string) => out.push(s) },
    now: () => t,
    advance: (ms: number) => (t += ms),
  };
}

test("not a TTY: throttled plain lines with rounded numbers, rate and ETA, and a final line", () => {
  const f = fake(false);
  const p = new Progress({
    label: "train",
    total: 300,
    unit: "steps",
    stream: f.stream,
    now: f.now,
    everyMs: 10_000,
  });
  for (let s = 0; s <= 29; s++) {
    p.update(10 * s, { loss: 4.918257236 - s / 1000, lr: 3.2e-5 });
    f.advance(1000);
  }
  p.finish({ loss: 4.5 });
  assert.equal(f.out.length, 4, f.out.join(""));
  assert.ok(f.out.every((l) => l.endsWith("\n") && !l.includes("\r") && !l.includes("\x1b")));
  assert.equal(f.out[0], "train 0% 0/300 steps · ETA ? · loss 4.92 · lr 3.20e-5\n");
  assert.equal(f.out[1], "train 33% 100/300 steps · 10 steps/s · ETA 20s · loss 4.91 · lr 3.20e-5\n");
  assert.match(f.out[3]!, /^train 96% 290\/300 steps · 9\.67 steps\/s · ETA 1s · loss 4\.5 · lr 3\.20e-5\n$/);
});

test("not a TTY: the final state is not printed twice when the last update already showed it", () => {
  const f = fake(false);
  const p = new Progress({ label: "train", total: 2, stream: f.stream, now: f.now, everyMs: 0 });
  p.update(1);
  f.advance(1000);
  p.update(2, { loss: 1 });
  p.finish();
  assert.equal(f.out.length, 2, f.out.join(""));
});

test("a TTY: one bar redrawn in place (throttled), completed with a newline", () => {
  const f = fake(true);
  const p = new Progress({ label: "cache", total: 100, unit: "images", stream: f.stream, now: f.now });
  for (let i = 1; i <= 100; i++) {
    p.update(i);
    f.advance(20);
  }
  p.finish();
  assert.ok(f.out.length >= 15 && f.out.length <= 30, `${f.out.length} redraws`);
  assert.ok(f.out.every((s) => s.startsWith("\r")));
  const last = f.out.at(-1)!;
  assert.ok(
    last.startsWith(`\r${"█".repeat(24)} cache 100% 100/100 images · `) && last.endsWith(" in 2s\x1b[K\n"),
    last,
  );
  const n = f.out.length;
  p.update(50);
  assert.equal(f.out.length, n, "a finished bar is not drawn again");
});

test("quiet prints nothing; a log function gets plain lines even on a TTY; notes do not garble the bar", () => {
  const f = fake(true);
  const q = new Progress({ label: "x", total: 2, stream: f.stream, quiet: true, now: f.now });
  q.update(1);
  q.note("hello");
  q.finish();
  assert.deepEqual(f.out, []);
  const lines: string[] = [];
  const l = new Progress({
    label: "eval",
    total: 3,
    unit: "tasks",
    stream: f.stream,
    log: (s) => lines.push(s),
    now: f.now,
  });
  l.tick(1, { acc1: 0.123456 });
  l.finish();
  assert.deepEqual(f.out, []);
  assert.equal(lines[0], "eval 33% 1/3 tasks · ETA ? · acc1 0.123");
  const b = new Progress({ label: "b", total: 10, stream: f.stream, now: f.now });
  b.update(1);
  b.note("a note");
  assert.equal(f.out[1], "\r\x1b[Ka note\n");
  assert.match(f.out[2]!, /^\r.*b 10% 1\/10/);
});

test("number and duration formats", () => {
  assert.equal(roundNum(4.918257), "4.92");
  assert.equal(roundNum(2905.3), "2910");
  assert.equal(roundNum(32), "32");
  assert.equal(roundNum(3.2e-5), "3.20e-5");
  assert.equal(roundNum(12345678.5), "1.23e+7");
  assert.equal(formatEta(5), "5s");
  assert.equal(formatEta(185), "3m05s");
  assert.equal(formatEta(7620), "2h07m");
  assert.equal(formatEta(Number.NaN), "?");
});
