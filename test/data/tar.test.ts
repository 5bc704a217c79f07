import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { BadSamples } from "../../src/data/bad-samples";
import {
  readTarBuffer,
  readTarFile,
  readTarStream,
  safeMemberName,
  TarParser,
  writeTar,
  writeTarFile,
} from "../../src/data/tar";
import { paxPath, rawTar, tmpDir } from "./fixtures";

const hasTar = (() => {
  try {
    execFileSync("tar", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const members = [
  { name: "000001.png", data: Buffer.from([1, 2, 3]) },
  { name: "000001.txt", data: Buffer.from("a dog") },
  { name: "sub/000002.txt", data: Buffer.alloc(513, 7) }, // spans two blocks
  { name: "empty.txt", data: Buffer.alloc(0) },
];

test("writeTar: deterministic ustar bytes; reads back exactly", () => {
  const a = writeTar(members);
  const b = writeTar(members.map((m) => ({ name: m.name, data: Buffer.from(m.data) })));
  assert.ok(a.equals(b));
  // 4 headers + data blocks (1 + 1 + 2 + 0) + 2 end blocks.
  assert.equal(a.length, 512 * (4 + 4 + 2));
  assert.equal(a.toString("latin1", 257, 262), "ustar");
  assert.equal(a.toString("latin1", 136, 147), "00000000000"); // mtime 0
  const back = readTarBuffer(a);
  assert.deepEqual(
    back.map((m) => [m.name, m.data.toString("hex")]),
    members.map((m) => [m.name, m.data.toString("hex")]),
  );
});

test("writeTar: long names use the ustar prefix; unsafe names are refused", () => {
  const long = `${"d".repeat(120)}/${"f".repeat(90)}.txt`;
  const back = readTarBuffer(writeTar([{ name: long, data: Buffer.from("x") }]));
  assert.equal(back[0]!.name, long);
  for (const bad of ["../x.txt", "/abs.txt", "a/../../b.txt", "./a.txt", ""]) {
    assert.throws(() => writeTar([{ name: bad, data: Buffer.from("x") }]), /refusing to write member/);
  }
});

// Names ustar's fields cannot hold: one segment over 100 bytes, a 96-character sample key whose
// `.json` member is 101 bytes (this crashed `clipdown shards`), a multi-byte character across the
// 100-byte cut, and a 9,999-byte path (pax record lengths gain a digit there).
const longNames = [
  "x".repeat(101),
  `${"k".repeat(96)}.json`,
  `dir/${"é".repeat(60)}.txt`,
  `${"a/".repeat(40)}${"b".repeat(150)}.png`,
  "p".repeat(9_990).concat(".txt"),
];

test("writeTar: names too long for ustar go in a pax path record and read back whole", () => {
  const ms = longNames.map((name, i) => ({ name, data: Buffer.from(`member ${i}`) }));
  const back = readTarBuffer(writeTar(ms));
  assert.deepEqual(
    back.map((m) => [m.name, m.data.toString()]),
    ms.map((m) => [m.name, m.data.toString()]),
  );
});

test("GNU tar reads writeTar's pax long names", { skip: !hasTar && "no tar binary" }, () => {
  const dir = tmpDir("tar-gnu-pax");
  const file = path.join(dir, "long.tar");
  writeTarFile(
    file,
    longNames.slice(0, 4).map((name) => ({ name, data: Buffer.from(name.length.toString()) })),
  );
  const listing = execFileSync("tar", ["-tf", file], { encoding: "utf8" }).trimEnd().split("\n");
  assert.deepEqual(listing, longNames.slice(0, 4));
  assert.equal(execFileSync("tar", ["-xOf", file, longNames[1]!]).toString(), "101");
});

test("GNU tar lists and extracts what writeTar wrote", { skip: !hasTar && "no tar binary" }, () => {
  const dir = tmpDir("tar-gnu");
  const file = path.join(dir, "a.tar");
  writeTarFile(file, members);
  const listing = execFileSync("tar", ["-tvf", file], { encoding: "utf8" }).trim().split("\n");
  assert.equal(listing.length, 4);
  assert.match(listing[2]!, /^-rw-r--r-- 0\/0\s+513 1970-01-01 00:00 sub\/000002\.txt$/);
  const out = execFileSync("tar", ["-xOf", file, "000001.txt"]);
  assert.equal(out.toString(), "a dog");
});

test("reads GNU tar's own archives: pax/GNU long names, symlink skipped, directory ignored", {
  skip: !hasTar && "no tar binary",
}, () => {
  const dir = tmpDir("tar-read-gnu");
  const src = path.join(dir, "src");
  const longDir = "l".repeat(110);
  fs.mkdirSync(path.join(src, longDir), { recursive: true });
  fs.writeFileSync(path.join(src, longDir, "k.txt"), "long name");
  fs.writeFileSync(path.join(src, "a.txt"), "plain");
  fs.symlinkSync("/etc/passwd", path.join(src, "link.txt"));
  for (const format of ["gnu", "pax"]) {
    const file = path.join(dir, `${format}.tar`);
    execFileSync("tar", [`--format=${format}`, "-cf", file, "-C", src, "a.txt", "link.txt", longDir]);
    const bad = new BadSamples();
    const got = readTarFile(file, { bad });
    assert.deepEqual(
      got.map((m) => [m.name, m.data.toString()]),
      [
        ["a.txt", "plain"],
        [`${longDir}/k.txt`, "long name"],
      ],
      format,
    );
    assert.deepEqual(bad.counts(), { "non-regular-member": 1 }, format);
    assert.match(bad.examples("non-regular-member")[0]!, /symlink → \/etc\/passwd/);
  }
});

test("hostile members are skipped and counted, never yielded", () => {
  const bad = new BadSamples(10);
  const tar = rawTar([
    { name: "ok.txt", data: Buffer.from("fine") },
    { name: "../evil.txt", data: Buffer.from("x") },
    { name: "/tmp/abs.txt", data: Buffer.from("x") },
    { name: "a/../../up.txt", data: Buffer.from("x") },
    { name: "..\\win.txt", data: Buffer.from("x") },
    { name: "C:/drive.txt", data: Buffer.from("x") },
    { name: "link.txt", type: "2", linkname: "/etc/shadow" },
    { name: "hard.txt", type: "1", linkname: "ok.txt" },
    { name: "fifo", type: "6" },
    { name: "dir/", type: "5" },
    paxPath("../pax-evil.txt"),
    { name: "innocent.txt", data: Buffer.from("x") }, // renamed to ../pax-evil.txt by the pax header
    { name: "./dot/ok2.txt", data: Buffer.from("also fine") },
  ]);
  const got = readTarBuffer(tar, { bad, source: "evil.tar" });
  assert.deepEqual(
    got.map((m) => m.name),
    ["ok.txt", "dot/ok2.txt"],
  );
  assert.deepEqual(bad.counts(), { "unsafe-path": 6, "non-regular-member": 3 });
  assert.ok(bad.examples("unsafe-path").includes('evil.tar: "../pax-evil.txt"'));
});

test("safeMemberName", () => {
  assert.equal(safeMemberName("./a//b.txt"), "a/b.txt");
  assert.equal(safeMemberName("a..b/c.txt"), "a..b/c.txt"); // ".." inside a name is fine
  for (const n of ["..", "../a", "a/..", "/a", "\\a", "a\\..\\b", "c:x", "a\0b", "", "./"]) {
    assert.equal(safeMemberName(n), undefined, n);
  }
});

/** Sets a header's size field and recomputes its checksum (a corrupt size a checksum cannot catch). */
function withSize(tar: Buffer, headerAt: number, size: number): Buffer {
  const out = Buffer.from(tar);
  out.write(`${size.toString(8).padStart(11, "0")}\0`, headerAt + 124, "latin1");
  out.fill(0x20, headerAt + 148, headerAt + 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += out[headerAt + i]!;
  out.write(`${sum.toString(8).padStart(6, "0")}\0 `, headerAt + 148, "latin1");
  return out;
}

test("a bad checksum or truncation is corrupt-tar; the reader skips to the next valid header and keeps the rest", () => {
  const good = writeTar(members);
  const flipped = Buffer.from(good);
  flipped[512 * 2 + 10] ^= 0xff; // inside the 2nd header's name
  const bad1 = new BadSamples();
  assert.deepEqual(
    readTarBuffer(flipped, { bad: bad1 }).map((m) => m.name),
    ["000001.png", "sub/000002.txt", "empty.txt"],
  );
  assert.deepEqual(bad1.counts(), { "corrupt-tar": 1 });

  const bad2 = new BadSamples();
  const cut = good.subarray(0, 512 * 5 + 100); // in the middle of sub/000002.txt's data
  assert.deepEqual(
    readTarBuffer(cut, { bad: bad2 }).map((m) => m.name),
    ["000001.png", "000001.txt"],
  );
  assert.deepEqual(bad2.counts(), { "corrupt-tar": 1 });

  // No end-of-archive marker at all is fine (streamed writers).
  const bad3 = new BadSamples();
  assert.equal(readTarBuffer(good.subarray(0, good.length - 1024), { bad: bad3 }).length, 4);
  assert.equal(bad3.total, 0);

  // A corrupt size in the first header (checksum valid) must not swallow the archive as one member:
  // larger than the archive, or over the member limit, the later members are still read, by any chunking.
  for (const [size, limit] of [
    [1_000_000, undefined],
    [5_000_000, 4096],
  ] as const) {
    const bigSize = withSize(good, 0, size);
    for (const chunk of [bigSize.length, 512, 7]) {
      const bad = new BadSamples();
      const p = new TarParser({ bad, ...(limit ? { maxMemberBytes: limit } : {}) });
      const got = [];
      for (let at = 0; at < bigSize.length; at += chunk)
        got.push(...p.push(bigSize.subarray(at, at + chunk)));
      got.push(...p.end());
      assert.deepEqual(
        got.map((m) => m.name),
        ["000001.txt", "sub/000002.txt", "empty.txt"],
        `size ${size}, chunk ${chunk}`,
      );
      assert.deepEqual(bad.counts(), { "corrupt-tar": 1 });
      assert.match(
        String(bad.toJSON().examples["corrupt-tar"]),
        limit ? /claims 5000000 bytes/ : /truncated in member "000001.png" \(it claims 1000000 bytes/,
      );
    }
  }
});

test("TarParser: any chunking gives the same members; readTarStream handles multi-MB members", async () => {
  const big = createHash("sha256").update("seed").digest();
  const data = Buffer.alloc(2_500_000);
  for (let i = 0; i < data.length; i++) data[i] = big[i % 32]! ^ (i & 0xff);
  const all = [...members, { name: "big.bin", data }, { name: "after.txt", data: Buffer.from("after") }];
  const tar = writeTar(all);
  const small = writeTar(members);
  const p1 = new TarParser();
  const one = [];
  for (let at = 0; at < small.length; at++) one.push(...p1.push(small.subarray(at, at + 1)));
  assert.deepEqual(
    one.map((m) => m.data.toString("hex")),
    members.map((m) => m.data.toString("hex")),
  );
  for (const chunk of [511, 513, 100_000]) {
    const p = new TarParser();
    const got = [];
    for (let at = 0; at < tar.length; at += chunk) got.push(...p.push(tar.subarray(at, at + chunk)));
    got.push(...p.end());
    assert.deepEqual(
      got.map((m) => m.name),
      all.map((m) => m.name),
      `chunk ${chunk}`,
    );
    assert.ok(got[4]!.data.equals(data));
  }
  const dir = tmpDir("tar-stream");
  const file = path.join(dir, "big.tar");
  writeTarFile(file, all);
  const streamed = [];
  for await (const m of readTarStream(file)) streamed.push(m);
  assert.deepEqual(
    streamed.map((m) => m.data.length),
    all.map((m) => m.data.length),
  );
  assert.ok(streamed[4]!.data.equals(data));
  assert.deepEqual(fs.readdirSync(dir), ["big.tar"]); // temp file renamed away
});
