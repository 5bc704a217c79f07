/**
 * OpenClipart (Debian `openclipart-svg`, public domain): real drawings of real objects, used only
 * when the package is installed. Only the object folders are kept (animals, food, people, plants,
 * transportation, tools, buildings, recreation, office), duplicates by MD5 are dropped, and the
 * caption is built from each file's own RDF metadata: `dc:title`, then the `dc:subject` keywords, then
 * the folder path words. Titles are noisy by nature (Italian names, "R16 sibmission"); only titles
 * that say nothing about the picture are replaced by the file name (see {@link cleanTitle}).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { debVersion } from "./packages";
import { buildCaption, keyPart, normWords, tidy } from "./text";
import { countSkip, type SourceItem, type SourceListing } from "./types";

/** Where Debian installs it; `CLIPDOWN_OPENCLIPART_DIR` overrides (e.g. an unpacked copy). */
export function openClipartDir(): string {
  return process.env.CLIPDOWN_OPENCLIPART_DIR ?? "/usr/share/openclipart/svg";
}

export const OPENCLIPART_FOLDERS = [
  "animals",
  "food",
  "people",
  "plants",
  "transportation",
  "tools",
  "buildings",
  "recreation",
  "office",
] as const;

/** Keywords that are site bookkeeping or author credits, not content. */
const NON_CONTENT_TAGS = new Set([
  "hash",
  "unsorted",
  "mapsym",
  "musicsym",
  "architetto francesco rollandin",
]);

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === "#") {
      const cp =
        e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp < 0x110000 ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** The `cc:Work` metadata of an OpenClipart SVG: title, description and keywords (agents removed). */
export function parseClipartMeta(svg: string): { title: string; description: string; keywords: string[] } {
  const work = /<cc:Work[\s\S]*?<\/cc:Work>/.exec(svg)?.[0] ?? "";
  const body = work.replace(/<cc:Agent[\s\S]*?<\/cc:Agent>/g, "");
  const text = (re: RegExp): string => tidy(decodeXml(re.exec(body)?.[1] ?? ""));
  const subject = /<dc:subject>([\s\S]*?)<\/dc:subject>/.exec(body)?.[1] ?? "";
  const keywords = [...subject.matchAll(/<rdf:li>([\s\S]*?)<\/rdf:li>/g)]
    .map((m) => tidy(decodeXml(m[1]!)))
    .filter(Boolean);
  return {
    title: text(/<dc:title>([\s\S]*?)<\/dc:title>/),
    description: text(/<dc:description>([\s\S]*?)<\/dc:description>/),
    keywords,
  };
}

/**
 * The title to caption with. Titles that carry no content ("Clipart by Nicu Buculei - bee" is pasted on
 * unrelated files; "R16 sibmission"; "Part of the Flat Icon Collection …"; empty) are replaced by the
 * file name's words ("prune.svg" → "prune"), with a trailing counter ("_01") dropped.
 */
export function cleanTitle(title: string, file: string): string {
  const t = title.replace(/_/g, " ").trim();
  const generic =
    t === "" ||
    /^clipart by /i.test(t) ||
    /^r\d+ (sibmission|submission|general)$/i.test(t) ||
    /^part of the flat icon collection/i.test(t) ||
    /^(untitled|drawing|image|new document)( ?\d+)?$/i.test(t);
  if (!generic) return tidy(t);
  const stem = path.basename(file, ".svg").replace(/[_-](\d+|r)$/i, "");
  return tidy(stem.replace(/[_-]+/g, " "));
}

function walk(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && e.name.endsWith(".svg")) out.push(p);
  }
}

/** Lists the object folders; an empty listing (with `skipped["not-installed"]`) when absent. */
export function listOpenClipart(root = openClipartDir()): SourceListing {
  const skipped: Record<string, number> = {};
  const items: SourceItem[] = [];
  const version = debVersion("openclipart-svg") ?? (fs.existsSync(root) ? "files-present" : undefined);
  const listing = (): SourceListing => ({
    source: "openclipart",
    items,
    skipped,
    inputs: { "openclipart-svg": version ?? "not installed" },
    licence: "public-domain",
  });
  if (!fs.existsSync(root)) {
    skipped["not-installed"] = 1;
    return listing();
  }
  const files: string[] = [];
  for (const f of OPENCLIPART_FOLDERS) if (fs.existsSync(path.join(root, f))) walk(path.join(root, f), files);
  files.sort();
  const seen = new Set<string>();
  const keys = new Set<string>();
  for (const file of files) {
    const data = fs.readFileSync(file);
    const md5 = createHash("md5").update(data).digest("hex");
    if (seen.has(md5)) {
      countSkip(skipped, "duplicate-md5");
      continue;
    }
    seen.add(md5);
    const rel = path.relative(root, file);
    const folders = path.dirname(rel).split(path.sep);
    const meta = parseClipartMeta(data.toString("utf8"));
    const name = cleanTitle(meta.title, file);
    if (!/[\p{L}]/u.test(name)) {
      countSkip(skipped, "no-title");
      continue;
    }
    const tags = [...meta.keywords, ...folders.map((f) => f.replace(/_/g, " "))].filter(
      (t) => !NON_CONTENT_TAGS.has(normWords(t)),
    );
    const c = buildCaption(name, tags);
    let key = `openclipart-${keyPart(rel.replace(/\.svg$/, ""))}`;
    if (keys.has(key)) key = `${key}-${md5.slice(0, 8)}`;
    keys.add(key);
    items.push({
      key,
      caption: c.caption,
      source: "openclipart",
      style: "clipart",
      name,
      tags: c.tags,
      group: folders[0]!,
      ...(folders.length > 1 ? { subgroup: folders.slice(1).join("/") } : {}),
      file,
      ext: "svg",
      extra: { path: rel },
    });
  }
  return listing();
}
