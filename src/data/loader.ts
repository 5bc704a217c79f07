/**
 * Seeded batching over a preprocessed cache: subsets that nest, a fresh permutation per epoch,
 * prefetch, and an exact, JSON-able position for resumable training.
 *
 * The order is a pure function of (seed, pool, epoch): epoch e visits the pool in the permutation
 * seeded by mix(seed, e). So a loader's whole future is fixed by `{ seed, epoch, cursor }`, and
 * `restore(state())` gives exactly the batches an uninterrupted loader would have given next.
 */

import { mixSeed, permutation } from "../util/rng";
import type { PairCache } from "./cache";

/** One batch of pairs, copied out of the cache (the caller may keep it). */
export interface PairBatch {
  /** [B, size, size, 3] HWC RGB uint8, row-major. */
  images: Uint8Array;
  captions: string[];
  keys: string[];
  /** Cache index of each sample. */
  indices: Int32Array;
  size: number;
  /** Epoch the batch belongs to (0-based). */
  epoch: number;
}

export interface BatchLoaderOptions {
  batchSize: number;
  seed: number;
  /** Drop an epoch's last partial batch (training); default false (evaluation sees every sample). */
  dropLast?: boolean;
  /** Sample only these cache indices (e.g. `subsetIndices`); default all. */
  indices?: Int32Array;
  /** Batches assembled ahead, in idle time between `next()` calls. Default 2. */
  prefetch?: number;
  /**
   * The text of cache sample `index` when drawn in `epoch` (caption sampling); default the stored
   * caption. Must be a pure function of its arguments, so state()/restore() stays exact.
   */
  captionOf?: (index: number, epoch: number) => string;
}

/** The loader's position: the next batch it will return. */
export interface LoaderState {
  kind: "BatchLoader";
  version: 1;
  seed: number;
  epoch: number;
  /** Offset of the next batch's first sample in the epoch's permutation. */
  cursor: number;
  batchSize: number;
  /** Pool size, checked on restore so a state cannot be applied to another subset. */
  poolSize: number;
}

/** Stream id for subsets, so a subset's permutation is unrelated to any epoch's. */
const SUBSET_STREAM = 0x5b5e7;

/**
 * The first k entries of ONE fixed seeded permutation of 0..n-1: for the same seed, the 10k subset
 * is contained in the 20k subset (its first half), so data-quantity runs are nested.
 */
export function subsetIndices(n: number, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new Error(`subsetIndices: k must be an integer in 0..${n} (the dataset size), got ${k}`);
  }
  return permutation(n, mixSeed(seed, SUBSET_STREAM)).slice(0, k);
}

/** Batches from a PairCache in a seeded order, with prefetch and exact state()/restore(). */
export class BatchLoader {
  private readonly pool: Int32Array;
  private readonly batchSize: number;
  private readonly dropLast: boolean;
  private readonly prefetch: number;
  private readonly px: number;
  private readonly captionOf: ((index: number, epoch: number) => string) | undefined;
  private seed: number;
  /** Next batch to hand out. */
  private epoch = 0;
  private cursor = 0;
  /** Batches assembled ahead; `queue[0]` is the one at (epoch, cursor). */
  private queue: PairBatch[] = [];
  private aheadEpoch = 0;
  private aheadCursor = 0;
  private orders = new Map<number, Int32Array>();
  private fillScheduled = false;
  /** Bumped by restore(), so a fill scheduled before it cannot add stale batches. */
  private generation = 0;

  constructor(
    private readonly cache: Pick<PairCache, "n" | "size" | "images" | "captions" | "keys">,
    opts: BatchLoaderOptions,
  ) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
      throw new Error(`BatchLoader: batchSize must be a positive integer, got ${opts.batchSize}`);
    }
    if (opts.indices) {
      for (const i of opts.indices) {
        if (i < 0 || i >= cache.n)
          throw new Error(`BatchLoader: index ${i} outside the cache (n = ${cache.n})`);
      }
    }
    this.pool = opts.indices
      ? Int32Array.from(opts.indices)
      : Int32Array.from({ length: cache.n }, (_, i) => i);
    this.batchSize = opts.batchSize;
    this.dropLast = opts.dropLast ?? false;
    this.prefetch = Math.max(0, Math.floor(opts.prefetch ?? 2));
    this.seed = opts.seed >>> 0;
    this.captionOf = opts.captionOf;
    this.px = cache.size * cache.size * 3;
    if (this.pool.length === 0) throw new Error("BatchLoader: no samples (empty cache or subset)");
    if (this.dropLast && this.batchSize > this.pool.length) {
      throw new Error(
        `BatchLoader: batchSize ${this.batchSize} exceeds the ${this.pool.length} samples with dropLast (no full batch); use a smaller batch or a larger subset`,
      );
    }
  }

  /** Samples per epoch (the pool size). */
  get size(): number {
    return this.pool.length;
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    const full = Math.floor(this.pool.length / this.batchSize);
    return this.dropLast || this.pool.length % this.batchSize === 0 ? full : full + 1;
  }

  /** Cache indices in the order epoch `e` visits them. */
  epochOrder(e: number): Int32Array {
    let order = this.orders.get(e);
    if (!order) {
      const perm = permutation(this.pool.length, mixSeed(this.seed, e));
      order = new Int32Array(perm.length);
      for (let i = 0; i < perm.length; i++) order[i] = this.pool[perm[i]!]!;
      // Keep only the epochs around the current one (a prefetch may run one epoch ahead).
      for (const k of this.orders.keys()) if (k < e - 1) this.orders.delete(k);
      this.orders.set(e, order);
    }
    return order;
  }

  /** (epoch, cursor) moved past an epoch's end to the start of the next epoch where needed. */
  private normalize(epoch: number, cursor: number): [number, number] {
    const n = this.pool.length;
    const ends = this.dropLast ? cursor + this.batchSize > n : cursor >= n;
    return ends ? [epoch + 1, 0] : [epoch, cursor];
  }

  private assemble(epoch: number, cursor: number): PairBatch {
    const order = this.epochOrder(epoch);
    const end = Math.min(order.length, cursor + this.batchSize);
    const indices = order.slice(cursor, end);
    const b = indices.length;
    const images = new Uint8Array(b * this.px);
    const captions = new Array<string>(b);
    const keys = new Array<string>(b);
    const { px } = this;
    for (let i = 0; i < b; i++) {
      const j = indices[i]!;
      images.set(this.cache.images.subarray(j * px, (j + 1) * px), i * px);
      captions[i] = this.captionOf ? this.captionOf(j, epoch) : this.cache.captions[j]!;
      keys[i] = this.cache.keys[j]!;
    }
    return { images, captions, keys, indices, size: this.cache.size, epoch };
  }

  /** Assembles one more batch at the prefetch frontier. */
  private extend(): void {
    const [e, c] = this.normalize(this.aheadEpoch, this.aheadCursor);
    this.queue.push(this.assemble(e, c));
    this.aheadEpoch = e;
    this.aheadCursor = c + this.batchSize;
  }

  /** Fills the prefetch queue when the event loop is idle (e.g. while the trainer awaits the backend). */
  private scheduleFill(): void {
    if (this.prefetch === 0 || this.fillScheduled) return;
    this.fillScheduled = true;
    const gen = this.generation;
    setImmediate(() => {
      this.fillScheduled = false;
      if (gen !== this.generation) return;
      while (this.queue.length < this.prefetch) this.extend();
    });
  }

  /** The next batch (from the prefetch queue when ready, else assembled now). */
  async next(): Promise<PairBatch> {
    if (this.queue.length === 0) {
      this.aheadEpoch = this.epoch;
      this.aheadCursor = this.cursor;
      this.extend();
    }
    const batch = this.queue.shift()!;
    const [e, c] = this.normalize(this.epoch, this.cursor);
    this.epoch = e;
    this.cursor = c + this.batchSize;
    this.scheduleFill();
    return batch;
  }

  /** JSON-able position of the next batch (prefetched batches are not counted as consumed). */
  state(): LoaderState {
    return {
      kind: "BatchLoader",
      version: 1,
      seed: this.seed,
      epoch: this.epoch,
      cursor: this.cursor,
      batchSize: this.batchSize,
      poolSize: this.pool.length,
    };
  }

  /** Continues from a `state()`; the batches that follow are exactly those the saved loader would give. */
  restore(s: unknown): void {
    const st = s as Partial<LoaderState> | null;
    const int = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
    if (
      st?.kind !== "BatchLoader" ||
      !int(st.seed) ||
      !int(st.epoch) ||
      !int(st.cursor) ||
      !int(st.poolSize)
    ) {
      throw new Error(`BatchLoader.restore: not a BatchLoader state: ${JSON.stringify(s)}`);
    }
    if (st.poolSize !== this.pool.length) {
      throw new Error(
        `BatchLoader.restore: the state is for ${st.poolSize} samples but this loader has ${this.pool.length}; resume with the same data and --subset`,
      );
    }
    // A saved cursor can pass the end by less than one batch (the last, partial batch of an epoch).
    if (st.cursor > this.pool.length + this.batchSize) {
      throw new Error(
        `BatchLoader.restore: the cursor ${st.cursor} lies past the end of the ${this.pool.length}-sample epoch; the checkpoint is corrupt`,
      );
    }
    this.generation++;
    this.seed = st.seed;
    this.epoch = st.epoch;
    this.cursor = st.cursor;
    this.queue = [];
    this.orders.clear();
  }
}
