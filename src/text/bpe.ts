/**
 * Byte-level BPE tokenizer (GPT-2 / CLIP family), trained on captions.
 *
 * Text is lower-cased and its whitespace collapsed, then split by a regex into words, single digits
 * and punctuation runs. A word keeps the space that precedes it (GPT-2's leading-space convention),
 * which is the word-boundary marker and lets `decode` restore the normalised text exactly. Each
 * pre-token is turned into UTF-8 bytes, so the 256-byte base alphabet encodes any input, any Unicode,
 * with no unknown token. Merges are learned by pair frequency over word types (weighted by their
 * counts), ties broken by the smaller (left id, right id) so training is deterministic.
 *
 * Id layout: 0 = pad, 1..256 = bytes 0..255, then one id per merge, then sot, then eot = vocabSize - 1
 * (the largest id, so CLIP-style pooling at argmax(ids) finds it).
 */
import * as fs from "node:fs";
import { PairHeap } from "./pair-heap";

/** Ids below this are pad + the 256 byte symbols. */
const FIRST_MERGE_ID = 257;
/** pad + 256 bytes + sot + eot: the smallest possible vocabulary. */
export const MIN_VOCAB_SIZE = 259;
const FORMAT = "clipdown-bpe";
const VERSION = 1;

/**
 * A word of letters (and combining marks), one digit (as CLIP, so numbers never swallow vocabulary),
 * or a run of other non-space characters (punctuation, symbols, emoji); each may carry one leading space.
 */
const PRETOKEN_RE = / ?[\p{L}\p{M}]+| ?\p{N}| ?[^\s\p{L}\p{M}\p{N}]+/gu;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

/** Lower-case, collapse whitespace runs to one space, trim: what `decode(encode(x))` gives back. */
export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/\s+/gu, " ").trim();
}

/** Splits normalised text into pre-tokens (see PRETOKEN_RE). */
export function preTokenize(text: string): string[] {
  return normalizeText(text).match(PRETOKEN_RE) ?? [];
}

/** Pair (a, b) as one number; ids stay far below 2^21, so the key is exact in a double. */
function pairKey(a: number, b: number): number {
  return a * 2097152 + b;
}

/** Replaces every non-overlapping (a, b) in `word`, left to right, by `c`. */
function mergeWord(word: number[], a: number, b: number, c: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < word.length; i++) {
    if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
      out.push(c);
      i++;
    } else {
      out.push(word[i]!);
    }
  }
  return out;
}

function bytesOf(pretoken: string): number[] {
  const bytes = encoder.encode(pretoken);
  const ids = new Array<number>(bytes.length);
  for (let i = 0; i < bytes.length; i++) ids[i] = bytes[i]! + 1;
  return ids;
}

/** The vocabulary size of the corpora's tokenizers, and of one `clipdown train` trains for a user's own shards. */
export const TOKENIZER_VOCAB_SIZE = 4096;

/** Options for {@link BpeTokenizer.train}. */
export interface BpeTrainOptions {
  /** Total ids including pad, 256 bytes, sot and eot (≥ 259). */
  vocabSize: number;
  /** A pair must occur at least this often (counting word frequency) to be merged. Default 2. */
  minFrequency?: number;
}

/** The JSON form written by `toJSON` / `save`. */
export interface BpeJSON {
  format: typeof FORMAT;
  version: number;
  vocabSize: number;
  /** merges[i] = [left id, right id] producing id 257 + i. */
  merges: [number, number][];
}

/** A trained byte-level BPE tokenizer; see the file comment for the id layout. */
export class BpeTokenizer {
  readonly vocabSize: number;
  readonly padId = 0;
  readonly sotId: number;
  readonly eotId: number;
  private readonly merges: [number, number][];
  /** pairKey → merge rank (= new id - 257). */
  private readonly ranks = new Map<number, number>();
  /** Bytes each id stands for (empty for specials). */
  private readonly bytes: Uint8Array[];
  private readonly cache = new Map<string, number[]>();

  private constructor(merges: [number, number][]) {
    this.merges = merges;
    this.vocabSize = MIN_VOCAB_SIZE + merges.length;
    this.sotId = this.vocabSize - 2;
    this.eotId = this.vocabSize - 1;
    this.bytes = [new Uint8Array(0)];
    for (let b = 0; b < 256; b++) this.bytes.push(Uint8Array.of(b));
    merges.forEach(([a, b], i) => {
      this.ranks.set(pairKey(a, b), i);
      const left = this.bytes[a]!;
      const right = this.bytes[b]!;
      const joined = new Uint8Array(left.length + right.length);
      joined.set(left, 0);
      joined.set(right, left.length);
      this.bytes.push(joined);
    });
    this.bytes.push(new Uint8Array(0), new Uint8Array(0));
  }

  /**
   * Learns merges from captions until `vocabSize` is reached or no pair occurs `minFrequency` times;
   * in the latter case the tokenizer is smaller than asked (read `vocabSize` back, it is authoritative).
   * Same texts and options → same merges, always.
   * @example BpeTokenizer.train(captions, { vocabSize: 4096 }).encode("a red apple")
   */
  static train(texts: string[], opts: BpeTrainOptions): BpeTokenizer {
    const { vocabSize } = opts;
    const minFrequency = opts.minFrequency ?? 2;
    if (!Number.isInteger(vocabSize) || vocabSize < MIN_VOCAB_SIZE || vocabSize > 1_000_000) {
      throw new Error(
        `BpeTokenizer.train: vocabSize must be an integer in [${MIN_VOCAB_SIZE}, 1000000] ` +
          `(pad + 256 bytes + sot + eot + merges), got ${vocabSize}`,
      );
    }
    if (!(minFrequency >= 1))
      throw new Error(`BpeTokenizer.train: minFrequency must be ≥ 1, got ${minFrequency}`);

    // Word types with their frequencies: merges only ever act inside a pre-token.
    const freqOf = new Map<string, number>();
    for (const text of texts) {
      for (const p of preTokenize(text)) freqOf.set(p, (freqOf.get(p) ?? 0) + 1);
    }
    const types = [...freqOf.keys()].sort(); // sorted so the process never depends on input order quirks
    const words = types.map(bytesOf);
    const freqs = types.map((t) => freqOf.get(t)!);

    const counts = new Map<number, number>();
    const where = new Map<number, Set<number>>();
    const addPairs = (w: number, sign: number, touched: Set<number>): void => {
      const word = words[w]!;
      const f = freqs[w]! * sign;
      for (let i = 0; i + 1 < word.length; i++) {
        const k = pairKey(word[i]!, word[i + 1]!);
        counts.set(k, (counts.get(k) ?? 0) + f);
        touched.add(k);
        if (sign > 0) {
          let s = where.get(k);
          if (!s) {
            s = new Set();
            where.set(k, s);
          }
          s.add(w);
        }
      }
    };
    const initial = new Set<number>();
    for (let w = 0; w < words.length; w++) addPairs(w, 1, initial);
    const heap = new PairHeap();
    for (const k of initial) heap.push(counts.get(k)!, k);

    const merges: [number, number][] = [];
    const maxMerges = vocabSize - MIN_VOCAB_SIZE;
    while (merges.length < maxMerges && heap.size > 0) {
      const { count, key } = heap.pop();
      if (counts.get(key) !== count) continue; // stale entry: the pair's count changed since it was pushed
      if (count < minFrequency) break; // the best remaining pair is too rare: so is every other one
      const a = Math.floor(key / 2097152);
      const b = key - a * 2097152;
      const c = FIRST_MERGE_ID + merges.length;
      merges.push([a, b]);
      // Re-count only the words that contain (a, b): remove their pairs, merge, add them back.
      const touched = new Set<number>();
      for (const w of where.get(key) ?? []) {
        const word = words[w]!;
        let has = false;
        for (let i = 0; i + 1 < word.length; i++) {
          if (word[i] === a && word[i + 1] === b) {
            has = true;
            break;
          }
        }
        if (!has) continue; // `where` sets are never pruned, so some members are stale
        addPairs(w, -1, touched);
        words[w] = mergeWord(word, a, b, c);
        addPairs(w, 1, touched);
      }
      where.delete(key);
      counts.delete(key);
      touched.delete(key);
      for (const k of touched) {
        const n = counts.get(k)!;
        if (n <= 0) counts.delete(k);
        else heap.push(n, k);
      }
    }
    return new BpeTokenizer(merges);
  }

  /** Token ids of one pre-token (no specials), applying merges lowest rank first as GPT-2 does. */
  private encodeWord(pretoken: string): number[] {
    const hit = this.cache.get(pretoken);
    if (hit) return hit;
    let word = bytesOf(pretoken);
    while (word.length > 1) {
      let bestRank = Number.POSITIVE_INFINITY;
      let bestAt = -1;
      for (let i = 0; i + 1 < word.length; i++) {
        const r = this.ranks.get(pairKey(word[i]!, word[i + 1]!));
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          bestAt = i;
        }
      }
      if (bestAt < 0) break;
      const [a, b] = this.merges[bestRank]!;
      word = mergeWord(word, a, b, FIRST_MERGE_ID + bestRank);
    }
    if (this.cache.size < 100_000) this.cache.set(pretoken, word);
    return word;
  }

  /** Token ids of the text with no specials and no length limit. */
  tokenize(text: string): number[] {
    const out: number[] = [];
    for (const p of preTokenize(text)) {
      for (const id of this.encodeWord(p)) out.push(id);
    }
    return out;
  }

  /**
   * `[sot, ...ids, eot, 0, 0, ...]` of length `contextLength`; content is truncated so eot is always present.
   * @example tok.encode("a dog", 8) // Int32Array [sot, id(a), id(" dog"), eot, 0, 0, 0, 0]
   */
  encode(text: string, contextLength = 16): Int32Array {
    const out = new Int32Array(contextLength);
    this.encodeInto(text, out, 0, contextLength);
    return out;
  }

  /** Encodes each text into one flat row-major `[texts.length * contextLength]` array. */
  encodeBatch(texts: string[], contextLength = 16): Int32Array {
    const out = new Int32Array(texts.length * contextLength);
    texts.forEach((t, i) => {
      this.encodeInto(t, out, i * contextLength, contextLength);
    });
    return out;
  }

  private encodeInto(text: string, out: Int32Array, at: number, contextLength: number): void {
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new Error(
        `BpeTokenizer.encode: contextLength must be an integer ≥ 2 (room for sot and eot), got ${contextLength}`,
      );
    }
    const ids = this.tokenize(text);
    const n = Math.min(ids.length, contextLength - 2);
    out[at] = this.sotId;
    for (let i = 0; i < n; i++) out[at + 1 + i] = ids[i]!;
    out[at + 1 + n] = this.eotId;
  }

  /**
   * Text of the ids, skipping pad/sot/eot; the inverse of `encode` up to lower-casing and whitespace
   * normalisation (and truncation). Invalid UTF-8 (a character cut by truncation) becomes U+FFFD.
   */
  decode(ids: ArrayLike<number>): string {
    const parts: Uint8Array[] = [];
    let len = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new Error(`BpeTokenizer.decode: id ${id} at position ${i} is outside [0, ${this.vocabSize})`);
      }
      const b = this.bytes[id]!;
      parts.push(b);
      len += b.length;
    }
    const all = new Uint8Array(len);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return decoder.decode(all).trim();
  }

  /** Readable form of one id, for inspection: specials as <pad>/<sot>/<eot>, bytes as text. */
  tokenString(id: number): string {
    if (id === this.padId) return "<pad>";
    if (id === this.sotId) return "<sot>";
    if (id === this.eotId) return "<eot>";
    return decoder.decode(this.bytes[id] ?? new Uint8Array(0));
  }

  /** The learned merges as [left id, right id]; merge i produces id 257 + i. */
  mergeList(): [number, number][] {
    return this.merges.map(([a, b]) => [a, b]);
  }

  toJSON(): BpeJSON {
    return { format: FORMAT, version: VERSION, vocabSize: this.vocabSize, merges: this.mergeList() };
  }

  /** Rebuilds a tokenizer from `toJSON()` output, validating every field. */
  static fromJSON(o: unknown): BpeTokenizer {
    const j = o as Partial<BpeJSON> | null;
    if (!j || typeof j !== "object" || j.format !== FORMAT) {
      throw new Error(
        `BpeTokenizer.fromJSON: not a ${FORMAT} tokenizer (format field is ${JSON.stringify(j?.format)})`,
      );
    }
    if (j.version !== VERSION) {
      throw new Error(
        `BpeTokenizer.fromJSON: unsupported version ${j.version}; this build reads version ${VERSION}`,
      );
    }
    if (!Array.isArray(j.merges))
      throw new Error("BpeTokenizer.fromJSON: merges must be an array of [left, right] ids");
    j.merges.forEach((m, i) => {
      const id = FIRST_MERGE_ID + i;
      const ok =
        Array.isArray(m) && m.length === 2 && m.every((x) => Number.isInteger(x) && x >= 1 && x < id);
      if (!ok)
        throw new Error(
          `BpeTokenizer.fromJSON: merge ${i} (${JSON.stringify(m)}) must be two ids in [1, ${id})`,
        );
    });
    if (j.vocabSize !== MIN_VOCAB_SIZE + j.merges.length) {
      throw new Error(
        `BpeTokenizer.fromJSON: vocabSize ${j.vocabSize} does not match ${j.merges.length} merges ` +
          `(expected ${MIN_VOCAB_SIZE + j.merges.length}); the file is corrupt or hand-edited`,
      );
    }
    return new BpeTokenizer(j.merges.map(([a, b]) => [a, b]));
  }

  save(path: string): void {
    fs.writeFileSync(path, JSON.stringify(this.toJSON()));
  }

  static load(path: string): BpeTokenizer {
    let text: string;
    try {
      text = fs.readFileSync(path, "utf8");
    } catch (err) {
      throw new Error(
        `BpeTokenizer.load: cannot read ${path} (${(err as Error).message}); build the corpus first`,
      );
    }
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (err) {
      throw new Error(`BpeTokenizer.load: ${path} is not valid JSON (${(err as Error).message})`);
    }
    return BpeTokenizer.fromJSON(o);
  }
}
