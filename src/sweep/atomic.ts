/** Small file helpers: writes that are all-or-nothing (temp file, fsync, rename) and tolerant reads. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Writes `text` to `file` so that readers see either the old file or the whole new one. */
export function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${os.hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Parsed JSON, or `{ error }` saying why it could not be read (missing, empty, truncated, ...). */
export function readJson(file: string): { value: unknown } | { error: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : (e as Error).message };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: `not valid JSON (${(e as Error).message})` };
  }
}

/**
 * Appends one line with a single write call (O_APPEND), so concurrent appenders do not interleave.
 * A partial last line (a writer killed mid-write) is ended first, so it cannot swallow this record.
 */
export function appendLine(file: string, line: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, "a+");
  try {
    const size = fs.fstatSync(fd).size;
    const last = Buffer.alloc(1);
    const partial = size > 0 && fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    fs.writeSync(fd, `${partial ? "\n" : ""}${line}\n`);
  } finally {
    fs.closeSync(fd);
  }
}
