/**
 * A 32-pair corpus for integration tests (no `clipdown data build` needed): 16 px images of
 * coloured halves with captions naming colour and side, as WebDataset shards plus a tokenizer.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";
import { ShardWriter } from "../../src/data/webdataset";
import { BpeTokenizer } from "../../src/text/bpe";

export const TINY_SIZE = 16;

export async function makeTinyCorpus(
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-tiny-")),
): Promise<string> {
  const colors: Array<[string, number[]]> = [
    ["red", [255, 0, 0]],
    ["green", [0, 200, 0]],
    ["blue", [0, 0, 255]],
    ["black", [0, 0, 0]],
    ["yellow", [250, 220, 0]],
    ["purple", [140, 0, 160]],
    ["orange", [255, 140, 0]],
    ["grey", [128, 128, 128]],
  ];
  const sides = ["left", "top", "right", "bottom"];
  const w = new ShardWriter({ dir, samplesPerShard: 16 });
  const captions: string[] = [];
  for (const [c, rgb] of colors) {
    for (let s = 0; s < 4; s++) {
      const px = Buffer.alloc(TINY_SIZE * TINY_SIZE * 3, 255);
      const h = TINY_SIZE / 2;
      for (let y = 0; y < TINY_SIZE; y++) {
        for (let x = 0; x < TINY_SIZE; x++)
          if ((s === 0 && x < h) || (s === 1 && y < h) || (s === 2 && x >= h) || (s === 3 && y >= h))
            px.set(rgb, (y * TINY_SIZE + x) * 3);
      }
      const png = await sharp(px, { raw: { width: TINY_SIZE, height: TINY_SIZE, channels: 3 } })
        .png()
        .toBuffer();
      const caption = `a ${c} ${sides[s]} half`;
      captions.push(caption);
      w.write({ key: `${c}${s}`, files: { png, txt: Buffer.from(caption), json: Buffer.from("{}") } });
    }
  }
  await w.close();
  BpeTokenizer.train(captions, { vocabSize: 280 }).save(path.join(dir, "tokenizer.json"));
  return dir;
}
