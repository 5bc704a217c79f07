/**
 * Data pipeline throughput on real files from node_modules: decode+resize images/s (openmoji SVGs, tabler
 * SVGs, twemoji 64 px PNGs) and BatchLoader samples/s from an in-memory cache.
 * Run: npx tsx bench/data.ts [--size 32] [--files 400] [--repeats 3] [--in-flight 8]
 * Prints figures and writes bench/results/data.json.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PairCache } from "../src/data/cache";
import { decodeMany } from "../src/data/image";
import { BatchLoader } from "../src/data/loader";
import { parseArgs } from "../src/util/args";

const { flags } = parseArgs(process.argv.slice(2), {
  size: { kind: "number", help: "target image size", default: 32 },
  files: { kind: "number", help: "files per source", default: 400 },
  repeats: { kind: "number", help: "timed repeats", default: 3 },
  "in-flight": { kind: "number", help: "decodes in flight", default: 8 },
  batch: { kind: "number", help: "loader batch size", default: 256 },
});
const size = flags.size as number;
const nFiles = flags.files as number;
const repeats = flags.repeats as number;
const inFlight = flags["in-flight"] as number;

const SOURCES: Record<string, { dir: string; ext: string }> = {
  "openmoji-svg": { dir: "node_modules/openmoji/color/svg", ext: "svg" },
  "tabler-svg": { dir: "node_modules/@tabler/icons/icons/outline", ext: "svg" },
  "twemoji-png64": { dir: "node_modules/emoji-datasource-twitter/img/twitter/64", ext: "png" },
};

/** Every k-th file, so the sample spans the whole set (not just one alphabet letter). */
function load(dir: string, ext: string): { data: Buffer; ext: string }[] {
  const all = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(`.${ext}`))
    .sort();
  const step = Math.max(1, Math.floor(all.length / nFiles));
  return all
    .filter((_, i) => i % step === 0)
    .slice(0, nFiles)
    .map((f) => ({ data: fs.readFileSync(path.join(dir, f)), ext }));
}

const stats = (xs: number[]): { min: number; median: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const r1 = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const decode: Record<string, { files: number; imagesPerSec: ReturnType<typeof stats> }> = {};
  const decoded: Uint8Array[] = [];
  for (const [name, src] of Object.entries(SOURCES)) {
    const items = load(src.dir, src.ext);
    await decodeMany(items.slice(0, 16), size, { inFlight }); // warm-up (library init, JIT)
    const rates: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      const out = await decodeMany(items, size, { inFlight });
      rates.push(items.length / ((performance.now() - t) / 1000));
      const bad = out.filter((o) => !(o instanceof Uint8Array)).length;
      if (bad) throw new Error(`${name}: ${bad} files failed to decode`);
      if (r === 0) decoded.push(...(out as Uint8Array[]));
    }
    decode[name] = { files: items.length, imagesPerSec: stats(rates) };
    const s = decode[name].imagesPerSec;
    console.log(
      `decode ${name.padEnd(14)} ${items.length} files @${size}px: ${r1(s.median)} img/s (min ${r1(s.min)}, max ${r1(s.max)})`,
    );
  }

  // Loader: a 20k-sample cache made by tiling the decoded real images.
  const n = 20_000;
  const px = size * size * 3;
  const images = new Uint8Array(n * px);
  for (let i = 0; i < n; i++) images.set(decoded[i % decoded.length], i * px);
  const captions = Array.from({ length: n }, (_, i) => `caption ${i}`);
  const cache: PairCache = { n, size, images, captions, keys: captions, meta: [] };
  const batch = flags.batch as number;
  const loader = new BatchLoader(cache, { batchSize: batch, seed: 0, prefetch: 2 });
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const steps = 200;
    const t = performance.now();
    for (let i = 0; i < steps; i++) await loader.next();
    rates.push((steps * batch) / ((performance.now() - t) / 1000));
  }
  const ls = stats(rates);
  console.log(
    `loader batch ${batch} @${size}px: ${r1(ls.median)} samples/s (min ${r1(ls.min)}, max ${r1(ls.max)})`,
  );

  const result = {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    size,
    inFlight,
    repeats,
    decode,
    loader: { batch, cacheSamples: n, samplesPerSec: ls },
  };
  fs.mkdirSync("bench/results", { recursive: true });
  fs.writeFileSync("bench/results/data.json", `${JSON.stringify(result, null, 2)}\n`);
  console.log("wrote bench/results/data.json");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
