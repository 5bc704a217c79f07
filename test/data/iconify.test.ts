/**
 * The Iconify source of `pictograms-xl` on the installed `@iconify/json`: which sets it uses and why
 * not the others, captions of real icons, one variant per concept and set, deterministic listings,
 * no held-out (Noto) image among a sample of its emoji, and NOTICE naming every set used. Lists a
 * handful of sets, never all 193 (that takes ~8 s); skipped with the reason when the optional
 * package is not installed.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { datasetDefs } from "../../src/data/corpus/datasets";
import { listDatasource } from "../../src/data/corpus/datasource";
import { loadEmojibase } from "../../src/data/corpus/emojibase";
import {
  HELD_OUT_SETS,
  ICONIFY_LICENCES,
  iconifySets,
  iconifyUnavailable,
  inSmallCorpus,
  isSetMark,
  listIconify,
  readIconifySet,
} from "../../src/data/corpus/iconify";
import { normHex } from "../../src/data/corpus/text";
import { assertKeys, type SourceItem } from "../../src/data/corpus/types";
import { decodeMany } from "../../src/data/image";

const skip = iconifyUnavailable();

/** Sets that exercise every rule: suffix and prefix styles, sizes, protected words, emoji, categories. */
const SAMPLE_SETS = [
  "coolicons",
  "emojione",
  "fluent",
  "fxemoji",
  "iconamoon",
  "ic",
  "iconmind",
  "material-symbols",
  "streamline-emojis",
  "streamline-sharp",
];

let sampleMemo: ReturnType<typeof listIconify> | undefined;
const sample = (): ReturnType<typeof listIconify> => (sampleMemo ??= listIconify({ sets: SAMPLE_SETS }));
const byIcon = (id: string): SourceItem | undefined => sample().items.find((it) => it.extra?.iconify === id);

test("licence filter: every set used has an allowed SPDX licence, every other licence is left out", {
  skip,
}, () => {
  const sets = iconifySets();
  const used = sets.filter((s) => !s.excluded);
  assert.ok(used.length > 150, `${used.length} sets used`);
  for (const s of used) assert.ok(ICONIFY_LICENCES.includes(s.licence), `${s.prefix}: ${s.licence}`);
  for (const s of sets)
    if (!ICONIFY_LICENCES.includes(s.licence))
      assert.ok(s.excluded === "licence-not-allowed" || s.excluded === "hidden-set", s.prefix);
  // Share-alike, non-commercial and GPL sets that exist in the package.
  for (const p of ["openmoji", "arcticons", "emojione-v1", "cbi", "gridicons", "typcn"])
    assert.equal(sets.find((s) => s.prefix === p)?.excluded, "licence-not-allowed", p);
  assert.equal(sets.find((s) => s.prefix === "game-icons")?.licence, "CC-BY-3.0");
  assert.equal(sets.find((s) => s.prefix === "game-icons")?.excluded, undefined);
});

test("exclusions: Noto, the small corpus's sets, non-pictogram sets; refused by name too", { skip }, () => {
  const excluded = new Map(iconifySets().map((s) => [s.prefix, s.excluded]));
  for (const p of HELD_OUT_SETS) {
    assert.equal(excluded.get(p), "held-out-style", p);
    assert.throws(() => readIconifySet(p), /held-out style/);
    assert.throws(() => listIconify({ sets: [p] }), /excluded from the corpus \(held-out-style\)/);
  }
  const small = ["twemoji", "tabler", "lucide", "lucide-extended", "ph", "mdi", "fluent-emoji-flat"];
  small.push("fluent-emoji-high-contrast", "fa", "fa-solid", "fa-brands", "fa6-solid", "fa7-regular");
  for (const p of small) assert.equal(excluded.get(p), "in-small-corpus", p);
  for (const p of [
    "fad",
    "famicons",
    "fluent",
    "fluent-color",
    "mdi-light",
    "lucide-lab",
    "phosphor",
    "tabler2",
  ])
    assert.equal(inSmallCorpus(p), false, p);
  for (const p of [
    "circle-flags",
    "flag",
    "flagpack",
    "simple-icons",
    "logos",
    "vscode-icons",
    "academicons",
  ])
    assert.equal(excluded.get(p), "not-pictograms", p);
  assert.equal(excluded.get("feather"), "hidden-set");
  assert.throws(() => listIconify({ sets: ["nope"] }), /no icon set "nope"/);
});

test("captions of real icons: name words without styles and numbers, then categories; emoji as emoji", {
  skip,
}, () => {
  const expect: Record<string, string> = {
    "ic:baseline-home": "home, Action",
    "material-symbols:home": "home, UI Actions",
    "coolicons:traffic-light": "traffic light, Navigation",
    "iconmind:escalation-human-outline-bold": "escalation human, AI",
    "streamline-sharp:graph-arrow-user-increase": "graph arrow user increase, Money Shopping",
    // "light" is a style of iconamoon, but mode-light is a concept there (mode-light-bold, …-light).
    "iconamoon:mode-light": "mode light",
    "emojione:birthday-cake": "birthday cake, bday, celebration, dessert, happy, pastry, sweet",
    "streamline-emojis:birthday-cake-1": "birthday cake, bday, celebration, dessert, happy, pastry, sweet",
    "fxemoji:dog": "dog, animal, animals, dogs, pet",
  };
  for (const [id, caption] of Object.entries(expect)) assert.equal(byIcon(id)?.caption, caption, id);
  const cake = byIcon("emojione:birthday-cake")!;
  assert.equal(cake.extra?.hexcode, "1F382");
  assert.equal(cake.group, "food-drink");
  // The set is never a caption word; its prefix is only the style.
  assert.equal(byIcon("coolicons:coolicons"), undefined); // the set's logo
  for (const it of sample().items) {
    assert.notEqual(it.name, it.style.replace(/-/g, " "), it.key);
    assert.equal(it.source, "iconify");
    assert.ok(/[a-z]/i.test(it.name) && it.caption.startsWith(it.name), it.key);
  }
});

test("variants: one icon per concept and set, the plain name or else the filled style", { skip }, () => {
  const l = sample();
  assertKeys(l.items, "iconify");
  // Keys are unique across sets too: "_" is in no prefix and no name (material-symbols:light-group
  // and material-symbols-light:group would both be "…-light-group" with a "-").
  for (const s of iconifySets()) assert.match(s.prefix, /^[a-z0-9-]+$/);
  for (const it of l.items) {
    const [prefix, name] = String(it.extra?.iconify).split(":");
    assert.equal(it.key, `iconify-${prefix}_${name}`);
    assert.match(name!, /^[a-z0-9-]+$/);
  }
  const concepts = new Set<string>();
  for (const it of l.items) {
    const id = `${it.style}\0${it.extra?.hexcode ?? it.name}`;
    assert.ok(!concepts.has(id), `two icons for ${id}`);
    concepts.add(id);
  }
  const ids = (re: RegExp): string[] =>
    l.items.map((it) => String(it.extra?.iconify)).filter((id) => re.test(id));
  assert.deepEqual(ids(/^material-symbols:home(-|$)/).slice(0, 1), ["material-symbols:home"]);
  assert.ok(!ids(/^material-symbols:home-(outline|rounded|sharp)/).length);
  assert.deepEqual(ids(/^ic:[a-z]+-home$/), ["ic:baseline-home"]);
  // Fluent draws home in sizes 12…48 and two styles: the filled one on the largest grid.
  assert.deepEqual(ids(/^fluent:home-\d+-(filled|regular)$/), ["fluent:home-48-filled"]);
  assert.deepEqual(ids(/^iconmind:home-(outline|duotone)/), ["iconmind:home-outline-bold"]);
  assert.deepEqual(ids(/^iconamoon:mode-light/), ["iconamoon:mode-light"]);
  assert.equal(ids(/^streamline-emojis:baby(-\d+)?$/).length, 1);
  assert.ok(l.skipped["style-variant"]! > 40_000, JSON.stringify(l.skipped));
  assert.ok(l.skipped["same-words-as-kept"]! > 0);
  assert.ok(l.skipped["skin-tone-variant"]! > 0);
  assert.ok(l.skipped["run-together-name"]! > 0); // fxemoji names that are no emoji
  // Tone variants are gone; the five tone swatches ("light skin tone") are emoji of their own.
  const eb = loadEmojibase();
  for (const it of l.items)
    if (it.extra?.hexcode) assert.equal(eb.byHex.get(String(it.extra.hexcode))?.baseHex, undefined, it.key);
  assert.ok(!l.items.some((it) => /-skin-tone-/.test(String(it.extra?.iconify))));
  assert.equal(l.skipped["set-own-logo"], 23); // coolicons:coolicons and its 15 styles, fluent:fluent-* (8)
  assert.equal(isSetMark("element plus", "ep", "Element Plus"), true);
  assert.equal(isSetMark("logo tdesign", "tdesign", "TDesign Icons"), true);
  assert.equal(isSetMark("covid virus", "covid", "Covid Icons"), false);
  assert.equal(isSetMark("map pin", "map", "Map Icons"), false);
});

test("deterministic: listing twice gives identical items, sets and names in sorted order", { skip }, () => {
  const sets = ["emojione", "heroicons", "heroicons-outline", "ic", "iconamoon"];
  const a = listIconify({ sets });
  const b = listIconify({ sets });
  assert.deepEqual(a, b);
  const order = a.items.map((it) => [it.style, String(it.extra?.iconify).split(":")[1]!] as const);
  const sorted = [...order].sort((x, y) => (x[0] !== y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] < y[1] ? -1 : 1));
  assert.deepEqual(order, sorted);
  assert.equal(a.inputs["@iconify/json"], "2.2.553");
});

test("no held-out leak: no Noto set, and a sample of the emoji sets renders to no Noto image", {
  skip,
  timeout: 120_000,
}, async () => {
  const items = sample().items;
  assert.ok(!items.some((it) => HELD_OUT_SETS.includes(it.style) || it.key.startsWith("iconify-noto")));
  const noto = listDatasource("google").items;
  const notoHex = new Set(noto.map((it) => normHex(String(it.extra?.hexcode))));
  // Emoji that Noto also draws: the pairs most likely to coincide with a held-out image.
  const emoji = items.filter((it) => it.extra?.hexcode && notoHex.has(String(it.extra.hexcode)));
  const picked = emoji.filter((_, i) => i % 4 === 0);
  assert.ok(picked.length > 400, `${picked.length} sampled`);
  const sha1 = (b: Uint8Array): string => createHash("sha1").update(b).digest("hex");
  const decode = async (xs: SourceItem[]): Promise<string[]> =>
    (
      await decodeMany(
        xs.map((it) => ({ data: it.data ?? fs.readFileSync(it.file!), ext: it.ext })),
        64,
        { inFlight: 8 },
      )
    ).map((d) => (d instanceof Uint8Array ? sha1(d) : assert.fail(String(d))));
  const notoPixels = new Set(await decode(noto));
  const mine = await decode(picked);
  // Positive control: a Noto image decoded again hashes the same.
  assert.ok(notoPixels.has((await decode(noto.slice(0, 1)))[0]!));
  const leaks = picked.filter((_, i) => notoPixels.has(mine[i]!)).map((it) => it.key);
  assert.deepEqual(leaks, []);
});

test("NOTICE names every set used, and pictograms-xl is on demand and available here", { skip }, () => {
  const notice = fs.readFileSync(path.join(__dirname, "..", "..", "NOTICE"), "utf8");
  const section = notice.slice(
    notice.indexOf("data/pictograms-xl/"),
    notice.indexOf("Held-out evaluation sets"),
  );
  for (const s of iconifySets()) {
    const named = section.includes(`(\`${s.prefix}\`, `);
    assert.equal(
      named,
      !s.excluded,
      `${s.prefix} ${s.excluded ?? "used"} but ${named ? "" : "not "}in NOTICE`,
    );
  }
  const xl = datasetDefs().find((d) => d.name === "pictograms-xl")!;
  assert.equal(xl.onDemand, true);
  assert.equal(xl.unavailable(), undefined);
  assert.equal(xl.inputs()["@iconify/json"], "2.2.553");
  assert.equal(
    datasetDefs().find((d) => d.name === "pictograms")!.onDemand,
    undefined,
    "the small corpus stays in the default build",
  );
});
