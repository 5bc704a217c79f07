/**
 * Cheap integrity checks for finished artifacts, reading only what is needed: a safetensors file
 * must have a parseable header whose tensors tile the data section exactly up to the end of the
 * file (a truncated or zero-filled tail, or a header from another file, fails).
 */
import * as fs from "node:fs";

const DTYPE_BYTES: Record<string, number> = { F32: 4, I32: 4, F16: 2, BF16: 2, I64: 8, F64: 8, U8: 1, I8: 1 };

/** undefined when `file` is a complete safetensors file, else what is wrong. */
export function safetensorsProblem(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    return (e as Error).message;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 8) return `file too short (${size} bytes)`;
    const lenBuf = Buffer.alloc(8);
    fs.readSync(fd, lenBuf, 0, 8, 0);
    const n = Number(lenBuf.readBigUInt64LE(0));
    if (n <= 0 || 8 + n > size) return `header length ${n} does not fit in ${size} bytes`;
    const headerBuf = Buffer.alloc(n);
    fs.readSync(fd, headerBuf, 0, n, 8);
    let header: Record<string, { dtype?: string; shape?: number[]; data_offsets?: [number, number] }>;
    try {
      header = JSON.parse(headerBuf.toString("utf8"));
    } catch (e) {
      return `header is not valid JSON (${(e as Error).message})`;
    }
    let end = 0;
    let count = 0;
    for (const [name, t] of Object.entries(header)) {
      if (name === "__metadata__") continue;
      const [a, b] = t.data_offsets ?? [Number.NaN, Number.NaN];
      const width = DTYPE_BYTES[t.dtype ?? ""];
      if (!width || !Array.isArray(t.shape)) return `tensor "${name}" has no valid dtype/shape`;
      const bytes = t.shape.reduce((x, y) => x * y, 1) * width;
      if (!(b - a === bytes)) return `tensor "${name}" spans ${b - a} bytes, its shape needs ${bytes}`;
      end = Math.max(end, b);
      count++;
    }
    if (!count) return "no tensors";
    if (8 + n + end !== size) return `data ends at byte ${8 + n + end} but the file has ${size} bytes`;
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
