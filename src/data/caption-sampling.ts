/**
 * Caption sampling: how a training pair's text is shown to the model each time the pair is drawn.
 *
 * The stored captions are lists ("grinning face, cheerful, cheery, face, grin, …") while zero-shot
 * prompts are short phrases around a class name. A model trained only on the lists meets the prompts
 * as text it never saw (measured: on training images, the image's own caption finds it 36 % of the
 * time, the eval prompts 1.6 %). Sampling shorter views of the same words at training time makes the
 * two meet, and drawing one format for every source stops the caption's shape from telling which
 * icon set an image came from.
 *
 * - `full`: the stored caption, unchanged (the behaviour before sampling existed).
 * - `name`: the human-written name alone.
 * - `mix`: per draw, one of four views with equal probability: the stored caption; the name; the name
 *   followed by a random subset of its keywords in random order; the name inside one of
 *   {@link TRAIN_TEMPLATES}.
 *
 * A draw is a pure function of (seed, epoch, sample index), so a resumed run sees exactly the texts an
 * uninterrupted one would, and a pair shows different views in different epochs.
 */
import { mixSeed, mulberry32 } from "../util/rng";

export const CAPTION_MODES = ["full", "name", "mix"] as const;
export type CaptionMode = (typeof CAPTION_MODES)[number];

/**
 * Short phrases around a name, as zero-shot prompts are written. The zero-shot prompt sets of the
 * embedded benchmarks (src/eval/templates.ts `caption`) are drawn from this list, so what evaluation
 * asks is text training showed.
 */
export const TRAIN_TEMPLATES: readonly string[] = [
  "{}",
  "an emoji of a {}.",
  "a drawing of a {}.",
  "an icon of a {}.",
  "a {} icon.",
  "a picture of a {}.",
];

/** Throws naming the valid modes when `mode` is not one. */
export function checkCaptionMode(mode: string): asserts mode is CaptionMode {
  if (!(CAPTION_MODES as readonly string[]).includes(mode))
    throw new Error(`captions: unknown mode "${mode}"; valid: ${CAPTION_MODES.join(", ")}`);
}

/** The parts a view is made from: the stored caption and, where the sample's json has them, name and tags. */
export interface CaptionParts {
  caption: string;
  name?: string;
  tags?: readonly string[];
}

/** Name and tags from a sample's json (`{ name, tags }` as `clipdown data build` writes); absent ones stay absent. */
export function captionParts(caption: string, meta: Record<string, unknown> | undefined): CaptionParts {
  const name = typeof meta?.name === "string" && meta.name.trim() ? meta.name.trim() : undefined;
  const rawTags = meta?.tags;
  const tags = Array.isArray(rawTags)
    ? rawTags.filter((t): t is string => typeof t === "string" && t.trim() !== "")
    : undefined;
  return { caption, ...(name ? { name } : {}), ...(tags ? { tags } : {}) };
}

/** Stream id so caption draws are unrelated to the epoch permutations drawn from the same seed. */
const CAPTION_STREAM = 0xca9710;

/**
 * The text shown for one draw of a pair. Without a name (a user's shards with bare captions) every
 * mode falls back to the stored caption: sampling never invents text.
 */
export function sampleCaption(
  parts: CaptionParts,
  mode: CaptionMode,
  seed: number,
  epoch: number,
  index: number,
): string {
  if (mode === "full" || !parts.name) return parts.caption;
  if (mode === "name") return parts.name;
  const rng = mulberry32(mixSeed(seed, CAPTION_STREAM, epoch, index));
  const view = Math.floor(rng() * 4);
  if (view === 0) return parts.caption;
  if (view === 1) return parts.name;
  if (view === 2) {
    const tags = [...(parts.tags ?? [])];
    // Fisher–Yates, then keep a uniform 1..n of them (the name alone is view 1).
    for (let i = tags.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [tags[i], tags[j]] = [tags[j]!, tags[i]!];
    }
    const k = tags.length ? 1 + Math.floor(rng() * tags.length) : 0;
    return [parts.name, ...tags.slice(0, k)].join(", ");
  }
  const t = TRAIN_TEMPLATES[Math.floor(rng() * TRAIN_TEMPLATES.length)]!;
  return t.replace("{}", parts.name);
}
