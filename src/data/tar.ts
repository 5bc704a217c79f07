/**
 * ustar (POSIX tar) reading and writing: the container of WebDataset shards.
 *
 * Writing is deterministic (mtime 0, uid/gid 0, mode 0644, empty owner names, members in the order
 * given), so the same samples always give the same shard bytes and hash.
 *
 * Reading accepts what img2dataset / Python's tarfile / GNU tar write (ustar, pax `x` headers for
 * long names, GNU `L` long names, base-256 sizes) and is hostile-input safe: it only ever yields
 * regular files whose path is relative and has no `..` component. Symlinks, hard links, devices and
 * fifos are skipped (never followed), as are unsafe paths, each counted in a `BadSamples`; a bad
 * header checksum, an impossible size or a truncated member is counted as `corrupt-tar` and the
 * reader skips to the next valid ustar header (as GNU tar does), so one corrupt header does not
 * hide the rest of the archive. Nothing throws. Nothing here writes member names to disk, so a member can never escape a folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { BadSamples } from "./bad-samples";

const BLOCK = 512;
/** Octal digits in the 12-byte size field: 11 digits = 8 GiB - 1. */
const MAX_OCTAL_SIZE = 0o77777777777;

/** A regular-file member that passed the safety checks. `name` is normalised (no `./` parts). */
export interface TarMember {
  name: string;
  data: Buffer;
}

export interface TarReadOptions {
  /** Receives skipped members (unsafe-path, non-regular-member, corrupt-tar). */
  bad?: BadSamples;
  /** Archive name for the bad-sample details (e.g. the shard file). */
  source?: string;
  /** Largest member accepted, in bytes (a corrupt size field must not make us buffer the disk). */
  maxMemberBytes?: number;
}

/**
 * The member path if it is safe to use as a relative path, else undefined: not absolute (`/x`,
 * `C:\x`, `\\server`), no `..` component, no NUL; `./` components are dropped. Backslashes count as
 * separators for this check, so a Windows-made archive cannot smuggle `..\..\x` through.
 */
export function safeMemberName(name: string): string | undefined {
  if (name.length === 0 || name.includes("\0")) return undefined;
  if (name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:/.test(name)) return undefined;
  const parts = name.split(/[/\\]/);
  if (parts.includes("..")) return undefined;
  const kept = name.split("/").filter((p) => p !== "" && p !== ".");
  return kept.length ? kept.join("/") : undefined;
}

/** Which typeflags are regular files (`0`, NUL from pre-POSIX tars, `7` contiguous). */
const REGULAR = new Set(["0", "\0", "7"]);
const TYPE_NAMES: Record<string, string> = {
  "1": "hard link",
  "2": "symlink",
  "3": "character device",
  "4": "block device",
  "6": "fifo",
};

interface Header {
  name: string;
  size: number;
  type: string;
  linkname: string;
}

function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString("utf8", start, end >= start && end < start + len ? end : start + len);
}

/** Numeric field: octal text, or GNU base-256 when the high bit of the first byte is set. */
function numberField(buf: Buffer, start: number, len: number): number {
  if (buf[start]! & 0x80) {
    let v = buf[start]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + buf[start + i]!;
    return v;
  }
  const text = buf
    .toString("latin1", start, start + len)
    .replace(/\0.*$/s, "")
    .trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) return Number.NaN;
  return Number.parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = numberField(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b; // some old tars summed signed chars
  }
  return stored === unsigned || stored === signed;
}

function parseHeader(block: Buffer): Header | undefined {
  if (!checksumOk(block)) return undefined;
  const size = numberField(block, 124, 12);
  if (!Number.isFinite(size) || size < 0) return undefined;
  // POSIX ustar ("ustar\0") has a name prefix at 345; old GNU ("ustar  ") keeps times there instead.
  const posix = block.toString("latin1", 257, 262) === "ustar" && block[262] === 0;
  const prefix = posix ? cString(block, 345, 155) : "";
  const name = cString(block, 0, 100);
  return {
    name: prefix ? `${prefix}/${name}` : name,
    size,
    type: String.fromCharCode(block[156]!),
    linkname: cString(block, 157, 100),
  };
}

/** pax extended header records: "<len> key=value\n" repeated. */
function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const sp = data.indexOf(0x20, at);
    if (sp < 0) break;
    const len = Number.parseInt(data.toString("latin1", at, sp), 10);
    if (!Number.isFinite(len) || len <= 0 || at + len > data.length) break;
    const record = data.toString("utf8", sp + 1, at + len - 1); // drop the trailing "\n"
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}

/**
 * Incremental tar parser: feed chunks with `push`, get back the complete safe regular members.
 * Used by both the streaming reader (shards are read shard by shard, never whole) and the
 * in-memory helpers.
 */
export class TarParser {
  /** Unconsumed input, as received (joined only when a header or member needs bytes from several). */
  private chunks: Buffer[] = [];
  /** Index of the first unconsumed chunk. */
  private head = 0;
  private avail = 0;
  private pending: Header | undefined;
  private paxNext: Record<string, string> = {};
  private longName: string | undefined;
  private longLink: string | undefined;
  private finished = false;
  /** After a corrupt header: looking for the next block that is a valid ustar header. */
  private resyncing = false;
  private readonly maxMember: number;

  constructor(private readonly opts: TarReadOptions = {}) {
    this.maxMember = opts.maxMemberBytes ?? 1 << 30;
  }

  /** True once the end-of-archive marker was seen (later bytes are ignored). */
  get done(): boolean {
    return this.finished;
  }

  /** Removes and returns the next n bytes (n ≤ avail); each input byte is copied at most once. */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.avail -= n;
    const first = this.chunks[this.head]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.head++;
      else this.chunks[this.head] = first.subarray(n);
    } else {
      const parts: Buffer[] = [];
      let got = 0;
      while (got < n) {
        const c = this.chunks[this.head]!;
        const want = n - got;
        if (c.length <= want) {
          parts.push(c);
          got += c.length;
          this.head++;
        } else {
          parts.push(c.subarray(0, want));
          this.chunks[this.head] = c.subarray(want);
          got = n;
        }
      }
      out = Buffer.concat(parts, n);
    }
    // Drop consumed chunks now and then (an index, not shift(): tiny chunks must stay linear).
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  push(chunk: Buffer): TarMember[] {
    if (this.finished || chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.avail += chunk.length;
    const out = this.drain();
    if (this.finished) {
      this.chunks = [];
      this.head = 0;
      this.avail = 0;
    } else if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    }
    return out;
  }

  /** Parses every complete header and member now buffered. */
  private drain(): TarMember[] {
    const out: TarMember[] = [];
    while (!this.finished) {
      if (!this.pending) {
        if (this.avail < BLOCK) break;
        const block = this.take(BLOCK);
        if (this.resyncing) {
          // Skipping to the next valid header, as GNU tar does: zero blocks here are data, not the end.
          const h = block.toString("latin1", 257, 262) === "ustar" ? parseHeader(block) : undefined;
          if (!h || h.size > this.maxMember) continue;
          this.resyncing = false;
          this.pending = h;
        } else {
          if (block.every((b) => b === 0)) {
            this.finished = true; // end-of-archive marker; trailing padding is ignored
            break;
          }
          const h = parseHeader(block);
          if (!h || h.size > this.maxMember) {
            this.corrupt(h ? `member "${h.name}" claims ${h.size} bytes` : "bad header checksum");
            continue;
          }
          this.pending = h;
        }
      }
      const h = this.pending!;
      const padded = Math.ceil(h.size / BLOCK) * BLOCK;
      if (this.avail < padded) break;
      const data = this.take(padded).subarray(0, h.size);
      this.pending = undefined;
      const member = this.member(h, data);
      if (member) out.push(member);
    }
    return out;
  }

  /**
   * Call at end of input. A member cut short (or a header with no data) is counted as corrupt-tar,
   * and the bytes it claimed are searched for later headers (a corrupt size in one header must not
   * hide the members after it); a missing end-of-archive marker alone is tolerated (many writers
   * stream without it).
   */
  end(): TarMember[] {
    if (this.finished) return [];
    const out: TarMember[] = [];
    for (;;) {
      const h = this.pending;
      if (h && this.avail >= h.size) {
        // Only the final padding is missing: the member itself is complete.
        this.pending = undefined;
        const m = this.member(h, this.take(this.avail).subarray(0, h.size));
        if (m) out.push(m);
        break;
      }
      if (!h) {
        // Bytes left after the end-of-archive marker are padding; others are a cut header.
        if (this.avail > 0 && !this.resyncing && !this.finished) this.corrupt("truncated");
        break;
      }
      this.pending = undefined;
      this.corrupt(`truncated in member "${h.name}" (it claims ${h.size} bytes, ${this.avail} remain)`);
      out.push(...this.drain());
    }
    this.finished = true;
    this.chunks = [];
    this.head = 0;
    this.avail = 0;
    return out;
  }

  /** Counts a corrupt header or member and skips ahead to the next valid header. */
  private corrupt(why: string): void {
    this.resyncing = true;
    this.paxNext = {};
    this.longName = undefined;
    this.longLink = undefined;
    this.opts.bad?.add("corrupt-tar", `${this.opts.source ?? "archive"}: ${why}`);
  }

  private member(h: Header, data: Buffer): TarMember | undefined {
    // Extension headers describe the *next* member.
    if (h.type === "x") {
      Object.assign(this.paxNext, parsePax(data));
      return undefined;
    }
    if (h.type === "g") return undefined; // global pax defaults: nothing we use
    if (h.type === "L") {
      this.longName = data.toString("utf8").replace(/\0.*$/s, "");
      return undefined;
    }
    if (h.type === "K") {
      this.longLink = data.toString("utf8").replace(/\0.*$/s, "");
      return undefined;
    }
    const rawName = this.paxNext.path ?? this.longName ?? h.name;
    const linkname = this.paxNext.linkpath ?? this.longLink ?? h.linkname;
    this.paxNext = {};
    this.longName = undefined;
    this.longLink = undefined;
    const where = `${this.opts.source ? `${this.opts.source}: ` : ""}${JSON.stringify(rawName)}`;
    const name = safeMemberName(rawName);
    if (name === undefined) {
      this.opts.bad?.add("unsafe-path", where);
      return undefined;
    }
    if (h.type === "5") return undefined; // directories are structure, not samples: skipped silently
    if (!REGULAR.has(h.type)) {
      const kind = TYPE_NAMES[h.type] ?? `type ${JSON.stringify(h.type)}`;
      this.opts.bad?.add("non-regular-member", `${where} (${kind}${linkname ? ` → ${linkname}` : ""})`);
      return undefined;
    }
    return { name, data: Buffer.from(data) };
  }
}

/** All safe regular members of an in-memory archive. */
export function readTarBuffer(buf: Buffer, opts: TarReadOptions = {}): TarMember[] {
  const p = new TarParser(opts);
  return [...p.push(buf), ...p.end()];
}

/** All safe regular members of a tar file, read whole (small archives; use readTarStream for shards). */
export function readTarFile(file: string, opts: TarReadOptions = {}): TarMember[] {
  return readTarBuffer(fs.readFileSync(file), { source: file, ...opts });
}

/** Streams a tar file member by member; memory holds one read chunk plus one member at a time. */
export async function* readTarStream(
  file: string,
  opts: TarReadOptions = {},
): AsyncGenerator<TarMember, void, undefined> {
  const p = new TarParser({ source: file, ...opts });
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      yield* p.push(chunk as Buffer);
      if (p.done) break;
    }
    yield* p.end();
  } finally {
    stream.destroy();
  }
}

// ── writing ─────────────────────────────────────────────────────────────────────────────────

function writeString(block: Buffer, s: string, start: number, len: number, what: string): void {
  const bytes = Buffer.from(s, "utf8");
  if (bytes.length > len) throw new Error(`tar: ${what} "${s}" is longer than ${len} bytes`);
  bytes.copy(block, start);
}

function writeOctal(block: Buffer, v: number, start: number, len: number): void {
  block.write(`${v.toString(8).padStart(len - 1, "0")}\0`, start, len, "latin1");
}

/** Splits a path into ustar's prefix (≤ 155 bytes) and name (≤ 100 bytes) at a "/"; undefined if it cannot. */
function splitName(name: string): { prefix: string; base: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: "", base: name };
  for (let i = name.lastIndexOf("/"); i > 0; i = name.lastIndexOf("/", i - 1)) {
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(base) > 100) break;
    if (Buffer.byteLength(prefix) <= 155) return { prefix, base };
  }
  return undefined;
}

/** The longest prefix of `s` that is at most `max` bytes of UTF-8, cut between characters. */
function truncateUtf8(s: string, max: number): string {
  let out = "";
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** One pax record, "<len> key=value\n", where <len> counts the whole record including itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let digits = String(bodyLen).length;
  if (String(bodyLen + digits).length > digits) digits++;
  return `${bodyLen + digits}${body}`;
}

/** One 512-byte ustar header with fixed owner, mode and time (so bytes depend only on content). */
function ustarHeader(prefix: string, base: string, size: number, type: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeString(block, base, 0, 100, "name");
  writeOctal(block, 0o644, 100, 8);
  writeOctal(block, 0, 108, 8); // uid
  writeOctal(block, 0, 116, 8); // gid
  writeOctal(block, size, 124, 12);
  writeOctal(block, 0, 136, 12); // mtime
  block.write("        ", 148, 8, "latin1"); // checksum placeholder (spaces) while summing
  block.write(type, 156, 1, "latin1");
  block.write("ustar\u000000", 257, 8, "latin1");
  writeString(block, prefix, 345, 155, "prefix");
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "latin1");
  return block;
}

const zeroPad = (n: number): Buffer[] => {
  const pad = (BLOCK - (n % BLOCK)) % BLOCK;
  return pad ? [Buffer.alloc(pad)] : [];
};

/**
 * The header block(s) of a regular file. A name that fits ustar's name + prefix fields gets one
 * block; a longer one (or one that cannot be split at a "/") is preceded by a pax `x` header whose
 * `path` record carries it whole, as GNU tar and Python's tarfile write (their readers and ours
 * take the pax path over the truncated name in the ustar block).
 */
function fileHeader(name: string, size: number): Buffer[] {
  if (safeMemberName(name) !== name) {
    throw new Error(`tar: refusing to write member "${name}" (absolute, "..", "./" or empty path)`);
  }
  if (size > MAX_OCTAL_SIZE) throw new Error(`tar: member "${name}" is larger than 8 GiB`);
  const split = splitName(name);
  if (split) return [ustarHeader(split.prefix, split.base, size, "0")];
  const pax = Buffer.from(paxRecord("path", name), "utf8");
  const short = truncateUtf8(name.slice(name.lastIndexOf("/") + 1), 100);
  return [
    ustarHeader("", truncateUtf8(`PaxHeaders/${short}`, 100), pax.length, "x"),
    pax,
    ...zeroPad(pax.length),
    ustarHeader("", short, size, "0"),
  ];
}

/** A whole archive of regular files, in the order given, ending with two zero blocks. */
export function writeTar(members: ReadonlyArray<{ name: string; data: Uint8Array }>): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    parts.push(
      ...fileHeader(m.name, m.data.length),
      Buffer.from(m.data.buffer, m.data.byteOffset, m.data.length),
      ...zeroPad(m.data.length),
    );
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/**
 * Writes a file atomically: a temp file beside the target, then rename, so a reader (or a crash)
 * never sees a half-written file.
 */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`,
  );
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes an archive atomically (temp file + rename). */
export function writeTarFile(file: string, members: ReadonlyArray<{ name: string; data: Uint8Array }>): void {
  writeFileAtomic(file, writeTar(members));
}
