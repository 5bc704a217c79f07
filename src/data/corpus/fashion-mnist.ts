/**
 * Fashion-MNIST from Debian's `dataset-fashion-mnist` (MIT, Zalando Research): 60k train + 10k test
 * 28×28 grayscale product photos in 10 classes, as gzipped IDX files. Used for linear probes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { debVersion } from "./packages";

/** `CLIPDOWN_FASHION_MNIST_DIR` overrides the Debian location. */
export function fashionMnistDir(): string {
  return process.env.CLIPDOWN_FASHION_MNIST_DIR ?? "/usr/share/datasets/fashion-mnist";
}

/** Where Debian puts the upstream README (the class table is read from it when present). */
export const FASHION_MNIST_README = "/usr/share/doc/dataset-fashion-mnist/README.md.gz";

/**
 * The label table of the upstream README ("| 0 | T-shirt/top |" …). Used when the README is absent
 * (Debian images often drop /usr/share/doc); a test checks it equals the README's table.
 */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

/** Parses the "| Label | Description |" table of the README into class names by label. */
export function parseReadmeClasses(readme: string): string[] {
  const out: string[] = [];
  for (const m of readme.matchAll(/^\|\s*(\d+)\s*\|\s*([^|]+?)\s*\|\s*$/gm)) out[Number(m[1])] = m[2]!;
  return out;
}

/** Class names from the installed README if readable, else the same table embedded above. */
export function fashionMnistClasses(): string[] {
  try {
    const parsed = parseReadmeClasses(
      zlib.gunzipSync(fs.readFileSync(FASHION_MNIST_README)).toString("utf8"),
    );
    if (parsed.length === 10 && parsed.every(Boolean)) return parsed;
  } catch {
    // README not installed: fall through to the embedded copy.
  }
  return FASHION_MNIST_CLASSES;
}

/** Parses a (gunzipped) IDX file: magic 0x00000803 (uint8 images n×h×w) or 0x00000801 (uint8 labels n). */
export function parseIdx(buf: Buffer, what: string): { dims: number[]; data: Uint8Array } {
  if (buf.length < 8 || buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 0x08)
    throw new Error(`${what}: not an IDX file of unsigned bytes (bad magic)`);
  const nd = buf[3]!;
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const start = 4 + 4 * nd;
  const count = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== start + count)
    throw new Error(`${what}: ${buf.length - start} data bytes, header says ${count} (truncated or corrupt)`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + start, count) };
}

export interface FashionMnistSplit {
  split: "train" | "test";
  n: number;
  images: Uint8Array; // n × 28 × 28 gray
  labels: Uint8Array;
}

/** Both splits, or undefined if the Debian files are not installed. */
export function readFashionMnist(dir = fashionMnistDir()): FashionMnistSplit[] | undefined {
  const file = (n: string): string => path.join(dir, `${n}-ubyte.gz`);
  const splits: [FashionMnistSplit["split"], string][] = [
    ["train", "train"],
    ["test", "t10k"],
  ];
  if (!splits.every(([, p]) => fs.existsSync(file(`${p}-images-idx3`)))) return undefined;
  return splits.map(([split, p]) => {
    const read = (n: string) => parseIdx(zlib.gunzipSync(fs.readFileSync(file(n))), file(n));
    const img = read(`${p}-images-idx3`);
    const lab = read(`${p}-labels-idx1`);
    if (img.dims.length !== 3 || img.dims[1] !== 28 || img.dims[2] !== 28 || lab.dims[0] !== img.dims[0])
      throw new Error(
        `${dir}: ${p} images ${img.dims.join("×")} and labels ${lab.dims.join("×")} do not match`,
      );
    return { split, n: img.dims[0]!, images: img.data, labels: lab.data };
  });
}

/** Version string for the build fingerprint (Debian version, or "files-present"/undefined). */
export function fashionMnistVersion(): string | undefined {
  return (
    debVersion("dataset-fashion-mnist") ?? (readableDir(fashionMnistDir()) ? "files-present" : undefined)
  );
}

function readableDir(d: string): boolean {
  return fs.existsSync(path.join(d, "t10k-images-idx3-ubyte.gz"));
}
