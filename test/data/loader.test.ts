/**
 * BatchLoader and subsetIndices over a synthetic in-memory cache whose sample i has every pixel
 * byte equal to i, so each batch's bytes can be checked against its indices.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PairCache } from "../../src/data/cache";
import { BatchLoader, type PairBatch, subsetIndices } from "../../src/data/loader";

const N = 10;
const SIZE = 2;
const PX = SIZE * SIZE * 3;

function cache(n = N): PairCache {
  const images = new Uint8Array(n * PX);
  for (let i = 0; i < n; i++) images.fill(i, i * PX, (i + 1) * PX);
  const keys = Array.from({ length: n }, (_, i) => `k${i}`);
  return {
    n,
    size: SIZE,
    images,
    captions: keys.map((k) => `caption ${k}`),
    keys,
    meta: keys.map(() => ({})),
  };
}

async function take(loader: BatchLoader, count: number): Promise<PairBatch[]> {
  const out: PairBatch[] = [];
  for (let i = 0; i < count; i++) out.push(await loader.next());
  return out;
}

const order = (bs: PairBatch[]) => bs.flatMap((b) => [...b.indices]);

test("batches: shapes, contents match indices, an epoch visits every sample exactly once", async () => {
  const loader = new BatchLoader(cache(), { batchSize: 4, seed: 7 });
  assert.equal(loader.batchesPerEpoch, 3);
  const bs = await take(loader, 6);
  assert.deepEqual(
    bs.map((b) => [b.indices.length, b.images.length, b.epoch]),
    [
      [4, 4 * PX, 0],
      [4, 4 * PX, 0],
      [2, 2 * PX, 0],
      [4, 4 * PX, 1],
      [4, 4 * PX, 1],
      [2, 2 * PX, 1],
    ],
  );
  for (const b of bs) {
    assert.equal(b.size, SIZE);
    b.indices.forEach((j, i) => {
      assert.ok(b.images.subarray(i * PX, (i + 1) * PX).every((v) => v === j));
      assert.equal(b.keys[i], `k${j}`);
      assert.equal(b.captions[i], `caption k${j}`);
    });
  }
  const e0 = order(bs.slice(0, 3));
  const e1 = order(bs.slice(3));
  const all = Array.from({ length: N }, (_, i) => i);
  assert.deepEqual(
    [...e0].sort((a, b) => a - b),
    all,
  );
  assert.deepEqual(
    [...e1].sort((a, b) => a - b),
    all,
  );
  assert.notDeepEqual(e0, e1); // a fresh permutation per epoch
  assert.notDeepEqual(e0, all); // shuffled at all
});

test("same seed → same order; different seed → different order; prefetch does not change it", async () => {
  const a = order(await take(new BatchLoader(cache(), { batchSize: 3, seed: 1 }), 8));
  const b = order(await take(new BatchLoader(cache(), { batchSize: 3, seed: 1, prefetch: 0 }), 8));
  const c = order(await take(new BatchLoader(cache(), { batchSize: 3, seed: 2 }), 8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  // With the event loop idle between calls the prefetch queue fills; the sequence is unchanged.
  const p = new BatchLoader(cache(), { batchSize: 3, seed: 1, prefetch: 3 });
  const got: PairBatch[] = [];
  for (let i = 0; i < 8; i++) {
    got.push(await p.next());
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(order(got), a);
});

test("dropLast, subsets and state()/restore()", async () => {
  const dl = new BatchLoader(cache(), { batchSize: 4, seed: 3, dropLast: true });
  assert.equal(dl.batchesPerEpoch, 2);
  const bs = await take(dl, 4);
  assert.deepEqual(
    bs.map((b) => [b.indices.length, b.epoch]),
    [
      [4, 0],
      [4, 0],
      [4, 1],
      [4, 1],
    ],
  );
  assert.throws(
    () => new BatchLoader(cache(), { batchSize: 11, seed: 0, dropLast: true }),
    /batchSize 11 exceeds the 10 samples/,
  );

  const sub = subsetIndices(N, 4, 5);
  const sl = new BatchLoader(cache(), { batchSize: 4, seed: 0, indices: sub });
  assert.equal(sl.size, 4);
  const ep = order(await take(sl, 1));
  assert.deepEqual(
    [...ep].sort((x, y) => x - y),
    [...sub].sort((x, y) => x - y),
  );
  assert.throws(
    () => new BatchLoader(cache(), { batchSize: 2, seed: 0, indices: Int32Array.from([0, 10]) }),
    /index 10 outside the cache \(n = 10\)/,
  );

  const ref = order(await take(new BatchLoader(cache(), { batchSize: 3, seed: 9 }), 9));
  const first = new BatchLoader(cache(), { batchSize: 3, seed: 9 });
  const consumed = order(await take(first, 5)).length; // 3 + 3 + 3 + 1 + 3
  assert.equal(consumed, 13);
  const saved = JSON.parse(JSON.stringify(first.state()));
  const resumed = new BatchLoader(cache(), { batchSize: 3, seed: 0 });
  await take(resumed, 2); // prefetched batches of the old position must be dropped
  resumed.restore(saved);
  assert.deepEqual(order(await take(resumed, 4)), ref.slice(consumed));
  assert.throws(
    () => new BatchLoader(cache(8), { batchSize: 3, seed: 9 }).restore(saved),
    /state is for 10 samples/,
  );
  // A cursor far past the epoch (a corrupt checkpoint) is refused, not an empty run.
  assert.throws(
    () => new BatchLoader(cache(), { batchSize: 3, seed: 9 }).restore({ ...saved, cursor: 99_999_999 }),
    /the cursor 99999999 lies past the end of the 10-sample epoch; the checkpoint is corrupt/,
  );
});

test("subsetIndices: a fixed permutation's prefix (nested), deterministic, in range", () => {
  const big = subsetIndices(100, 40, 11);
  const small = subsetIndices(100, 20, 11);
  assert.deepEqual([...small], [...big.subarray(0, 20)]);
  assert.deepEqual([...subsetIndices(100, 40, 11)], [...big]);
  assert.notDeepEqual([...subsetIndices(100, 40, 12)], [...big]);
  assert.equal(new Set(big).size, 40);
  assert.ok(big.every((i) => i >= 0 && i < 100));
  const full = [...subsetIndices(100, 100, 11)].sort((a, b) => a - b);
  assert.deepEqual(
    full,
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.throws(() => subsetIndices(10, 11, 0), /k must be an integer in 0\.\.10/);
  assert.throws(() => subsetIndices(10, 1.5, 0), /got 1\.5/);
});
