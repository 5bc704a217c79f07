/**
 * NumPy's `.npy` format (version 1.0) for float32 matrices, so embeddings written here load with
 * `numpy.load` and embeddings from elsewhere can be searched: magic, version, a little-endian u16
 * header length, a Python-dict header padded to a multiple of 64 bytes, then the raw data.
 */
import * as fs from "node:fs";

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/** Encodes a row-major float32 [rows, cols] matrix as .npy bytes. */
export function encodeNpy(data: Float32Array, rows: number, cols: number): Buffer {
  if (data.length !== rows * cols) throw new Error(`npy: ${data.length} values is not ${rows}×${cols}`);
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const unpadded = MAGIC.length + 2 + 2 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64);
  header += "\n";
  const head = Buffer.alloc(MAGIC.length + 4);
  MAGIC.copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([head, Buffer.from(header, "latin1"), body]);
}

/** Decodes a .npy float32 matrix (C order, little-endian, 2-D); anything else is an error naming `source`. */
export function decodeNpy(buf: Buffer, source = "npy"): { data: Float32Array; rows: number; cols: number } {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC))
    throw new Error(`${source}: not a .npy file (no \\x93NUMPY magic)`);
  const major = buf[6]!;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.subarray(start, start + headerLen).toString("latin1");
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== "<f4" || fortran !== "False" || !shape)
    throw new Error(
      `${source}: expected a C-order little-endian float32 matrix, header says ${header.trim()}; save it with numpy.save(f, x.astype("<f4"))`,
    );
  const dims = shape
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (dims.length !== 2)
    throw new Error(`${source}: expected a 2-D [rows, dims] matrix, got shape (${shape})`);
  const [rows, cols] = dims as [number, number];
  const off = start + headerLen;
  if (buf.length - off !== rows * cols * 4)
    throw new Error(
      `${source}: ${buf.length - off} data bytes for shape (${rows}, ${cols}); the file is truncated`,
    );
  const data = new Float32Array(rows * cols);
  Buffer.from(data.buffer).set(buf.subarray(off));
  return { data, rows, cols };
}

export function writeNpy(file: string, data: Float32Array, rows: number, cols: number): void {
  fs.writeFileSync(file, encodeNpy(data, rows, cols));
}

export function readNpy(file: string): { data: Float32Array; rows: number; cols: number } {
  return decodeNpy(fs.readFileSync(file), file);
}
