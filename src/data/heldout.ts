/**
 * Loading the held-out evaluation sets built by `clipdown data build` (`data/emoji-441`,
 * `data/noto-subgroups`, `data/emoji-441-sketch`, `data/fashion-mnist`, `data/noto`) as the in-memory
 * types the evaluators take. Images come from the preprocessed cache (`ensureCache`), so a set is
 * decoded once per resolution; labels come from each sample's json, class names from `classes.json`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ClassificationSet, RetrievalSet } from "../eval/heldout-eval";
import { ensureCache, type PairCache } from "./cache";

export interface LoadSetOptions {
  /** Keep only samples whose json has this `split` (Fashion-MNIST: "train" | "test"). */
  split?: string;
  /** No cache-building output. */
  quiet?: boolean;
}

/** A classification set plus each image's sample key (and split, where the set has one). */
export type LoadedClassificationSet = ClassificationSet & { keys: string[]; splits?: string[] };

/** A retrieval set plus each pair's sample key. */
export type LoadedRetrievalSet = RetrievalSet & { keys: string[] };

function requireDir(dir: string): void {
  if (!fs.existsSync(path.join(dir, "manifest.json")))
    throw new Error(`${dir} is not a built dataset (no manifest.json); run \`clipdown data build\` first`);
}

/** Reads `<dir>/classes.json`: a JSON array of class names, index = label. */
export function readClassNames(dir: string): string[] {
  const file = path.join(dir, "classes.json");
  let names: unknown;
  try {
    names = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(
      `${file}: cannot read class names (${(e as Error).message}); rebuild with \`clipdown data build\``,
    );
  }
  if (
    !Array.isArray(names) ||
    names.length === 0 ||
    !names.every((n) => typeof n === "string" && n.length > 0)
  )
    throw new Error(`${file}: expected a non-empty JSON array of class-name strings`);
  return names as string[];
}

/** Copies the images of `idx` out of a cache (all of them when `idx` is undefined). */
function pick(cache: PairCache, idx: number[] | undefined): Uint8Array {
  if (!idx) return cache.images.subarray(0, cache.n * cache.size * cache.size * 3);
  const per = cache.size * cache.size * 3;
  const out = new Uint8Array(idx.length * per);
  idx.forEach((j, i) => {
    out.set(cache.images.subarray(j * per, (j + 1) * per), i * per);
  });
  return out;
}

/**
 * A classification set at `size` px: images, integer labels from each sample's json `label`, and the
 * class names of `classes.json`.
 * @throws if the folder is not built, or a sample's label is missing or out of range.
 */
export async function loadClassificationSet(
  dir: string,
  size: number,
  opts: LoadSetOptions = {},
): Promise<LoadedClassificationSet> {
  requireDir(dir);
  const classNames = readClassNames(dir);
  const cache = await ensureCache(dir, size, { quiet: opts.quiet });
  let idx: number[] | undefined;
  if (opts.split !== undefined) {
    idx = [];
    for (let i = 0; i < cache.n; i++) if (cache.meta[i]?.split === opts.split) idx.push(i);
    if (idx.length === 0) {
      const have = [...new Set(cache.meta.map((m) => m.split).filter((s) => s !== undefined))];
      throw new Error(
        `${dir}: no samples with split "${opts.split}"${have.length ? `; splits: ${have.join(", ")}` : " (this set has no splits)"}`,
      );
    }
  }
  const order = idx ?? Array.from({ length: cache.n }, (_, i) => i);
  const labels = new Int32Array(order.length);
  order.forEach((j, i) => {
    const l = cache.meta[j]?.label;
    if (!Number.isInteger(l) || (l as number) < 0 || (l as number) >= classNames.length)
      throw new Error(
        `${dir}: sample ${cache.keys[j]} has label ${JSON.stringify(l)}, expected an integer in [0, ${classNames.length})`,
      );
    labels[i] = l as number;
  });
  const splits = cache.meta.some((m) => m.split !== undefined)
    ? order.map((j) => String(cache.meta[j]?.split ?? ""))
    : undefined;
  return {
    n: order.length,
    size,
    images: pick(cache, idx),
    labels,
    classNames,
    keys: order.map((j) => cache.keys[j]!),
    ...(splits ? { splits } : {}),
  };
}

/** A retrieval set at `size` px: each image with its caption (one caption per image). */
export async function loadRetrievalSet(
  dir: string,
  size: number,
  opts: LoadSetOptions = {},
): Promise<LoadedRetrievalSet> {
  requireDir(dir);
  const cache = await ensureCache(dir, size, { quiet: opts.quiet });
  return { n: cache.n, size, images: pick(cache, undefined), captions: cache.captions, keys: cache.keys };
}
