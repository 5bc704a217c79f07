/**
 * Corpus sources on the real installed packages: captions for known items built from each package's
 * own JSON, skin-tone folding, join tables, keys, and the pre-training listing as a whole.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { listDatasource } from "../../src/data/corpus/datasource";
import { loadEmojibase } from "../../src/data/corpus/emojibase";
import { FLUENT_ALIASES, listFluent, resolveFluentSlug } from "../../src/data/corpus/fluent";
import { faCategories } from "../../src/data/corpus/fontawesome";
import { cleanTitle, parseClipartMeta } from "../../src/data/corpus/openclipart";
import { listOpenMoji } from "../../src/data/corpus/openmoji";
import { packageDir } from "../../src/data/corpus/packages";
import { listPictograms, PICTOGRAM_SOURCES } from "../../src/data/corpus/pictograms";
import { listTabler } from "../../src/data/corpus/tabler";
import { buildCaption, dedupeTags, foldSkinTone, kebabToWords, normHex } from "../../src/data/corpus/text";
import { assertKeys } from "../../src/data/corpus/types";

const readJson = (pkg: string, rel: string): any =>
  JSON.parse(fs.readFileSync(path.join(packageDir(pkg), rel), "utf8"));

test("foldSkinTone strips tone qualifiers but keeps other qualifiers and bare swatches", () => {
  assert.equal(foldSkinTone("waving hand: light skin tone"), "waving hand");
  assert.equal(foldSkinTone("kiss: woman, man, medium-light skin tone, dark skin tone"), "kiss: woman, man");
  assert.equal(foldSkinTone("person: light skin tone, beard"), "person: beard");
  assert.equal(foldSkinTone("handshake: medium skin tone, medium-dark skin tone"), "handshake");
  assert.equal(foldSkinTone("light skin tone"), "light skin tone");
  assert.equal(foldSkinTone("flag: Germany"), "flag: Germany");
});

test("caption helpers: kebab names, tag dedupe against the name, normHex join key", () => {
  assert.equal(kebabToWords("a-b-2"), "a b 2");
  assert.equal(kebabToWords("hard_drive--upload"), "hard drive upload");
  // "face" and "grinning" are words of the name; "Smile" repeats "smile"; "*new*" is release markup.
  assert.deepEqual(
    dedupeTags("Grinning face", ["face", "grin", "Grinning", "smile", "Smile", "*new*", " "]),
    ["grin", "smile"],
  );
  assert.deepEqual(buildCaption("ice cream", ["ice cream", "dessert", "ice cream cone"]), {
    caption: "ice cream, dessert, ice cream cone",
    tags: ["dessert", "ice cream cone"],
  });
  assert.equal(normHex("2602-fe0f"), "2602");
  assert.equal(normHex("1F9D1-200D-1F91D-200D-1F9D1"), "1F9D1-200D-1F91D-200D-1F9D1");
});

test("OpenMoji caption of 😀 and of a skin-tone variant, from openmoji.json itself", () => {
  const rows: any[] = readJson("openmoji", "data/openmoji.json");
  const row = rows.find((r) => r.hexcode === "1F600");
  const items = listOpenMoji("color").items;
  const it = items.find((i) => i.key === "openmoji-color-1f600")!;
  const words = [...row.tags.split(", "), ...row.openmoji_tags.split(", ")];
  // Expected by hand from the JSON: name, then tags ∪ openmoji_tags minus words of the name and repeats.
  const expected = [
    row.annotation,
    ...words.filter((w, i) => !["grinning", "face"].includes(w) && words.indexOf(w) === i),
  ];
  assert.equal(it.caption, expected.join(", "));
  assert.equal(it.caption.slice(0, 30), "grinning face, cheerful, cheer");
  assert.equal(it.file, path.join(packageDir("openmoji"), "color", "svg", "1F600.svg"));
  assert.equal(it.group, "smileys-emotion");
  // 👋🏽 folds onto 👋: same caption as the base, tone kept in the metadata.
  const base = items.find((i) => i.key === "openmoji-color-1f44b")!;
  const tone = items.find((i) => i.key === "openmoji-color-1f44b-1f3fd")!;
  assert.equal(tone.caption, base.caption);
  assert.ok(base.caption.startsWith("waving hand, "));
  assert.equal(tone.extra?.skinTone, 3);
  assert.ok(!items.some((i) => /skin tone/.test(i.caption) && !/^(light|medium|dark)/.test(i.caption)));
  assert.equal(items.length, rows.length);
});

test("tabler caption of access-point from icons.json: name, tags (kebab → words), category", () => {
  const icon = readJson("@tabler/icons", "icons.json")["access-point"];
  const it = listTabler(["outline"]).items.find((i) => i.key === "tabler-outline-access-point")!;
  const tags = [
    ...icon.tags.map((t: string) => t.replace(/-/g, " ").toLowerCase()),
    icon.category.toLowerCase(),
  ];
  assert.equal(
    it.caption,
    ["access point", ...tags.filter((t: string) => t !== "access" && t !== "point")].join(", "),
  );
  assert.ok(it.caption.startsWith("access point, "), it.caption);
  assert.equal(it.group, "devices");
  assert.ok(fs.readFileSync(it.file!, "utf8").includes('stroke="currentColor"'));
});

test("Twemoji/Noto join emojibase on FE0F-insensitive hexcodes; variants share the base caption", () => {
  const eb = loadEmojibase();
  const tw = listDatasource("twitter", { skinTones: true });
  const meta: any[] = readJson("emoji-datasource-twitter", "emoji.json");
  const variants = meta.reduce((a, e) => a + Object.keys(e.skin_variations ?? {}).length, 0);
  assert.equal(tw.items.length, meta.length + variants); // every PNG, nothing unmatched
  assert.deepEqual(tw.skipped, {});
  const umbrella = tw.items.find((i) => i.key === "twemoji-2602-fe0f")!; // emojibase writes 2602
  assert.equal(umbrella.name, eb.byHex.get("2602")!.label);
  const santa = tw.items.filter((i) => String(i.extra?.hexcode).startsWith("1F385"));
  assert.equal(santa.length, 6);
  assert.equal(new Set(santa.map((s) => s.caption)).size, 1);
  assert.equal(listDatasource("google").items.length, meta.length);
});

test("Fluent: every file joins emojibase; the alias table names real CLDR labels", () => {
  const eb = loadEmojibase();
  const labels = new Set(eb.bases.map((e) => e.label));
  for (const [slug, label] of Object.entries(FLUENT_ALIASES))
    assert.ok(labels.has(label), `${slug} → ${label}`);
  const fl = listFluent("flat");
  const files = fs
    .readdirSync(path.join(packageDir("fluentui-emoji"), "icons", "flat"))
    .filter((f) => f.endsWith(".svg"));
  assert.equal(fl.items.length, files.length);
  assert.equal(resolveFluentSlug("man-dancing-medium-dark")?.tone, 4);
  assert.equal(resolveFluentSlug("man-dancing-medium-dark")?.entry.label, "man dancing");
  assert.equal(resolveFluentSlug("mans-shoe")?.entry.label, "man’s shoe");
  assert.equal(resolveFluentSlug("pouting-face")?.entry.hex, "1F621");
  assert.equal(resolveFluentSlug("no-such-emoji"), undefined);
});

test("Font Awesome categories.yml reader and OpenClipart metadata/title rules", () => {
  const cats = faCategories(
    "animals:\n  icons:\n    - crow\n    - dog\n  label: Animals\nbirds:\n  icons:\n    - crow\n",
  );
  assert.deepEqual(
    [...cats],
    [
      ["crow", "animals"],
      ["dog", "animals"],
    ],
  );
  const svg =
    '<svg><metadata><rdf:RDF><cc:Work rdf:about=""><dc:title>Red &amp; Green Apple</dc:title>' +
    "<dc:subject><rdf:Bag><rdf:li>fruit</rdf:li><rdf:li></rdf:li><rdf:li>food</rdf:li></rdf:Bag></dc:subject>" +
    "<dc:creator><cc:Agent><dc:title>someone</dc:title></cc:Agent></dc:creator></cc:Work></rdf:RDF></metadata></svg>";
  assert.deepEqual(parseClipartMeta(svg), {
    title: "Red & Green Apple",
    description: "",
    keywords: ["fruit", "food"],
  });
  assert.equal(cleanTitle("Clipart by Nicu Buculei - bee", "/x/plants/mushroom.svg"), "mushroom");
  assert.equal(cleanTitle("R16 sibmission", "/x/tools/blacksmith_anvil_01.svg"), "blacksmith anvil");
  assert.equal(cleanTitle("Orso", "/x/animals/orso_01.svg"), "Orso");
});

test("the whole pre-training listing: sources, unique safe keys, no held-out style", {
  timeout: 60_000,
}, () => {
  const listings = listPictograms();
  assert.deepEqual(
    listings.map((l) => l.source),
    PICTOGRAM_SOURCES.filter((s) => s !== "openclipart" || listings.some((l) => l.source === "openclipart")),
  );
  const items = listings.flatMap((l) => l.items);
  assertKeys(items, "pictograms");
  assert.ok(items.length > 30_000, `${items.length} pairs`);
  for (const it of items) {
    assert.ok(it.caption.trim().length > 0, it.key);
    assert.ok(it.source !== "noto" && it.style !== "black", it.key);
    assert.ok(!/\bskin tone\b/.test(it.caption) || /^(light|medium|dark)/.test(it.caption), it.caption);
  }
});
