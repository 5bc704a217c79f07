/**
 * Caption sampling: each mode's views, determinism in (seed, epoch, index), the fallback to the stored
 * caption when a sample has no name, and the loader applying it per epoch without breaking resume.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PairCache } from "../../src/data/cache";
import {
  captionParts,
  checkCaptionMode,
  sampleCaption,
  TRAIN_TEMPLATES,
} from "../../src/data/caption-sampling";
import { BatchLoader } from "../../src/data/loader";
import { TEMPLATE_SETS } from "../../src/eval/templates";
import { captionSampler } from "../../src/train/run";

const parts = captionParts("grinning face, cheerful, cheery, happy", {
  name: "grinning face",
  tags: ["cheerful", "cheery", "happy"],
});

test("full returns the stored caption, name the name; a sample without a name always keeps its caption", () => {
  assert.equal(sampleCaption(parts, "full", 0, 0, 3), "grinning face, cheerful, cheery, happy");
  assert.equal(sampleCaption(parts, "name", 0, 0, 3), "grinning face");
  const bare = captionParts("a user's caption", {});
  for (let i = 0; i < 50; i++) assert.equal(sampleCaption(bare, "mix", 1, 2, i), "a user's caption");
});

test("mix draws the four views, each a reordering of the sample's own words or a template around its name", () => {
  const seen = { full: 0, name: 0, tags: 0, template: 0 };
  for (let i = 0; i < 2000; i++) {
    const c = sampleCaption(parts, "mix", 7, 0, i);
    assert.equal(
      c,
      sampleCaption(parts, "mix", 7, 0, i),
      "a draw is a pure function of (seed, epoch, index)",
    );
    if (c === parts.caption) seen.full++;
    else if (c === "grinning face") seen.name++;
    else if (c.startsWith("grinning face, ")) {
      const tags = c.slice("grinning face, ".length).split(", ");
      assert.ok(tags.length >= 1 && tags.length <= 3);
      assert.equal(new Set(tags).size, tags.length);
      for (const t of tags) assert.ok(parts.tags!.includes(t), `tag ${t}`);
      seen.tags++;
    } else {
      assert.ok(
        TRAIN_TEMPLATES.some((t) => t.replace("{}", "grinning face") === c),
        `unexpected caption "${c}"`,
      );
      seen.template++;
    }
  }
  // A subset that happens to keep every tag in order equals the full caption, so "full" is a bit above 1/4.
  for (const [k, v] of Object.entries(seen)) assert.ok(v > 350 && v < 700, `${k}: ${v} of 2000`);
  assert.notDeepEqual(
    Array.from({ length: 20 }, (_, i) => sampleCaption(parts, "mix", 7, 0, i)),
    Array.from({ length: 20 }, (_, i) => sampleCaption(parts, "mix", 7, 1, i)),
    "another epoch shows other views",
  );
});

test("the zero-shot prompts of the embedded benchmarks are among the texts training shows", () => {
  for (const t of TEMPLATE_SETS.emoji) assert.ok(TRAIN_TEMPLATES.includes(t), t);
});

test("an unknown mode is refused naming the valid ones", () => {
  assert.throws(() => checkCaptionMode("names"), /captions: unknown mode "names"; valid: full, name, mix/);
});

test("the loader shows sampled captions per epoch and restore() replays them exactly", async () => {
  const n = 8;
  const cache: PairCache = {
    n,
    size: 1,
    images: new Uint8Array(n * 3),
    keys: Array.from({ length: n }, (_, i) => `k${i}`),
    captions: Array.from({ length: n }, (_, i) => `thing ${i}, tag a, tag b`),
    meta: Array.from({ length: n }, (_, i) => ({ name: `thing ${i}`, tags: ["tag a", "tag b"] })),
  };
  const captionOf = captionSampler(cache, { captions: "mix", seed: 3 });
  const a = new BatchLoader(cache, { batchSize: 4, seed: 3, captionOf });
  const first = [await a.next(), await a.next(), await a.next()];
  for (const b of first) {
    for (let i = 0; i < b.captions.length; i++)
      assert.equal(b.captions[i], captionOf(b.indices[i]!, b.epoch));
  }
  const b = new BatchLoader(cache, { batchSize: 4, seed: 3, captionOf });
  await b.next();
  const st = b.state();
  const c = new BatchLoader(cache, { batchSize: 4, seed: 3, captionOf });
  c.restore(st);
  assert.deepEqual((await c.next()).captions, first[1]!.captions);
  assert.deepEqual((await c.next()).captions, first[2]!.captions);
});
