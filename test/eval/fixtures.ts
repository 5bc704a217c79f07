/**
 * Tiny held-out sets for the suite and CLI tests, written with the real data code (shards +
 * manifest.json + classes.json), so the real loaders read them: solid-colour squares whose class
 * is their colour.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import { ShardWriter } from "../../src/data/webdataset";

export const COLORS: Array<[string, [number, number, number]]> = [
  ["red", [220, 20, 20]],
  ["green", [20, 200, 40]],
  ["blue", [30, 30, 230]],
];

/** A solid `size`-px PNG of `rgb`, lightened by `shade` so images of one class differ a little. */
async function square(rgb: number[], size: number, shade: number): Promise<Buffer> {
  const px = Buffer.alloc(size * size * 3);
  for (let p = 0; p < size * size; p++)
    px.set(
      rgb.map((v) => Math.min(255, v + shade)),
      3 * p,
    );
  return sharp(px, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

/**
 * Writes a classification set of `perClass` squares per colour at `dir`; with `split`, the first
 * `split.train` of each class are marked "train" and the rest "test" in the sample json.
 */
export async function writeColorSet(
  dir: string,
  opts: { perClass: number; size?: number; split?: { train: number } },
): Promise<void> {
  const size = opts.size ?? 8;
  const w = new ShardWriter({ dir, samplesPerShard: 50 });
  for (let i = 0; i < opts.perClass; i++) {
    for (const [label, [name, rgb]] of COLORS.entries()) {
      const meta: Record<string, unknown> = { label };
      if (opts.split) meta.split = i < opts.split.train ? "train" : "test";
      w.write({
        key: `${name}-${String(i).padStart(3, "0")}`,
        files: {
          png: await square(rgb, size, i * 3),
          txt: Buffer.from(`a ${name} square number ${i}`),
          json: Buffer.from(JSON.stringify(meta)),
        },
      });
    }
  }
  await w.close();
  fs.writeFileSync(path.join(dir, "classes.json"), JSON.stringify(COLORS.map(([n]) => n)));
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ name: path.basename(dir) }));
}
