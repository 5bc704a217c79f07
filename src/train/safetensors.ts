/**
 * Minimal safetensors reader/writer (https://github.com/huggingface/safetensors#format):
 * 8-byte little-endian header length N, N bytes of JSON `{name: {dtype, shape, data_offsets}}` plus an
 * optional `__metadata__` string→string map, then the raw little-endian tensor bytes.
 *
 * Writes go to a temporary file that is fsynced and then renamed, so a crash mid-write never
 * leaves a truncated file under the final name.
 */
import * as fs from "node:fs";

export type StDtype = "F32" | "I32";

export interface StTensor {
  dtype: StDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface StFile {
  tensors: Record<string, StTensor>;
  metadata: Record<string, string>;
}

/** Encodes tensors + metadata into safetensors bytes. Names are written in sorted order (deterministic). */
export function encodeSafetensors(file: StFile): Buffer {
  const names = Object.keys(file.tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(file.metadata).length) header.__metadata__ = file.metadata;
  let offset = 0;
  for (const name of names) {
    const t = file.tensors[name]!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new Error(`safetensors: tensor "${name}" has shape [${t.shape}] but ${t.data.length} values`);
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const d = file.tensors[name]!.data;
    // Typed arrays are little-endian on every platform Node supports (x64, arm64).
    Buffer.from(d.buffer, d.byteOffset, d.byteLength).copy(out, pos);
    pos += d.byteLength;
  }
  return out;
}

/** Parses safetensors bytes; throws naming the problem on a truncated or malformed file. */
export function decodeSafetensors(buf: Buffer, source = "buffer"): StFile {
  if (buf.length < 8) throw new Error(`safetensors ${source}: file too short (${buf.length} bytes)`);
  const n = Number(buf.readBigUInt64LE(0));
  if (8 + n > buf.length)
    throw new Error(`safetensors ${source}: header length ${n} exceeds file size ${buf.length}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8"));
  } catch (e) {
    throw new Error(`safetensors ${source}: header is not valid JSON (${(e as Error).message})`);
  }
  const base = 8 + n;
  const tensors: Record<string, StTensor> = {};
  let metadata: Record<string, string> = {};
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw new Error(`safetensors ${source}: header is not a JSON object`);
  }
  const int = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      const ok =
        entry !== null &&
        typeof entry === "object" &&
        Object.values(entry as object).every((v) => typeof v === "string");
      if (!ok) throw new Error(`safetensors ${source}: __metadata__ must map names to strings`);
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (
      e === null ||
      typeof e !== "object" ||
      !Array.isArray(e.shape) ||
      !e.shape.every(int) ||
      !Array.isArray(e.data_offsets) ||
      e.data_offsets.length !== 2 ||
      !e.data_offsets.every(int)
    ) {
      throw new Error(
        `safetensors ${source}: tensor "${name}" has a malformed header entry ${JSON.stringify(e)}`,
      );
    }
    const [start, end] = e.data_offsets;
    if (base + end > buf.length || start > end) {
      throw new Error(
        `safetensors ${source}: tensor "${name}" data [${start}, ${end}) lies outside the file`,
      );
    }
    const bytes = buf.subarray(base + start, base + end);
    // Copy into a fresh aligned buffer: `bytes` may start at an offset that is not 4-aligned.
    const ab = new ArrayBuffer(bytes.length);
    new Uint8Array(ab).set(bytes);
    let data: Float32Array | Int32Array;
    if (e.dtype === "F32") data = new Float32Array(ab);
    else if (e.dtype === "I32") data = new Int32Array(ab);
    else throw new Error(`safetensors ${source}: tensor "${name}" has dtype ${e.dtype}; supported: F32, I32`);
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new Error(
        `safetensors ${source}: tensor "${name}" shape [${e.shape}] needs ${count} values, has ${data.length}`,
      );
    }
    tensors[name] = { dtype: e.dtype, shape: e.shape, data };
  }
  return { tensors, metadata };
}

/** Writes atomically: temp file in the same directory, fsync, rename over `path`. */
export function writeSafetensors(path: string, file: StFile): void {
  writeTextAtomic(path, encodeSafetensors(file));
}

/** Writes `data` to a temp file beside `path`, fsyncs it and renames it over `path`. */
export function writeTextAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
}

export function readSafetensors(path: string): StFile {
  return decodeSafetensors(fs.readFileSync(path), path);
}
