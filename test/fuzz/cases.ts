/**
 * The fuzz suite's inputs: seeded mutations of valid shards, CSV/TSV manifests, image folders and
 * checkpoints. Case `i` of seed `s` is a pure function of (s, i), so any failure is replayed with
 * `npm run fuzz -- --seed s --only i`.
 *
 * Each case writes its input under a fresh folder and names the command that must cope with it:
 * `shards` (clipdown shards: convert to WebDataset), `inspect` (clipdown data inspect), `cache`
 * (the decoded cache `clipdown train` builds from shards) or `verify` (clipdown checkpoint verify,
 * what a resume reads). `rows` is the number of items the input
 * holds when the generator knows it (a CSV whose row structure the mutation kept), for the
 * "neither converted nor counted" check.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import { writeTar } from "../../src/data/tar";
import { saveCheckpoint } from "../../src/train/checkpoint";
import { mixSeed, mulberry32 } from "../../src/util/rng";
import { type RawMember, rawMember, rawTar } from "../data/fixtures";

export type Target = "shards" | "inspect" | "cache" | "verify";

export interface FuzzCase {
  index: number;
  /** What was done to the input, e.g. "tar: huge size in header 3". */
  what: string;
  target: Target;
  /** The input: a shard folder, a manifest, an image folder or a checkpoint file. */
  input: string;
  /** Items the input holds, when known (every one must be converted or counted as bad). */
  rows?: number;
  /** A checkpoint case whose bytes were not changed (must verify), or that must be refused. */
  untouched?: boolean;
}

type Rng = () => number;
const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)]!;

/** Valid images, made once per process. */
interface Images {
  png: Buffer;
  jpg: Buffer;
  webp: Buffer;
  svg: Buffer;
}
let images: Promise<Images> | undefined;
function baseImages(): Promise<Images> {
  images ??= (async () => {
    const raw = Buffer.alloc(12 * 12 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 37) & 0xff;
    const img = () => sharp(raw, { raw: { width: 12, height: 12, channels: 3 } });
    return {
      png: await img().png().toBuffer(),
      jpg: await img().jpeg().toBuffer(),
      webp: await img().webp().toBuffer(),
      svg: Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><circle cx="8" cy="8" r="6" fill="red"/></svg>',
      ),
    };
  })();
  return images;
}

const HOSTILE_SVGS = [
  // Billion laughs: entity expansion.
  '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]><svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><text>&f;</text></svg>',
  // External entity and an external image.
  '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="8" height="8"><text>&x;</text><image xlink:href="file:///etc/shadow" width="8" height="8"/></svg>',
  '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><script>while(true){}</script><rect width="8" height="8"/></svg>',
  '<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="8" height="8"/></svg>',
  "<svg",
  '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><use href="#a" id="a"/></svg>',
];

const CAPTIONS = [
  "a red apple",
  "grinning face, smile, happy",
  "café ☕ in Zürich",
  "日本の旗",
  'a "quoted", comma, caption',
  "tabs\tand\nnewlines",
];

/** Caption bytes, sometimes hostile. */
function captionBytes(r: Rng): Buffer {
  switch (int(r, 10)) {
    case 0:
      return Buffer.from([0]);
    case 1:
      return Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from("bom caption\r\n")]);
    case 2:
      return Buffer.from([0x61, 0xff, 0xfe, 0x62]); // not UTF-8
    case 3:
      return Buffer.alloc(0);
    case 4:
      return Buffer.from("x".repeat(100_000));
    case 5:
      return Buffer.from("  \r\n\t ");
    default:
      return Buffer.from(pick(r, CAPTIONS));
  }
}

function randomBytes(r: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b;
}

/** Image bytes, sometimes bad: random, truncated, empty, a hostile SVG, a format that lies. */
function imageMember(r: Rng, im: Images, key: string): { name: string; data: Buffer } {
  const roll = int(r, 12);
  if (roll === 0) return { name: `${key}.png`, data: randomBytes(r, 1 + int(r, 2000)) };
  if (roll === 1) return { name: `${key}.png`, data: im.png.subarray(0, int(r, im.png.length)) };
  if (roll === 2) return { name: `${key}.jpg`, data: Buffer.alloc(0) };
  if (roll === 3) return { name: `${key}.svg`, data: Buffer.from(pick(r, HOSTILE_SVGS)) };
  if (roll === 4) return { name: `${key}.jpg`, data: im.png }; // a PNG named .jpg
  if (roll === 5) return { name: `${key}.webp`, data: im.webp };
  if (roll === 6) return { name: `${key}.svg`, data: im.svg };
  return { name: `${key}.${pick(r, ["png", "jpg"])}`, data: roll % 2 ? im.png : im.jpg };
}

function jsonMember(r: Rng, key: string): Buffer {
  return Buffer.from(
    pick(r, [
      JSON.stringify({ label: int(r, 5), source: "fuzz" }),
      "null",
      "[1,2,3]",
      "{not json",
      JSON.stringify({ key: "../../escape", label: 1 }),
      '"a string"',
      JSON.stringify({ key }),
    ]),
  );
}

const HOSTILE_NAMES = [
  "/abs/000009.png",
  "../000009.png",
  "a/../../000009.png",
  "a\\..\\..\\000009.png",
  "C:\\000009.png",
  "nul\u0000byte.png",
  `${"long".repeat(40)}.png`,
  "./././000009.png",
  "",
];

/** A tar shard of k samples with one or more mutations; returns the bytes and a description. */
async function tarCase(r: Rng): Promise<{ bytes: Buffer; what: string }> {
  const im = await baseImages();
  const k = 1 + int(r, 6);
  const members: { name: string; data: Buffer }[] = [];
  for (let i = 0; i < k; i++) {
    const key = String(i).padStart(6, "0");
    members.push(imageMember(r, im, key));
    if (r() < 0.9) members.push({ name: `${key}.txt`, data: captionBytes(r) });
    if (r() < 0.6) members.push({ name: `${key}.json`, data: jsonMember(r, key) });
  }
  const kind = int(r, 9);
  if (kind === 0) {
    // Forged members: links, devices, FIFOs, hostile and long names, non-UTF-8 names.
    const raw: RawMember[] = members.map((m) => ({ name: m.name, data: m.data }));
    const n = 1 + int(r, 3);
    const what: string[] = [];
    for (let j = 0; j < n; j++) {
      const at = int(r, raw.length + 1);
      const t = pick(r, ["2", "1", "3", "4", "6", "5", "0", "x", "L", "g"]);
      const name = t === "0" ? pick(r, HOSTILE_NAMES) : `00000${int(r, 9)}.png`;
      const data = t === "x" || t === "L" ? randomBytes(r, int(r, 300)) : t === "0" ? im.png : undefined;
      raw.splice(at, 0, {
        name,
        type: t,
        linkname: pick(r, ["/etc/passwd", "../../x", "000000.png"]),
        ...(data ? { data } : {}),
      });
      what.push(`type ${t} ${JSON.stringify(name).slice(0, 30)}`);
    }
    let bytes = rawTar(raw);
    if (r() < 0.3) {
      // A name that is not UTF-8 (Latin-1 bytes written into the header).
      const h = Buffer.from(bytes.subarray(0, 512));
      h.write("\u00ff\u00fe000000.png\u0000", 0, "latin1");
      bytes = Buffer.concat([h, bytes.subarray(512)]);
      what.push("non-UTF-8 first name (checksum now wrong)");
    }
    return { bytes, what: `tar forged: ${what.join(", ")}` };
  }
  const good = writeTar(members);
  const headers: number[] = [];
  for (let at = 0; at + 512 <= good.length; ) {
    const h = good.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    headers.push(at);
    const size = Number.parseInt(h.toString("latin1", 124, 136).replace(/\0.*$/s, "").trim() || "0", 8);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  const bytes = Buffer.from(good);
  switch (kind) {
    case 1: {
      const at = int(r, bytes.length);
      return { bytes: bytes.subarray(0, at), what: `tar truncated at ${at} of ${bytes.length}` };
    }
    case 2: {
      const n = 1 + int(r, 16);
      for (let j = 0; j < n; j++) bytes[int(r, bytes.length)] ^= 1 + int(r, 255);
      return { bytes, what: `tar ${n} random byte flips` };
    }
    case 3: {
      const h = pick(r, headers);
      const n = 1 + int(r, 8);
      for (let j = 0; j < n; j++) bytes[h + int(r, 512)] ^= 1 + int(r, 255);
      return { bytes, what: `tar ${n} flips in the header at ${h}` };
    }
    case 4: {
      // A huge or impossible size with a valid checksum (what a checksum cannot catch).
      const h = pick(r, headers);
      const size = pick(r, [bytes.length * 4, 2 ** 33 - 1, 0o77777777777, 1e9, 0]);
      const field = `${size.toString(8).padStart(11, "0").slice(-11)}\u0000`;
      bytes.write(field, h + 124, "latin1");
      bytes.fill(0x20, h + 148, h + 156);
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += bytes[h + i]!;
      bytes.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, h + 148, "latin1");
      return { bytes, what: `tar size ${size} in the header at ${h} (checksum fixed)` };
    }
    case 5: {
      // Base-256 size field with the high bit set (GNU), possibly enormous.
      const h = pick(r, headers);
      bytes[h + 124] = 0x80;
      for (let i = 1; i < 12; i++) bytes[h + 124 + i] = int(r, 256);
      return { bytes, what: `tar base-256 size in the header at ${h}` };
    }
    case 6: {
      const junk = randomBytes(r, int(r, 3000));
      return {
        bytes: Buffer.concat([bytes, junk, good]),
        what: `tar + ${junk.length} junk bytes + the archive again`,
      };
    }
    case 7: {
      const dup = members[int(r, members.length)]!;
      return { bytes: writeTar([...members, dup]), what: `tar duplicate member ${dup.name}` };
    }
    default:
      return { bytes, what: "tar valid (mutations in its members only)" };
  }
}

/** A CSV or TSV manifest over an img/ folder, with hostile rows and files. */
async function csvCase(r: Rng, dir: string): Promise<{ file: string; what: string; rows?: number }> {
  const im = await baseImages();
  const tsv = r() < 0.3;
  const sep = tsv ? "\t" : ",";
  const img = path.join(dir, "img");
  fs.mkdirSync(img, { recursive: true });
  const n = 1 + int(r, 8);
  const rows: string[][] = [];
  const what: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = imageMember(r, im, `i${i}`);
    fs.writeFileSync(path.join(img, m.name), m.data);
    let p = `img/${m.name}`;
    const special = int(r, 14);
    if (special === 0) {
      fs.symlinkSync("/dev/zero", path.join(img, `z${i}.png`));
      p = `img/z${i}.png`;
      what.push("→ /dev/zero");
    } else if (special === 1) {
      fs.mkdirSync(path.join(img, `d${i}.png`));
      p = `img/d${i}.png`;
      what.push("a directory");
    } else if (special === 2) {
      p = pick(r, ["/etc/passwd", "../../../etc/hostname", "img/missing.png", "", "img/../img/../../x.png"]);
      what.push(`path ${p}`);
    } else if (special === 3) {
      try {
        require("node:child_process").execFileSync("mkfifo", [path.join(img, `f${i}.png`)]);
        p = `img/f${i}.png`;
        what.push("a FIFO");
      } catch {}
    }
    const cap = captionBytes(r).toString("latin1");
    rows.push([p, cap]);
  }
  const quote = (s: string) => (/["\r\n,\t]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  let text = [["filepath", "caption"], ...rows].map((row) => row.map(quote).join(sep)).join("\n");
  let known: number | undefined = n;
  const mut = int(r, 9);
  let bom = Buffer.alloc(0);
  if (mut === 0) {
    bom = Buffer.from([0xef, 0xbb, 0xbf]); // UTF-8 BOM, as Excel writes
    what.push("BOM");
  } else if (mut === 1) {
    text = text.replace(/\n/g, "\r\n");
    what.push("CRLF");
  } else if (mut === 2) {
    text = `${text}\n"unclosed${sep}quote\nmore`;
    known = undefined;
    what.push("unclosed quote");
  } else if (mut === 3) {
    text = text.replace(/^filepath/, "path");
    known = undefined;
    what.push("no filepath column");
  } else if (mut === 4) {
    text = `${text}\n\n\n${sep}${sep}${sep}\n`;
    known = undefined;
    what.push("blank and empty rows");
  } else if (mut === 5) {
    text = text.replace(/a/g, "a\u0000");
    what.push("NUL bytes");
  } else if (mut === 6) {
    const b = Buffer.from(text, "latin1");
    for (let j = 0; j < 4; j++) b[int(r, b.length)] = int(r, 256);
    const file = path.join(dir, tsv ? "m.tsv" : "m.csv");
    fs.writeFileSync(file, b);
    return { file, what: `${tsv ? "tsv" : "csv"} byte flips ${what.join(", ")}` };
  }
  const file = path.join(dir, tsv ? "m.tsv" : "m.csv");
  fs.writeFileSync(file, Buffer.concat([bom, Buffer.from(text, "latin1")]));
  return {
    file,
    what: `${tsv ? "tsv" : "csv"} ${n} rows ${what.join(", ")}`,
    ...(known !== undefined ? { rows: known } : {}),
  };
}

/** An image folder root/<class>/*, with bad files, links, FIFOs and odd names. */
async function folderCase(r: Rng, dir: string): Promise<{ root: string; what: string }> {
  const im = await baseImages();
  const root = path.join(dir, "folder");
  const classes = 1 + int(r, 3);
  const what: string[] = [];
  for (let c = 0; c < classes; c++) {
    const cls = path.join(root, pick(r, ["cat", "dog", "ünïcode", "with space", ".hidden", "a,b"]) + c);
    fs.mkdirSync(cls, { recursive: true });
    for (let i = 0; i < 1 + int(r, 4); i++) {
      const m = imageMember(r, im, `x${i}`);
      fs.writeFileSync(path.join(cls, m.name), m.data);
    }
    const odd = int(r, 6);
    if (odd === 0) fs.symlinkSync("/dev/zero", path.join(cls, "zero.png"));
    if (odd === 1) fs.symlinkSync("/etc/passwd", path.join(cls, "passwd.png"));
    if (odd === 2) fs.mkdirSync(path.join(cls, "nested.png", "deeper"), { recursive: true });
    if (odd === 3) fs.writeFileSync(path.join(cls, "notes.txt"), "not an image");
    if (odd === 4) {
      try {
        require("node:child_process").execFileSync("mkfifo", [path.join(cls, "pipe.png")]);
      } catch {}
    }
    if (odd < 5) what.push(["→ /dev/zero", "→ /etc/passwd", "nested dir", "a .txt", "a FIFO"][odd]!);
  }
  if (r() < 0.2) fs.writeFileSync(path.join(root, "stray.png"), im.png);
  return { root, what: `folder ${classes} classes ${what.join(", ")}` };
}

/** A small real checkpoint, then truncated, flipped or edited. */
async function checkpointCase(
  r: Rng,
  dir: string,
): Promise<{ file: string; what: string; untouched: boolean }> {
  const { tf } = await import("../../src/tf");
  const vars = {
    "visual.w": tf.variable(tf.randomNormal([4, 3], 0, 1, "float32", int(r, 1000))),
    logit_scale: tf.variable(tf.scalar(2.6)),
  };
  const moments = { logit_scale: tf.variable(tf.scalar(0.01)) };
  const file = path.join(dir, "ck.safetensors");
  const state = {
    step: 12,
    samples: 3072,
    optimizerT: 12,
    seed: 0,
    loader: {
      kind: "BatchLoader",
      version: 1,
      seed: 0,
      epoch: 0,
      cursor: 256,
      batchSize: 256,
      poolSize: 1000,
    },
    config: { model: "nano" },
  };
  await saveCheckpoint(file, { param: vars, adam_v: moments }, state);
  tf.dispose([...Object.values(vars), ...Object.values(moments)]);
  const b = fs.readFileSync(file);
  const mut = int(r, 6);
  if (mut === 0) return { file, what: "checkpoint untouched", untouched: true };
  let out: Buffer;
  let what: string;
  if (mut === 1) {
    const at = int(r, b.length);
    out = b.subarray(0, at);
    what = `checkpoint truncated at ${at}/${b.length}`;
  } else if (mut === 2) {
    out = Buffer.from(b);
    const n = 1 + int(r, 16);
    for (let j = 0; j < n; j++) out[int(r, out.length)] ^= 1 + int(r, 255);
    what = `checkpoint ${n} byte flips`;
  } else if (mut === 3) {
    out = Buffer.from(b);
    out.writeBigUInt64LE(BigInt(pick(r, [0, 7, 2 ** 40, b.length])), 0);
    what = "checkpoint header length edited";
  } else {
    const n = Number(b.readBigUInt64LE(0));
    const header = b.subarray(8, 8 + n).toString();
    const edits: [RegExp, string][] = [
      [/"step":"12"/, '"step":"abc"'],
      [/"F32"/, '"F64"'],
      [/"shape":\[4,3\]/, '"shape":[3,4]'],
      [/"data_offsets":\[0,/, '"data_offsets":[-8,'],
      [/"cursor\\":256/, '"cursor\\":99999999'],
      [/"format":"clipdown-checkpoint-v2"/, '"format":"clipdown-checkpoint-v1"'],
    ];
    const [re, to] = pick(r, edits);
    const edited = header.replace(re, to);
    const h = Buffer.from(edited.padEnd(n));
    const hb = Buffer.alloc(8);
    hb.writeBigUInt64LE(BigInt(h.length));
    out = Buffer.concat([hb, h, b.subarray(8 + n)]);
    what = `checkpoint header edit ${to}`;
  }
  return { file: write(dir, out), what, untouched: false };
}

function write(dir: string, b: Buffer): string {
  const f = path.join(dir, "ck-mut.safetensors");
  fs.writeFileSync(f, b);
  return f;
}

/** Builds case `index` of `seed` under `dir` (empty). */
export async function buildCase(seed: number, index: number, dir: string): Promise<FuzzCase> {
  const r = mulberry32(mixSeed(seed, index));
  const family = index % 5;
  if (family === 0 || family === 1) {
    const { bytes, what } = await tarCase(r);
    const shards = path.join(dir, "in");
    fs.mkdirSync(shards);
    fs.writeFileSync(path.join(shards, "shard-000000.tar"), bytes);
    if (r() < 0.2)
      fs.writeFileSync(
        path.join(shards, "shard-000001.tar"),
        rawMember({ name: "x.txt", data: Buffer.from("half") }),
      );
    // Family 1 alternates between data inspect and the decoded cache training builds.
    const target = family === 0 ? "shards" : index % 10 === 1 ? "inspect" : "cache";
    return { index, what, target, input: shards };
  }
  if (family === 2) {
    const { file, what, rows } = await csvCase(r, dir);
    return { index, what, target: "shards", input: file, ...(rows !== undefined ? { rows } : {}) };
  }
  if (family === 3) {
    const { root, what } = await folderCase(r, dir);
    return { index, what, target: "shards", input: root };
  }
  const { file, what, untouched } = await checkpointCase(r, dir);
  return { index, what, target: "verify", input: file, untouched };
}
