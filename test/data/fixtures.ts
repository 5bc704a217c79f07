/**
 * Test fixtures for the data layer, made on the fly: real images encoded by sharp, and tar archives
 * forged byte by byte (independently of src/data/tar.ts, so the reader is checked against a second
 * implementation and can be fed members our writer refuses to write: `../evil`, `/tmp/...`,
 * symlinks).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";

/** A fresh temp folder. */
export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `clipdown-${tag}-`));
}

/** A solid w×h PNG (RGB). */
export function solidPng(rgb: [number, number, number], w = 8, h = 8): Promise<Buffer> {
  return sharp(
    Buffer.alloc(w * h * 3).map((_, i) => rgb[i % 3]!),
    { raw: { width: w, height: h, channels: 3 } },
  )
    .png()
    .toBuffer();
}

/** A solid w×h JPEG (RGB, quality 95). */
export function solidJpeg(rgb: [number, number, number], w = 8, h = 8): Promise<Buffer> {
  return sharp(
    Buffer.alloc(w * h * 3).map((_, i) => rgb[i % 3]!),
    { raw: { width: w, height: h, channels: 3 } },
  )
    .jpeg({ quality: 95 })
    .toBuffer();
}

export interface RawMember {
  name: string;
  data?: Buffer;
  /** ustar typeflag: "0" file, "2" symlink, "1" hard link, "5" directory, "6" fifo, "x" pax header. */
  type?: string;
  linkname?: string;
}

/** One forged ustar header (+ data + padding); no safety checks at all. */
export function rawMember(m: RawMember): Buffer {
  const data = m.data ?? Buffer.alloc(0);
  const h = Buffer.alloc(512);
  h.write(m.name, 0, 100, "utf8");
  h.write("0000644\0", 100, 8, "latin1");
  h.write("0000000\0", 108, 8, "latin1");
  h.write("0000000\0", 116, 8, "latin1");
  h.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124, 12, "latin1");
  h.write("00000000000\0", 136, 12, "latin1");
  h.write("        ", 148, 8, "latin1");
  h.write(m.type ?? "0", 156, 1, "latin1");
  h.write(m.linkname ?? "", 157, 100, "utf8");
  h.write("ustar\u000000", 257, 8, "latin1");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "latin1");
  return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** A forged archive: the members, then the two zero blocks. */
export function rawTar(members: RawMember[]): Buffer {
  return Buffer.concat([...members.map(rawMember), Buffer.alloc(1024)]);
}

/** A pax extended header member ("x") setting the next member's path. */
export function paxPath(p: string): RawMember {
  const body = (len: number) => `${len} path=${p}\n`;
  let len = Buffer.byteLength(body(0));
  while (Buffer.byteLength(body(len)) !== len) len = Buffer.byteLength(body(len));
  return { name: "PaxHeaders/x", type: "x", data: Buffer.from(body(len)) };
}

/** All files under a folder (relative paths), for "nothing was written outside" checks. */
export function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

/**
 * The hostile shard of the acceptance test, with exactly one problem of each kind and two good
 * samples. `absDir` is an absolute folder the `/…` member points into (it must stay empty).
 * Expected skips: corrupt-image 1, empty-file 1, empty-caption 1, non-utf8-caption 1,
 * unsafe-path 3 (two `../evil` members, one absolute), non-regular-member 1, duplicate-key 1:
 * 9 skipped, 2 good.
 */
export async function hostileShard(absDir: string): Promise<Buffer> {
  const red = await solidPng([255, 0, 0]);
  const blue = await solidPng([0, 0, 255]);
  const t = (s: string) => Buffer.from(s, "utf8");
  return rawTar([
    { name: "good1.png", data: red },
    { name: "good1.txt", data: t("a red square") },
    { name: "good1.json", data: t('{"label":0}') },
    { name: "trunc.png", data: blue.subarray(0, blue.length - 20) }, // truncated PNG
    { name: "trunc.txt", data: t("a truncated image") },
    { name: "zero.png", data: Buffer.alloc(0) }, // zero-byte image
    { name: "zero.txt", data: t("an empty file") },
    { name: "nocap.png", data: red },
    { name: "nocap.txt", data: t("  \n\t ") }, // whitespace-only caption
    { name: "latin.png", data: red },
    { name: "latin.txt", data: Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff]) }, // "café" in latin-1 + 0xff
    { name: "../evil.png", data: red }, // parent-directory escape
    { name: "../evil.txt", data: t("escaped") },
    { name: `${absDir}/abs.png`, data: red }, // absolute path
    { name: "link.png", type: "2", linkname: "/etc/passwd" }, // symlink
    { name: "good2.png", data: blue },
    { name: "good2.txt", data: t("a blue square") },
    { name: "good1.png", data: blue }, // key good1 again, not adjacent: duplicate
    { name: "good1.txt", data: t("a duplicate") },
  ]);
}

/** The exact skip counts `hostileShard` must produce. */
export const HOSTILE_COUNTS = {
  "corrupt-image": 1,
  "empty-file": 1,
  "empty-caption": 1,
  "non-utf8-caption": 1,
  "unsafe-path": 3,
  "non-regular-member": 1,
  "duplicate-key": 1,
};
