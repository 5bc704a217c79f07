/**
 * Image folders for classification, as torchvision's `ImageFolder`: `root/<class>/**\/*.png|jpg|…`,
 * one class per top-level folder, labels by folder name in sorted order. Display names come from
 * the folder names or from a JSON map `{ "<folder>": "<class name>" }` (e.g. WordNet ids → words).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BadSamples } from "./bad-samples";
import { isImageExtension } from "./image";

export interface ImageFolderOptions {
  /** Folder → class name: an object or the path of a JSON file holding one. */
  classMap?: string | Record<string, string>;
  /** Receives skipped files (unknown-extension). */
  bad?: BadSamples;
}

export interface ImageFolderSample {
  file: string;
  /** Path relative to the root, "/"-separated. */
  relPath: string;
  ext: string;
  label: number;
}

export interface ImageFolder {
  root: string;
  /** Class folder names, sorted; label i is folders[i]. */
  folders: string[];
  /** Display name of each label (the map's value, else the folder name). */
  classNames: string[];
  samples: ImageFolderSample[];
  /** Files looked at (bad ones included). */
  seen: number;
}

function loadClassMap(map: string | Record<string, string>): Record<string, string> {
  const obj: unknown = typeof map === "string" ? JSON.parse(fs.readFileSync(map, "utf8")) : map;
  const where = typeof map === "string" ? map : "class map";
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) {
    throw new Error(`${where}: expected a JSON object { "<folder>": "<class name>" }`);
  }
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== "string" || !v.trim())
      throw new Error(`${where}: the name for "${k}" must be a non-empty string`);
  }
  return obj as Record<string, string>;
}

/** Files under `dir`, recursively, sorted, dot-files and dot-folders skipped. */
function walk(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const p = path.join(dir, e.name);
    // stat (not lstat): a symlinked file or folder inside the user's own dataset is followed.
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) out.push(...walk(p));
    else if (st?.isFile()) out.push(p);
  }
  return out;
}

/**
 * Lists an image folder. Files with a non-image extension are counted (unknown-extension); files
 * directly in the root (outside any class folder) are ignored. A class map must name every folder.
 */
export function readImageFolder(root: string, opts: ImageFolderOptions = {}): ImageFolder {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`${root} is not a folder`);
  const bad = opts.bad ?? new BadSamples();
  const folders = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => !e.name.startsWith(".") && fs.statSync(path.join(root, e.name)).isDirectory())
    .map((e) => e.name)
    .sort();
  if (folders.length === 0)
    throw new Error(`${root}: no class folders (expected ${root}/<class>/<image files>)`);
  const map = opts.classMap ? loadClassMap(opts.classMap) : undefined;
  if (map) {
    const unnamed = folders.filter((f) => !(f in map));
    if (unnamed.length) {
      throw new Error(
        `class map has no name for folder(s) ${unnamed.slice(0, 5).join(", ")}${unnamed.length > 5 ? ", ..." : ""}`,
      );
    }
  }
  const samples: ImageFolderSample[] = [];
  let seen = 0;
  folders.forEach((folder, label) => {
    for (const file of walk(path.join(root, folder))) {
      seen++;
      const relPath = path.relative(root, file).split(path.sep).join("/");
      const ext = path.extname(file).slice(1).toLowerCase();
      if (!isImageExtension(ext)) {
        bad.add("unknown-extension", relPath);
        continue;
      }
      samples.push({ file, relPath, ext, label });
    }
  });
  return { root, folders, classNames: folders.map((f) => map?.[f] ?? f), samples, seen };
}
