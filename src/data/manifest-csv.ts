/**
 * CSV/TSV manifests as open_clip reads them (`--csv-img-key filepath --csv-caption-key title
 * --csv-separator "\t"`): a header row naming the columns, one image–caption pair per row, image
 * paths relative to the manifest's folder (absolute paths are used as they are).
 *
 * Parsing follows RFC 4180 (quoted fields, `""` for a quote, separators and newlines inside
 * quotes, CRLF or LF) for both separators. The text is split on the raw bytes and each field is
 * decoded as UTF-8 on its own, so one non-UTF-8 caption is counted (`non-utf8-caption`) without
 * garbling or rejecting the whole file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BadSamples } from "./bad-samples";
import { decodeCaption } from "./caption";
import { isImageExtension } from "./image";

export interface CsvManifestOptions {
  /** Column holding the image path (open_clip `--csv-img-key`). Default "filepath". */
  imgKey?: string;
  /** Column holding the caption (open_clip `--csv-caption-key`). Default "caption". */
  captionKey?: string;
  /** Field separator; default by extension: "\t" for .tsv/.tab, "," otherwise. */
  separator?: string;
  /** Receives skipped rows (missing-image, empty-caption, non-utf8-caption, unknown-extension). */
  bad?: BadSamples;
}

/** One usable row. */
export interface ManifestRow {
  /** 0-based data row (header excluded), stable across runs: used for sample keys. */
  row: number;
  /** The image path resolved against the manifest's folder. */
  image: string;
  /** The path as written in the manifest. */
  relPath: string;
  /** Lower-case extension without dot. */
  ext: string;
  caption: string;
}

export interface CsvManifest {
  file: string;
  columns: string[];
  rows: ManifestRow[];
  /** Data rows looked at (bad ones included). */
  seen: number;
}

/** The separator a manifest's extension implies: tab for .tsv/.tab, comma otherwise. */
export function separatorFor(file: string): string {
  return /\.(tsv|tab)$/i.test(file) ? "\t" : ",";
}

/**
 * RFC 4180 records of a text (any one-character separator). Works on a latin1 string so that
 * each field's characters are its bytes; decode fields afterwards. Blank lines are dropped.
 */
export function parseDelimited(text: string, sep: string): string[][] {
  if (sep.length !== 1) throw new Error(`separator must be one character, got ${JSON.stringify(sep)}`);
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1; // of the text, counting newlines inside quoted fields too
  let quoteLine = 0; // where the open quoted field began
  let i = 0;
  const endRecord = (): void => {
    record.push(field);
    field = "";
    if (!(record.length === 1 && record[0] === "")) records.push(record);
    record = [];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "\n") line++;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
      quoteLine = line;
    } else if (ch === sep) {
      record.push(field);
      field = "";
    } else if (ch === "\r" || ch === "\n") {
      endRecord();
      if (ch === "\r" && text[i + 1] === "\n") i++;
    } else field += ch;
    i++;
  }
  // An unclosed quote would otherwise swallow every later row into one field, silently.
  if (quoted)
    throw new Error(
      `line ${quoteLine}: a quoted field is never closed; close it, or write a literal quote inside quotes as ""`,
    );
  if (field !== "" || record.length) endRecord();
  return records;
}

/** Finds a column by exact name, else case-insensitively; undefined if absent. */
function columnIndex(columns: string[], name: string): number | undefined {
  const exact = columns.indexOf(name);
  if (exact >= 0) return exact;
  const lower = columns.findIndex((c) => c.toLowerCase() === name.toLowerCase());
  return lower >= 0 ? lower : undefined;
}

/**
 * Reads a CSV/TSV manifest. Rows without a path, with an empty or non-UTF-8 caption, or whose file
 * extension is not an image are skipped and counted; a missing column is an error naming the
 * columns found and the flag to choose another.
 */
export function readCsvManifest(file: string, opts: CsvManifestOptions = {}): CsvManifest {
  const imgKey = opts.imgKey ?? "filepath";
  const captionKey = opts.captionKey ?? "caption";
  const sep = opts.separator ?? separatorFor(file);
  const bad = opts.bad ?? new BadSamples();
  const bytes = fs.readFileSync(file);
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // UTF-8 BOM
  let records: string[][];
  try {
    records = parseDelimited(bytes.toString("latin1", start), sep);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new Error(`${file}: empty manifest (expected a header row)`);
  const utf8 = (s: string): string => Buffer.from(s, "latin1").toString("utf8");
  const columns = records[0]!.map((c) => utf8(c).trim());
  const img = columnIndex(columns, imgKey);
  const cap = columnIndex(columns, captionKey);
  const sepName = sep === "\t" ? "tab" : JSON.stringify(sep);
  if (img === undefined || cap === undefined) {
    const [missing, flag] = img === undefined ? [imgKey, "--csv-img-key"] : [captionKey, "--csv-caption-key"];
    throw new Error(
      `${file}: no column "${missing}" (columns, split on ${sepName}: ${columns.map((c) => JSON.stringify(c)).join(", ")}); ` +
        `name the right one with ${flag}${columns.length === 1 ? " or set --csv-separator" : ""}`,
    );
  }
  const dir = path.dirname(path.resolve(file));
  const rows: ManifestRow[] = [];
  for (let r = 1; r < records.length; r++) {
    const rec = records[r]!;
    const where = `${file} row ${r}`;
    const relPath = utf8(rec[img] ?? "").trim();
    if (!relPath) {
      bad.add("missing-image", `${where}: empty ${imgKey}`);
      continue;
    }
    const c = decodeCaption(Buffer.from(rec[cap] ?? "", "latin1"));
    if ("reason" in c) {
      bad.add(c.reason, `${where} (${relPath})`);
      continue;
    }
    const ext = path.extname(relPath).slice(1).toLowerCase();
    if (!isImageExtension(ext)) {
      bad.add("unknown-extension", `${where}: ${relPath}`);
      continue;
    }
    rows.push({ row: r - 1, image: path.resolve(dir, relPath), relPath, ext, caption: c.caption });
  }
  return { file, columns, rows, seen: records.length - 1 };
}
